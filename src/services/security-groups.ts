// Security groups and their members. GDAP grants directory roles to groups, so membership is access: it is
// ACCESS_ADMINISTRATOR's, and no one adds or removes itself (four eyes).
import { and, asc, eq, ne } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { pgErrorCode, UNIQUE_VIOLATION } from '../db/client.js';
import {
  accessAssignments,
  agents,
  groupActivations,
  groupMembers,
  type MEMBERSHIP_KINDS,
  securityGroups,
} from '../db/schema.js';
import { msg } from '../messages/index.js';
import { endOpenActivations } from './activation-end.js';
import { type AgentRow, getAgent, type PrincipalKind, principalName } from './agents.js';
import { type AgentCaller, requirePartnerTask } from './authorization.js';
import type { ServiceContext } from './context.js';
import { invalid, notFound, violated } from './errors.js';
import { authorizePartnerChange, commitPartnerChange, fourEyes } from './partner-audit.js';
import { partnerTask, readPartner } from './tasks.js';
import { textViolation } from './validation.js';

const TASK = 'MANAGE_GROUPS' as const;

export type GroupRow = typeof securityGroups.$inferSelect;

export const createSecurityGroup = partnerTask(
  TASK,
  async function createSecurityGroup(ctx: ServiceContext, input: { name: string }): Promise<GroupRow> {
    const admin = await authorizePartnerChange(ctx, TASK, 'CREATE_SECURITY_GROUP');
    const problem = textViolation(input.name, 120, true);
    if (problem) throw violated(['name'], 'groupName', problem);
    try {
      return await commitPartnerChange(ctx, admin, 'CREATE_SECURITY_GROUP', async (tx) => {
        const [row] = await tx.db
          .insert(securityGroups)
          .values({ partnerId: admin.partnerId, name: input.name, createdAt: ctx.clock.now() })
          .returning();
        return { result: row!, event: { targetType: 'SECURITY_GROUP', targetId: row!.id, targetName: row!.name } };
      });
    } catch (e) {
      if (pgErrorCode(e) === UNIQUE_VIOLATION)
        throw invalid(['name'], msg('partner.groupNameTaken', { name: input.name }), 'NAME_TAKEN');
      throw e;
    }
  },
);

/** Whether the agent is in the group (the four-eyes rules look at it). */
export async function isMember(db: Db, groupId: string, agentId: string): Promise<boolean> {
  const [row] = await db
    .select({ agentId: groupMembers.agentId })
    .from(groupMembers)
    .where(and(eq(groupMembers.groupId, groupId), eq(groupMembers.agentId, agentId)));
  return !!row;
}

async function ownGroup(db: Db, admin: AgentCaller, groupId: string, lock?: 'update' | 'share'): Promise<GroupRow> {
  const query = db
    .select()
    .from(securityGroups)
    .where(and(eq(securityGroups.id, groupId), eq(securityGroups.partnerId, admin.partnerId)));
  const [row] = lock ? await query.for(lock) : await query;
  if (!row) throw notFound('security group');
  return row;
}

/** Deletes a group with its memberships and GDAP assignments: its members lose what it granted at once. */
export const deleteSecurityGroup = partnerTask(
  TASK,
  async function deleteSecurityGroup(ctx: ServiceContext, groupId: string): Promise<GroupRow> {
    const admin = await authorizePartnerChange(ctx, TASK, 'DELETE_SECURITY_GROUP');
    return commitPartnerChange(
      ctx,
      admin,
      'DELETE_SECURITY_GROUP',
      async (tx) => {
        const group = await ownGroup(tx.db, admin, groupId, 'update');
        if (await isMember(tx.db, group.id, admin.agentId)) throw fourEyes(msg('partner.fourEyesDeleteOwnGroup'));
        // access_assignments is keyed by customer; a group's assignments span customers (rare, partner-side admin).
        const assignments = await tx.db
          .delete(accessAssignments)
          .where(eq(accessAssignments.groupId, group.id))
          .returning({ customerId: accessAssignments.customerId, roles: accessAssignments.roles });
        const members = await tx.db
          .delete(groupMembers)
          .where(eq(groupMembers.groupId, group.id))
          .returning({ agentId: groupMembers.agentId });
        await tx.db
          .delete(groupActivations)
          .where(and(eq(groupActivations.partnerId, admin.partnerId), eq(groupActivations.groupId, group.id)));
        await tx.db.delete(securityGroups).where(eq(securityGroups.id, group.id));
        return {
          result: group,
          event: {
            targetType: 'SECURITY_GROUP',
            targetId: group.id,
            targetName: group.name,
            details: { membersRemoved: members.length, assignmentsRemoved: assignments },
          },
        };
      },
      { targetType: 'SECURITY_GROUP', targetId: groupId },
    );
  },
);

export async function getSecurityGroup(ctx: ServiceContext, groupId: string): Promise<GroupRow> {
  const caller = requirePartnerTask(ctx, readPartner.partnerTask);
  return ownGroup(ctx.db, caller, groupId);
}

export const listSecurityGroups = partnerTask(
  readPartner.partnerTask,
  async function listSecurityGroups(ctx: ServiceContext): Promise<GroupRow[]> {
    const caller = requirePartnerTask(ctx, readPartner.partnerTask);
    return ctx.db
      .select()
      .from(securityGroups)
      .where(eq(securityGroups.partnerId, caller.partnerId))
      .orderBy(asc(securityGroups.name));
  },
);

export type MembershipKind = (typeof MEMBERSHIP_KINDS)[number];

/** Just-in-time settings of a group; never by one of its members (it would loosen its own elevation). */
export const updateSecurityGroup = partnerTask(
  TASK,
  async function updateSecurityGroup(
    ctx: ServiceContext,
    input: { groupId: string; maxActivationMinutes?: number | null; requiresApproval?: boolean | null },
  ): Promise<GroupRow> {
    const admin = await authorizePartnerChange(ctx, TASK, 'UPDATE_SECURITY_GROUP');
    const max = input.maxActivationMinutes;
    if (max != null && (!Number.isInteger(max) || max < 30 || max > MAX_ACTIVATION_MINUTES)) {
      throw invalid(
        ['maxActivationMinutes'],
        msg('partner.activationLength', { minMinutes: 30, maxHours: MAX_ACTIVATION_MINUTES / 60 }),
      );
    }
    return commitPartnerChange(
      ctx,
      admin,
      'UPDATE_SECURITY_GROUP',
      async (tx) => {
        const group = await ownGroup(tx.db, admin, input.groupId, 'update');
        if (await isMember(tx.db, group.id, admin.agentId))
          throw fourEyes(msg('partner.fourEyesOwnGroupSettings', { groupName: group.name }));
        const [row] = await tx.db
          .update(securityGroups)
          .set({
            maxActivationMinutes: max ?? group.maxActivationMinutes,
            requiresApproval: input.requiresApproval ?? group.requiresApproval,
          })
          .where(eq(securityGroups.id, group.id))
          .returning();
        const details = {
          from: { maxActivationMinutes: group.maxActivationMinutes, requiresApproval: group.requiresApproval },
          to: { maxActivationMinutes: row!.maxActivationMinutes, requiresApproval: row!.requiresApproval },
        };
        return {
          result: row!,
          event: { targetType: 'SECURITY_GROUP', targetId: group.id, targetName: group.name, details },
        };
      },
      { targetType: 'SECURITY_GROUP', targetId: input.groupId },
    );
  },
);

/** Entra PIM's longest activation. */
export const MAX_ACTIVATION_MINUTES = 24 * 60;

async function memberChange(
  ctx: ServiceContext,
  action: 'ADD_GROUP_MEMBER' | 'REMOVE_GROUP_MEMBER',
  input: { groupId: string; agentId: string; kind?: MembershipKind | null },
): Promise<GroupRow> {
  const admin = await authorizePartnerChange(ctx, TASK, action);
  return commitPartnerChange(
    ctx,
    admin,
    action,
    async (tx) => {
      // Shared lock: a concurrent deleteSecurityGroup waits, or this sees the group gone (NOT_FOUND).
      const group = await ownGroup(tx.db, admin, input.groupId, 'share');
      if (input.agentId === admin.agentId) {
        throw fourEyes(
          msg(action === 'ADD_GROUP_MEMBER' ? 'partner.fourEyesAddSelfToGroup' : 'partner.fourEyesRemoveSelfFromGroup'),
        );
      }
      // An agent or an application: both get GDAP roles through their groups.
      const [agent] = await tx.db
        .select({ id: agents.id, email: agents.email, displayName: agents.displayName, principal: agents.kind })
        .from(agents)
        .where(and(eq(agents.id, input.agentId), eq(agents.partnerId, admin.partnerId), ne(agents.status, 'DELETED')));
      if (!agent) throw notFound('agent');
      const kind = input.kind ?? 'ACTIVE';
      // As in Entra PIM for groups: eligibility is for people, who activate with a justification; automation holds
      // its memberships permanently (and loses them by removal, disabling or deletion).
      if (action === 'ADD_GROUP_MEMBER' && kind === 'ELIGIBLE' && agent.principal === 'APPLICATION') {
        throw invalid(['kind'], msg('partner.applicationNotEligible'), 'INVALID');
      }
      const changed =
        action === 'ADD_GROUP_MEMBER'
          ? await tx.db
              .insert(groupMembers)
              .values({ groupId: group.id, agentId: agent.id, kind })
              .onConflictDoUpdate({
                target: [groupMembers.groupId, groupMembers.agentId],
                set: { kind },
                setWhere: ne(groupMembers.kind, kind),
              })
              .returning({ agentId: groupMembers.agentId })
          : await tx.db
              .delete(groupMembers)
              .where(and(eq(groupMembers.groupId, group.id), eq(groupMembers.agentId, agent.id)))
              .returning({ agentId: groupMembers.agentId });
      // A membership added, changed or removed starts afresh: no earlier activation carries over.
      const activationsEnded = changed.length
        ? await endOpenActivations(tx.db, admin.partnerId, agent.id, group.id, ctx.clock.now())
        : 0;
      return {
        result: group,
        event: {
          targetType: 'MEMBERSHIP',
          targetId: agent.id,
          targetName: principalName(agent),
          details: {
            group: group.name,
            groupId: group.id,
            ...(action === 'ADD_GROUP_MEMBER' ? { kind } : {}),
            changed: changed.length > 0,
            activationsEnded,
          },
        },
      };
    },
    {
      targetType: 'MEMBERSHIP',
      targetId: input.agentId,
      details: { groupId: input.groupId, ...(input.kind ? { kind: input.kind } : {}) },
    },
  );
}

/** Adds a member, ACTIVE (permanent) or ELIGIBLE (just in time); adding an existing member changes its kind. */
export const addGroupMember = partnerTask(
  TASK,
  (ctx: ServiceContext, input: { groupId: string; agentId: string; kind?: MembershipKind | null }) =>
    memberChange(ctx, 'ADD_GROUP_MEMBER', input),
);
export const removeGroupMember = partnerTask(TASK, (ctx: ServiceContext, input: { groupId: string; agentId: string }) =>
  memberChange(ctx, 'REMOVE_GROUP_MEMBER', input),
);

export const groupMembersOf = partnerTask(
  readPartner.partnerTask,
  async function groupMembersOf(
    ctx: ServiceContext,
    groupId: string,
    kind: PrincipalKind = 'AGENT',
  ): Promise<AgentRow[]> {
    const group = await getSecurityGroup(ctx, groupId);
    const rows = await ctx.db
      .select({ agent: agents })
      .from(groupMembers)
      .innerJoin(agents, eq(agents.id, groupMembers.agentId))
      .where(and(eq(groupMembers.groupId, group.id), eq(agents.kind, kind)))
      .orderBy(asc(agents.emailLower), asc(agents.displayName));
    return rows.map((r) => r.agent);
  },
);

export async function groupsOfAgent(
  ctx: ServiceContext,
  agentId: string,
  kind: PrincipalKind = 'AGENT',
): Promise<GroupRow[]> {
  const agent = await getAgent(ctx, agentId, kind);
  const rows = await ctx.db
    .select({ group: securityGroups })
    .from(groupMembers)
    .innerJoin(securityGroups, eq(securityGroups.id, groupMembers.groupId))
    .where(eq(groupMembers.agentId, agent.id))
    .orderBy(asc(securityGroups.name));
  return rows.map((r) => r.group);
}
