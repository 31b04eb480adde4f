// createUser: a user with a temporary password (shown once), its roles and licences in the same transaction.
import { createUser } from '../../../services/users/create.js';
import { builder, requiresRole } from '../../builder.js';
import { runMutation } from '../../errors.js';
import { decodeId } from '../../ids.js';
import { DirectoryRoleEnum } from '../../types/common.js';
import { infoFields, UserWithPasswordPayload } from './common.js';

const CreateUserInput = builder.inputType('CreateUserInput', {
  description: 'A new user of a customer, with its roles and licences.',
  fields: (t) => ({
    customerId: t.id({ required: true, description: 'A Customer id.' }),
    userPrincipalName: t.string({ required: true, description: 'alias@domain, on a verified domain of the customer.' }),
    displayName: t.string({ required: true, description: 'Its name as people see it, up to 256 characters.' }),
    ...infoFields(t),
    roles: t.field({
      type: [DirectoryRoleEnum],
      required: false,
      description: 'Admin roles (needs PRIVILEGED_ROLE_ADMINISTRATOR).',
    }),
    licenseSkuIds: t.idList({
      required: false,
      description: 'Sku ids of the licences to assign: each takes a free seat (needs usageLocation).',
    }),
  }),
});
const CreateUserPayload = UserWithPasswordPayload(
  'CreateUserPayload',
  'The new user and its temporary password (shown once).',
);

builder.mutationFields((t) => ({
  createUser: t.field({
    type: CreateUserPayload,
    description:
      'Creates a user with a temporary password (returned once); roles and licences in the same transaction.',
    directives: requiresRole(createUser),
    args: { input: t.arg({ type: CreateUserInput, required: true, description: 'The user to create.' }) },
    resolve: (_, { input }, ctx) =>
      runMutation(() =>
        createUser(ctx.svc, {
          ...input,
          customerId: decodeId(input.customerId, 'Customer', ['customerId']),
          licenseSkuIds: input.licenseSkuIds?.map((id, i) => decodeId(id, 'Sku', ['licenseSkuIds', String(i)])),
        }),
      ),
  }),
}));
