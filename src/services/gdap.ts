// GDAP relationships: request (APPROVAL_PENDING), customer approval, access assignments to groups, termination.
import { and, asc, desc, eq, sql } from 'drizzle-orm';
import { DIRECTORY_ROLES, type DirectoryRole } from '../auth/roles.js';
import { generateToken, hashToken } from '../auth/tokens.js';
import { pgErrorCode, UNIQUE_VIOLATION } from '../db/client.js';
import { accessAssignments, customers, gdapRelationships, securityGroups, userRoles } from '../db/schema.js';
import { DAY_MS } from '../clock.js';
import { recordAudit } from './audit.js';
import { authorizeCustomerTask, requireAdminAgent, requireSignedIn } from './authorization.js';
import type { ServiceContext } from './context.js';
import { DomainError, invalid, notFound, ValidationErrors } from './errors.js';
import { textViolation } from './validation.js';

export type RelationshipRow = typeof gdapRelationships.$inferSelect;
export type AccessAssignmentRow = typeof accessAssignments.$inferSelect;
export type GdapStatus = RelationshipRow['status'];

export const MAX_DURATION_DAYS = 730;
const AUTO_EXTEND_DAYS = 180;
const EXPIRING_DAYS = 30;

/** The end as of now: an auto-extending relationship moves its end forward by 180 days each time it passes. */
export function effectiveEnd(rel: RelationshipRow, now: Date): Date | null {
  if (!rel.endsAt) return null;
  if (!rel.autoExtend || rel.endsAt > now) return rel.endsAt;
  const periods = Math.ceil((now.getTime() - rel.endsAt.getTime()) / (AUTO_EXTEND_DAYS * DAY_MS));
  return new Date(rel.endsAt.getTime() + Math.max(1, periods) * AUTO_EXTEND_DAYS * DAY_MS);
}

/** Status judged at request time: an ACTIVE relationship past its end is EXPIRED. */
export function currentStatus(rel: RelationshipRow, now: Date): GdapStatus {
  if (rel.status !== 'ACTIVE') return rel.status;
  const end = effectiveEnd(rel, now);
  return end && end <= now ? 'EXPIRED' : 'ACTIVE';
}

export function isExpiring(rel: RelationshipRow, now: Date): boolean {
  const end = effectiveEnd(rel, now);
  return currentStatus(rel, now) === 'ACTIVE' && !!end && end.getTime() - now.getTime() < EXPIRING_DAYS * DAY_MS;
}

export async function createGdapRelationship(
  ctx: ServiceContext,
  input: { customerId: string; displayName: string; roles: DirectoryRole[]; durationDays: number; autoExtend?: boolean | null },
): Promise<{ relationship: RelationshipRow; approvalToken: string }> {
  const agent = requireAdminAgent(ctx);
  const [customer] = await ctx.db
    .select()
    .from(customers)
    .where(and(eq(customers.id, input.customerId), eq(customers.partnerId, agent.partnerId)));
  if (!customer) throw notFound('customer');
  const roles = [...new Set(input.roles)];
  const errors: DomainError[] = [];
  const nameProblem = textViolation(input.displayName, 50, true);
  if (nameProblem) errors.push(invalid(['displayName'], `The display name ${nameProblem}.`));
  if (roles.length === 0) errors.push(invalid(['roles'], 'A relationship carries at least one role.', 'REQUIRED'));
  for (const r of roles) {
    if (!DIRECTORY_ROLES.includes(r)) errors.push(invalid(['roles'], `${r} is not a directory role.`, 'UNKNOWN_ROLE'));
  }
  if (!Number.isInteger(input.durationDays) || input.durationDays < 1 || input.durationDays > MAX_DURATION_DAYS) {
    errors.push(invalid(['durationDays'], `The duration must be from 1 day to ${MAX_DURATION_DAYS} days (2 years).`));
  }
  if (input.autoExtend && roles.includes('GLOBAL_ADMINISTRATOR')) {
    errors.push(invalid(['autoExtend'], 'A relationship carrying GLOBAL_ADMINISTRATOR cannot auto-extend.'));
  }
  if (errors.length) throw new ValidationErrors(errors);
  const approvalToken = generateToken('gdap');
  return ctx.db.transaction(async (tx) => {
    // Display names are unique per partner; the relationship table is keyed by customer, so check under a lock.
    await tx.execute(
      // hashtext keeps the lock key an int4 on both PostgreSQL and PGlite
      sql`select pg_advisory_xact_lock(hashtext(${agent.partnerId}))`,
    );
    const [clash] = await tx
      .select({ id: gdapRelationships.id })
      .from(gdapRelationships)
      .where(and(eq(gdapRelationships.partnerId, agent.partnerId), eq(gdapRelationships.displayName, input.displayName)));
    if (clash) throw invalid(['displayName'], `A relationship named ${input.displayName} exists.`, 'NAME_TAKEN');
    const [relationship] = await tx
      .insert(gdapRelationships)
      .values({
        customerId: customer.id,
        partnerId: agent.partnerId,
        displayName: input.displayName,
        status: 'APPROVAL_PENDING',
        roles,
        durationDays: input.durationDays,
        autoExtend: input.autoExtend ?? false,
        approvalTokenHash: hashToken(approvalToken),
        createdAt: ctx.clock.now(),
      })
      .returning();
    await recordAudit(ctx, { customerId: customer.id, action: 'CREATE_GDAP_RELATIONSHIP', outcome: 'SUCCESS', details: { displayName: input.displayName, roles, durationDays: input.durationDays } }, tx);
    return { relationship: relationship!, approvalToken };
  });
}

/** The customer's Global Administrator approves; the relationship runs from now for its duration. */
export async function approveGdapRelationship(ctx: ServiceContext, input: { approvalToken: string }): Promise<RelationshipRow> {
  const caller = requireSignedIn(ctx);
  const [rel] = await ctx.db
    .select()
    .from(gdapRelationships)
    .where(eq(gdapRelationships.approvalTokenHash, hashToken(input.approvalToken)));
  if (caller.kind !== 'user' || !rel || rel.customerId !== caller.customerId) {
    throw invalid(['approvalToken'], 'This approval token is not one for your organisation.', 'INVALID');
  }
  const [ga] = await ctx.db
    .select()
    .from(userRoles)
    .where(and(eq(userRoles.customerId, caller.customerId), eq(userRoles.userId, caller.userId), eq(userRoles.role, 'GLOBAL_ADMINISTRATOR')));
  if (!ga) {
    throw new DomainError('FORBIDDEN', 'Only a Global Administrator of the customer may approve a GDAP relationship.', {
      requiredRoles: ['GLOBAL_ADMINISTRATOR'],
    });
  }
  if (rel.status !== 'APPROVAL_PENDING') {
    throw invalid(['approvalToken'], `The relationship is ${rel.status}, not waiting for approval.`, 'INVALID_STATE');
  }
  const now = ctx.clock.now();
  const [row] = await ctx.db
    .update(gdapRelationships)
    .set({ status: 'ACTIVE', activatedAt: now, endsAt: new Date(now.getTime() + rel.durationDays * DAY_MS), approvalTokenHash: null })
    .where(and(eq(gdapRelationships.customerId, rel.customerId), eq(gdapRelationships.id, rel.id), eq(gdapRelationships.status, 'APPROVAL_PENDING')))
    .returning();
  if (!row) throw invalid(['approvalToken'], 'The relationship was approved or terminated meanwhile.', 'INVALID_STATE');
  await recordAudit(ctx, { customerId: rel.customerId, action: 'APPROVE_GDAP_RELATIONSHIP', outcome: 'SUCCESS', details: { displayName: rel.displayName } });
  return row;
}

async function ownRelationship(ctx: ServiceContext, customerId: string, relationshipId: string): Promise<RelationshipRow> {
  const agent = requireAdminAgent(ctx);
  const [rel] = await ctx.db
    .select()
    .from(gdapRelationships)
    .where(and(eq(gdapRelationships.customerId, customerId), eq(gdapRelationships.id, relationshipId), eq(gdapRelationships.partnerId, agent.partnerId)));
  if (!rel) throw notFound('GDAP relationship');
  return rel;
}

export async function getGdapRelationship(ctx: ServiceContext, customerId: string, relationshipId: string) {
  return ownRelationship(ctx, customerId, relationshipId);
}

/** Grants a security group a subset of the relationship's roles (replacing what it had). */
export async function assignGdapAccess(
  ctx: ServiceContext,
  input: { customerId: string; relationshipId: string; groupId: string; roles: DirectoryRole[] },
): Promise<AccessAssignmentRow> {
  const rel = await ownRelationship(ctx, input.customerId, input.relationshipId);
  const [group] = await ctx.db
    .select()
    .from(securityGroups)
    .where(and(eq(securityGroups.id, input.groupId), eq(securityGroups.partnerId, rel.partnerId)));
  if (!group) throw notFound('security group');
  const roles = [...new Set(input.roles)];
  if (roles.length === 0) throw invalid(['roles'], 'Assign at least one role.', 'REQUIRED');
  const outside = roles.filter((r) => !rel.roles.includes(r));
  if (outside.length) {
    throw invalid(['roles'], `The relationship does not carry ${outside.join(', ')}.`, 'INVALID');
  }
  if (rel.status === 'TERMINATED') throw invalid(['relationshipId'], 'The relationship is terminated.', 'INVALID_STATE');
  try {
    const [row] = await ctx.db
      .insert(accessAssignments)
      .values({ customerId: rel.customerId, relationshipId: rel.id, groupId: group.id, roles, createdAt: ctx.clock.now() })
      .onConflictDoUpdate({
        target: [accessAssignments.customerId, accessAssignments.relationshipId, accessAssignments.groupId],
        set: { roles },
      })
      .returning();
    await recordAudit(ctx, { customerId: rel.customerId, action: 'ASSIGN_GDAP_ACCESS', outcome: 'SUCCESS', details: { relationship: rel.displayName, group: group.name, roles } });
    return row!;
  } catch (e) {
    if (pgErrorCode(e) === UNIQUE_VIOLATION) throw invalid(['groupId'], 'This group is already assigned.', 'INVALID_STATE');
    throw e;
  }
}

export async function terminateGdapRelationship(
  ctx: ServiceContext,
  input: { customerId: string; relationshipId: string },
): Promise<RelationshipRow> {
  const rel = await ownRelationship(ctx, input.customerId, input.relationshipId);
  if (rel.status === 'TERMINATED') throw invalid(['relationshipId'], 'The relationship is already terminated.', 'INVALID_STATE');
  const [row] = await ctx.db
    .update(gdapRelationships)
    .set({ status: 'TERMINATED', terminatedAt: ctx.clock.now(), approvalTokenHash: null })
    .where(and(eq(gdapRelationships.customerId, rel.customerId), eq(gdapRelationships.id, rel.id)))
    .returning();
  await recordAudit(ctx, { customerId: rel.customerId, action: 'TERMINATE_GDAP_RELATIONSHIP', outcome: 'SUCCESS', details: { displayName: rel.displayName } });
  return row!;
}

/** The partner's relationships (all states), optionally for one customer, newest first. */
export async function listPartnerRelationships(ctx: ServiceContext, customerId?: string | null): Promise<RelationshipRow[]> {
  const agent = requireAdminAgent(ctx);
  if (customerId) {
    const [own] = await ctx.db
      .select({ id: customers.id })
      .from(customers)
      .where(and(eq(customers.id, customerId), eq(customers.partnerId, agent.partnerId)));
    if (!own) throw notFound('customer');
  }
  return ctx.db
    .select()
    .from(gdapRelationships)
    .where(and(eq(gdapRelationships.partnerId, agent.partnerId), customerId ? eq(gdapRelationships.customerId, customerId) : undefined))
    .orderBy(desc(gdapRelationships.createdAt));
}

/** The relationships of a customer the caller can read. */
export async function listCustomerRelationships(ctx: ServiceContext, customerId: string): Promise<RelationshipRow[]> {
  const access = await authorizeCustomerTask(ctx, 'READ_CUSTOMER', customerId);
  return ctx.db
    .select()
    .from(gdapRelationships)
    .where(and(eq(gdapRelationships.customerId, customerId), eq(gdapRelationships.partnerId, access.agent.partnerId)))
    .orderBy(desc(gdapRelationships.createdAt));
}

export async function accessAssignmentsOf(ctx: ServiceContext, rel: RelationshipRow) {
  return ctx.db
    .select({ assignment: accessAssignments, group: securityGroups })
    .from(accessAssignments)
    .innerJoin(securityGroups, eq(securityGroups.id, accessAssignments.groupId))
    .where(and(eq(accessAssignments.customerId, rel.customerId), eq(accessAssignments.relationshipId, rel.id)))
    .orderBy(asc(securityGroups.name));
}


