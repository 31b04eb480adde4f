// Just-in-time elevation (PIM for groups) through GraphQL over HTTP, with the injectable clock: an eligible member
// holds nothing until it activates, holds the group's roles until the activation's end, and nothing after it, with no
// job running; approval by another access administrator, never by the requester.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MINUTE_MS } from '../src/clock.js';
import { startServer, type TestServer } from './support/server.js';
import {
  type Customer,
  createCustomer,
  createPartner,
  grantAgent,
  PASSWORD,
  type Partner,
  refreshTokens,
  signIn,
} from './support/world.js';

let s: TestServer;
let partner: Partner;
let customer: Customer;
let n = 0;

const ADD_MEMBER = `mutation($i: AddSecurityGroupMemberInput!) { addSecurityGroupMember(input: $i) { userErrors { code message } } }`;
const UPDATE_GROUP = `mutation($i: UpdateSecurityGroupInput!) { updateSecurityGroup(input: $i) { securityGroup { maxActivationMinutes requiresApproval } userErrors { field code message } } }`;
const ACTIVATE = `mutation($i: ActivateGroupMembershipInput!) { activateGroupMembership(input: $i) {
  activation { id status minutes startsAt endsAt justification } userErrors { field code message } } }`;
const APPROVE = `mutation($a: ID!) { approveActivation(input: {activationId: $a}) { activation { status startsAt endsAt } userErrors { field code message } } }`;
const MY_ROLES = `query($c: ID!) { customer(id: $c) { myRoles { role via activeUntil groupName } } }`;
const MEMBERSHIPS = `{ viewer { agent { groupMemberships { group { name } kind state activeUntil } } } }`;

/** A User Administrator group in the customer, and an agent eligible for it (not a member). */
async function eligibleAgent(): Promise<{
  token: string;
  agentId: string;
  groupId: string;
  email: string;
  relationshipId: string;
}> {
  const holder = await grantAgent(s, partner, customer, ['USER_ADMINISTRATOR']);
  const groupId = (await s.ok(`{ viewer { agent { groups { id } } } }`, {}, holder.agentToken)).viewer.agent.groups[0]
    .id;
  const email = `eligible${++n}@partner.example`;
  const agent = await s.ok(
    `mutation($i: CreateAgentInput!) { createAgent(input: $i) { agent { id } } }`,
    { i: { email, displayName: email, password: PASSWORD, roles: ['ADMIN_AGENT'] } },
    partner.adminToken,
  );
  const agentId = agent.createAgent.agent.id;
  await s.ok(ADD_MEMBER, { i: { groupId, agentId, kind: 'ELIGIBLE' } }, partner.adminToken);
  return { token: await signIn(s, email), agentId, groupId, email, relationshipId: holder.relationshipId };
}

beforeAll(async () => {
  s = await startServer();
  partner = await createPartner(s);
  customer = await createCustomer(s, partner);
});
afterAll(() => s.close());

describe('an eligible membership', () => {
  it('grants nothing until activated, the roles while activated, and nothing once the end has passed, with no job running', async () => {
    const e = await eligibleAgent();
    expect((await s.gql(MY_ROLES, { c: customer.id }, e.token)).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect((await s.ok(MEMBERSHIPS, {}, e.token)).viewer.agent.groupMemberships[0]).toMatchObject({
      kind: 'ELIGIBLE',
      state: 'ELIGIBLE',
      activeUntil: null,
    });

    const a = await s.ok(
      ACTIVATE,
      { i: { groupId: e.groupId, justification: 'Ticket 4711: reset a mailbox user', minutes: 60 } },
      e.token,
    );
    const end = new Date(s.clock.now().getTime() + 60 * MINUTE_MS).toISOString();
    expect(a.activateGroupMembership).toMatchObject({
      activation: { status: 'APPROVED', minutes: 60, endsAt: end },
      userErrors: [],
    });
    expect((await s.ok(MY_ROLES, { c: customer.id }, e.token)).customer.myRoles).toEqual([
      expect.objectContaining({ role: 'USER_ADMINISTRATOR', via: 'ACTIVATION', activeUntil: end }),
    ]);
    expect((await s.ok(MEMBERSHIPS, {}, e.token)).viewer.agent.groupMemberships[0]).toMatchObject({
      state: 'ACTIVATED',
      activeUntil: end,
    });
    const again = await s.ok(ACTIVATE, { i: { groupId: e.groupId, justification: 'again' } }, e.token);
    expect(again.activateGroupMembership.userErrors[0]).toMatchObject({ field: ['groupId'], code: 'INVALID_STATE' });

    s.travel(59 * MINUTE_MS);
    expect((await s.gql(MY_ROLES, { c: customer.id }, e.token)).errors).toBeUndefined();
    s.travel(MINUTE_MS);
    expect((await s.gql(MY_ROLES, { c: customer.id }, e.token)).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect((await s.ok(`{ customers(first: 5) { edges { node { id } } } }`, {}, e.token)).customers.edges).toEqual([]);
    expect((await s.ok(MEMBERSHIPS, {}, e.token)).viewer.agent.groupMemberships[0]).toMatchObject({
      state: 'ELIGIBLE',
      activeUntil: null,
    });
  });

  it("is activated for at most the group's maximum, with a justification, and only by an eligible member", async () => {
    const e = await eligibleAgent();
    await s.ok(UPDATE_GROUP, { i: { groupId: e.groupId, maxActivationMinutes: 120 } }, partner.adminToken);
    const tooLong = await s.ok(ACTIVATE, { i: { groupId: e.groupId, justification: 'long', minutes: 121 } }, e.token);
    expect(tooLong.activateGroupMembership.userErrors[0]).toMatchObject({ field: ['minutes'], code: 'INVALID' });
    const blank = await s.ok(ACTIVATE, { i: { groupId: e.groupId, justification: '  ' } }, e.token);
    expect(blank.activateGroupMembership.userErrors[0].field).toEqual(['justification']);
    const byDefault = await s.ok(ACTIVATE, { i: { groupId: e.groupId, justification: 'on call' } }, e.token);
    expect(byDefault.activateGroupMembership.activation.minutes).toBe(120);

    const outsider = await grantAgent(s, partner, customer, ['DIRECTORY_READERS']);
    // Another ADMIN_AGENT sees the membership's state, not the justification.
    const seen = await s.ok(
      `query($a: ID!) { node(id: $a) { ... on Agent { groupMemberships { state activation { justification } } } } }`,
      { a: e.agentId },
      outsider.agentToken,
    );
    expect(seen.node.groupMemberships).toEqual([{ state: 'ACTIVATED', activation: null }]);
    const r = await s.gql(ACTIVATE, { i: { groupId: e.groupId, justification: 'let me in' } }, outsider.agentToken);
    expect(r.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const events = await s.ok(
      `{ viewer { agent { partner { auditEvents(first: 5, filter: {action: "ACTIVATE_GROUP_MEMBERSHIP"}) { edges { node { actorEmail outcome details } } } } } } }`,
      {},
      partner.adminToken,
    );
    const [denied, ok] = events.viewer.agent.partner.auditEvents.edges.map((x: any) => x.node);
    expect(denied).toMatchObject({ actorEmail: outsider.agentEmail, outcome: 'DENIED' });
    expect(ok).toMatchObject({ outcome: 'SUCCESS' });
    expect(JSON.parse(ok.details)).toMatchObject({ justification: 'on call', minutes: 120 });
  });

  it('where the group requires approval, waits for another access administrator; the requester cannot approve itself', async () => {
    const e = await eligibleAgent();
    await s.ok(UPDATE_GROUP, { i: { groupId: e.groupId, requiresApproval: true } }, partner.adminToken);
    // The requester is an access administrator too: still not its own approver.
    const me = (await s.ok(`{ viewer { agent { id } } }`, {}, e.token)).viewer.agent.id;
    const second = await grantAgent(s, partner, customer, ['DIRECTORY_READERS'], {
      partnerRoles: ['ACCESS_ADMINISTRATOR'],
    });
    await s.ok(
      `mutation($i: UpdateAgentInput!) { updateAgent(input: $i) { userErrors { message } } }`,
      { i: { agentId: me, roles: ['ADMIN_AGENT', 'ACCESS_ADMINISTRATOR'] } },
      second.agentToken,
    );
    const token = await signIn(s, (await s.ok(`{ viewer { agent { email } } }`, {}, e.token)).viewer.agent.email);

    const a = await s.ok(
      ACTIVATE,
      { i: { groupId: e.groupId, justification: 'change request 7', minutes: 30 } },
      token,
    );
    expect(a.activateGroupMembership.activation).toMatchObject({
      status: 'PENDING_APPROVAL',
      startsAt: null,
      endsAt: null,
    });
    expect((await s.gql(MY_ROLES, { c: customer.id }, token)).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect((await s.ok(MEMBERSHIPS, {}, token)).viewer.agent.groupMemberships[0].state).toBe('PENDING_APPROVAL');

    const self = await s.gql(APPROVE, { a: a.activateGroupMembership.activation.id }, token);
    expect(self.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', rule: 'FOUR_EYES' });
    expect(self.errors?.[0]?.message).toContain('no one approves its own activation');

    const pending = await s.ok(
      `{ viewer { agent { partner { pendingActivations { id justification agent { id } } } } } }`,
      {},
      partner.adminToken,
    );
    // Other tests' requests may be pending in the same partner: this agent's is the one here.
    expect(pending.viewer.agent.partner.pendingActivations.filter((p: any) => p.agent.id === me)).toEqual([
      { id: a.activateGroupMembership.activation.id, justification: 'change request 7', agent: { id: me } },
    ]);

    s.travel(10 * MINUTE_MS);
    const ok = await s.ok(APPROVE, { a: a.activateGroupMembership.activation.id }, partner.adminToken);
    expect(ok.approveActivation.activation).toMatchObject({
      status: 'APPROVED',
      startsAt: s.clock.now().toISOString(),
      endsAt: new Date(s.clock.now().getTime() + 30 * MINUTE_MS).toISOString(),
    });
    expect((await s.ok(MY_ROLES, { c: customer.id }, token)).customer.myRoles[0]).toMatchObject({ via: 'ACTIVATION' });
    s.travel(30 * MINUTE_MS);
    expect((await s.gql(MY_ROLES, { c: customer.id }, token)).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it('a denied request grants nothing, and one nobody decided lapses after a day', async () => {
    const e = await eligibleAgent();
    await s.ok(UPDATE_GROUP, { i: { groupId: e.groupId, requiresApproval: true } }, partner.adminToken);
    const a = await s.ok(ACTIVATE, { i: { groupId: e.groupId, justification: 'please' } }, e.token);
    const denied = await s.ok(
      `mutation($a: ID!) { denyActivation(input: {activationId: $a, reason: "not on call"}) { activation { status decisionReason } userErrors { message } } }`,
      { a: a.activateGroupMembership.activation.id },
      partner.adminToken,
    );
    expect(denied.denyActivation.activation).toEqual({ status: 'DENIED', decisionReason: 'not on call' });
    expect((await s.gql(MY_ROLES, { c: customer.id }, e.token)).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');

    const b = await s.ok(ACTIVATE, { i: { groupId: e.groupId, justification: 'please, again' } }, e.token);
    s.travel(24 * 60 * MINUTE_MS);
    // Tokens last 8 hours: sign in again after the day.
    await refreshTokens(s, partner, customer);
    const token = await signIn(s, e.email);
    const late = await s.ok(APPROVE, { a: b.activateGroupMembership.activation.id }, partner.adminToken);
    expect(late.approveActivation.userErrors[0]).toMatchObject({ field: ['activationId'], code: 'INVALID_STATE' });
    // Lapsed, so the agent may ask again.
    expect(
      (await s.ok(ACTIVATE, { i: { groupId: e.groupId, justification: 'third time' } }, token)).activateGroupMembership
        .userErrors,
    ).toEqual([]);
  });

  it('ends with the membership: removed and added again, disabled and enabled, the old activation grants nothing', async () => {
    const e = await eligibleAgent();
    await s.ok(ACTIVATE, { i: { groupId: e.groupId, justification: 'incident 9', minutes: 120 } }, e.token);
    expect((await s.gql(MY_ROLES, { c: customer.id }, e.token)).errors).toBeUndefined();
    const REMOVE = `mutation($i: SecurityGroupMemberInput!) { removeSecurityGroupMember(input: $i) { userErrors { message } } }`;
    await s.ok(REMOVE, { i: { groupId: e.groupId, agentId: e.agentId } }, partner.adminToken);
    await s.ok(ADD_MEMBER, { i: { groupId: e.groupId, agentId: e.agentId, kind: 'ELIGIBLE' } }, partner.adminToken);
    expect((await s.gql(MY_ROLES, { c: customer.id }, e.token)).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect((await s.ok(MEMBERSHIPS, {}, e.token)).viewer.agent.groupMemberships[0].state).toBe('ELIGIBLE');

    await s.ok(ACTIVATE, { i: { groupId: e.groupId, justification: 'incident 9, again', minutes: 120 } }, e.token);
    await s.ok(
      `mutation($id: ID!) { disableAgent(input: {agentId: $id}) { userErrors { message } } }`,
      { id: e.agentId },
      partner.adminToken,
    );
    await s.ok(
      `mutation($id: ID!) { enableAgent(input: {agentId: $id}) { userErrors { message } } }`,
      { id: e.agentId },
      partner.adminToken,
    );
    const token = await signIn(s, e.email);
    expect((await s.gql(MY_ROLES, { c: customer.id }, token)).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');

    // A request waiting for approval ends with the membership too.
    await s.ok(UPDATE_GROUP, { i: { groupId: e.groupId, requiresApproval: true } }, partner.adminToken);
    const pending = await s.ok(ACTIVATE, { i: { groupId: e.groupId, justification: 'please' } }, token);
    await s.ok(REMOVE, { i: { groupId: e.groupId, agentId: e.agentId } }, partner.adminToken);
    await s.ok(ADD_MEMBER, { i: { groupId: e.groupId, agentId: e.agentId, kind: 'ELIGIBLE' } }, partner.adminToken);
    const late = await s.ok(APPROVE, { a: pending.activateGroupMembership.activation.id }, partner.adminToken);
    expect(late.approveActivation.userErrors[0]).toMatchObject({
      code: 'INVALID_STATE',
      message: 'The activation is already REVOKED.',
    });
  });

  it('racing activations, approvals, removals, disables and deletes: no deadlock, and no activation outlives its agent', async () => {
    const DISABLE = `mutation($id: ID!) { disableAgent(input: {agentId: $id}) { userErrors { code } } }`;
    const DELETE = `mutation($id: ID!) { deleteAgent(input: {agentId: $id}) { userErrors { code } } }`;
    const REMOVE = `mutation($i: SecurityGroupMemberInput!) { removeSecurityGroupMember(input: $i) { userErrors { code } } }`;
    const answers: { errors?: { extensions?: Record<string, unknown> }[] }[] = [];
    const agentsRaced: string[] = [];
    for (let i = 0; i < 4; i++) {
      const a = await eligibleAgent();
      const b = await eligibleAgent();
      await s.ok(UPDATE_GROUP, { i: { groupId: b.groupId, requiresApproval: true } }, partner.adminToken);
      const pending = await s.ok(ACTIVATE, { i: { groupId: b.groupId, justification: 'race' } }, b.token);
      agentsRaced.push(a.agentId, b.agentId);
      answers.push(
        ...(await Promise.all([
          s.gql(ACTIVATE, { i: { groupId: a.groupId, justification: 'race' } }, a.token),
          s.gql(i % 2 ? DELETE : DISABLE, { id: a.agentId }, partner.adminToken),
          s.gql(APPROVE, { a: pending.activateGroupMembership.activation.id }, partner.adminToken),
          i % 2
            ? s.gql(REMOVE, { i: { groupId: b.groupId, agentId: b.agentId } }, partner.adminToken)
            : s.gql(DISABLE, { id: b.agentId }, partner.adminToken),
        ])),
      );
    }
    expect(
      answers.flatMap((r) => r.errors ?? []).filter((e) => e.extensions?.code === 'INTERNAL_SERVER_ERROR'),
    ).toEqual([]);
    // Whatever the order, a disabled or deleted agent, or a removed member, holds no activation that still grants.
    const { sql } = await import('drizzle-orm');
    const left = await s.database.db.execute(
      sql.raw(`select a.id from group_activations a
      join agents g on g.id = a.agent_id
      left join group_members m on m.group_id = a.group_id and m.agent_id = a.agent_id
      where a.status = 'APPROVED' and a.ends_at > '${s.clock.now().toISOString()}'
        and (g.status <> 'ENABLED' or m.agent_id is null)`),
    );
    expect((left as unknown as { rows?: unknown[] }).rows ?? left).toHaveLength(0);
    expect(agentsRaced).toHaveLength(8);
  });

  it('an access administrator eligible for a group cannot change that group (four eyes counts eligibility)', async () => {
    const e = await eligibleAgent();
    const second = await grantAgent(s, partner, customer, ['DIRECTORY_READERS'], {
      partnerRoles: ['ACCESS_ADMINISTRATOR'],
    });
    await s.ok(
      `mutation($i: UpdateAgentInput!) { updateAgent(input: $i) { userErrors { message } } }`,
      { i: { agentId: e.agentId, roles: ['ADMIN_AGENT', 'ACCESS_ADMINISTRATOR'] } },
      second.agentToken,
    );
    const token = await signIn(s, (await s.ok(`{ viewer { agent { email } } }`, {}, e.token)).viewer.agent.email);
    const loosen = await s.gql(UPDATE_GROUP, { i: { groupId: e.groupId, maxActivationMinutes: 1440 } }, token);
    expect(loosen.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', rule: 'FOUR_EYES' });
    const grant = await s.gql(
      `mutation($i: AssignGdapAccessInput!) { assignGdapAccess(input: $i) { userErrors { message } } }`,
      { i: { relationshipId: e.relationshipId, groupId: e.groupId, roles: ['USER_ADMINISTRATOR'] } },
      token,
    );
    expect(grant.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', rule: 'FOUR_EYES' });
  });
});
