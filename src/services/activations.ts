// Just-in-time elevation (Entra PIM for groups): an eligible member activates its membership for a while, with a
// justification, and with another ACCESS_ADMINISTRATOR's approval where the group requires it. The grants query
// (services/authorization.ts) counts an approved activation only between its start and its end, by the clock.
import { and, asc, desc, eq, gt, lte, or } from 'drizzle-orm';
import { MINUTE_MS } from '../clock.js';
import type { Db } from '../db/client.js';
import { agents, groupActivations, groupMembers, securityGroups } from '../db/schema.js';
import { msg } from '../messages/index.js';
import { PENDING_LIFETIME_MS } from './activation-end.js';
import { getAgent } from './agents.js';
import { requireAgent, requirePartnerTask } from './authorization.js';
import type { ServiceContext } from './context.js';
import { DomainError, invalid, notFound, violated } from './errors.js';
import { authorizePartnerChange, commitPartnerChange, fourEyes, type PartnerEvent } from './partner-audit.js';
import type { GroupRow, MembershipKind } from './security-groups.js';
import { partnerTask } from './tasks.js';
import { textViolation } from './validation.js';

export type ActivationRow = typeof groupActivations.$inferSelect;

const TASK = 'APPROVE_ACTIVATIONS' as const;

const activationEvent = (
  a: ActivationRow,
  group: { name: string },
  details: Record<string, unknown> = {},
): PartnerEvent => ({
  targetType: 'MEMBERSHIP',
  targetId: a.agentId,
  targetName: group.name,
  details: { activationId: a.id, groupId: a.groupId, minutes: a.minutes, justification: a.justification, ...details },
});

/** The agent's activation that grants now or waits for approval, if any. */
async function openActivation(
  db: Db,
  partnerId: string,
  groupId: string,
  agentId: string,
  now: Date,
): Promise<ActivationRow | undefined> {
  const [row] = await db
    .select()
    .from(groupActivations)
    .where(
      and(
        eq(groupActivations.partnerId, partnerId),
        eq(groupActivations.groupId, groupId),
        eq(groupActivations.agentId, agentId),
        or(
          and(eq(groupActivations.status, 'APPROVED'), gt(groupActivations.endsAt, now)),
          and(
            eq(groupActivations.status, 'PENDING_APPROVAL'),
            gt(groupActivations.requestedAt, new Date(now.getTime() - PENDING_LIFETIME_MS)),
          ),
        ),
      ),
    )
    .orderBy(desc(groupActivations.requestedAt))
    .limit(1);
  return row;
}

/**
 * The eligible agent itself asks for the group's roles for `minutes` (at most the group's maxActivationMinutes). Without
 * approval the roles apply at once until the end; with approval, from the approval on.
 */
export async function activateGroupMembership(
  ctx: ServiceContext,
  input: { groupId: string; justification: string; minutes?: number | null },
): Promise<ActivationRow> {
  const agent = requireAgent(ctx);
  const justification = input.justification.trim();
  const problem = textViolation(justification, 500, true);
  if (problem) throw violated(['justification'], 'justification', problem);
  return commitPartnerChange(
    ctx,
    agent,
    'ACTIVATE_GROUP_MEMBERSHIP',
    async (tx) => {
      // The group first (shared), then the membership: the order deleteSecurityGroup takes them in, so no deadlock.
      await tx.db
        .select({ id: securityGroups.id })
        .from(securityGroups)
        .where(and(eq(securityGroups.id, input.groupId), eq(securityGroups.partnerId, agent.partnerId)))
        .for('share');
      // Then the agent (shared): a concurrent disable or delete either ends this activation or makes it refused here.
      const [self] = await tx.db
        .select({ status: agents.status })
        .from(agents)
        .where(eq(agents.id, agent.agentId))
        .for('share');
      if (self?.status !== 'ENABLED') throw new DomainError('UNAUTHENTICATED', msg('partner.accountDisabled'));
      const [membership] = await tx.db
        .select({ kind: groupMembers.kind, group: securityGroups })
        .from(groupMembers)
        .innerJoin(securityGroups, eq(securityGroups.id, groupMembers.groupId))
        .where(
          and(
            eq(groupMembers.groupId, input.groupId),
            eq(groupMembers.agentId, agent.agentId),
            eq(securityGroups.partnerId, agent.partnerId),
          ),
        )
        .for('update', { of: groupMembers });
      if (!membership) throw new DomainError('FORBIDDEN', msg('partner.notEligible'));
      const group = membership.group;
      if (membership.kind === 'ACTIVE')
        throw invalid(['groupId'], msg('partner.permanentMember', { groupName: group.name }), 'INVALID_STATE');
      const minutes = input.minutes ?? group.maxActivationMinutes;
      if (!Number.isInteger(minutes) || minutes < 1 || minutes > group.maxActivationMinutes) {
        throw invalid(
          ['minutes'],
          msg('partner.activationMinutes', { groupName: group.name, maxMinutes: group.maxActivationMinutes }),
        );
      }
      const now = ctx.clock.now();
      const open = await openActivation(tx.db, agent.partnerId, group.id, agent.agentId, now);
      if (open) {
        throw invalid(
          ['groupId'],
          open.status === 'APPROVED'
            ? msg('partner.membershipActiveUntil', { groupName: group.name, endsAt: open.endsAt!.toISOString() })
            : msg('partner.activationPending', { groupName: group.name }),
          'INVALID_STATE',
        );
      }
      const approved = !group.requiresApproval;
      const [row] = await tx.db
        .insert(groupActivations)
        .values({
          partnerId: agent.partnerId,
          groupId: group.id,
          agentId: agent.agentId,
          justification,
          minutes,
          status: approved ? 'APPROVED' : 'PENDING_APPROVAL',
          requestedAt: now,
          startsAt: approved ? now : null,
          endsAt: approved ? new Date(now.getTime() + minutes * MINUTE_MS) : null,
        })
        .returning();
      return {
        result: row!,
        event: activationEvent(row!, group, { status: row!.status, endsAt: row!.endsAt?.toISOString() ?? null }),
      };
    },
    { targetType: 'MEMBERSHIP', targetId: agent.agentId, details: { groupId: input.groupId } },
  );
}

async function decide(
  ctx: ServiceContext,
  activationId: string,
  decision: 'APPROVED' | 'DENIED',
  reason: string | null,
): Promise<ActivationRow> {
  const action = decision === 'APPROVED' ? 'APPROVE_ACTIVATION' : 'DENY_ACTIVATION';
  const admin = await authorizePartnerChange(ctx, TASK, action);
  return commitPartnerChange(
    ctx,
    admin,
    action,
    async (tx) => {
      const byId = and(eq(groupActivations.partnerId, admin.partnerId), eq(groupActivations.id, activationId));
      const [found] = await tx.db
        .select({ activation: groupActivations, group: securityGroups })
        .from(groupActivations)
        .innerJoin(securityGroups, eq(securityGroups.id, groupActivations.groupId))
        .where(byId);
      if (!found) throw notFound('activation');
      const { group } = found;
      if (found.activation.agentId === admin.agentId)
        throw fourEyes(
          msg(decision === 'APPROVED' ? 'partner.fourEyesApproveOwnActivation' : 'partner.fourEyesDenyOwnActivation'),
        );
      // The membership before the activation: the order a membership change takes them in (it ends activations).
      const [still] = await tx.db
        .select({ kind: groupMembers.kind, status: agents.status })
        .from(groupMembers)
        .innerJoin(agents, eq(agents.id, groupMembers.agentId))
        .where(
          and(eq(groupMembers.groupId, found.activation.groupId), eq(groupMembers.agentId, found.activation.agentId)),
        )
        .for('share', { of: groupMembers });
      const [activation] = await tx.db.select().from(groupActivations).where(byId).for('update');
      const now = ctx.clock.now();
      if (activation!.status !== 'PENDING_APPROVAL')
        throw invalid(
          ['activationId'],
          msg('partner.activationAlreadyDecided', { status: activation!.status }),
          'INVALID_STATE',
        );
      if (decision === 'APPROVED' && (still?.kind !== 'ELIGIBLE' || still.status !== 'ENABLED')) {
        throw invalid(['activationId'], msg('partner.requesterNoLongerEligible'), 'INVALID_STATE');
      }
      if (activation!.requestedAt.getTime() <= now.getTime() - PENDING_LIFETIME_MS) {
        throw invalid(
          ['activationId'],
          msg('partner.activationLapsed', { hours: PENDING_LIFETIME_MS / (60 * MINUTE_MS) }),
          'INVALID_STATE',
        );
      }
      // At most the group's maximum as it is now (it may have been lowered since the request).
      const minutes = Math.min(activation!.minutes, group.maxActivationMinutes);
      const [row] = await tx.db
        .update(groupActivations)
        .set({
          status: decision,
          decidedByAgentId: admin.agentId,
          decidedAt: now,
          decisionReason: reason,
          // The time asked for runs from the approval.
          startsAt: decision === 'APPROVED' ? now : null,
          minutes,
          endsAt: decision === 'APPROVED' ? new Date(now.getTime() + minutes * MINUTE_MS) : null,
        })
        .where(byId)
        .returning();
      return {
        result: row!,
        event: activationEvent(row!, group, {
          requester: activation!.agentId,
          endsAt: row!.endsAt?.toISOString() ?? null,
          reason,
        }),
      };
    },
    { targetType: 'MEMBERSHIP', details: { activationId } },
  );
}

export const approveActivation = partnerTask(TASK, (ctx: ServiceContext, activationId: string) =>
  decide(ctx, activationId, 'APPROVED', null),
);

export const denyActivation = partnerTask(
  TASK,
  function denyActivation(
    ctx: ServiceContext,
    input: { activationId: string; reason?: string | null },
  ): Promise<ActivationRow> {
    const reason = input.reason?.trim() || null;
    if (reason) {
      const problem = textViolation(reason, 500, false);
      if (problem) throw violated(['reason'], 'reason', problem);
    }
    return decide(ctx, input.activationId, 'DENIED', reason);
  },
);

/** Requests waiting for a decision (not lapsed), oldest first. */
export const pendingActivations = partnerTask(TASK, async function pendingActivations(ctx: ServiceContext): Promise<
  ActivationRow[]
> {
  const admin = requirePartnerTask(ctx, TASK);
  const since = new Date(ctx.clock.now().getTime() - PENDING_LIFETIME_MS);
  return ctx.db
    .select()
    .from(groupActivations)
    .where(
      and(
        eq(groupActivations.partnerId, admin.partnerId),
        eq(groupActivations.status, 'PENDING_APPROVAL'),
        gt(groupActivations.requestedAt, since),
      ),
    )
    .orderBy(asc(groupActivations.requestedAt));
});

export async function getActivation(ctx: ServiceContext, activationId: string): Promise<ActivationRow> {
  const caller = requireAgent(ctx);
  const [row] = await ctx.db
    .select()
    .from(groupActivations)
    .where(and(eq(groupActivations.partnerId, caller.partnerId), eq(groupActivations.id, activationId)));
  // One's own requests, or any for who decides them.
  if (!row || (row.agentId !== caller.agentId && !caller.partnerRoles.includes('ACCESS_ADMINISTRATOR')))
    throw notFound('activation');
  return row;
}

export type MembershipState = 'ACTIVE' | 'ELIGIBLE' | 'ACTIVATED' | 'PENDING_APPROVAL';

export interface Membership {
  group: GroupRow;
  kind: MembershipKind;
  /** Now: ACTIVE (permanent), ACTIVATED (eligible, granting until activeUntil), PENDING_APPROVAL or ELIGIBLE. */
  state: MembershipState;
  activeUntil: Date | null;
  activation: ActivationRow | null;
}

/** An agent's memberships and where each stands now (for the agent itself, or READ_PARTNER). */
export async function membershipsOf(ctx: ServiceContext, agentId: string): Promise<Membership[]> {
  const agent = await getAgent(ctx, agentId);
  // A justification is for the requester and for who decides, not for every reader of the partner.
  const caller = requireAgent(ctx);
  const showActivation = caller.agentId === agent.id || caller.partnerRoles.includes('ACCESS_ADMINISTRATOR');
  const now = ctx.clock.now();
  const rows = await ctx.db
    .select({ group: securityGroups, kind: groupMembers.kind })
    .from(groupMembers)
    .innerJoin(securityGroups, eq(securityGroups.id, groupMembers.groupId))
    .where(eq(groupMembers.agentId, agent.id))
    .orderBy(asc(securityGroups.name));
  const open = await ctx.db
    .select()
    .from(groupActivations)
    .where(
      and(
        eq(groupActivations.partnerId, agent.partnerId),
        eq(groupActivations.agentId, agent.id),
        or(
          and(
            eq(groupActivations.status, 'APPROVED'),
            lte(groupActivations.startsAt, now),
            gt(groupActivations.endsAt, now),
          ),
          and(
            eq(groupActivations.status, 'PENDING_APPROVAL'),
            gt(groupActivations.requestedAt, new Date(now.getTime() - PENDING_LIFETIME_MS)),
          ),
        ),
      ),
    );
  return rows.map(({ group, kind }) => {
    const activation = kind === 'ELIGIBLE' ? (open.find((a) => a.groupId === group.id) ?? null) : null;
    const state: MembershipState =
      kind === 'ACTIVE'
        ? 'ACTIVE'
        : activation?.status === 'APPROVED'
          ? 'ACTIVATED'
          : activation
            ? 'PENDING_APPROVAL'
            : 'ELIGIBLE';
    return {
      group,
      kind,
      state,
      activeUntil: state === 'ACTIVATED' ? activation!.endsAt : null,
      activation: showActivation ? activation : null,
    };
  });
}

/** The agent that asked, for the approver's screen. */
export async function requesterOf(ctx: ServiceContext, activation: ActivationRow) {
  return getAgent(ctx, activation.agentId);
}
