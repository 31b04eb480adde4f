// The partner side: bootstrap, agents, security groups and their members.
import { and, asc, eq, sql } from 'drizzle-orm';
import { hashPassword, passwordPolicyViolation } from '../auth/passwords.js';
import { PARTNER_ROLES, type PartnerRole } from '../auth/roles.js';
import { pgErrorCode, UNIQUE_VIOLATION } from '../db/client.js';
import { agents, domains, groupMembers, partners, securityGroups } from '../db/schema.js';
import { requireAdminAgent, requireAgent } from './authorization.js';
import type { ServiceContext } from './context.js';
import { invalid, notFound } from './errors.js';
import { textViolation } from './validation.js';

export type AgentRow = typeof agents.$inferSelect;
export type PartnerRow = typeof partners.$inferSelect;
export type GroupRow = typeof securityGroups.$inferSelect;

export async function partnerCount(ctx: ServiceContext): Promise<number> {
  const [row] = await ctx.db.select({ n: sql<number>`count(*)::int` }).from(partners);
  return row?.n ?? 0;
}

/** Like other identity servers: the first partner and its first ADMIN_AGENT come from the environment. */
export async function bootstrapPartner(
  ctx: ServiceContext,
  input: { partnerName: string; adminEmail: string; adminPassword: string; adminName?: string },
): Promise<{ partner: PartnerRow; admin: AgentRow } | null> {
  if ((await partnerCount(ctx)) > 0) return null;
  const violation = passwordPolicyViolation(input.adminPassword);
  if (violation) throw invalid(['BOOTSTRAP_ADMIN_PASSWORD'], `The bootstrap password ${violation}.`, 'WEAK_PASSWORD');
  const passwordHash = await hashPassword(input.adminPassword);
  return ctx.db.transaction(async (tx) => {
    // Instances starting together: one creates the partner, the others wait for it, then see it and stop.
    await tx.execute(sql`select pg_advisory_xact_lock(7243002)`);
    if ((await partnerCount({ ...ctx, db: tx })) > 0) return null;
    const [partner] = await tx.insert(partners).values({ name: input.partnerName }).returning();
    const [admin] = await tx
      .insert(agents)
      .values({
        partnerId: partner!.id,
        email: input.adminEmail,
        displayName: input.adminName ?? 'Administrator',
        passwordHash,
        roles: ['ADMIN_AGENT'],
      })
      .returning();
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

export async function createAgent(
  ctx: ServiceContext,
  input: { email: string; displayName: string; password: string; roles: PartnerRole[] },
): Promise<AgentRow> {
  const admin = requireAdminAgent(ctx);
  const email = input.email.trim();
  if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email) || email.length > 254) {
    throw invalid(['email'], 'The email must look like name@example.com.');
  }
  const nameProblem = textViolation(input.displayName, 256, true);
  if (nameProblem) throw invalid(['displayName'], `The display name ${nameProblem}.`);
  if (input.roles.length === 0) throw invalid(['roles'], 'Give the agent at least one partner role.', 'REQUIRED');
  for (const role of input.roles) {
    if (!PARTNER_ROLES.includes(role)) throw invalid(['roles'], `${role} is not a partner role.`, 'UNKNOWN_ROLE');
  }
  // A login on a customer's verified domain signs in as that customer's user (services/sessions.ts).
  const [customerDomain] = await ctx.db
    .select({ name: domains.name })
    .from(domains)
    .where(eq(domains.name, email.slice(email.lastIndexOf('@') + 1).toLowerCase()));
  if (customerDomain) {
    throw invalid(['email'], `${customerDomain.name} is a customer's verified domain: an agent needs an email on another domain.`, 'DOMAIN_TAKEN');
  }
  const violation = passwordPolicyViolation(input.password);
  if (violation) throw invalid(['password'], `The password ${violation}.`, 'WEAK_PASSWORD');
  const passwordHash = await hashPassword(input.password);
  try {
    const [row] = await ctx.db
      .insert(agents)
      .values({ partnerId: admin.partnerId, email, displayName: input.displayName, passwordHash, roles: input.roles })
      .returning();
    return row!;
  } catch (e) {
    if (pgErrorCode(e) === UNIQUE_VIOLATION) throw invalid(['email'], `${email} is already taken.`, 'EMAIL_TAKEN');
    throw e;
  }
}

export async function listAgents(ctx: ServiceContext): Promise<AgentRow[]> {
  const admin = requireAdminAgent(ctx);
  return ctx.db.select().from(agents).where(eq(agents.partnerId, admin.partnerId)).orderBy(asc(agents.emailLower));
}

/** An agent of the caller's own partner (self always; others for ADMIN_AGENT). */
export async function getAgent(ctx: ServiceContext, agentId: string): Promise<AgentRow> {
  const caller = requireAgent(ctx);
  if (caller.agentId !== agentId) requireAdminAgent(ctx);
  const [row] = await ctx.db
    .select()
    .from(agents)
    .where(and(eq(agents.id, agentId), eq(agents.partnerId, caller.partnerId)));
  if (!row) throw notFound('agent');
  return row;
}

export async function createSecurityGroup(ctx: ServiceContext, input: { name: string }): Promise<GroupRow> {
  const admin = requireAdminAgent(ctx);
  const problem = textViolation(input.name, 120, true);
  if (problem) throw invalid(['name'], `The group name ${problem}.`);
  try {
    const [row] = await ctx.db.insert(securityGroups).values({ partnerId: admin.partnerId, name: input.name }).returning();
    return row!;
  } catch (e) {
    if (pgErrorCode(e) === UNIQUE_VIOLATION) throw invalid(['name'], `A group named ${input.name} exists.`, 'NAME_TAKEN');
    throw e;
  }
}

export async function getSecurityGroup(ctx: ServiceContext, groupId: string): Promise<GroupRow> {
  const admin = requireAdminAgent(ctx);
  const [row] = await ctx.db
    .select()
    .from(securityGroups)
    .where(and(eq(securityGroups.id, groupId), eq(securityGroups.partnerId, admin.partnerId)));
  if (!row) throw notFound('security group');
  return row;
}

export async function listSecurityGroups(ctx: ServiceContext): Promise<GroupRow[]> {
  const admin = requireAdminAgent(ctx);
  return ctx.db
    .select()
    .from(securityGroups)
    .where(eq(securityGroups.partnerId, admin.partnerId))
    .orderBy(asc(securityGroups.name));
}

export async function addGroupMember(
  ctx: ServiceContext,
  input: { groupId: string; agentId: string },
): Promise<GroupRow> {
  const group = await getSecurityGroup(ctx, input.groupId);
  await getAgent(ctx, input.agentId);
  await ctx.db.insert(groupMembers).values({ groupId: group.id, agentId: input.agentId }).onConflictDoNothing();
  return group;
}

export async function removeGroupMember(
  ctx: ServiceContext,
  input: { groupId: string; agentId: string },
): Promise<GroupRow> {
  const group = await getSecurityGroup(ctx, input.groupId);
  await ctx.db
    .delete(groupMembers)
    .where(and(eq(groupMembers.groupId, group.id), eq(groupMembers.agentId, input.agentId)));
  return group;
}

export async function groupMembersOf(ctx: ServiceContext, groupId: string): Promise<AgentRow[]> {
  const group = await getSecurityGroup(ctx, groupId);
  const rows = await ctx.db
    .select({ agent: agents })
    .from(groupMembers)
    .innerJoin(agents, eq(agents.id, groupMembers.agentId))
    .where(eq(groupMembers.groupId, group.id))
    .orderBy(asc(agents.emailLower));
  return rows.map((r) => r.agent);
}

export async function groupsOfAgent(ctx: ServiceContext, agentId: string): Promise<GroupRow[]> {
  const agent = await getAgent(ctx, agentId);
  const rows = await ctx.db
    .select({ group: securityGroups })
    .from(groupMembers)
    .innerJoin(securityGroups, eq(securityGroups.id, groupMembers.groupId))
    .where(eq(groupMembers.agentId, agent.id))
    .orderBy(asc(securityGroups.name));
  return rows.map((r) => r.group);
}
