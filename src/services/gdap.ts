// GDAP relationships: request (APPROVAL_PENDING), customer approval, access assignments to groups, termination.
import { and, asc, desc, eq, sql } from 'drizzle-orm';
import { DIRECTORY_ROLES, type DirectoryRole } from '../auth/roles.js';
import { generateToken, hashToken } from '../auth/tokens.js';
import { DAY_MS } from '../clock.js';
import type { Db } from '../db/client.js';
import { accessAssignments, customers, gdapRelationships, securityGroups, userRoles } from '../db/schema.js';
import { msg } from '../messages/index.js';
import { recordAudit } from './audit.js';
import { type AgentCaller, authorizeCustomerTask, requirePartnerTask, requireSignedIn } from './authorization.js';
import { inTransaction, type ServiceContext } from './context.js';
import { DomainError, invalid, notFound, ValidationErrors, violated } from './errors.js';
import { authorizePartnerChange, commitPartnerChange, fourEyes, recordPartnerEvent } from './partner-audit.js';
import { isMember } from './security-groups.js';
import { customerTask, partnerTask, readCustomer, readPartner } from './tasks.js';
import { textViolation } from './validation.js';

const MANAGE = 'MANAGE_RELATIONSHIPS' as const;
const ASSIGN = 'ASSIGN_GDAP_ACCESS' as const;

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

export const createGdapRelationship = partnerTask(
  MANAGE,
  async function createGdapRelationship(
    ctx: ServiceContext,
    input: {
      customerId: string;
      displayName: string;
      roles: DirectoryRole[];
      durationDays: number;
      autoExtend?: boolean | null;
    },
  ): Promise<{ relationship: RelationshipRow; approvalToken: string }> {
    const agent = await authorizePartnerChange(ctx, MANAGE, 'CREATE_GDAP_RELATIONSHIP');
    const [customer] = await ctx.db
      .select()
      .from(customers)
      .where(and(eq(customers.id, input.customerId), eq(customers.partnerId, agent.partnerId)));
    if (!customer) throw notFound('customer');
    const roles = [...new Set(input.roles)];
    const errors: DomainError[] = [];
    const nameProblem = textViolation(input.displayName, 50, true);
    if (nameProblem) errors.push(violated(['displayName'], 'relationshipName', nameProblem));
    if (roles.length === 0) errors.push(invalid(['roles'], msg('partner.relationshipRolesRequired'), 'REQUIRED'));
    for (const r of roles) {
      if (!DIRECTORY_ROLES.includes(r))
        errors.push(invalid(['roles'], msg('partner.unknownDirectoryRole', { role: r }), 'UNKNOWN_ROLE'));
    }
    if (!Number.isInteger(input.durationDays) || input.durationDays < 1 || input.durationDays > MAX_DURATION_DAYS) {
      errors.push(invalid(['durationDays'], msg('partner.relationshipDuration', { maxDays: MAX_DURATION_DAYS })));
    }
    if (input.autoExtend && roles.includes('GLOBAL_ADMINISTRATOR')) {
      errors.push(invalid(['autoExtend'], msg('partner.globalAdministratorNoAutoExtend')));
    }
    if (errors.length) throw new ValidationErrors(errors);
    const approvalToken = generateToken('gdap');
    return commitPartnerChange(ctx, agent, 'CREATE_GDAP_RELATIONSHIP', async (tx) => {
      // Display names are unique per partner; the relationship table is keyed by customer, so check under a lock.
      await tx.db.execute(
        // hashtext keeps the lock key an int4 on both PostgreSQL and PGlite
        sql`select pg_advisory_xact_lock(hashtext(${agent.partnerId}))`,
      );
      const [clash] = await tx.db
        .select({ id: gdapRelationships.id })
        .from(gdapRelationships)
        .where(
          and(eq(gdapRelationships.partnerId, agent.partnerId), eq(gdapRelationships.displayName, input.displayName)),
        );
      if (clash)
        throw invalid(
          ['displayName'],
          msg('partner.relationshipNameTaken', { displayName: input.displayName }),
          'NAME_TAKEN',
        );
      const [relationship] = await tx.db
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
      const details = {
        displayName: input.displayName,
        roles,
        durationDays: input.durationDays,
        autoExtend: relationship!.autoExtend,
      };
      await recordAudit(tx, {
        customerId: customer.id,
        action: 'CREATE_GDAP_RELATIONSHIP',
        outcome: 'SUCCESS',
        details,
      });
      return {
        result: { relationship: relationship!, approvalToken },
        event: relationshipEvent(relationship!, details),
      };
    });
  },
);

/** The customer's Global Administrator approves; the relationship runs from now for its duration. */
export async function approveGdapRelationship(
  ctx: ServiceContext,
  input: { approvalToken: string },
): Promise<RelationshipRow> {
  const caller = requireSignedIn(ctx);
  const [rel] = await ctx.db
    .select()
    .from(gdapRelationships)
    .where(eq(gdapRelationships.approvalTokenHash, hashToken(input.approvalToken)));
  if (caller.kind !== 'user' || !rel || rel.customerId !== caller.customerId) {
    throw invalid(['approvalToken'], msg('partner.approvalTokenNotYours'), 'INVALID');
  }
  const [ga] = await ctx.db
    .select()
    .from(userRoles)
    .where(
      and(
        eq(userRoles.customerId, caller.customerId),
        eq(userRoles.userId, caller.userId),
        eq(userRoles.role, 'GLOBAL_ADMINISTRATOR'),
      ),
    );
  if (!ga) {
    throw new DomainError('FORBIDDEN', msg('partner.approvalNeedsGlobalAdministrator'), {
      requiredRoles: ['GLOBAL_ADMINISTRATOR'],
    });
  }
  if (rel.status !== 'APPROVAL_PENDING') {
    throw invalid(['approvalToken'], msg('partner.relationshipNotPending', { status: rel.status }), 'INVALID_STATE');
  }
  const now = ctx.clock.now();
  return inTransaction(ctx, async (tx) => {
    const [row] = await tx.db
      .update(gdapRelationships)
      .set({
        status: 'ACTIVE',
        activatedAt: now,
        endsAt: new Date(now.getTime() + rel.durationDays * DAY_MS),
        approvalTokenHash: null,
      })
      .where(
        and(
          eq(gdapRelationships.customerId, rel.customerId),
          eq(gdapRelationships.id, rel.id),
          eq(gdapRelationships.status, 'APPROVAL_PENDING'),
        ),
      )
      .returning();
    if (!row) throw invalid(['approvalToken'], msg('partner.relationshipChangedMeanwhile'), 'INVALID_STATE');
    const details = { displayName: rel.displayName, roles: rel.roles, endsAt: row.endsAt?.toISOString() };
    await recordAudit(tx, {
      customerId: rel.customerId,
      action: 'APPROVE_GDAP_RELATIONSHIP',
      outcome: 'SUCCESS',
      details,
    });
    // The partner's log shows it too: from now on the relationship's roles can be assigned to its groups.
    await recordPartnerEvent(
      tx,
      rel.partnerId,
      'APPROVE_GDAP_RELATIONSHIP',
      'SUCCESS',
      relationshipEvent(row, details),
    );
    return row;
  });
}

const relationshipEvent = (rel: RelationshipRow, details: Record<string, unknown>) => ({
  targetType: 'GDAP_RELATIONSHIP' as const,
  targetId: rel.id,
  targetName: rel.displayName,
  customerId: rel.customerId,
  details,
});

async function ownRelationship(
  db: Db,
  agent: AgentCaller,
  customerId: string,
  relationshipId: string,
  lock = false,
): Promise<RelationshipRow> {
  const query = db
    .select()
    .from(gdapRelationships)
    .where(
      and(
        eq(gdapRelationships.customerId, customerId),
        eq(gdapRelationships.id, relationshipId),
        eq(gdapRelationships.partnerId, agent.partnerId),
      ),
    );
  const [rel] = lock ? await query.for('update') : await query;
  if (!rel) throw notFound('GDAP relationship');
  return rel;
}

export async function getGdapRelationship(ctx: ServiceContext, customerId: string, relationshipId: string) {
  return ownRelationship(ctx.db, requirePartnerTask(ctx, readPartner.partnerTask), customerId, relationshipId);
}

/**
 * Grants a security group a subset of the relationship's roles (replacing what it had). Four eyes: never to a group
 * the caller is in, so no one grants itself roles.
 */
export const assignGdapAccess = partnerTask(
  ASSIGN,
  async function assignGdapAccess(
    ctx: ServiceContext,
    input: { customerId: string; relationshipId: string; groupId: string; roles: DirectoryRole[] },
  ): Promise<AccessAssignmentRow> {
    const admin = await authorizePartnerChange(ctx, ASSIGN, 'ASSIGN_GDAP_ACCESS');
    const roles = [...new Set(input.roles)];
    if (roles.length === 0) throw invalid(['roles'], msg('partner.assignRolesRequired'), 'REQUIRED');
    return commitPartnerChange(
      ctx,
      admin,
      'ASSIGN_GDAP_ACCESS',
      async (tx) => {
        const { rel, group } = await assignmentTarget(tx, admin, input);
        const outside = roles.filter((r) => !rel.roles.includes(r));
        if (outside.length)
          throw invalid(['roles'], msg('partner.rolesOutsideRelationship', { roles: outside }), 'INVALID');
        if (rel.status === 'TERMINATED')
          throw invalid(['relationshipId'], msg('partner.relationshipTerminated'), 'INVALID_STATE');
        const [before] = await tx.db
          .select({ roles: accessAssignments.roles })
          .from(accessAssignments)
          .where(
            and(
              eq(accessAssignments.customerId, rel.customerId),
              eq(accessAssignments.relationshipId, rel.id),
              eq(accessAssignments.groupId, group.id),
            ),
          );
        const [row] = await tx.db
          .insert(accessAssignments)
          .values({
            customerId: rel.customerId,
            relationshipId: rel.id,
            groupId: group.id,
            roles,
            createdAt: ctx.clock.now(),
          })
          .onConflictDoUpdate({
            target: [accessAssignments.customerId, accessAssignments.relationshipId, accessAssignments.groupId],
            set: { roles },
          })
          .returning();
        const details = {
          relationship: rel.displayName,
          group: group.name,
          groupId: group.id,
          from: before?.roles ?? [],
          roles,
        };
        await recordAudit(tx, {
          customerId: rel.customerId,
          action: 'ASSIGN_GDAP_ACCESS',
          outcome: 'SUCCESS',
          details,
        });
        return {
          result: row!,
          event: {
            targetType: 'ACCESS_ASSIGNMENT',
            targetId: row!.id,
            targetName: group.name,
            customerId: rel.customerId,
            details,
          },
        };
      },
      {
        targetType: 'ACCESS_ASSIGNMENT',
        customerId: input.customerId,
        details: { relationshipId: input.relationshipId, groupId: input.groupId, roles },
      },
    );
  },
);

/** Takes a group's roles in a relationship away (four eyes as for assigning: not for a group the caller is in). */
export const removeGdapAccess = partnerTask(
  ASSIGN,
  async function removeGdapAccess(
    ctx: ServiceContext,
    input: { customerId: string; relationshipId: string; groupId: string },
  ): Promise<RelationshipRow> {
    const admin = await authorizePartnerChange(ctx, ASSIGN, 'REMOVE_GDAP_ACCESS');
    return commitPartnerChange(
      ctx,
      admin,
      'REMOVE_GDAP_ACCESS',
      async (tx) => {
        const { rel, group } = await assignmentTarget(tx, admin, input);
        const [removed] = await tx.db
          .delete(accessAssignments)
          .where(
            and(
              eq(accessAssignments.customerId, rel.customerId),
              eq(accessAssignments.relationshipId, rel.id),
              eq(accessAssignments.groupId, group.id),
            ),
          )
          .returning();
        if (!removed)
          throw invalid(['groupId'], msg('partner.groupHoldsNoRoles', { groupName: group.name }), 'INVALID_STATE');
        const details = { relationship: rel.displayName, group: group.name, groupId: group.id, roles: removed.roles };
        await recordAudit(tx, {
          customerId: rel.customerId,
          action: 'REMOVE_GDAP_ACCESS',
          outcome: 'SUCCESS',
          details,
        });
        return {
          result: rel,
          event: {
            targetType: 'ACCESS_ASSIGNMENT',
            targetId: removed.id,
            targetName: group.name,
            customerId: rel.customerId,
            details,
          },
        };
      },
      {
        targetType: 'ACCESS_ASSIGNMENT',
        customerId: input.customerId,
        details: { relationshipId: input.relationshipId, groupId: input.groupId },
      },
    );
  },
);

/** The relationship and group of an assignment change, with the four-eyes rule on the group. */
async function assignmentTarget(
  tx: ServiceContext,
  admin: AgentCaller,
  input: { customerId: string; relationshipId: string; groupId: string },
) {
  const rel = await ownRelationship(tx.db, admin, input.customerId, input.relationshipId, true);
  const [group] = await tx.db
    .select()
    .from(securityGroups)
    .where(and(eq(securityGroups.id, input.groupId), eq(securityGroups.partnerId, admin.partnerId)));
  if (!group) throw notFound('security group');
  if (await isMember(tx.db, group.id, admin.agentId)) {
    throw fourEyes(msg('partner.fourEyesOwnGroupGdapRoles', { groupName: group.name }));
  }
  return { rel, group };
}

export const terminateGdapRelationship = partnerTask(
  MANAGE,
  async function terminateGdapRelationship(
    ctx: ServiceContext,
    input: { customerId: string; relationshipId: string },
  ): Promise<RelationshipRow> {
    const agent = await authorizePartnerChange(ctx, MANAGE, 'TERMINATE_GDAP_RELATIONSHIP');
    return commitPartnerChange(ctx, agent, 'TERMINATE_GDAP_RELATIONSHIP', async (tx) => {
      const rel = await ownRelationship(tx.db, agent, input.customerId, input.relationshipId, true);
      if (rel.status === 'TERMINATED')
        throw invalid(['relationshipId'], msg('partner.relationshipAlreadyTerminated'), 'INVALID_STATE');
      const [row] = await tx.db
        .update(gdapRelationships)
        .set({ status: 'TERMINATED', terminatedAt: ctx.clock.now(), approvalTokenHash: null })
        .where(and(eq(gdapRelationships.customerId, rel.customerId), eq(gdapRelationships.id, rel.id)))
        .returning();
      const details = { displayName: rel.displayName, previousStatus: rel.status };
      await recordAudit(tx, {
        customerId: rel.customerId,
        action: 'TERMINATE_GDAP_RELATIONSHIP',
        outcome: 'SUCCESS',
        details,
      });
      return { result: row!, event: relationshipEvent(row!, details) };
    });
  },
);

/** The partner's relationships (all states), optionally for one customer, newest first. */
export const listPartnerRelationships = partnerTask(
  readPartner.partnerTask,
  async function listPartnerRelationships(ctx: ServiceContext, customerId?: string | null): Promise<RelationshipRow[]> {
    const agent = requirePartnerTask(ctx, readPartner.partnerTask);
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
      .where(
        and(
          eq(gdapRelationships.partnerId, agent.partnerId),
          customerId ? eq(gdapRelationships.customerId, customerId) : undefined,
        ),
      )
      .orderBy(desc(gdapRelationships.createdAt));
  },
);

/** The relationships of a customer the caller can read. */
export const listCustomerRelationships = customerTask(
  readCustomer.tasks,
  async function listCustomerRelationships(ctx: ServiceContext, customerId: string): Promise<RelationshipRow[]> {
    const access = await authorizeCustomerTask(ctx, readCustomer.tasks[0], customerId);
    return ctx.db
      .select()
      .from(gdapRelationships)
      .where(and(eq(gdapRelationships.customerId, customerId), eq(gdapRelationships.partnerId, access.agent.partnerId)))
      .orderBy(desc(gdapRelationships.createdAt));
  },
);

export async function accessAssignmentsOf(ctx: ServiceContext, rel: RelationshipRow) {
  return ctx.db
    .select({ assignment: accessAssignments, group: securityGroups })
    .from(accessAssignments)
    .innerJoin(securityGroups, eq(securityGroups.id, accessAssignments.groupId))
    .where(and(eq(accessAssignments.customerId, rel.customerId), eq(accessAssignments.relationshipId, rel.id)))
    .orderBy(asc(securityGroups.name));
}
