// resetUserPassword: a new temporary password (shown once), by Entra's who-can-reset table.
import { resetUserPassword } from '../../../services/users/reset-password.js';
import { builder, requiresRole } from '../../builder.js';
import { runMutation } from '../../errors.js';
import { decodeScopedId } from '../../ids.js';
import { UserWithPasswordPayload, userIdInput } from './common.js';

const ResetUserPasswordInput = userIdInput('ResetUserPasswordInput', 'The user whose password to reset.');
const ResetUserPasswordPayload = UserWithPasswordPayload(
  'ResetUserPasswordPayload',
  'The user and its new temporary password (shown once).',
);

builder.mutationFields((t) => ({
  resetUserPassword: t.field({
    type: ResetUserPasswordPayload,
    description:
      "New temporary password (returned once); the user's sessions are revoked. Who may reset whom follows Entra's table.",
    directives: requiresRole(resetUserPassword),
    args: {
      input: t.arg({ type: ResetUserPasswordInput, required: true, description: 'The user whose password to reset.' }),
    },
    resolve: (_, { input }, ctx) =>
      runMutation(async () => {
        const u = decodeScopedId(input.userId, 'User', ['userId']);
        return resetUserPassword(ctx.svc, u.customerId, u.id);
      }),
  }),
}));
