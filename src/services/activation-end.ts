// Ending activations when the membership behind them changes: an activation is part of one membership, so removing
// the member, changing its kind, or disabling or deleting the agent ends it (else a re-added member would get back an
// old approval's roles without a new one).
import { and, eq, gt, or, sql } from 'drizzle-orm';
import { DAY_MS } from '../clock.js';
import type { Db } from '../db/client.js';
import { groupActivations } from '../db/schema.js';

/** A request nobody decided within a day lapses (as PIM's do). */
export const PENDING_LIFETIME_MS = DAY_MS;

export async function endOpenActivations(
  tx: Db,
  partnerId: string,
  agentId: string,
  groupId: string | null,
  now: Date,
): Promise<number> {
  const ended = await tx
    .update(groupActivations)
    .set({
      status: 'REVOKED',
      endsAt: sql`least(coalesce(${groupActivations.endsAt}, ${now.toISOString()}::timestamptz), ${now.toISOString()}::timestamptz)`,
    })
    .where(
      and(
        eq(groupActivations.partnerId, partnerId),
        eq(groupActivations.agentId, agentId),
        groupId ? eq(groupActivations.groupId, groupId) : undefined,
        or(
          and(eq(groupActivations.status, 'APPROVED'), gt(groupActivations.endsAt, now)),
          // A request nobody decided lapses after a day (services/activations.ts): it is over already.
          and(
            eq(groupActivations.status, 'PENDING_APPROVAL'),
            gt(groupActivations.requestedAt, new Date(now.getTime() - PENDING_LIFETIME_MS)),
          ),
        ),
      ),
    )
    .returning({ id: groupActivations.id });
  return ended.length;
}
