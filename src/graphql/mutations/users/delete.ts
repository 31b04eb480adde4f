// deleteUser, deleteUsers: inactive for 30 days (restorable), seats freed, sessions revoked; then purged.
import { deleteUser, deleteUsers } from '../../../services/users/delete.js';
import { builder, requiresRole } from '../../builder.js';
import { runMutation } from '../../errors.js';
import { decodeScopedId } from '../../ids.js';
import {
  BulkUsersPayload,
  bulkPayload,
  emptyBulk,
  sameCustomer,
  UserIdsInput,
  UserPayload,
  userIdInput,
} from './common.js';

const DeleteUserInput = userIdInput('DeleteUserInput', 'The user to delete.');

builder.mutationFields((t) => ({
  deleteUser: t.field({
    type: UserPayload,
    description: 'Soft delete: INACTIVE for 30 days (restorable), seats freed, sessions revoked.',
    directives: requiresRole(deleteUser),
    args: { input: t.arg({ type: DeleteUserInput, required: true, description: 'The user to delete.' }) },
    resolve: (_, { input }, ctx) =>
      runMutation(async () => {
        const u = decodeScopedId(input.userId, 'User', ['userId']);
        return { user: await deleteUser(ctx.svc, u.customerId, u.id) };
      }),
  }),
  deleteUsers: t.field({
    type: BulkUsersPayload,
    description: 'Deletes up to 1 000 users, each on its own: one failure does not undo the others.',
    directives: requiresRole(deleteUsers),
    args: { input: t.arg({ type: UserIdsInput, required: true, description: 'The users to delete.' }) },
    resolve: (_, { input }, ctx) =>
      runMutation(async () => {
        const { customerId, userIds } = sameCustomer(input.userIds);
        return bulkPayload(input.userIds, await deleteUsers(ctx.svc, customerId, userIds));
      }, emptyBulk),
  }),
}));
