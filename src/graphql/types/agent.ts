import { encodeGlobalID } from '@pothos/plugin-relay';
import type { PartnerRole } from '../../auth/roles.js';
import type { AGENT_STATUSES } from '../../db/schema.js';
import { getAgent, listAgents } from '../../services/agents.js';
import { grantsFor, requireAgent } from '../../services/authorization.js';
import { notFound } from '../../services/errors.js';
import { listPartnerRelationships } from '../../services/gdap.js';
import { listPartnerAuditEvents } from '../../services/partner-audit.js';
import { getPartner } from '../../services/partners.js';
import { groupMembersOf, groupsOfAgent, listSecurityGroups } from '../../services/security-groups.js';
import { liveSessions, signedInUser } from '../../services/sessions.js';
import { listSkus } from '../../services/skus.js';
import { builder, requiresPartnerTask } from '../builder.js';
import { decodeId, decodePrincipalId, scopedId } from '../ids.js';
import { PartnerRoleEnum } from './common.js';
import {
  AgentRef,
  GdapRelationshipRef,
  PartnerAuditEventRef,
  PartnerRef,
  RoleGrantRef,
  SecurityGroupRef,
  SessionRef,
  SkuRef,
  UserRef,
} from './refs.js';

export const AgentStatusEnum = builder.enumType('AgentStatus', {
  description: 'Whether an agent (or an application) may sign in.',
  values: {
    ENABLED: { description: 'Signs in and works.' },
    DISABLED: { description: 'Sign-in refused and every session revoked, until enableAgent.' },
    DELETED: { description: 'Removed from every group; kept for the audit trail, never signs in again.' },
  } satisfies Record<(typeof AGENT_STATUSES)[number], unknown>,
});

builder.node(AgentRef, {
  id: { resolve: (a) => a.id },
  description: "A partner's staff member.",
  fields: (t) => ({
    // An Agent is always an agent principal (applications are the Application type), so its email is set.
    email: t.string({ description: 'The email it signs in with (unique).', resolve: (a) => a.email! }),
    displayName: t.exposeString('displayName', { description: 'Its name as people see it.' }),
    partnerRoles: t.field({
      type: [PartnerRoleEnum],
      description: 'Its roles in the partner organization.',
      resolve: (a) => a.roles as PartnerRole[],
    }),
    status: t.field({ type: AgentStatusEnum, description: 'Whether it may sign in.', resolve: (a) => a.status }),
    mustChangePassword: t.exposeBoolean('mustChangePassword', {
      description: 'True after resetAgentPassword, until the agent changes it.',
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it was created.' }),
    partner: t.field({
      type: PartnerRef,
      description: 'The partner organization it works for.',
      resolve: (a, _, ctx) => getPartner(ctx.svc, a.partnerId),
    }),
    groups: t.field({
      type: [SecurityGroupRef],
      description: 'The security groups it is a member of (permanent or eligible): its GDAP roles come from them.',
      resolve: (a, _, ctx) => groupsOfAgent(ctx.svc, a.id),
    }),
    rolesIn: t.field({
      type: [RoleGrantRef],
      description:
        'The directory roles this agent holds in a customer now, each with the relationship and group it comes from (NOT_FOUND when none).',
      args: { customerId: t.arg.id({ required: true, description: 'A Customer id.' }) },
      resolve: async (a, args, ctx) => {
        const customerId = decodeId(args.customerId, 'Customer', ['customerId']);
        const caller = requireAgent(ctx.svc);
        const agent = caller.agentId === a.id ? caller : { ...caller, agentId: (await getAgent(ctx.svc, a.id)).id };
        const grants = await grantsFor(ctx.svc, agent, customerId);
        // No role at all reads like a customer that does not exist.
        if (grants.length === 0) throw notFound('customer');
        return grants;
      },
    }),
  }),
});

builder.node(PartnerRef, {
  id: { resolve: (p) => p.id },
  description:
    'A partner organization (a Cloud Solution Provider): its agents, applications, security groups and GDAP relationships.',
  fields: (t) => ({
    name: t.exposeString('name', { description: "The organization's name." }),
    agents: t.field({
      type: [AgentRef],
      description: 'The agents that are not deleted, by email.',
      directives: requiresPartnerTask(listAgents),
      resolve: (_, __, ctx) => listAgents(ctx.svc),
    }),
    securityGroups: t.field({
      type: [SecurityGroupRef],
      description: "The partner's security groups, by name.",
      directives: requiresPartnerTask(listSecurityGroups),
      resolve: (_, __, ctx) => listSecurityGroups(ctx.svc),
    }),
    gdapRelationships: t.field({
      type: [GdapRelationshipRef],
      description: 'All relationships of the partner, in every state, newest first.',
      directives: requiresPartnerTask(listPartnerRelationships),
      args: {
        customerId: t.arg.id({ required: false, description: "Only this customer's relationships (a Customer id)." }),
      },
      resolve: (_, args, ctx) =>
        listPartnerRelationships(
          ctx.svc,
          args.customerId ? decodeId(args.customerId, 'Customer', ['customerId']) : null,
        ),
    }),
  }),
});

const PartnerAuditFilter = builder.inputType('PartnerAuditFilter', {
  description: 'Partner events matching every given condition.',
  fields: (t) => ({
    action: t.string({
      required: false,
      description: 'e.g. ADD_GROUP_MEMBER, ASSIGN_GDAP_ACCESS, DISABLE_AGENT, SIGN_IN_FAILED.',
    }),
    actorId: t.id({
      required: false,
      description: 'An Agent or Application id: what that agent or application did (and was refused).',
    }),
    since: t.field({ type: 'DateTime', required: false, description: 'From this instant (inclusive).' }),
    until: t.field({ type: 'DateTime', required: false, description: 'Before this instant.' }),
  }),
});

builder.objectField(PartnerRef, 'auditEvents', (t) =>
  t.connection({
    type: PartnerAuditEventRef,
    description:
      "The partner's own log (agents, roles, groups, memberships, GDAP, customers, sign-in failures, and every refusal of a change), newest first.",
    directives: requiresPartnerTask(listPartnerAuditEvents),
    args: {
      filter: t.arg({ type: PartnerAuditFilter, required: false, description: 'Only the events matching it.' }),
    },
    resolve: async (p, args, ctx) => {
      const filter = args.filter
        ? {
            ...args.filter,
            actorId: args.filter.actorId ? decodePrincipalId(args.filter.actorId, ['filter', 'actorId']) : null,
          }
        : null;
      return listPartnerAuditEvents(ctx.svc, p.id, { ...args, filter });
    },
  }),
);

PartnerAuditEventRef.implement({
  description: 'One partner-side change or refusal, written in the same transaction as the change.',
  fields: (t) => ({
    at: t.expose('at', { type: 'DateTime', description: 'When it happened.' }),
    actorKind: t.exposeString('actorKind', {
      description:
        'AGENT, APPLICATION, USER (a customer administrator approving), SYSTEM or ANONYMOUS (a sign-in attempt).',
    }),
    actorId: t.string({
      nullable: true,
      description: "The actor's global id (an Agent's, an Application's, or a customer User's).",
      resolve: (e) => {
        if (!e.actorId) return null;
        if (e.actorKind === 'AGENT') return encodeGlobalID('Agent', e.actorId);
        if (e.actorKind === 'APPLICATION') return encodeGlobalID('Application', e.actorId);
        return e.customerId ? encodeGlobalID('User', scopedId(e.customerId, e.actorId)) : null;
      },
    }),
    actorEmail: t.exposeString('actorEmail', {
      nullable: true,
      description: "The agent's email or the user's UPN (for a sign-in attempt, the email tried); null for others.",
    }),
    actorName: t.exposeString('actorName', {
      description: "The actor's display name (an agent's or an application's), a user's UPN, or system.",
    }),
    action: t.exposeString('action', {
      description: 'What was done, e.g. CREATE_AGENT, ADD_GROUP_MEMBER, ASSIGN_GDAP_ACCESS, SIGN_IN_FAILED.',
    }),
    outcome: t.exposeString('outcome', { description: 'SUCCESS, DENIED (refused, nothing changed) or FAILED.' }),
    targetType: t.exposeString('targetType', {
      nullable: true,
      description:
        'What it was done to: AGENT, APPLICATION, APPLICATION_SECRET, WEBHOOK_SUBSCRIPTION, SECURITY_GROUP, MEMBERSHIP, GDAP_RELATIONSHIP, ACCESS_ASSIGNMENT, CUSTOMER or SESSION.',
    }),
    targetName: t.exposeString('targetName', {
      nullable: true,
      description: "The target's name when it was done (an agent's email, a group's name…).",
    }),
    details: t.string({
      description: 'The change, or the reason of a refusal, as JSON (never a password or a token).',
      resolve: (e) => JSON.stringify(e.details),
    }),
  }),
});

SessionRef.implement({
  description: 'A live sign-in of the viewer (never its token).',
  fields: (t) => ({
    id: t.exposeString('id', { description: 'A short fingerprint of the token hash, to tell sessions apart.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When the agent signed in.' }),
    lastUsedAt: t.expose('lastUsedAt', { type: 'DateTime', nullable: true, description: 'To within five minutes.' }),
    expiresAt: t.expose('expiresAt', { type: 'DateTime', description: 'When its token stops working.' }),
    current: t.exposeBoolean('current', { description: 'The session of this request.' }),
  }),
});

builder.node(SecurityGroupRef, {
  id: { resolve: (g) => g.id },
  description: 'A partner-side group of agents; GDAP grants roles to groups.',
  fields: (t) => ({
    name: t.exposeString('name', { description: 'Its name, unique in the partner.' }),
    members: t.field({
      type: [AgentRef],
      description: 'The agents that are members, permanent or eligible, by email (applications lists the others).',
      directives: requiresPartnerTask(groupMembersOf),
      resolve: (g, _, ctx) => groupMembersOf(ctx.svc, g.id),
    }),
  }),
});

export const ViewerRef = builder.simpleObject('Viewer', {
  description: 'Who is signed in: a partner agent, a partner application, or a customer user.',
  fields: (t) => ({
    kind: t.string({ description: 'AGENT, APPLICATION or USER' }),
    mustChangePassword: t.boolean({
      description: 'True: the password is temporary; call changePassword before anything else.',
    }),
  }),
});

builder.objectField(ViewerRef, 'agent', (t) =>
  t.field({
    type: AgentRef,
    nullable: true,
    description: 'The signed-in agent (null for applications and users).',
    resolve: (_, __, ctx) =>
      ctx.svc.caller?.kind === 'agent' && ctx.svc.caller.principal === 'AGENT'
        ? getAgent(ctx.svc, ctx.svc.caller.agentId)
        : null,
  }),
);

builder.objectField(ViewerRef, 'sessions', (t) =>
  t.field({
    type: [SessionRef],
    description: "The signed-in agent's live sessions, newest first (empty for customer users).",
    resolve: (_, __, ctx) => liveSessions(ctx.svc),
  }),
);

builder.objectField(ViewerRef, 'user', (t) =>
  t.field({
    type: UserRef,
    nullable: true,
    description: 'The signed-in customer user (usable once the temporary password has been changed).',
    resolve: (_, __, ctx) => signedInUser(ctx.svc),
  }),
);

builder.queryFields((t) => ({
  viewer: t.field({
    type: ViewerRef,
    nullable: true,
    description: 'Who the bearer token stands for; null when not signed in.',
    resolve: (_, __, ctx) =>
      ctx.svc.caller
        ? {
            kind: ctx.svc.caller.kind === 'agent' ? ctx.svc.caller.principal : 'USER',
            mustChangePassword: ctx.svc.caller.kind === 'user' && ctx.svc.caller.mustChangePassword,
          }
        : null,
  }),
  skus: t.field({ type: [SkuRef], description: 'The product catalogue.', resolve: (_, __, ctx) => listSkus(ctx.svc) }),
}));
