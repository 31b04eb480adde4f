import { and, eq } from 'drizzle-orm';
import { generateTemporaryPassword, hashPassword } from '../../auth/passwords.js';
import { users } from '../../db/schema.js';
import { msg } from '../../messages/index.js';
import { recordAudit } from '../audit.js';
import { authorizeCustomerTask } from '../authorization.js';
import { inTransaction, type ServiceContext } from '../context.js';
import { invalid, notFound } from '../errors.js';
import { revokeUserSessions } from '../sessions.js';
import { customerTask } from '../tasks.js';
import { authorizeOnUser, denyAudited } from './parts.js';
import { lockUser, rolesOfUser, type UserRow, userColumns } from './row.js';

const TASK = 'RESET_PASSWORD' as const;

/** New temporary password (returned once), must-change set, every session of the user revoked. */
export const resetUserPassword = customerTask(
  [TASK],
  async function resetUserPassword(
    ctx: ServiceContext,
    customerId: string,
    userId: string,
  ): Promise<{ user: UserRow; temporaryPassword: string }> {
    const access = await denyAudited(ctx, customerId, 'RESET_PASSWORD', null, () =>
      authorizeCustomerTask(ctx, TASK, customerId),
    );
    const temporaryPassword = generateTemporaryPassword();
    const passwordHash = await hashPassword(temporaryPassword);
    const user = await denyAudited(ctx, customerId, 'RESET_PASSWORD', null, () =>
      inTransaction(ctx, async (tx) => {
        const target = await lockUser(tx.db, customerId, userId);
        if (!target) throw notFound('user');
        if (target.state !== 'ACTIVE')
          throw invalid(
            ['userId'],
            msg('users.isDeleted', { userPrincipalName: target.userPrincipalName }),
            'INVALID_STATE',
          );
        authorizeOnUser(access, TASK, target, await rolesOfUser(tx.db, customerId, userId));
        const now = ctx.clock.now();
        const [row] = await tx.db
          .update(users)
          .set({ passwordHash, mustChangePassword: true, updatedAt: now })
          .where(and(eq(users.customerId, customerId), eq(users.id, userId)))
          .returning(userColumns);
        await revokeUserSessions(tx.db, customerId, userId, now);
        await recordAudit(tx, {
          customerId,
          action: 'RESET_PASSWORD',
          outcome: 'SUCCESS',
          targetUserId: userId,
          targetName: target.userPrincipalName,
        });
        return row!;
      }),
    );
    return { user, temporaryPassword };
  },
);
