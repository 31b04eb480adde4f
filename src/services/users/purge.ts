import { and, eq, inArray, lte, sql } from 'drizzle-orm';
import type { Clock } from '../../clock.js';
import type { Db } from '../../db/client.js';
import { licenseAssignments, sessions, userRoles, users } from '../../db/schema.js';
import { serviceContext } from '../context.js';
import { emitWebhookEvent, userGlobalId } from '../webhooks.js';
import { RESTORE_WINDOW_DAYS } from './row.js';

const BATCH = 500;

/**
 * Removes for good the users deleted 30 days ago or more (the moment restore stops accepting them) (row, roles,
 * licence assignments, sessions); audit events stay, and a user.purged webhook event goes out for each. Idempotent, and safe from several instances at once: each batch is claimed with FOR UPDATE SKIP LOCKED.
 */
export async function purgeDeletedUsers(db: Db, clock: Clock): Promise<number> {
  const cutoff = new Date(clock.now().getTime() - RESTORE_WINDOW_DAYS * 86_400_000);
  let purged = 0;
  for (;;) {
    const n = await db.transaction(async (tx) => {
      const batch = await tx
        .select({ customerId: users.customerId, id: users.id, userPrincipalName: users.userPrincipalName })
        .from(users)
        .where(and(eq(users.state, 'INACTIVE'), lte(users.deletedAt, cutoff)))
        .limit(BATCH)
        .for('update', { skipLocked: true });
      const byCustomer = new Map<string, string[]>();
      for (const u of batch) byCustomer.set(u.customerId, [...(byCustomer.get(u.customerId) ?? []), u.id]);
      for (const [customerId, ids] of byCustomer) {
        await tx.delete(userRoles).where(and(eq(userRoles.customerId, customerId), inArray(userRoles.userId, ids)));
        await tx
          .delete(licenseAssignments)
          .where(and(eq(licenseAssignments.customerId, customerId), inArray(licenseAssignments.userId, ids)));
        await tx.delete(sessions).where(and(eq(sessions.customerId, customerId), inArray(sessions.userId, ids)));
        await tx
          .delete(users)
          .where(and(eq(users.customerId, customerId), inArray(users.id, ids), sql`${users.state} = 'INACTIVE'`));
      }
      // In the purge's transaction: subscribers hear of each purge once, and of none that rolled back.
      const ctx = serviceContext(tx, clock);
      for (const u of batch) {
        await emitWebhookEvent(ctx, u.customerId, 'user.purged', {
          userId: userGlobalId(u.customerId, u.id),
          userPrincipalName: u.userPrincipalName,
        });
      }
      return batch.length;
    });
    purged += n;
    if (n < BATCH) return purged;
  }
}
