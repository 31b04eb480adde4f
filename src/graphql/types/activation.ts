// Just-in-time elevation in the schema: memberships (ACTIVE or ELIGIBLE) and their activations.

import type { ACTIVATION_STATUSES, MEMBERSHIP_KINDS } from '../../db/schema.js';
import { membershipsOf, pendingActivations, requesterOf } from '../../services/activations.js';
import { getSecurityGroup } from '../../services/security-groups.js';
import { builder, requiresPartnerTask } from '../builder.js';
import { AgentRef, GroupActivationRef, GroupMembershipRef, PartnerRef, SecurityGroupRef } from './refs.js';

export const MembershipKindEnum = builder.enumType('MembershipKind', {
  description: 'How a member of a security group holds its roles: all the time, or just in time.',
  values: {
    ACTIVE: { description: "Permanent: the group's roles apply all the time." },
    ELIGIBLE: {
      description: "Just in time: the group's roles apply only during an activation (activateGroupMembership).",
    },
  } satisfies Record<(typeof MEMBERSHIP_KINDS)[number], unknown>,
});

const MembershipStateEnum = builder.enumType('MembershipState', {
  description: 'Where a membership stands now: whether the group grants its roles to the member at this moment.',
  values: {
    ACTIVE: { description: 'A permanent member.' },
    ELIGIBLE: { description: 'Eligible, not activated: the group grants nothing now.' },
    ACTIVATED: { description: 'Eligible and activated: the group grants its roles until activeUntil.' },
    PENDING_APPROVAL: { description: 'Eligible; an activation waits for another access administrator.' },
  },
});

const ActivationStatusEnum = builder.enumType('ActivationStatus', {
  description: 'Where an activation of an eligible membership stands.',
  values: {
    PENDING_APPROVAL: { description: 'Waiting for another ACCESS_ADMINISTRATOR (lapses after 24 hours).' },
    APPROVED: { description: 'Granting from startsAt to endsAt (approved, or needing no approval).' },
    DENIED: { description: 'Refused by an access administrator.' },
    REVOKED: { description: 'Ended early: the membership was removed or changed, or the agent disabled or deleted.' },
  } satisfies Record<(typeof ACTIVATION_STATUSES)[number], unknown>,
});

builder.node(GroupActivationRef, {
  id: { resolve: (a) => a.id },
  description: 'One activation of an eligible group membership.',
  fields: (t) => ({
    group: t.field({
      type: SecurityGroupRef,
      description: 'The group whose roles are activated.',
      resolve: (a, _, ctx) => getSecurityGroup(ctx.svc, a.groupId),
    }),
    agent: t.field({ type: AgentRef, description: 'Who asked.', resolve: (a, _, ctx) => requesterOf(ctx.svc, a) }),
    justification: t.exposeString('justification', {
      description: 'Why the agent needs the roles (up to 500 characters; kept in the audit log).',
    }),
    minutes: t.exposeInt('minutes', {
      description: "How long the roles apply once granted, in minutes (at most the group's maxActivationMinutes).",
    }),
    status: t.field({ type: ActivationStatusEnum, description: 'Where it stands.', resolve: (a) => a.status }),
    requestedAt: t.expose('requestedAt', { type: 'DateTime', description: 'When the agent asked.' }),
    decidedAt: t.expose('decidedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When an access administrator approved or denied it; null when no approval was needed or yet.',
    }),
    decisionReason: t.exposeString('decisionReason', {
      nullable: true,
      description: 'The reason given with a denial, if any.',
    }),
    startsAt: t.expose('startsAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When the roles started to apply (at the request, or at the approval); null until granted.',
    }),
    endsAt: t.expose('endsAt', {
      type: 'DateTime',
      nullable: true,
      description: 'Judged by the clock at each request: past it, the roles no longer apply.',
    }),
  }),
});

GroupMembershipRef.implement({
  description: "An agent's membership of a security group and where it stands now.",
  fields: (t) => ({
    group: t.field({ type: SecurityGroupRef, description: 'The group.', resolve: (m) => m.group }),
    kind: t.field({ type: MembershipKindEnum, description: 'Permanent or eligible.', resolve: (m) => m.kind }),
    state: t.field({
      type: MembershipStateEnum,
      description: "Whether the group's roles apply to the member now.",
      resolve: (m) => m.state,
    }),
    activeUntil: t.expose('activeUntil', {
      type: 'DateTime',
      nullable: true,
      description: 'For ACTIVATED: when the roles stop applying.',
    }),
    activation: t.field({
      type: GroupActivationRef,
      nullable: true,
      description: 'The current or pending activation.',
      resolve: (m) => m.activation,
    }),
  }),
});

builder.objectField(AgentRef, 'groupMemberships', (t) =>
  t.field({
    type: [GroupMembershipRef],
    description: 'Permanent and eligible memberships, with activation state (your own, or anyone with READ_PARTNER).',
    resolve: (a, _, ctx) => membershipsOf(ctx.svc, a.id),
  }),
);

builder.objectField(PartnerRef, 'pendingActivations', (t) =>
  t.field({
    type: [GroupActivationRef],
    description: 'Activations waiting for approval, oldest first (never yours to approve if you asked).',
    directives: requiresPartnerTask(pendingActivations),
    resolve: (_, __, ctx) => pendingActivations(ctx.svc),
  }),
);

builder.objectFields(SecurityGroupRef, (t) => ({
  maxActivationMinutes: t.exposeInt('maxActivationMinutes', {
    description: 'Longest activation of an eligible membership.',
  }),
  requiresApproval: t.exposeBoolean('requiresApproval', {
    description: "Activations wait for another ACCESS_ADMINISTRATOR's approval.",
  }),
}));
