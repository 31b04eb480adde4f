// restoreUser, restoreUsers: back within 30 days of deletion, with roles, and licences where seats are free.
import { restoreUser, restoreUsers } from '../../../services/users/restore.js';
import { builder, requiresRole } from '../../builder.js';
import { runMutation } from '../../errors.js';
import { decodeScopedId } from '../../ids.js';
import { USER_ERRORS_DESCRIPTION, UserErrorRef } from '../../types/common.js';
import { UserRef } from '../../types/refs.js';
import { BulkUsersPayload, bulkPayload, emptyBulk, LicenseWarningRef, sameCustomer, UserIdsInput } from './common.js';

const RestoreUserInput = builder.inputType('RestoreUserInput', {
  description: 'The deleted user to restore.',
  fields: (t) => ({
    userId: t.id({ required: true, description: 'A User id (of an INACTIVE user).' }),
    newUserPrincipalName: t.string({ required: false, description: 'When another active user now holds the old one.' }),
  }),
});
const RestoreUserPayload = builder.simpleObject('RestoreUserPayload', {
  description: 'The restored user, and the licences it did not get back.',
  fields: (t) => ({
    user: t.field({ type: UserRef, nullable: true, description: 'The user, ACTIVE again.' }),
    licenseWarnings: t.field({
      type: [LicenseWarningRef],
      description: 'The licences not given back (no free seat).',
    }),
    userErrors: t.field({ type: [UserErrorRef], description: USER_ERRORS_DESCRIPTION }),
  }),
});

builder.mutationFields((t) => ({
  restoreUser: t.field({
    type: RestoreUserPayload,
    description:
      'Restores a user deleted less than 30 days ago, with its roles, and its licences where seats are free.',
    directives: requiresRole(restoreUser),
    args: { input: t.arg({ type: RestoreUserInput, required: true, description: 'The user to restore.' }) },
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
    description:
      'Restores up to 1 000 users of one customer, each on its own (with its old user principal name): one failure does not undo the others.',
    directives: requiresRole(restoreUsers),
    args: { input: t.arg({ type: UserIdsInput, required: true, description: 'The users to restore.' }) },
    resolve: (_, { input }, ctx) =>
      runMutation(async () => {
        const { customerId, userIds } = sameCustomer(input.userIds);
        return bulkPayload(input.userIds, await restoreUsers(ctx.svc, customerId, userIds));
      }, emptyBulk),
  }),
}));
