// Staying in sync over HTTP: the customer audit log filtered and with typed details, the partner-wide feed across
// the customers one holds a role in, and users(filter: {updatedSince}) including deletions and role-only changes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from './support/server.js';
import {
  type Customer,
  createCustomer,
  createPartner,
  createUser,
  grantAgent,
  type Partner,
  skuId,
} from './support/world.js';

let s: TestServer;
let partner: Partner;
let a: Customer;
let b: Customer;
let both: string;
let onlyA: string;

beforeAll(async () => {
  s = await startServer();
  partner = await createPartner(s);
  a = await createCustomer(s, partner, [['O365_BUSINESS_ESSENTIALS', 5]]);
  b = await createCustomer(s, partner);
  const grant = await grantAgent(s, partner, a, ['USER_ADMINISTRATOR', 'PRIVILEGED_ROLE_ADMINISTRATOR']);
  both = grant.agentToken;
  // The same agent in b too, through a second relationship and group.
  const inB = await grantAgent(s, partner, b, ['USER_ADMINISTRATOR', 'PRIVILEGED_ROLE_ADMINISTRATOR']);
  const group = (await s.ok('{ viewer { agent { groups { id } } } }', {}, inB.agentToken)).viewer.agent.groups[0].id;
  await s.ok(
    `mutation($i: AddSecurityGroupMemberInput!) { addSecurityGroupMember(input: $i) { userErrors { message } } }`,
    { i: { groupId: group, agentId: grant.agentId } },
    partner.adminToken,
  );
  onlyA = (await grantAgent(s, partner, a, ['DIRECTORY_READERS'])).agentToken;
});
afterAll(() => s.close());

const EVENTS = `query($c: ID!, $f: AuditEventFilter) { customer(id: $c) { auditEvents(first: 50, filter: $f) { edges { node {
  action outcome targetUserId customerId
  typedDetails { __typename
    ... on UserCreatedDetails { userPrincipalName roles licenses }
    ... on UserUpdatedDetails { changes { field from to } }
    ... on UserDeletedDetails { seatsFreed }
    ... on UserRestoredDetails { userPrincipalName licensesNotRestored }
    ... on AccessDeniedDetails { requiredRoles requiredPartnerRoles reason }
  } } } } } }`;
const UPDATE = `mutation($i: UpdateUserInput!) { updateUser(input: $i) { userErrors { code message } } }`;

describe('customer audit: filters and typed details', () => {
  it("finds a user's events by target and action, each with its typed details", async () => {
    const sku = await skuId(s, 'O365_BUSINESS_ESSENTIALS', both);
    const user = await createUser(s, both, a, { roles: ['HELPDESK_ADMINISTRATOR'] });
    s.travel(1000);
    await s.ok(UPDATE, { i: { userId: user.id, usageLocation: 'FR', addLicenseSkuIds: [sku] } }, both);
    s.travel(1000);
    await s.ok(
      `mutation($i: UserIdsInput!) { deleteUsers(input: $i) { userErrors { code } } }`,
      { i: { userIds: [user.id] } },
      both,
    );
    s.travel(1000);
    await s.ok(
      `mutation($i: UserIdsInput!) { restoreUsers(input: $i) { userErrors { code } } }`,
      { i: { userIds: [user.id] } },
      both,
    );
    // Refused to a Directory Reader: a DENIED event.
    await s.gql(UPDATE, { i: { userId: user.id, displayName: 'Nope' } }, onlyA);

    const all = (await s.ok(EVENTS, { c: a.id, f: { targetUserId: user.id } }, both)).customer.auditEvents.edges.map(
      (e: any) => e.node,
    );
    expect(all.map((e: any) => `${e.action} ${e.outcome}`)).toEqual([
      'RESTORE_USER SUCCESS',
      'DELETE_USER SUCCESS',
      'UPDATE_USER SUCCESS',
      'CREATE_USER SUCCESS',
    ]);
    for (const e of all) expect(e).toMatchObject({ targetUserId: user.id, customerId: a.id });
    expect(all.map((e: any) => e.typedDetails)).toEqual([
      { __typename: 'UserRestoredDetails', userPrincipalName: user.userPrincipalName, licensesNotRestored: [] },
      { __typename: 'UserDeletedDetails', seatsFreed: 1 },
      {
        __typename: 'UserUpdatedDetails',
        changes: expect.arrayContaining([
          { field: 'usageLocation', from: null, to: 'FR' },
          { field: 'licenses', from: null, to: 'O365_BUSINESS_ESSENTIALS' },
        ]),
      },
      {
        __typename: 'UserCreatedDetails',
        userPrincipalName: user.userPrincipalName,
        roles: ['HELPDESK_ADMINISTRATOR'],
        licenses: [],
      },
    ]);

    // The refusal is checked before the target is read: it is found by its outcome, not by its target.
    const denied = await s.ok(EVENTS, { c: a.id, f: { actions: ['UPDATE_USER'], outcomes: ['DENIED'] } }, both);
    expect(denied.customer.auditEvents.edges.map((e: any) => e.node.typedDetails)).toEqual([
      {
        __typename: 'AccessDeniedDetails',
        requiredRoles: expect.arrayContaining(['USER_ADMINISTRATOR', 'DIRECTORY_WRITERS']),
        requiredPartnerRoles: [],
        reason: expect.any(String),
      },
    ]);
    const deletes = await s.ok(
      EVENTS,
      { c: a.id, f: { actions: ['DELETE_USER', 'RESTORE_USER'], outcomes: ['SUCCESS'] } },
      both,
    );
    expect(deletes.customer.auditEvents.edges.map((e: any) => e.node.action)).toEqual(['RESTORE_USER', 'DELETE_USER']);
    const start = new Date(s.clock.now().getTime() - 2500).toISOString();
    const end = new Date(s.clock.now().getTime() - 500).toISOString();
    const window = await s.ok(EVENTS, { c: a.id, f: { targetUserId: user.id, since: start, until: end } }, both);
    expect(window.customer.auditEvents.edges.map((e: any) => e.node.action)).toEqual(['DELETE_USER', 'UPDATE_USER']);
  });
});

describe('the partner-wide feed', () => {
  const FEED = `query($f: AuditFeedFilter) { auditEvents(first: 100, filter: $f) { edges { node { action customerId } } } }`;

  it('has the events of every customer one holds a role in, and only those', async () => {
    await createUser(s, both, a);
    await createUser(s, both, b);
    const customersOf = async (token: string, f: Record<string, unknown> = {}) =>
      new Set(
        (await s.ok(FEED, { f: { actions: ['CREATE_USER'], ...f } }, token)).auditEvents.edges.map(
          (e: any) => e.node.customerId,
        ),
      );
    expect(await customersOf(both)).toEqual(new Set([a.id, b.id]));
    expect(await customersOf(both, { customerIds: [b.id] })).toEqual(new Set([b.id]));
    expect(await customersOf(onlyA)).toEqual(new Set([a.id]));
    expect(await customersOf(onlyA, { customerIds: [b.id] })).toEqual(new Set());
  });
});

describe('users(filter: {updatedSince})', () => {
  const SYNC = `query($c: ID!, $since: DateTime!) { customer(id: $c) { users(first: 50, filter: {updatedSince: $since}) {
    edges { node { userPrincipalName state updatedAt } } } } }`;

  it('returns what changed since, oldest change first: a role-only change, a deletion', async () => {
    const first = await createUser(s, both, b);
    const second = await createUser(s, both, b);
    s.travel(60_000);
    const since = s.clock.now().toISOString();
    expect((await s.ok(SYNC, { c: b.id, since }, both)).customer.users.edges).toEqual([]);
    s.travel(1000);
    await s.ok(
      `mutation($i: UserIdsInput!) { deleteUsers(input: $i) { userErrors { code } } }`,
      { i: { userIds: [second.id] } },
      both,
    );
    s.travel(1000);
    const roles = await s.ok(UPDATE, { i: { userId: first.id, addRoles: ['HELPDESK_ADMINISTRATOR'] } }, both);
    expect(roles.updateUser.userErrors).toEqual([]);
    const changed = (await s.ok(SYNC, { c: b.id, since }, both)).customer.users.edges.map((e: any) => e.node);
    expect(changed.map((u: any) => [u.userPrincipalName, u.state])).toEqual([
      [second.userPrincipalName, 'INACTIVE'],
      [first.userPrincipalName, 'ACTIVE'],
    ]);
    expect(changed[0].updatedAt < changed[1].updatedAt).toBe(true);
  });
});
