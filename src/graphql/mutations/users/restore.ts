// restoreUser, restoreUsers: back within 30 days of deletion, with roles, and licences where seats are free.
import { restoreUser, restoreUsers } from '../../../services/users/restore.js';
import { builder, requiresRole } from '../../builder.js';
import { runMutation } from '../../errors.js';
import { decodeScopedId } from '../../ids.js';
import { UserErrorRef } from '../../types/common.js';
import { UserRef } from '../../types/refs.js';
import { BulkUsersPayload, bulkPayload, emptyBulk, LicenseWarningRef, sameCustomer, UserIdsInput } from './common.js';

const RestoreUserInput = builder.inputType('RestoreUserInput', {
  fields: (t) => ({
    userId: t.id({ required: true }),
    newUserPrincipalName: t.string({ required: false, description: 'When another active user now holds the old one.' }),
  }),
});
const RestoreUserPayload = builder.simpleObject('RestoreUserPayload', {
  fields: (t) => ({
    user: t.field({ type: UserRef, nullable: true }),
    licenseWarnings: t.field({ type: [LicenseWarningRef] }),
    userErrors: t.field({ type: [UserErrorRef] }),
  }),
});

builder.mutationFields((t) => ({
  restoreUser: t.field({
    type: RestoreUserPayload,
    description:
      'Restores a user deleted less than 30 days ago, with its roles, and its licences where seats are free.',
    directives: requiresRole(restoreUser),
    args: { input: t.arg({ type: RestoreUserInput, required: true }) },
    resolve: (_, { input }, ctx) =>
      runMutation(
        async () => {
          const u = decodeScopedId(input.userId, 'User', ['userId']);
          return restoreUser(ctx.svc, u.customerId, u.id, input.newUserPrincipalName);
        },
        { licenseWarnings: [] },
      ),
  }),
  restoreUsers: t.field({
    type: BulkUsersPayload,
    directives: requiresRole(restoreUsers),
    args: { input: t.arg({ type: UserIdsInput, required: true }) },
    resolve: (_, { input }, ctx) =>
      runMutation(async () => {
        const { customerId, userIds } = sameCustomer(input.userIds);
        return bulkPayload(input.userIds, await restoreUsers(ctx.svc, customerId, userIds));
      }, emptyBulk),
  }),
}));
