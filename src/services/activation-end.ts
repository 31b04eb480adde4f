// Ending activations when the membership behind them changes: an activation is part of one membership, so removing
// the member, changing its kind, or disabling or deleting the agent ends it (else a re-added member would get back an
// old approval's roles without a new one).
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { groupActivations } from '../db/schema.js';

export async function endOpenActivations(tx: Db, partnerId: string, agentId: string, groupId: string | null, now: Date): Promise<number> {
  const ended = await tx
    .update(groupActivations)
    .set({ status: 'REVOKED', endsAt: sql`least(coalesce(${groupActivations.endsAt}, ${now.toISOString()}::timestamptz), ${now.toISOString()}::timestamptz)` })
    .where(
      and(
        eq(groupActivations.partnerId, partnerId),
        eq(groupActivations.agentId, agentId),
        groupId ? eq(groupActivations.groupId, groupId) : undefined,
        inArray(groupActivations.status, ['PENDING_APPROVAL', 'APPROVED']),
        sql`(${groupActivations.endsAt} is null or ${groupActivations.endsAt} > ${now.toISOString()}::timestamptz)`,
      ),
    )
    .returning({ id: groupActivations.id });
  return ended.length;
}
