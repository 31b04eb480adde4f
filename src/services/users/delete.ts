import { and, eq } from 'drizzle-orm';
import { licenseAssignments, users } from '../../db/schema.js';
import { msg } from '../../messages/index.js';
import { recordAudit } from '../audit.js';
import { authorizeCustomerTask, type CustomerAccess } from '../authorization.js';
import { inTransaction, type ServiceContext } from '../context.js';
import { type DomainError, invalid, notFound } from '../errors.js';
import { freeSeats, lockSeats } from '../seats.js';
import { revokeUserSessions } from '../sessions.js';
import { customerTask } from '../tasks.js';
import { checkManyUsers, settle } from './many.js';
import { authorizeOnUser, denyAudited } from './parts.js';
import { licensesOfUser, lockUser, rolesOfUser, type UserRow, userColumns } from './row.js';

const TASK = 'DELETE_USER' as const;

export type PerUserResult = { userId: string; user?: UserRow; error?: DomainError };

/** Soft delete: INACTIVE, seats freed (assignments remembered for restore), sessions revoked. */
async function deleteOne(ctx: ServiceContext, access: CustomerAccess, userId: string): Promise<UserRow> {
  const customerId = access.customerId;
  return denyAudited(ctx, customerId, 'DELETE_USER', null, () =>
    inTransaction(ctx, async (tx) => {
      const user = await lockUser(tx.db, customerId, userId);
      if (!user) throw notFound('user');
      if (user.state !== 'ACTIVE')
        throw invalid(
          ['userId'],
          msg('users.alreadyDeleted', { userPrincipalName: user.userPrincipalName }),
          'INVALID_STATE',
        );
      const roles = await rolesOfUser(tx.db, customerId, userId);
      authorizeOnUser(access, TASK, user, roles);
      const now = ctx.clock.now();
      const held = await licensesOfUser(tx.db, customerId, userId);
      await lockSeats(
        tx.db,
        customerId,
        held.filter((l) => l.seated).map((l) => l.sku.id),
      );
      const seated = await tx.db
        .update(licenseAssignments)
        .set({ seated: false })
        .where(
          and(
            eq(licenseAssignments.customerId, customerId),
            eq(licenseAssignments.userId, userId),
            eq(licenseAssignments.seated, true),
          ),
        )
        .returning({ skuId: licenseAssignments.skuId });
      await freeSeats(
        tx.db,
        customerId,
        seated.map((s) => s.skuId),
      );
      const [deleted] = await tx.db
        .update(users)
        .set({ state: 'INACTIVE', deletedAt: now, updatedAt: now })
        .where(and(eq(users.customerId, customerId), eq(users.id, userId)))
        .returning(userColumns);
      await revokeUserSessions(tx.db, customerId, userId, now);
      await recordAudit(tx, {
        customerId,
        action: 'DELETE_USER',
        outcome: 'SUCCESS',
        targetUserId: userId,
        targetName: user.userPrincipalName,
        details: { seatsFreed: seated.length },
      });
      return deleted!;
    }),
  );
}

export const deleteUser = customerTask(
  [TASK],
  async function deleteUser(ctx: ServiceContext, customerId: string, userId: string): Promise<UserRow> {
    const access = await denyAudited(ctx, customerId, 'DELETE_USER', null, () =>
      authorizeCustomerTask(ctx, TASK, customerId),
    );
    return deleteOne(ctx, access, userId);
  },
);

/** Each user in its own transaction: one user's failure does not undo the others'. */
export const deleteUsers = customerTask(
  [TASK],
  async function deleteUsers(ctx: ServiceContext, customerId: string, userIds: string[]): Promise<PerUserResult[]> {
    checkManyUsers(userIds);
    const access = await denyAudited(ctx, customerId, 'DELETE_USER', null, () =>
      authorizeCustomerTask(ctx, TASK, customerId),
    );
    const results: PerUserResult[] = [];
    for (const userId of userIds)
      results.push(await settle(userId, async () => ({ userId, user: await deleteOne(ctx, access, userId) })));
    return results;
  },
);
