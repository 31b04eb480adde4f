// What list screens need, over HTTP: totalCount on connections (counted with the filters, whatever the page),
// users sorted by each orderBy in both directions with keyset paging that visits every user once, and nodes(ids:).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from './support/server.js';
import { type Customer, createCustomer, createPartner, createUser, grantAgent } from './support/world.js';

let s: TestServer;
let customer: Customer;
let token: string;
const created: { id: string; userPrincipalName: string; displayName: string }[] = [];

beforeAll(async () => {
  s = await startServer();
  const partner = await createPartner(s);
  customer = await createCustomer(s, partner);
  token = (await grantAgent(s, partner, customer, ['USER_ADMINISTRATOR'])).agentToken;
  // Display names in another order than the UPNs, and created one after the other.
  for (const [i, name] of ['Zoe', 'adam', 'Maya', 'bob', 'Carl', 'Yann', 'eve'].entries()) {
    s.clock.advance(1000);
    const u = await createUser(s, token, customer, {
      userPrincipalName: `u${i}.${name.toLowerCase()}@${customer.domain}`,
      displayName: name,
    });
    created.push({ ...u, displayName: name });
  }
});
afterAll(() => s.close());

const PAGE = `query($c: ID!, $first: Int, $after: String, $last: Int, $before: String, $order: UserOrder, $filter: UserFilter) {
  customer(id: $c) { users(first: $first, after: $after, last: $last, before: $before, orderBy: $order, filter: $filter) {
    totalCount edges { node { id displayName userPrincipalName createdAt } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } } }`;

async function walk(order: Record<string, string> | null, backward = false): Promise<string[]> {
  const seen: string[] = [];
  let cursor: string | null = null;
  for (let i = 0; i < 20; i++) {
    const vars: Record<string, unknown> = backward ? { last: 2, before: cursor } : { first: 2, after: cursor };
    const d: any = await s.ok(PAGE, { c: customer.id, order, ...vars }, token);
    const page: any = d.customer.users;
    const names = page.edges.map((e: any) => e.node.displayName);
    // Backward, each page comes before the one already seen.
    if (backward) seen.unshift(...names);
    else seen.push(...names);
    const more = backward ? page.pageInfo.hasPreviousPage : page.pageInfo.hasNextPage;
    if (!more) break;
    cursor = backward ? page.pageInfo.startCursor : page.pageInfo.endCursor;
  }
  return seen;
}

describe('connections', () => {
  it('totalCount counts the whole list with its filters, whatever the page', async () => {
    const all = await s.ok(PAGE, { c: customer.id, first: 2 }, token);
    // The customer's Global Administrator and the seven users.
    expect(all.customer.users.totalCount).toBe(8);
    expect(all.customer.users.edges).toHaveLength(2);
    const searched = await s.ok(PAGE, { c: customer.id, first: 1, filter: { search: 'ya' } }, token);
    expect(searched.customer.users.totalCount).toBe(2);
    await s.ok(
      `mutation($u: ID!) { deleteUser(input: {userId: $u}) { userErrors { code } } }`,
      { u: created[6]!.id },
      token,
    );
    const deleted = await s.ok(
      `query($c: ID!) { customer(id: $c) { deletedUsers(first: 0) { totalCount } users(first: 0) { totalCount } } }`,
      { c: customer.id },
      token,
    );
    expect(deleted.customer).toEqual({ deletedUsers: { totalCount: 1 }, users: { totalCount: 7 } });
    await s.ok(
      `mutation($u: ID!) { restoreUser(input: {userId: $u}) { userErrors { code } } }`,
      { u: created[6]!.id },
      token,
    );
  });

  it('sorts by each orderBy, both ways, and keyset pages visit every user once', async () => {
    const names = created.map((u) => u.displayName);
    const byName = [...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const ga = (list: string[]) => list.filter((n) => names.includes(n));
    expect(ga(await walk({ field: 'DISPLAY_NAME', direction: 'ASC' }))).toEqual(byName);
    expect(ga(await walk({ field: 'DISPLAY_NAME', direction: 'DESC' }))).toEqual([...byName].reverse());
    expect(ga(await walk({ field: 'CREATED_AT' }))).toEqual(names);
    expect(ga(await walk({ field: 'CREATED_AT', direction: 'DESC' }))).toEqual([...names].reverse());
    expect(ga(await walk({ field: 'CREATED_AT' }, true))).toEqual(names);
    const byUpn = created.map((u) => u.displayName);
    expect(ga(await walk({ field: 'USER_PRINCIPAL_NAME' }))).toEqual(byUpn);
    expect(ga(await walk(null))).toEqual(byUpn);
    for (const order of ['DISPLAY_NAME', 'CREATED_AT', 'USER_PRINCIPAL_NAME'])
      expect(await walk({ field: order })).toHaveLength(8);
  });

  it('refuses orderBy with a sync, and a cursor of another sort', async () => {
    const r = await s.gql(
      PAGE,
      { c: customer.id, first: 1, order: { field: 'DISPLAY_NAME' }, filter: { updatedSince: s.clock.now() } },
      token,
    );
    expect(r.errors?.[0]?.extensions).toMatchObject({ field: ['orderBy'] });
    const byName = await s.ok(PAGE, { c: customer.id, first: 1, order: { field: 'DISPLAY_NAME' } }, token);
    const mixed = await s.gql(
      PAGE,
      { c: customer.id, first: 1, after: byName.customer.users.pageInfo.endCursor, order: { field: 'CREATED_AT' } },
      token,
    );
    expect(mixed.errors?.[0]?.extensions).toMatchObject({ reason: 'INVALID', field: ['after'] });
  });

  it('nodes(ids:) returns them in order, null for what is unknown or invisible', async () => {
    const d = await s.ok(
      `query($ids: [ID!]!) { nodes(ids: $ids) { id ... on User { displayName } } }`,
      {
        ids: [
          created[1]!.id,
          'VXNlcjowMDAwMDAwMC0wMDAwLTQwMDAtODAwMC0wMDAwMDAwMDAwMDA6MDAwMDAwMDAtMDAwMC00MDAwLTgwMDAtMDAwMDAwMDAwMDAw',
          created[0]!.id,
        ],
      },
      token,
    );
    expect(d.nodes).toEqual([
      { id: created[1]!.id, displayName: 'adam' },
      null,
      { id: created[0]!.id, displayName: 'Zoe' },
    ]);
    const bad = await s.gql(`{ nodes(ids: ["nope"]) { id } }`, {}, token);
    expect(bad.errors?.[0]).toMatchObject({
      message: 'ids[0] is not a valid id.',
      extensions: { reason: 'INVALID_ID', field: ['ids', '0'] },
    });
  });
});
