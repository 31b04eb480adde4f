// Partner access governance through GraphQL over HTTP: the escalations an ADMIN_AGENT could once perform, each
// refused now; every partner-side mutation × partner role against a table written out here (not read from the code);
// the last ACCESS_ADMINISTRATOR; offboarding; and the partner audit log, written in the change's transaction.
import { getDirectiveInExtensions } from '@graphql-tools/utils';
import { encodeGlobalID } from '@pothos/plugin-relay';
import { isObjectType } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../src/auth/passwords.js';
import { agents } from '../src/db/schema.js';
import { buildSchema } from '../src/graphql/schema.js';
import { disableAgent, updateAgent } from '../src/services/agents.js';
import { serviceContext } from '../src/services/context.js';
import { authenticate } from '../src/services/sessions.js';
import { BULK_ENV } from './support/bulk.js';
import { rawId } from './support/fixtures.js';
import { startServer, type TestServer } from './support/server.js';
import {
  type Customer,
  createCustomer,
  createPartner,
  createUser,
  grantAgent,
  PASSWORD,
  type Partner,
  signIn,
  skuId,
} from './support/world.js';

let s: TestServer;
let partner: Partner;
let customer: Customer;
let n = 0;
const uniq = (p: string) => `${p}${++n}x${Math.random().toString(36).slice(2, 6)}`;

const AGENT = `mutation($i: CreateAgentInput!) { createAgent(input: $i) { agent { id } userErrors { code message } } }`;
const GROUP = `mutation($i: CreateSecurityGroupInput!) { createSecurityGroup(input: $i) { securityGroup { id } userErrors { message } } }`;
const ADD_MEMBER = `mutation($i: AddSecurityGroupMemberInput!) { addSecurityGroupMember(input: $i) { securityGroup { id } userErrors { code message } } }`;
const REMOVE_MEMBER = `mutation($i: SecurityGroupMemberInput!) { removeSecurityGroupMember(input: $i) { securityGroup { id } userErrors { code message } } }`;
const ASSIGN = `mutation($i: AssignGdapAccessInput!) { assignGdapAccess(input: $i) { relationship { id } userErrors { code message } } }`;
const UPDATE_AGENT = `mutation($i: UpdateAgentInput!) { updateAgent(input: $i) { agent { partnerRoles displayName } userErrors { field code message } } }`;
const DISABLE = `mutation($id: ID!) { disableAgent(input: {agentId: $id}) { agent { status } userErrors { field code message } } }`;
const UPDATE_GROUP = `mutation($i: UpdateSecurityGroupInput!) { updateSecurityGroup(input: $i) { securityGroup { id } userErrors { code message } } }`;
const MY_ROLES = `query($c: ID!) { customer(id: $c) { myRoles { role } } }`;
const EVENTS = `query($p: ID!, $f: PartnerAuditFilter) { node(id: $p) { ... on Partner { auditEvents(first: 100, filter: $f) {
  edges { node { at actorId actorEmail actorKind action outcome targetType targetName details } } } } } }`;

async function newAgent(
  roles: string[],
  token = partner.adminToken,
): Promise<{ id: string; email: string; token: string }> {
  const email = `${uniq('agent')}@partner.example`;
  const d = await s.ok(AGENT, { i: { email, displayName: email, password: PASSWORD, roles } }, token);
  if (d.createAgent.userErrors.length) throw new Error(JSON.stringify(d.createAgent.userErrors));
  return { id: d.createAgent.agent.id, email, token: await signIn(s, email) };
}
const APP = `mutation($i: CreateApplicationInput!) { createApplication(input: $i) { application { id } userErrors { code message } } }`;
const SECRET = `mutation($i: AddApplicationSecretInput!) { addApplicationSecret(input: $i) { secret { keyId } userErrors { code message } } }`;
async function newApp(): Promise<string> {
  return (await s.ok(APP, { i: { displayName: uniq('app'), roles: ['SALES_AGENT'] } }, partner.adminToken))
    .createApplication.application.id;
}
const appMutation = (name: string, extra = '') =>
  `mutation($id: ID!) { ${name}(input: {applicationId: $id${extra}}) { application { id } userErrors { message } } }`;
const HOOK = `mutation($i: CreateWebhookSubscriptionInput!) { createWebhookSubscription(input: $i) { subscription { id } userErrors { message } } }`;
const HOOK_INPUT = { url: 'https://hooks.example.com/partner', eventTypes: ['USER_CREATED'] };
async function newHook(): Promise<string> {
  return (await s.ok(HOOK, { i: HOOK_INPUT }, partner.adminToken)).createWebhookSubscription.subscription.id;
}
async function newGroup(): Promise<string> {
  return (await s.ok(GROUP, { i: { name: uniq('group') } }, partner.adminToken)).createSecurityGroup.securityGroup.id;
}
const viewerId = async (token: string) =>
  (await s.ok(`{ viewer { agent { id partner { id } } } }`, {}, token)).viewer.agent;
async function partnerEvents(filter: Record<string, unknown> = {}, token = partner.adminToken): Promise<any[]> {
  const { partner: p } = await viewerId(token);
  return (await s.ok(EVENTS, { p: p.id, f: filter }, token)).node.auditEvents.edges.map((e: any) => e.node);
}
/** An eligible agent's activation of a group that requires approval, waiting for a decision. */
async function pendingActivation(): Promise<string> {
  const groupId = await newGroup();
  await s.ok(UPDATE_GROUP, { i: { groupId, requiresApproval: true } }, partner.adminToken);
  const eligible = await newAgent(['ADMIN_AGENT']);
  await s.ok(ADD_MEMBER, { i: { groupId, agentId: eligible.id, kind: 'ELIGIBLE' } }, partner.adminToken);
  const d = await s.ok(
    `mutation($g: ID!) { activateGroupMembership(input: {groupId: $g, justification: "ticket 42"}) { activation { id status } userErrors { message } } }`,
    { g: groupId },
    eligible.token,
  );
  return d.activateGroupMembership.activation.id;
}
/**
 * A new partner with its only two access administrators, each as a signed-in service context: both requests are
 * authenticated before either change, so only the partner row lock can make the second see the first.
 */
async function twoAccessAdministrators() {
  const p = await createPartner(s);
  const a = { token: p.adminToken, id: (await viewerId(p.adminToken)).id };
  const b = await newAgent(['ACCESS_ADMINISTRATOR'], p.adminToken);
  const [ctxA, ctxB] = await Promise.all(
    [a.token, b.token].map(async (t) => {
      const ctx = serviceContext(s.database.db, s.clock);
      ctx.caller = await authenticate(ctx, t);
      return ctx;
    }),
  );
  return { a, b, ctxA: ctxA!, ctxB: ctxB! };
}
const roleNames = async (token: string) =>
  ((await s.ok(MY_ROLES, { c: customer.id }, token)).customer.myRoles as { role: string }[]).map((r) => r.role).sort();

let creator: string;

beforeAll(async () => {
  // The credentials key seals webhook signing secrets.
  s = await startServer(BULK_ENV);
  partner = await createPartner(s);
  customer = await createCustomer(s, partner, [['SPE_E3', 5]]);
  creator = (await grantAgent(s, partner, customer, ['USER_ADMINISTRATOR'])).agentToken;
});
afterAll(() => s.close());

describe('escalations that are refused', () => {
  it('a licence-only ADMIN_AGENT cannot add itself to the group that holds User Administrator', async () => {
    const ua = await grantAgent(s, partner, customer, ['USER_ADMINISTRATOR']);
    const uaGroup = (await s.ok(`{ viewer { agent { groups { id } } } }`, {}, ua.agentToken)).viewer.agent.groups[0].id;
    const lic = await grantAgent(s, partner, customer, ['LICENSE_ADMINISTRATOR']);
    const r = await s.gql(ADD_MEMBER, { i: { groupId: uaGroup, agentId: lic.agentId } }, lic.agentToken);
    expect(r.errors?.[0]?.extensions).toMatchObject({
      code: 'FORBIDDEN',
      task: 'MANAGE_GROUPS',
      requiredPartnerRoles: ['ACCESS_ADMINISTRATOR'],
    });
    expect(await roleNames(lic.agentToken)).toEqual(['LICENSE_ADMINISTRATOR']);
    const [denied] = await partnerEvents({ actorId: lic.agentId });
    expect(denied).toMatchObject({ action: 'ADD_GROUP_MEMBER', outcome: 'DENIED', actorEmail: lic.agentEmail });
  });

  it('a User-Administrator-only access administrator cannot give its own group GLOBAL_ADMINISTRATOR', async () => {
    const me = await grantAgent(s, partner, customer, ['USER_ADMINISTRATOR'], {
      partnerRoles: ['ADMIN_AGENT', 'ACCESS_ADMINISTRATOR'],
    });
    const myGroup = (await s.ok(`{ viewer { agent { groups { id } } } }`, {}, me.agentToken)).viewer.agent.groups[0].id;
    // As an ADMIN_AGENT it may request a relationship carrying GLOBAL_ADMINISTRATOR; the customer approves it.
    const rel = await s.ok(
      `mutation($i: CreateGdapRelationshipInput!) { createGdapRelationship(input: $i) { relationship { id } approvalToken userErrors { message } } }`,
      { i: { customerId: customer.id, displayName: uniq('ga'), roles: ['GLOBAL_ADMINISTRATOR'], durationDays: 30 } },
      me.agentToken,
    );
    await s.ok(
      `mutation($t: String!) { approveGdapRelationship(input: {approvalToken: $t}) { userErrors { message } } }`,
      { t: rel.createGdapRelationship.approvalToken },
      customer.gaToken,
    );
    const r = await s.gql(
      ASSIGN,
      {
        i: {
          relationshipId: rel.createGdapRelationship.relationship.id,
          groupId: myGroup,
          roles: ['GLOBAL_ADMINISTRATOR'],
        },
      },
      me.agentToken,
    );
    expect(r.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', rule: 'FOUR_EYES' });
    expect(r.errors?.[0]?.message).toMatch(
      /^Four-eyes rule: no one changes the GDAP roles of a group it is a member of/,
    );
    expect(await roleNames(me.agentToken)).toEqual(['USER_ADMINISTRATOR']);
    const [denied] = await partnerEvents({ actorId: me.agentId, action: 'ASSIGN_GDAP_ACCESS' });
    expect(denied).toMatchObject({ outcome: 'DENIED', targetType: 'ACCESS_ASSIGNMENT' });
    expect(JSON.parse(denied.details)).toMatchObject({ rule: 'FOUR_EYES', roles: ['GLOBAL_ADMINISTRATOR'] });
    // Another access administrator may (four eyes), and then the agent holds it.
    await s.ok(
      ASSIGN,
      {
        i: {
          relationshipId: rel.createGdapRelationship.relationship.id,
          groupId: myGroup,
          roles: ['GLOBAL_ADMINISTRATOR'],
        },
      },
      partner.adminToken,
    );
    expect(await roleNames(me.agentToken)).toEqual(['GLOBAL_ADMINISTRATOR', 'USER_ADMINISTRATOR']);
  });

  it('an ACCESS_ADMINISTRATOR cannot add itself to a group, remove itself, or change its own partner roles', async () => {
    const admin = await viewerId(partner.adminToken);
    const group = await newGroup();
    const add = await s.gql(ADD_MEMBER, { i: { groupId: group, agentId: admin.id } }, partner.adminToken);
    expect(add.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', rule: 'FOUR_EYES' });
    const members = await s.ok(
      `query($g: ID!) { node(id: $g) { ... on SecurityGroup { members { id } } } }`,
      { g: group },
      partner.adminToken,
    );
    expect(members.node.members).toEqual([]);

    const other = await newAgent(['ACCESS_ADMINISTRATOR']);
    await s.ok(ADD_MEMBER, { i: { groupId: group, agentId: admin.id } }, other.token);
    const remove = await s.gql(REMOVE_MEMBER, { i: { groupId: group, agentId: admin.id } }, partner.adminToken);
    expect(remove.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', rule: 'FOUR_EYES' });

    const roles = await s.gql(
      UPDATE_AGENT,
      { i: { agentId: other.id, roles: ['ACCESS_ADMINISTRATOR', 'ADMIN_AGENT'] } },
      other.token,
    );
    expect(roles.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', rule: 'FOUR_EYES' });
    expect(roles.errors?.[0]?.message).toContain('no one changes its own partner roles');
    const self = await s.ok(
      `query($id: ID!) { node(id: $id) { ... on Agent { partnerRoles } } }`,
      { id: other.id },
      other.token,
    );
    expect(self.node.partnerRoles).toEqual(['ACCESS_ADMINISTRATOR']);
    // Its own display name is not access: that passes.
    const name = await s.ok(UPDATE_AGENT, { i: { agentId: other.id, displayName: 'Renamed' } }, other.token);
    expect(name.updateAgent).toMatchObject({ agent: { displayName: 'Renamed' }, userErrors: [] });
  });

  it('the last enabled ACCESS_ADMINISTRATOR stays: two of them disabling each other at once, one is refused', async () => {
    const { a, b, ctxA, ctxB } = await twoAccessAdministrators();
    const results = await Promise.allSettled([disableAgent(ctxA, rawId(b.id)), disableAgent(ctxB, rawId(a.id))]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(refused.reason).toMatchObject({ code: 'LAST_ACCESS_ADMINISTRATOR', details: { field: ['agentId'] } });
    expect(refused.reason.message).toMatch(/last enabled ACCESS_ADMINISTRATOR/);
    const winner = results[0]!.status === 'fulfilled' ? a : b;
    const loser = winner === a ? b : a;
    expect((await s.ok(`{ viewer { kind } }`, {}, loser.token)).viewer).toBeNull();
    const events = await partnerEvents({ action: 'DISABLE_AGENT' }, winner.token);
    expect(events.map((e) => e.outcome).sort()).toEqual(['DENIED', 'SUCCESS']);
  });

  it('two access administrators taking the role from each other at once: one keeps it', async () => {
    const { a, b, ctxA, ctxB } = await twoAccessAdministrators();
    const results = await Promise.allSettled([
      updateAgent(ctxA, { agentId: rawId(b.id), roles: ['SALES_AGENT'] }),
      updateAgent(ctxB, { agentId: rawId(a.id), roles: ['ADMIN_AGENT'] }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect((results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason).toMatchObject({
      code: 'LAST_ACCESS_ADMINISTRATOR',
    });
    const roles = await s.ok(
      `{ viewer { agent { partner { agents { partnerRoles } } } } }`,
      {},
      results[0]!.status === 'fulfilled' ? a.token : b.token,
    );
    expect(
      roles.viewer.agent.partner.agents.filter((x: any) => x.partnerRoles.includes('ACCESS_ADMINISTRATOR')),
    ).toHaveLength(1);
  });

  it("no access administrator resets another one's password (it could act as both); a plain agent's, yes", async () => {
    const other = await newAgent(['ACCESS_ADMINISTRATOR']);
    const r = await s.gql(
      `mutation($id: ID!) { resetAgentPassword(input: {agentId: $id}) { temporaryPassword } }`,
      { id: other.id },
      partner.adminToken,
    );
    expect(r.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', rule: 'FOUR_EYES' });
    expect(r.errors?.[0]?.message).toContain('npm run reset-agent-password');
    expect(await signIn(s, other.email)).toMatch(/^pat_/);
  });

  it('the partner log filters by action, actor and time, pages newest first, and is for access administrators only', async () => {
    s.travel(60_000);
    const since = s.clock.now().toISOString();
    await newGroup();
    s.travel(60_000);
    const until = s.clock.now().toISOString();
    await newGroup();
    const window = await partnerEvents({ since, until, action: 'CREATE_SECURITY_GROUP' });
    expect(window).toHaveLength(1);
    expect(window[0]).toMatchObject({ at: since, targetType: 'SECURITY_GROUP' });
    const { partner: p } = await viewerId(partner.adminToken);
    const first = await s.ok(
      `query($p: ID!) { node(id: $p) { ... on Partner { auditEvents(first: 1) { edges { node { at action } } pageInfo { endCursor hasNextPage } } } } }`,
      { p: p.id },
      partner.adminToken,
    );
    const next = await s.ok(
      `query($p: ID!, $a: String) { node(id: $p) { ... on Partner { auditEvents(first: 1, after: $a) { edges { node { at } } } } } }`,
      { p: p.id, a: first.node.auditEvents.pageInfo.endCursor },
      partner.adminToken,
    );
    expect(first.node.auditEvents.pageInfo.hasNextPage).toBe(true);
    expect(Date.parse(next.node.auditEvents.edges[0].node.at)).toBeLessThanOrEqual(
      Date.parse(first.node.auditEvents.edges[0].node.at),
    );
    const adminOnly = await newAgent(['ADMIN_AGENT']);
    const refused = await s.gql(EVENTS, { p: p.id, f: {} }, adminOnly.token);
    expect(refused.errors?.[0]?.extensions).toMatchObject({
      code: 'FORBIDDEN',
      requiredPartnerRoles: ['ACCESS_ADMINISTRATOR'],
    });
  });

  it('the bootstrap admin holds ADMIN_AGENT and ACCESS_ADMINISTRATOR', async () => {
    const roles = (await s.ok(`{ viewer { agent { partnerRoles } } }`, {}, partner.adminToken)).viewer.agent
      .partnerRoles;
    expect(roles).toEqual(['ADMIN_AGENT', 'ACCESS_ADMINISTRATOR']);
  });
});

/**
 * Who may call each partner-side mutation, written out from issue 8 and DESIGN.md (not from src/auth/roles.ts), with
 * the audit action each one records.
 */
const MAY: Record<string, { roles: string[]; action: string }> = {
  createAgent: { roles: ['ACCESS_ADMINISTRATOR'], action: 'CREATE_AGENT' },
  updateAgent: { roles: ['ACCESS_ADMINISTRATOR'], action: 'UPDATE_AGENT' },
  disableAgent: { roles: ['ACCESS_ADMINISTRATOR'], action: 'DISABLE_AGENT' },
  enableAgent: { roles: ['ACCESS_ADMINISTRATOR'], action: 'ENABLE_AGENT' },
  deleteAgent: { roles: ['ACCESS_ADMINISTRATOR'], action: 'DELETE_AGENT' },
  resetAgentPassword: { roles: ['ACCESS_ADMINISTRATOR'], action: 'RESET_AGENT_PASSWORD' },
  createApplication: { roles: ['ACCESS_ADMINISTRATOR'], action: 'CREATE_APPLICATION' },
  updateApplication: { roles: ['ACCESS_ADMINISTRATOR'], action: 'UPDATE_APPLICATION' },
  disableApplication: { roles: ['ACCESS_ADMINISTRATOR'], action: 'DISABLE_APPLICATION' },
  enableApplication: { roles: ['ACCESS_ADMINISTRATOR'], action: 'ENABLE_APPLICATION' },
  deleteApplication: { roles: ['ACCESS_ADMINISTRATOR'], action: 'DELETE_APPLICATION' },
  addApplicationSecret: { roles: ['ACCESS_ADMINISTRATOR'], action: 'ADD_APPLICATION_SECRET' },
  removeApplicationSecret: { roles: ['ACCESS_ADMINISTRATOR'], action: 'REMOVE_APPLICATION_SECRET' },
  createSecurityGroup: { roles: ['ACCESS_ADMINISTRATOR'], action: 'CREATE_SECURITY_GROUP' },
  createWebhookSubscription: { roles: ['ACCESS_ADMINISTRATOR'], action: 'CREATE_WEBHOOK_SUBSCRIPTION' },
  rotateWebhookSecret: { roles: ['ACCESS_ADMINISTRATOR'], action: 'ROTATE_WEBHOOK_SECRET' },
  deleteWebhookSubscription: { roles: ['ACCESS_ADMINISTRATOR'], action: 'DELETE_WEBHOOK_SUBSCRIPTION' },
  redeliverWebhook: { roles: ['ACCESS_ADMINISTRATOR'], action: 'REDELIVER_WEBHOOK' },
  deleteSecurityGroup: { roles: ['ACCESS_ADMINISTRATOR'], action: 'DELETE_SECURITY_GROUP' },
  updateSecurityGroup: { roles: ['ACCESS_ADMINISTRATOR'], action: 'UPDATE_SECURITY_GROUP' },
  addSecurityGroupMember: { roles: ['ACCESS_ADMINISTRATOR'], action: 'ADD_GROUP_MEMBER' },
  removeSecurityGroupMember: { roles: ['ACCESS_ADMINISTRATOR'], action: 'REMOVE_GROUP_MEMBER' },
  assignGdapAccess: { roles: ['ACCESS_ADMINISTRATOR'], action: 'ASSIGN_GDAP_ACCESS' },
  removeGdapAccess: { roles: ['ACCESS_ADMINISTRATOR'], action: 'REMOVE_GDAP_ACCESS' },
  approveActivation: { roles: ['ACCESS_ADMINISTRATOR'], action: 'APPROVE_ACTIVATION' },
  denyActivation: { roles: ['ACCESS_ADMINISTRATOR'], action: 'DENY_ACTIVATION' },
  createCustomer: { roles: ['ADMIN_AGENT'], action: 'CREATE_CUSTOMER' },
  addCustomerDomain: { roles: ['ADMIN_AGENT'], action: 'ADD_CUSTOMER_DOMAIN' },
  addSubscription: { roles: ['ADMIN_AGENT'], action: 'ADD_SUBSCRIPTION' },
  createGdapRelationship: { roles: ['ADMIN_AGENT'], action: 'CREATE_GDAP_RELATIONSHIP' },
  terminateGdapRelationship: { roles: ['ADMIN_AGENT'], action: 'TERMINATE_GDAP_RELATIONSHIP' },
};

/** One call per mutation, with fresh targets built by the partner admin, so an allowed call really changes something. */
const CALLS: Record<string, () => Promise<{ query: string; vars: Record<string, unknown> }>> = {
  createAgent: async () => ({
    query: AGENT,
    vars: {
      i: { email: `${uniq('m')}@partner.example`, displayName: 'M', password: PASSWORD, roles: ['SALES_AGENT'] },
    },
  }),
  updateAgent: async () => ({
    query: UPDATE_AGENT,
    vars: { i: { agentId: (await newAgent(['SALES_AGENT'])).id, roles: ['HELPDESK_AGENT'] } },
  }),
  disableAgent: async () => ({ query: DISABLE, vars: { id: (await newAgent(['SALES_AGENT'])).id } }),
  enableAgent: async () => {
    const target = await newAgent(['SALES_AGENT']);
    await s.ok(DISABLE, { id: target.id }, partner.adminToken);
    return {
      query: `mutation($id: ID!) { enableAgent(input: {agentId: $id}) { agent { status } userErrors { message } } }`,
      vars: { id: target.id },
    };
  },
  deleteAgent: async () => ({
    query: `mutation($id: ID!) { deleteAgent(input: {agentId: $id}) { agent { status } userErrors { message } } }`,
    vars: { id: (await newAgent(['SALES_AGENT'])).id },
  }),
  resetAgentPassword: async () => ({
    query: `mutation($id: ID!) { resetAgentPassword(input: {agentId: $id}) { temporaryPassword userErrors { message } } }`,
    vars: { id: (await newAgent(['SALES_AGENT'])).id },
  }),
  createApplication: async () => ({ query: APP, vars: { i: { displayName: uniq('a'), roles: ['SALES_AGENT'] } } }),
  updateApplication: async () => ({
    query: `mutation($i: UpdateApplicationInput!) { updateApplication(input: $i) { application { id } userErrors { message } } }`,
    vars: { i: { applicationId: await newApp(), roles: ['HELPDESK_AGENT'] } },
  }),
  disableApplication: async () => ({ query: appMutation('disableApplication'), vars: { id: await newApp() } }),
  enableApplication: async () => {
    const id = await newApp();
    await s.ok(appMutation('disableApplication'), { id }, partner.adminToken);
    return { query: appMutation('enableApplication'), vars: { id } };
  },
  deleteApplication: async () => ({ query: appMutation('deleteApplication'), vars: { id: await newApp() } }),
  addApplicationSecret: async () => ({ query: SECRET, vars: { i: { applicationId: await newApp() } } }),
  removeApplicationSecret: async () => {
    const id = await newApp();
    const d = await s.ok(SECRET, { i: { applicationId: id } }, partner.adminToken);
    return {
      query: `mutation($id: ID!, $k: String!) { removeApplicationSecret(input: {applicationId: $id, keyId: $k}) { application { id } userErrors { message } } }`,
      vars: { id, k: d.addApplicationSecret.secret.keyId },
    };
  },
  createSecurityGroup: async () => ({ query: GROUP, vars: { i: { name: uniq('g') } } }),
  createWebhookSubscription: async () => ({ query: HOOK, vars: { i: HOOK_INPUT } }),
  rotateWebhookSecret: async () => ({
    query: `mutation($id: ID!) { rotateWebhookSecret(input: {subscriptionId: $id}) { secret userErrors { message } } }`,
    vars: { id: await newHook() },
  }),
  deleteWebhookSubscription: async () => ({
    query: `mutation($id: ID!) { deleteWebhookSubscription(input: {subscriptionId: $id}) { subscription { id } userErrors { message } } }`,
    vars: { id: await newHook() },
  }),
  redeliverWebhook: async () => {
    // A delivery to redeliver: a subscription to user.created, and a user created in the customer.
    const id = await newHook();
    await createUser(s, creator, customer);
    const d = await s.ok(
      `{ viewer { agent { partner { webhookSubscriptions { id deliveries(first: 1) { edges { node { id } } } } } } } }`,
      {},
      partner.adminToken,
    );
    const sub = d.viewer.agent.partner.webhookSubscriptions.find((x: any) => x.id === id);
    return {
      query: `mutation($id: ID!) { redeliverWebhook(input: {deliveryId: $id}) { delivery { status } userErrors { message } } }`,
      vars: { id: sub.deliveries.edges[0].node.id },
    };
  },
  deleteSecurityGroup: async () => ({
    query: `mutation($g: ID!) { deleteSecurityGroup(input: {groupId: $g}) { securityGroup { id } userErrors { message } } }`,
    vars: { g: await newGroup() },
  }),
  updateSecurityGroup: async () => ({
    query: UPDATE_GROUP,
    vars: { i: { groupId: await newGroup(), maxActivationMinutes: 60 } },
  }),
  approveActivation: async () => ({
    query: `mutation($a: ID!) { approveActivation(input: {activationId: $a}) { activation { status } userErrors { message } } }`,
    vars: { a: await pendingActivation() },
  }),
  denyActivation: async () => ({
    query: `mutation($a: ID!) { denyActivation(input: {activationId: $a, reason: "no"}) { activation { status } userErrors { message } } }`,
    vars: { a: await pendingActivation() },
  }),
  addSecurityGroupMember: async () => ({
    query: ADD_MEMBER,
    vars: { i: { groupId: await newGroup(), agentId: (await newAgent(['SALES_AGENT'])).id } },
  }),
  removeSecurityGroupMember: async () => {
    const i = { groupId: await newGroup(), agentId: (await newAgent(['SALES_AGENT'])).id };
    await s.ok(ADD_MEMBER, { i }, partner.adminToken);
    return { query: REMOVE_MEMBER, vars: { i } };
  },
  assignGdapAccess: async () => ({
    query: ASSIGN,
    vars: { i: { relationshipId: relationship, groupId: await newGroup(), roles: ['DIRECTORY_READERS'] } },
  }),
  removeGdapAccess: async () => {
    const groupId = await newGroup();
    await s.ok(
      ASSIGN,
      { i: { relationshipId: relationship, groupId, roles: ['DIRECTORY_READERS'] } },
      partner.adminToken,
    );
    return {
      query: `mutation($i: RemoveGdapAccessInput!) { removeGdapAccess(input: $i) { relationship { id } userErrors { message } } }`,
      vars: { i: { relationshipId: relationship, groupId } },
    };
  },
  createCustomer: async () => ({
    query: `mutation($i: CreateCustomerInput!) { createCustomer(input: $i) { customer { id } userErrors { message } } }`,
    vars: { i: { name: 'C', defaultDomain: `${uniq('c')}.onmicrosoft.com` } },
  }),
  addCustomerDomain: async () => ({
    query: `mutation($i: AddCustomerDomainInput!) { addCustomerDomain(input: $i) { domain { name } userErrors { message } } }`,
    vars: { i: { customerId: customer.id, name: `${uniq('d')}.example` } },
  }),
  addSubscription: async () => ({
    query: `mutation($i: AddSubscriptionInput!) { addSubscription(input: $i) { license { totalSeats } userErrors { message } } }`,
    vars: { i: { customerId: customer.id, skuId: sku, seats: 1 } },
  }),
  createGdapRelationship: async () => ({
    query: `mutation($i: CreateGdapRelationshipInput!) { createGdapRelationship(input: $i) { relationship { id } userErrors { message } } }`,
    vars: { i: { customerId: customer.id, displayName: uniq('r'), roles: ['DIRECTORY_READERS'], durationDays: 10 } },
  }),
  terminateGdapRelationship: async () => {
    const d = await s.ok(
      `mutation($i: CreateGdapRelationshipInput!) { createGdapRelationship(input: $i) { relationship { id } } }`,
      { i: { customerId: customer.id, displayName: uniq('t'), roles: ['DIRECTORY_READERS'], durationDays: 10 } },
      partner.adminToken,
    );
    return {
      query: `mutation($r: ID!) { terminateGdapRelationship(input: {relationshipId: $r}) { relationship { status } userErrors { message } } }`,
      vars: { r: d.createGdapRelationship.relationship.id },
    };
  },
};

let relationship: string;
let sku: string;
const callers = new Map<string, { id: string; email: string; token: string }>();
const PROFILES = ['ADMIN_AGENT', 'ACCESS_ADMINISTRATOR', 'SALES_AGENT', 'HELPDESK_AGENT', 'NONE'];

describe('every partner-side mutation × partner role', () => {
  beforeAll(async () => {
    sku = await skuId(s, 'SPE_E3', partner.adminToken);
    const g = await grantAgent(s, partner, customer, ['DIRECTORY_READERS']);
    relationship = g.relationshipId;
    for (const role of PROFILES.slice(0, 4)) callers.set(role, await newAgent([role]));
    // An agent without any partner role cannot be made through the API; build it directly.
    const email = `${uniq('none')}@partner.example`;
    const partnerId = rawId((await viewerId(partner.adminToken)).partner.id);
    const [row] = await s.database.db
      .insert(agents)
      .values({ partnerId, email, displayName: 'None', passwordHash: await hashPassword(PASSWORD), roles: [] })
      .returning();
    callers.set('NONE', { id: encodeGlobalID('Agent', row!.id), email, token: await signIn(s, email) });
  });

  it('covers every mutation that carries @requiresPartnerRole, and each directive names the roles of the table above', () => {
    const mutation = buildSchema().getMutationType()!;
    const shown: Record<string, string[]> = {};
    for (const field of Object.values(mutation.getFields())) {
      const d = getDirectiveInExtensions(field, 'requiresPartnerRole')?.[0];
      if (d) shown[field.name] = d.anyOf as string[];
    }
    expect(shown).toEqual(Object.fromEntries(Object.entries(MAY).map(([k, v]) => [k, v.roles])));
    // And every read of the partner side says what it needs too.
    const reads = Object.values(buildSchema().getTypeMap())
      .filter((t) => isObjectType(t) && t.name === 'Partner')
      .flatMap((t) => Object.values((t as any).getFields()) as any[])
      .filter((f) => ['agents', 'securityGroups', 'gdapRelationships', 'auditEvents'].includes(f.name));
    for (const f of reads) expect(getDirectiveInExtensions(f, 'requiresPartnerRole'), f.name).toHaveLength(1);
  });

  for (const [name, { roles, action }] of Object.entries(MAY)) {
    it(`${name}: allowed to ${roles.join(', ')} only, each attempt in the partner's log`, async () => {
      const wrong: string[] = [];
      for (const profile of PROFILES) {
        const caller = callers.get(profile)!;
        const { query, vars } = await CALLS[name]!();
        const r = await s.gql(query, vars, caller.token);
        const e = r.errors?.[0];
        const got =
          e?.extensions?.code === 'FORBIDDEN'
            ? 'FORBIDDEN'
            : e
              ? `error ${e.message}`
              : r.data![name].userErrors.length
                ? `userErrors ${JSON.stringify(r.data![name].userErrors)}`
                : 'ALLOWED';
        const want = roles.includes(profile) ? 'ALLOWED' : 'FORBIDDEN';
        if (got !== want) wrong.push(`${profile}: expected ${want}, got ${got}`);
        if (got === 'FORBIDDEN') expect(e!.extensions!.requiredPartnerRoles).toEqual(roles);
        const [event] = await partnerEvents({ actorId: caller.id, action });
        if (event?.outcome !== (want === 'ALLOWED' ? 'SUCCESS' : 'DENIED'))
          wrong.push(
            `${profile}: no ${want === 'ALLOWED' ? 'SUCCESS' : 'DENIED'} ${action} event (${JSON.stringify(event)})`,
          );
      }
      expect(wrong).toEqual([]);
    });
  }
});

describe('an audit event is part of its change', () => {
  // A failure right after the change: the event insert is refused by a trigger, as a violated constraint would be.
  async function failingAudit<T>(action: string, fn: () => Promise<T>): Promise<T> {
    const db = s.database.db;
    const { sql } = await import('drizzle-orm');
    await db.execute(
      sql.raw(`create or replace function fail_audit() returns trigger language plpgsql as $$
      begin if new.action = '${action}' then raise exception 'injected failure'; end if; return new; end $$`),
    );
    await db.execute(
      sql.raw(
        `create trigger fail_audit before insert on partner_audit_events for each row execute function fail_audit()`,
      ),
    );
    try {
      return await fn();
    } finally {
      await db.execute(sql.raw(`drop trigger fail_audit on partner_audit_events`));
    }
  }

  it('a membership, an assignment, a disable and a new group leave nothing behind when their event cannot be written', async () => {
    // A relationship of its own (the module's is made by another describe's set-up).
    const { relationshipId: relationship } = await grantAgent(s, partner, customer, ['DIRECTORY_READERS']);
    const target = await newAgent(['SALES_AGENT']);
    const group = await newGroup();
    const add = await failingAudit('ADD_GROUP_MEMBER', () =>
      s.gql(ADD_MEMBER, { i: { groupId: group, agentId: target.id } }, partner.adminToken),
    );
    expect(add.errors?.[0]?.extensions?.code).toBe('INTERNAL_SERVER_ERROR');
    expect(
      (
        await s.ok(
          `query($g: ID!) { node(id: $g) { ... on SecurityGroup { members { id } } } }`,
          { g: group },
          partner.adminToken,
        )
      ).node.members,
    ).toEqual([]);

    const assign = await failingAudit('ASSIGN_GDAP_ACCESS', () =>
      s.gql(
        ASSIGN,
        { i: { relationshipId: relationship, groupId: group, roles: ['DIRECTORY_READERS'] } },
        partner.adminToken,
      ),
    );
    expect(assign.errors?.[0]?.extensions?.code).toBe('INTERNAL_SERVER_ERROR');
    const rel = await s.ok(
      `query($r: ID!) { node(id: $r) { ... on GdapRelationship { accessAssignments { group { id } } } } }`,
      { r: relationship },
      partner.adminToken,
    );
    expect(rel.node.accessAssignments.map((a: any) => a.group.id)).not.toContain(group);

    const disable = await failingAudit('DISABLE_AGENT', () => s.gql(DISABLE, { id: target.id }, partner.adminToken));
    expect(disable.errors?.[0]?.extensions?.code).toBe('INTERNAL_SERVER_ERROR');
    expect((await s.gql(`{ viewer { agent { status } } }`, {}, target.token)).data?.viewer.agent.status).toBe(
      'ENABLED',
    );

    const name = uniq('ghost');
    await failingAudit('CREATE_SECURITY_GROUP', () => s.gql(GROUP, { i: { name } }, partner.adminToken));
    const groups = await s.ok(
      `query($p: ID!) { node(id: $p) { ... on Partner { securityGroups { name } } } }`,
      { p: (await viewerId(partner.adminToken)).partner.id },
      partner.adminToken,
    );
    expect(groups.node.securityGroups.map((g: any) => g.name)).not.toContain(name);
    expect((await partnerEvents({ action: 'CREATE_SECURITY_GROUP' })).map((e) => e.targetName)).not.toContain(name);
  });
});

describe('offboarding', () => {
  it("a disabled agent's live token is refused on its very next request, and so is its sign-in; enabled again, it signs in", async () => {
    const g = await grantAgent(s, partner, customer, ['USER_ADMINISTRATOR']);
    expect((await s.gql(MY_ROLES, { c: customer.id }, g.agentToken)).errors).toBeUndefined();
    await s.ok(DISABLE, { id: g.agentId }, partner.adminToken);
    expect((await s.gql(MY_ROLES, { c: customer.id }, g.agentToken)).errors?.[0]?.extensions?.code).toBe(
      'UNAUTHENTICATED',
    );
    const signInAgain = await s.ok(
      `mutation($i: SignInInput!) { signIn(input: $i) { token userErrors { field code message } } }`,
      { i: { email: g.agentEmail, password: PASSWORD } },
    );
    expect(signInAgain.signIn).toMatchObject({ token: null, userErrors: [{ code: 'ACCOUNT_DISABLED' }] });
    // A wrong password does not learn that the account is disabled.
    const guess = await s.ok(`mutation($i: SignInInput!) { signIn(input: $i) { userErrors { code } } }`, {
      i: { email: g.agentEmail, password: 'Wrong-Passw0rd!' },
    });
    expect(guess.signIn.userErrors[0].code).toBe('INVALID_CREDENTIALS');
    await s.ok(
      `mutation($id: ID!) { enableAgent(input: {agentId: $id}) { userErrors { message } } }`,
      { id: g.agentId },
      partner.adminToken,
    );
    expect(await roleNames(await signIn(s, g.agentEmail))).toEqual(['USER_ADMINISTRATOR']);
    const events = (await partnerEvents({ actorId: null }))
      .filter((e) => e.targetName === g.agentEmail)
      .map((e) => e.action);
    expect(events).toEqual(
      expect.arrayContaining(['ENABLE_AGENT', 'SIGN_IN_FAILED', 'SIGN_IN_DISABLED', 'DISABLE_AGENT']),
    );
  });

  it('a deleted agent leaves its groups, loses its sessions, and never signs in again; the record stays', async () => {
    const g = await grantAgent(s, partner, customer, ['USER_ADMINISTRATOR']);
    const d = await s.ok(
      `mutation($id: ID!) { deleteAgent(input: {agentId: $id}) { agent { status groups { id } } userErrors { message } } }`,
      { id: g.agentId },
      partner.adminToken,
    );
    expect(d.deleteAgent.agent).toEqual({ status: 'DELETED', groups: [] });
    expect((await s.gql(MY_ROLES, { c: customer.id }, g.agentToken)).errors?.[0]?.extensions?.code).toBe(
      'UNAUTHENTICATED',
    );
    const again = await s.ok(`mutation($i: SignInInput!) { signIn(input: $i) { token userErrors { code } } }`, {
      i: { email: g.agentEmail, password: PASSWORD },
    });
    expect(again.signIn.userErrors[0].code).toBe('INVALID_CREDENTIALS');
    const list = await s.ok(`{ viewer { agent { partner { agents { id } } } } }`, {}, partner.adminToken);
    expect(list.viewer.agent.partner.agents.map((a: any) => a.id)).not.toContain(g.agentId);
    const enable = await s
      .ok(
        `mutation($id: ID!) { enableAgent(input: {agentId: $id}) { userErrors { code } } }`,
        { id: g.agentId },
        partner.adminToken,
      )
      .catch((e) => e);
    expect(String(enable)).toMatch(/NOT_FOUND/);
  });

  it('a password reset gives a temporary password once, ends the sessions, and the agent must change it first', async () => {
    const target = await newAgent(['ADMIN_AGENT']);
    const r = await s.ok(
      `mutation($id: ID!) { resetAgentPassword(input: {agentId: $id}) { agent { mustChangePassword } temporaryPassword userErrors { message } } }`,
      { id: target.id },
      partner.adminToken,
    );
    expect(r.resetAgentPassword.agent.mustChangePassword).toBe(true);
    expect(
      (await s.gql(`{ viewer { kind } customers(first: 1) { edges { node { id } } } }`, {}, target.token)).errors?.[0]
        ?.extensions?.code,
    ).toBe('UNAUTHENTICATED');
    expect(
      (
        await s.ok(`mutation($i: SignInInput!) { signIn(input: $i) { userErrors { code } } }`, {
          i: { email: target.email, password: PASSWORD },
        })
      ).signIn.userErrors[0].code,
    ).toBe('INVALID_CREDENTIALS');
    const temp = await s.ok(`mutation($i: SignInInput!) { signIn(input: $i) { token mustChangePassword } }`, {
      i: { email: target.email, password: r.resetAgentPassword.temporaryPassword },
    });
    expect(temp.signIn.mustChangePassword).toBe(true);
    expect(
      (await s.gql(`{ customers(first: 1) { edges { node { id } } } }`, {}, temp.signIn.token)).errors?.[0]?.extensions
        ?.code,
    ).toBe('PASSWORD_CHANGE_REQUIRED');
    await s.ok(
      `mutation($i: ChangePasswordInput!) { changePassword(input: $i) { ok } }`,
      { i: { currentPassword: r.resetAgentPassword.temporaryPassword, newPassword: 'Brand-New-Passw0rd' } },
      temp.signIn.token,
    );
    expect(
      (await s.gql(`{ customers(first: 1) { edges { node { id } } } }`, {}, temp.signIn.token)).errors,
    ).toBeUndefined();
    const self = await s.gql(
      `mutation($id: ID!) { resetAgentPassword(input: {agentId: $id}) { temporaryPassword } }`,
      { id: (await viewerId(partner.adminToken)).id },
      partner.adminToken,
    );
    expect(self.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', rule: 'FOUR_EYES' });
  });

  it('an agent lists its live sessions (never a token) and signs out everywhere', async () => {
    const a = await newAgent(['SALES_AGENT']);
    const second = await signIn(s, a.email);
    const sessions = (await s.ok(`{ viewer { sessions { id createdAt lastUsedAt expiresAt current } } }`, {}, second))
      .viewer.sessions;
    expect(sessions).toHaveLength(2);
    expect(sessions.filter((x: any) => x.current)).toHaveLength(1);
    expect(JSON.stringify(sessions)).not.toContain(a.token);
    const out = await s.ok(`mutation { signOutEverywhere { sessionsRevoked userErrors { message } } }`, {}, a.token);
    expect(out.signOutEverywhere.sessionsRevoked).toBe(2);
    const [event] = await partnerEvents({ actorId: a.id, action: 'SIGN_OUT_EVERYWHERE' });
    expect(event).toMatchObject({ outcome: 'SUCCESS', actorEmail: a.email });
    expect(JSON.parse(event.details)).toEqual({ sessionsRevoked: 2 });
    for (const t of [a.token, second]) expect((await s.ok(`{ viewer { kind } }`, {}, t)).viewer).toBeNull();
  });
});
