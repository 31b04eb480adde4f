import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertUsers } from './support/fixtures.js';
import { startServer, type TestServer } from './support/server.js';
import {
  type Customer,
  createCustomer,
  createPartner,
  createUser,
  grantAgent,
  joinGrant,
  type Partner,
  skuId,
} from './support/world.js';

let s: TestServer;
let partner: Partner;
let big: Customer;
let small: Customer;
let token: string;
let e3: string;

beforeAll(async () => {
  s = await startServer();
  partner = await createPartner(s);
  big = await createCustomer(s, partner, [['SPE_E3', 1000]]);
  small = await createCustomer(s, partner, [['O365_BUSINESS_ESSENTIALS', 3]]);
  e3 = await skuId(s, 'SPE_E3', partner.adminToken);
  token = (await grantAgent(s, partner, big, ['USER_ADMINISTRATOR'])).agentToken;
  const smallGrant = await grantAgent(s, partner, small, ['DIRECTORY_READERS']);
  await joinGrant(s, partner, smallGrant, token);
  await insertUsers(s.database.db, big.id, 500, {
    prefix: 'licensed',
    domain: big.domain,
    skuGlobalId: e3,
    role: 'REPORTS_READER',
  });
  await insertUsers(s.database.db, big.id, 20, { prefix: 'plain', domain: big.domain });
}, 120_000);
afterAll(() => s.close());

const PAGE = `query($id: ID!, $first: Int, $after: String, $filter: UserFilter) {
  customer(id: $id) { users(first: $first, after: $after, filter: $filter) {
    edges { cursor node { userPrincipalName displayName state roles licenses { sku { name } } } }
    pageInfo { hasNextPage endCursor } } } }`;

describe('the read API', () => {
  it('lists customers with search by name or domain', async () => {
    const all = await s.ok(`{ customers(first: 10) { edges { node { id domains { name isDefault } } } } }`, {}, token);
    expect(all.customers.edges.map((e: any) => e.node.id).sort()).toEqual([big.id, small.id].sort());
    const byDomain = await s.ok(
      `query($q: String) { customers(first: 10, search: $q) { edges { node { id } } } }`,
      { q: small.domain.slice(0, 10) },
      token,
    );
    expect(byDomain.customers.edges.map((e: any) => e.node.id)).toEqual([small.id]);
    const first = await s.ok(
      `{ customers(first: 1) { edges { node { id } } pageInfo { hasNextPage endCursor } } }`,
      {},
      token,
    );
    const second = await s.ok(
      `query($a: String) { customers(first: 1, after: $a) { edges { node { id } } pageInfo { hasNextPage } } }`,
      { a: first.customers.pageInfo.endCursor },
      token,
    );
    expect(first.customers.pageInfo.hasNextPage).toBe(true);
    expect(second.customers.pageInfo.hasNextPage).toBe(false);
    expect(new Set([first.customers.edges[0].node.id, second.customers.edges[0].node.id]).size).toBe(2);
  });

  it('pages through every active user exactly once, in UPN order, with opaque cursors', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    for (let i = 0; i < 10; i++) {
      const d: any = await s.ok(PAGE, { id: big.id, first: 200, after }, token);
      seen.push(...d.customer.users.edges.map((e: any) => e.node.userPrincipalName));
      after = d.customer.users.pageInfo.endCursor;
      if (!d.customer.users.pageInfo.hasNextPage) break;
    }
    expect(seen).toHaveLength(521); // 500 + 20 + the Global Administrator
    expect(new Set(seen).size).toBe(521);
    expect([...seen].sort()).toEqual(seen);
  });

  it('filters by search, role and licence', async () => {
    const search = await s.ok(PAGE, { id: big.id, first: 100, filter: { search: 'plain 1' } }, token);
    expect(search.customer.users.edges.map((e: any) => e.node.displayName).sort()).toEqual(
      ['plain 1', ...Array.from({ length: 10 }, (_, i) => `plain 1${i}`)].sort(),
    );
    const role = await s.ok(PAGE, { id: big.id, first: 500, filter: { roleIn: ['REPORTS_READER'] } }, token);
    expect(role.customer.users.edges).toHaveLength(500);
    const unlicensed = await s.ok(PAGE, { id: big.id, first: 500, filter: { hasLicense: false } }, token);
    expect(unlicensed.customer.users.edges).toHaveLength(21);
    expect(unlicensed.customer.users.edges.every((e: any) => e.node.licenses.length === 0)).toBe(true);
  });

  it('caps `first` and refuses a cursor it did not give out', async () => {
    const tooMany = await s.gql(PAGE, { id: big.id, first: 501 }, token);
    expect(tooMany.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: ['first'] });
    const forged = await s.gql(PAGE, { id: big.id, first: 5, after: 'bm9wZQ' }, token);
    expect(forged.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: ['after'] });
  });

  it('shows seats per licence and who holds them', async () => {
    const d = await s.ok(
      `query($id: ID!) { customer(id: $id) { licenses { sku { partNumber } totalSeats consumedSeats availableSeats users(first: 3) { edges { node { userPrincipalName } } pageInfo { hasNextPage } } } } }`,
      { id: big.id },
      token,
    );
    expect(d.customer.licenses).toEqual([
      {
        sku: { partNumber: 'SPE_E3' },
        totalSeats: 1000,
        consumedSeats: 500,
        availableSeats: 500,
        users: {
          edges: [0, 1, 2].map((i) => ({ node: { userPrincipalName: `licensed0000${i}@${big.domain}` } })),
          pageInfo: { hasNextPage: true },
        },
      },
    ]);
  });

  it('finds a user by UPN, case-insensitively', async () => {
    const d = await s.ok(
      `query($id: ID!, $u: String!) { customer(id: $id) { user(userPrincipalName: $u) { displayName } } }`,
      { id: big.id, u: `PLAIN00003@${big.domain.toUpperCase()}` },
      token,
    );
    expect(d.customer.user.displayName).toBe('plain 3');
  });

  it('lists the GDAP relationships the customer has with the partner', async () => {
    const d = await s.ok(
      `query($id: ID!) { customer(id: $id) { gdapRelationships { status roles endsAt accessAssignments { roles } } } }`,
      { id: big.id },
      token,
    );
    expect(d.customer.gdapRelationships).toHaveLength(1);
    expect(d.customer.gdapRelationships[0]).toMatchObject({
      status: 'ACTIVE',
      roles: ['USER_ADMINISTRATOR'],
      accessAssignments: [{ roles: ['USER_ADMINISTRATOR'] }],
    });
  });

  it('spends the same number of SQL statements on a page of 10 users as on a page of 500', async () => {
    const count = async (first: number) => {
      const before = s.database.statements.count;
      const d = await s.ok(PAGE, { id: big.id, first, filter: { roleIn: ['REPORTS_READER'] } }, token);
      expect(d.customer.users.edges).toHaveLength(first);
      expect(
        d.customer.users.edges.every(
          (e: any) => e.node.roles[0] === 'REPORTS_READER' && e.node.licenses[0].sku.name === 'Microsoft 365 E3',
        ),
      ).toBe(true);
      return s.database.statements.count - before;
    };
    const ten = await count(10);
    const fiveHundred = await count(500);
    console.log(`SQL statements per users page: 10 users → ${ten}, 500 users → ${fiveHundred}`);
    expect(fiveHundred).toBe(ten);
    expect(ten).toBeLessThanOrEqual(6);
  });

  it('spends the same number of SQL statements on a customers page with roles and domains for 1 customer as for 2', async () => {
    const LIST = `query($n: Int) { customers(first: $n) { edges { node { id domains { name } myRoles { role } } } } }`;
    const count = async (first: number) => {
      const before = s.database.statements.count;
      const d = await s.ok(LIST, { n: first }, token);
      expect(d.customers.edges).toHaveLength(first);
      expect(d.customers.edges.every((e: any) => e.node.domains.length > 0 && e.node.myRoles.length > 0)).toBe(true);
      return s.database.statements.count - before;
    };
    expect(await count(2)).toBe(await count(1));
  });

  it('refuses a forged cursor, and first with last, with a clear error naming the argument', async () => {
    const forge = (values: unknown[]) => Buffer.from(JSON.stringify(values)).toString('base64url');
    const DELETED = `query($id: ID!, $after: String) { customer(id: $id) { deletedUsers(first: 5, after: $after) { edges { node { id } } } } }`;
    const AUDIT = `query($id: ID!, $after: String) { customer(id: $id) { auditEvents(first: 5, after: $after) { edges { node { id } } } } }`;
    const CUSTOMERS = `query($after: String) { customers(first: 5, after: $after) { edges { node { id } } } }`;
    for (const [query, after] of [
      [DELETED, forge(['not a time', 'not a uuid'])],
      [AUDIT, forge(['2026-01-01T00:00:00.000Z', 'not-a-uuid'])],
      [CUSTOMERS, forge(['a', 'not-a-uuid'])],
      [PAGE, 'garbage'],
    ] as const) {
      const r = await s.gql(query, { id: big.id, after }, token);
      expect(r.errors?.[0]?.extensions?.code, query).toBe('BAD_USER_INPUT');
      expect(r.errors?.[0]?.message).toMatch(/cursor `after`/);
    }
    const back = await s.gql(
      `query($id: ID!) { customer(id: $id) { users(first: 1, last: 1) { edges { node { id } } } } }`,
      { id: big.id },
      token,
    );
    expect(back.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: ['last'] });
    expect(back.errors?.[0]?.message).toMatch(/not both/);
  });

  it('lets the same agent read but not create where it holds only Directory Readers', async () => {
    expect((await s.ok(PAGE, { id: small.id, first: 5 }, token)).customer.users.edges).toHaveLength(1);
    await expect(createUser(s, token, small)).rejects.toThrow(
      /you need one of: DIRECTORY_WRITERS, USER_ADMINISTRATOR, GLOBAL_ADMINISTRATOR.*"code":"FORBIDDEN"/,
    );
  });

  it('lists a user’s licences by product name, on the users page and on the user alone', async () => {
    const parts = ['VISIOCLIENT', 'SPE_E3', 'EMS'];
    const shop = await createCustomer(
      s,
      partner,
      parts.map((p) => [p, 5]),
    );
    const agent = (await grantAgent(s, partner, shop, ['USER_ADMINISTRATOR'])).agentToken;
    const skuIds = await Promise.all(parts.map((p) => skuId(s, p, agent)));
    const user = await createUser(s, agent, shop, { usageLocation: 'US', licenseSkuIds: skuIds });
    const byName = ['Enterprise Mobility + Security E3', 'Microsoft 365 E3', 'Visio Plan 2'];
    const page = await s.ok(PAGE, { id: shop.id, first: 10 }, agent);
    const mine = page.customer.users.edges.find((e: any) => e.node.userPrincipalName === user.userPrincipalName);
    expect(mine.node.licenses.map((l: any) => l.sku.name)).toEqual(byName);
    const alone = await s.ok(
      `query($id: ID!) { node(id: $id) { ... on User { createdAt licenses { sku { name } assignedAt } } } }`,
      { id: user.id },
      agent,
    );
    expect(alone.node.licenses.map((l: any) => l.sku.name)).toEqual(byName);
    // Assigned when the user was created (the same statement, the same instant of the test clock).
    expect(alone.node.licenses.map((l: any) => l.assignedAt)).toEqual(byName.map(() => alone.node.createdAt));
  });
});
