import { grantsFor, requireAgent } from '../../services/authorization.js';
import { getAgent, getPartner, groupMembersOf, groupsOfAgent, listAgents, listSecurityGroups } from '../../services/partners.js';
import { listPartnerRelationships } from '../../services/gdap.js';
import { listSkus } from '../../services/skus.js';
import { signedInUser } from '../../services/sessions.js';
import { builder, requiresAdminAgent } from '../builder.js';
import { decodeId } from '../ids.js';
import { notFound } from '../../services/errors.js';
import { PartnerRoleEnum } from './common.js';
import { AgentRef, GdapRelationshipRef, PartnerRef, RoleGrantRef, SecurityGroupRef, SkuRef, UserRef } from './refs.js';

builder.node(AgentRef, {
  id: { resolve: (a) => a.id },
  description: "A partner's staff member.",
  fields: (t) => ({
    email: t.exposeString('email'),
    displayName: t.exposeString('displayName'),
    partnerRoles: t.field({ type: [PartnerRoleEnum], resolve: (a) => a.roles as ('ADMIN_AGENT' | 'SALES_AGENT' | 'HELPDESK_AGENT')[] }),
    partner: t.field({ type: PartnerRef, resolve: (a, _, ctx) => getPartner(ctx.svc, a.partnerId) }),
    groups: t.field({ type: [SecurityGroupRef], resolve: (a, _, ctx) => groupsOfAgent(ctx.svc, a.id) }),
    rolesIn: t.field({
      type: [RoleGrantRef],
      description: 'The directory roles this agent holds in a customer now, each with the relationship and group it comes from (NOT_FOUND when none).',
      args: { customerId: t.arg.id({ required: true }) },
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
  fields: (t) => ({
    name: t.exposeString('name'),
    agents: t.field({ type: [AgentRef], directives: requiresAdminAgent, resolve: (_, __, ctx) => listAgents(ctx.svc) }),
    securityGroups: t.field({
      type: [SecurityGroupRef],
      directives: requiresAdminAgent,
      resolve: (_, __, ctx) => listSecurityGroups(ctx.svc),
    }),
    gdapRelationships: t.field({
      type: [GdapRelationshipRef],
      description: 'All relationships of the partner, in every state, newest first.',
      directives: requiresAdminAgent,
      args: { customerId: t.arg.id({ required: false }) },
      resolve: (_, args, ctx) =>
        listPartnerRelationships(ctx.svc, args.customerId ? decodeId(args.customerId, 'Customer', ['customerId']) : null),
    }),
  }),
});

builder.node(SecurityGroupRef, {
  id: { resolve: (g) => g.id },
  description: 'A partner-side group of agents; GDAP grants roles to groups.',
  fields: (t) => ({
    name: t.exposeString('name'),
    members: t.field({ type: [AgentRef], directives: requiresAdminAgent, resolve: (g, _, ctx) => groupMembersOf(ctx.svc, g.id) }),
  }),
});

const ViewerRef = builder.simpleObject('Viewer', {
  description: 'Who is signed in: a partner agent, or a customer user.',
  fields: (t) => ({
    kind: t.string({ description: 'AGENT or USER' }),
    mustChangePassword: t.boolean(),
  }),
});

builder.objectField(ViewerRef, 'agent', (t) =>
  t.field({
    type: AgentRef,
    nullable: true,
    resolve: (_, __, ctx) => (ctx.svc.caller?.kind === 'agent' ? getAgent(ctx.svc, ctx.svc.caller.agentId) : null),
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
        ? { kind: ctx.svc.caller.kind === 'agent' ? 'AGENT' : 'USER', mustChangePassword: ctx.svc.caller.kind === 'user' && ctx.svc.caller.mustChangePassword }
        : null,
  }),
  skus: t.field({ type: [SkuRef], description: 'The product catalogue.', resolve: (_, __, ctx) => listSkus(ctx.svc) }),
}));
