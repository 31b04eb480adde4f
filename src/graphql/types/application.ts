// Applications (service principals) as the API shows them: never a secret, only its hint.
import type { PartnerRole } from '../../auth/roles.js';
import { getApplication, listApplications, MAX_LIVE_SECRETS, secretsOf } from '../../services/applications.js';
import { groupMembersOf, groupsOfAgent } from '../../services/security-groups.js';
import { builder, requiresPartnerTask } from '../builder.js';
import { AgentStatusEnum, ViewerRef } from './agent.js';
import { PartnerRoleEnum } from './common.js';
import { ApplicationRef, ApplicationSecretRef, PartnerRef, SecurityGroupRef } from './refs.js';

builder.node(ApplicationRef, {
  id: { resolve: (a) => a.id },
  description:
    "A partner's automation (a service principal): partner roles, security groups (so GDAP roles) like an agent, and client secrets instead of a password. It gets bearer tokens at POST /oauth/token (client credentials).",
  fields: (t) => ({
    clientId: t.string({
      description: 'The client_id to send to POST /oauth/token.',
      resolve: (a) => a.id,
    }),
    displayName: t.exposeString('displayName', { description: 'Its name as people see it (up to 256 characters).' }),
    partnerRoles: t.field({
      type: [PartnerRoleEnum],
      description: 'Its roles in the partner organization.',
      resolve: (a) => a.roles as PartnerRole[],
    }),
    status: t.field({
      type: AgentStatusEnum,
      description: 'DISABLED and DELETED applications get no token, and their tokens stop working at once.',
      resolve: (a) => a.status,
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it was created.' }),
    secrets: t.field({
      type: [ApplicationSecretRef],
      description: `Its client secrets, newest first, revoked and expired ones included; at most ${MAX_LIVE_SECRETS} live at once.`,
      directives: requiresPartnerTask(secretsOf),
      resolve: (a, _, ctx) => secretsOf(ctx.svc, a.id),
    }),
    groups: t.field({
      type: [SecurityGroupRef],
      description: 'The security groups it is a member of: its GDAP roles come from them.',
      resolve: (a, _, ctx) => groupsOfAgent(ctx.svc, a.id, 'APPLICATION'),
    }),
  }),
});

ApplicationSecretRef.implement({
  description: 'A client secret of an application: never the secret itself, which was shown once.',
  fields: (t) => ({
    keyId: t.string({
      description:
        "The secret's key id (as Microsoft Graph's passwordCredential.keyId): removeApplicationSecret takes it.",
      resolve: (s) => s.id,
    }),
    description: t.exposeString('description', { description: 'What or where it is for, as given when added.' }),
    hint: t.exposeString('hint', { description: "The secret's first characters, to tell which one a script holds." }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it was added.' }),
    expiresAt: t.expose('expiresAt', { type: 'DateTime', description: 'When it stops getting tokens.' }),
    revokedAt: t.expose('revokedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When removeApplicationSecret (or deleteApplication) revoked it; null while not revoked.',
    }),
    lastUsedAt: t.expose('lastUsedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When it last got a token.',
    }),
    live: t.boolean({
      description: 'Neither revoked nor expired: it gets tokens.',
      resolve: (s, _, ctx) => !s.revokedAt && s.expiresAt > ctx.svc.clock.now(),
    }),
  }),
});

builder.objectField(ViewerRef, 'application', (t) =>
  t.field({
    type: ApplicationRef,
    nullable: true,
    description: 'The signed-in application (null for agents and users).',
    resolve: (_, __, ctx) =>
      ctx.svc.caller?.kind === 'agent' && ctx.svc.caller.principal === 'APPLICATION'
        ? getApplication(ctx.svc, ctx.svc.caller.agentId)
        : null,
  }),
);

builder.objectField(PartnerRef, 'applications', (t) =>
  t.field({
    type: [ApplicationRef],
    description: 'The applications that are not deleted, by name.',
    directives: requiresPartnerTask(listApplications),
    resolve: (_, __, ctx) => listApplications(ctx.svc),
  }),
);

builder.objectField(SecurityGroupRef, 'applications', (t) =>
  t.field({
    type: [ApplicationRef],
    description: 'The applications that are members (members lists the agents).',
    directives: requiresPartnerTask(groupMembersOf),
    resolve: (g, _, ctx) => groupMembersOf(ctx.svc, g.id, 'APPLICATION'),
  }),
);
