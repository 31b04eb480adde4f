// updateUser: info, admin roles and licences in one transaction, each part with its own roles; dry run.
import { updateUser } from '../../../services/users/update.js';
import { builder, requiresRole } from '../../builder.js';
import { runMutation } from '../../errors.js';
import { decodeId, decodeScopedId } from '../../ids.js';
import { DirectoryRoleEnum, UserErrorRef } from '../../types/common.js';
import { UserRef } from '../../types/refs.js';
import { infoFields } from './common.js';

const UpdateUserInput = builder.inputType('UpdateUserInput', {
  fields: (t) => ({
    userId: t.id({ required: true }),
    userPrincipalName: t.string({ required: false }),
    displayName: t.string({ required: false }),
    ...infoFields(t),
    addRoles: t.field({ type: [DirectoryRoleEnum], required: false }),
    removeRoles: t.field({ type: [DirectoryRoleEnum], required: false }),
    addLicenseSkuIds: t.idList({ required: false }),
    removeLicenseSkuIds: t.idList({ required: false }),
    dryRun: t.boolean({
      required: false,
      description: 'Return the user as it would be and the changes; save nothing.',
    }),
  }),
});
const ChangeRef = builder.simpleObject('UserChange', {
  fields: (t) => ({ field: t.string(), from: t.string({ nullable: true }), to: t.string({ nullable: true }) }),
});
const UpdateUserPayload = builder.simpleObject('UpdateUserPayload', {
  fields: (t) => ({
    user: t.field({ type: UserRef, nullable: true }),
    changes: t.field({ type: [ChangeRef], nullable: true }),
    dryRun: t.boolean({ nullable: true }),
    userErrors: t.field({ type: [UserErrorRef] }),
  }),
});

builder.mutationFields((t) => ({
  updateUser: t.field({
    type: UpdateUserPayload,
    description:
      'Edits info (EDIT_USER_INFO), admin roles (EDIT_USER_ROLES) and licences (EDIT_USER_LICENSES) in one transaction; each part needs its own roles.',
    directives: requiresRole(updateUser),
    args: { input: t.arg({ type: UpdateUserInput, required: true }) },
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
