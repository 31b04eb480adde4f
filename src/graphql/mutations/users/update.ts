// updateUser: info, admin roles and licences in one transaction, each part with its own roles; dry run.
import { updateUser } from '../../../services/users/update.js';
import { builder, requiresRole } from '../../builder.js';
import { runMutation } from '../../errors.js';
import { decodeId, decodeScopedId } from '../../ids.js';
import { DirectoryRoleEnum, USER_ERRORS_DESCRIPTION, UserErrorRef } from '../../types/common.js';
import { UserRef } from '../../types/refs.js';
import { infoFields } from './common.js';

const UpdateUserInput = builder.inputType('UpdateUserInput', {
  description: "A user's changes: the fields not given stay, null clears an info field (never displayName).",
  fields: (t) => ({
    userId: t.id({ required: true, description: 'A User id (of an ACTIVE user).' }),
    userPrincipalName: t.string({
      required: false,
      description: 'A new alias@domain, on a verified domain of the customer.',
    }),
    displayName: t.string({ required: false, description: 'A new display name, up to 256 characters.' }),
    ...infoFields(t),
    addRoles: t.field({
      type: [DirectoryRoleEnum],
      required: false,
      description: 'Admin roles to give (EDIT_USER_ROLES).',
    }),
    removeRoles: t.field({
      type: [DirectoryRoleEnum],
      required: false,
      description: 'Admin roles to take away (EDIT_USER_ROLES).',
    }),
    addLicenseSkuIds: t.idList({
      required: false,
      description: 'Sku ids of licences to assign, each taking a free seat (EDIT_USER_LICENSES; needs usageLocation).',
    }),
    removeLicenseSkuIds: t.idList({
      required: false,
      description: 'Sku ids of licences to remove, freeing their seats (EDIT_USER_LICENSES).',
    }),
    dryRun: t.boolean({
      required: false,
      description: 'Return the user as it would be and the changes; save nothing.',
    }),
  }),
});
const ChangeRef = builder.simpleObject('UserChange', {
  description: "One field's change: values as text (a licence by its part number, a role by its name).",
  fields: (t) => ({
    field: t.string({ description: 'The field changed, e.g. displayName, roles, licenses.' }),
    from: t.string({ nullable: true, description: 'The value before (null when unset).' }),
    to: t.string({ nullable: true, description: 'The value after (null when cleared).' }),
  }),
});
const UpdateUserPayload = builder.simpleObject('UpdateUserPayload', {
  description: 'The user after the update (or as it would be, for a dry run) and what changed.',
  fields: (t) => ({
    user: t.field({ type: UserRef, nullable: true, description: 'The user after the change.' }),
    changes: t.field({
      type: [ChangeRef],
      nullable: true,
      description: 'One entry per field changed (empty when the input changed nothing).',
    }),
    dryRun: t.boolean({ nullable: true, description: 'True when nothing was saved.' }),
    userErrors: t.field({ type: [UserErrorRef], description: USER_ERRORS_DESCRIPTION }),
  }),
});

builder.mutationFields((t) => ({
  updateUser: t.field({
    type: UpdateUserPayload,
    description:
      'Edits info (EDIT_USER_INFO), admin roles (EDIT_USER_ROLES) and licences (EDIT_USER_LICENSES) in one transaction; each part needs its own roles.',
    directives: requiresRole(updateUser),
    args: { input: t.arg({ type: UpdateUserInput, required: true, description: 'The user and its changes.' }) },
    resolve: (_, { input }, ctx) =>
      runMutation(async () => {
        const u = decodeScopedId(input.userId, 'User', ['userId']);
        const { userId: _id, ...rest } = input;
        const result = await updateUser(ctx.svc, u.customerId, u.id, {
          ...rest,
          addLicenseSkuIds: input.addLicenseSkuIds?.map((id, i) =>
            decodeId(id, 'Sku', ['addLicenseSkuIds', String(i)]),
          ),
          removeLicenseSkuIds: input.removeLicenseSkuIds?.map((id, i) =>
            decodeId(id, 'Sku', ['removeLicenseSkuIds', String(i)]),
          ),
        });
        // The user's roles and licences resolve through the loaders: give them the state the update produced (for
        // a dry run, the state that was rolled back).
        const key = { customerId: u.customerId, userId: u.id };
        ctx.loaders.userDetails.clear(key).prime(key, { roles: result.roles, licenses: result.licenses });
        return result;
      }),
  }),
}));
