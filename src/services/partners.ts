// Partners: the bootstrap of the first one, and reading one's own. Agents and groups have their own modules.
import { eq, sql } from 'drizzle-orm';
import { hashPassword, passwordPolicyViolation } from '../auth/passwords.js';
import { agents, partners } from '../db/schema.js';
import type { AgentRow } from './agents.js';
import { requireAgent } from './authorization.js';
import { inTransaction, type ServiceContext } from './context.js';
import { notFound, violated } from './errors.js';
import { recordPartnerEvent } from './partner-audit.js';

export type PartnerRow = typeof partners.$inferSelect;

export async function partnerCount(ctx: ServiceContext): Promise<number> {
  const [row] = await ctx.db.select({ n: sql<number>`count(*)::int` }).from(partners);
  return row?.n ?? 0;
}

/**
 * Like other identity servers: the first partner and its first agent come from the environment. That agent holds
 * ADMIN_AGENT and ACCESS_ADMINISTRATOR, so it can onboard the others (and must, to have a second pair of eyes).
 */
export async function bootstrapPartner(
  ctx: ServiceContext,
  input: { partnerName: string; adminEmail: string; adminPassword: string; adminName?: string },
): Promise<{ partner: PartnerRow; admin: AgentRow } | null> {
  if ((await partnerCount(ctx)) > 0) return null;
  const violation = passwordPolicyViolation(input.adminPassword);
  if (violation) throw violated(['BOOTSTRAP_ADMIN_PASSWORD'], 'bootstrapPassword', violation, 'WEAK_PASSWORD');
  const passwordHash = await hashPassword(input.adminPassword);
  return inTransaction(ctx, async (tx) => {
    // Instances starting together: one creates the partner, the others wait for it, then see it and stop.
    await tx.db.execute(sql`select pg_advisory_xact_lock(7243002)`);
    if ((await partnerCount(tx)) > 0) return null;
    const [partner] = await tx.db.insert(partners).values({ name: input.partnerName }).returning();
    const [admin] = await tx.db
      .insert(agents)
      .values({
        partnerId: partner!.id,
        email: input.adminEmail,
        displayName: input.adminName ?? 'Administrator',
        passwordHash,
        roles: ['ADMIN_AGENT', 'ACCESS_ADMINISTRATOR'],
      })
      .returning();
    await recordPartnerEvent(tx, partner!.id, 'BOOTSTRAP_PARTNER', 'SUCCESS', {
      targetType: 'AGENT',
      targetId: admin!.id,
      targetName: admin!.email,
      details: { partner: input.partnerName, roles: admin!.roles },
    });
    return { partner: partner!, admin: admin! };
  });
}

export async function getPartner(ctx: ServiceContext, partnerId: string): Promise<PartnerRow> {
  const agent = requireAgent(ctx);
  if (agent.partnerId !== partnerId) throw notFound('partner');
  const [row] = await ctx.db.select().from(partners).where(eq(partners.id, partnerId));
  if (!row) throw notFound('partner');
  return row;
}
