// A User's roles and licenses are plain properties its fields read inline (graphql/user-details.ts): every field that
// can return users must attach them first. Each way to a user answers what the user alone answers, and a query that
// does not ask for them does not read them.
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { driverJsonRows, templateStatement } from '../src/db/prepared.js';
import { users } from '../src/db/schema.js';
import { attachMissingDetails } from '../src/graphql/user-details.js';
import type { UserKey } from '../src/services/users/read.js';
import { hasDetails, type UserNode, userColumns } from '../src/services/users/row.js';
import { rawId } from './support/fixtures.js';
import { startServer, type TestServer } from './support/server.js';
import {
  type Customer,
  createCustomer,
  createPartner,
  createUser,
  grantAgent,
  lastUseRecorded,
  type Partner,
  skuId,
} from './support/world.js';

const DETAILS = 'userPrincipalName roles licenses { sku { name } seated }';

let s: TestServer;
let partner: Partner;
let customer: Customer;
let token: string;
let holder: { id: string; userPrincipalName: string };
let other: { id: string; userPrincipalName: string };
let e3: string;

beforeAll(async () => {
  s = await startServer();
  partner = await createPartner(s);
  customer = await createCustomer(s, partner, [
    ['SPE_E3', 10],
    ['POWER_BI_PRO', 10],
  ]);
  token = (await grantAgent(s, partner, customer, ['GLOBAL_ADMINISTRATOR'])).agentToken;
  e3 = await skuId(s, 'SPE_E3', token);
  const pbi = await skuId(s, 'POWER_BI_PRO', token);
  holder = await createUser(s, token, customer, {
    usageLocation: 'US',
    roles: ['REPORTS_READER', 'HELPDESK_ADMINISTRATOR'],
    licenseSkuIds: [pbi, e3],
  });
  other = await createUser(s, token, customer, { usageLocation: 'US', licenseSkuIds: [e3] });
}, 120_000);

afterAll(async () => {
  await s?.close();
});

/** Every field of a user that its row or its details give. */
const EVERY_FIELD = `id userPrincipalName firstName lastName displayName usageLocation jobTitle department office
  officePhone mobilePhone streetAddress city stateOrProvince postalCode countryOrRegion alternateEmail state deletedAt
  purgeAt createdAt updatedAt mustChangePassword roles licenses { sku { name } seated assignedAt }`;

/** The user as customer.user(userPrincipalName) answers it. */
async function alone(upn: string, fields = DETAILS) {
  const d = await s.ok(
    `query($c: ID!, $u: String!) { customer(id: $c) { user(userPrincipalName: $u) { ${fields} } } }`,
    { c: customer.id, u: upn },
    token,
  );
  return d.customer.user;
}

describe("a user's roles and licences", () => {
  it('come with the user on every way to it', async () => {
    const expected = await alone(holder.userPrincipalName);
    expect(expected.roles).toEqual(['HELPDESK_ADMINISTRATOR', 'REPORTS_READER']);
    expect(expected.licenses.map((l: { sku: { name: string } }) => l.sku.name)).toEqual([
      'Microsoft 365 E3',
      'Power BI Pro',
    ]);
    const byName = (nodes: { userPrincipalName: string }[]) =>
      nodes.find((n) => n.userPrincipalName === holder.userPrincipalName);

    // A filtered page (the DataLoader path, through the connection), a node, nodes (through a fragment), the
    // licence's users, and a mutation's payload.
    const filtered = await s.ok(
      `query($c: ID!, $q: String) { customer(id: $c) { users(first: 10, filter: { search: $q }) {
        edges { node { ${DETAILS} } } } } }`,
      { c: customer.id, q: holder.userPrincipalName.split('@')[0] },
      token,
    );
    expect(byName(filtered.customer.users.edges.map((e: { node: unknown }) => e.node))).toEqual(expected);
    const node = await s.ok(
      `query($id: ID!) { node(id: $id) { ... on User { ${DETAILS} } } }`,
      { id: holder.id },
      token,
    );
    expect(node.node).toEqual(expected);
    const nodes = await s.ok(
      `query($ids: [ID!]!) { nodes(ids: $ids) { ...U } } fragment U on User { ${DETAILS} }`,
      { ids: [other.id, holder.id, customer.id] },
      token,
    );
    expect(nodes.nodes[1]).toEqual(expected);
    expect(nodes.nodes[0]).toEqual(await alone(other.userPrincipalName));
    expect(nodes.nodes[2]).toEqual({});
    const licences = await s.ok(
      `query($c: ID!) { customer(id: $c) { licenses { sku { id } users(first: 10) { edges { node { ${DETAILS} } } } } } }`,
      { c: customer.id },
      token,
    );
    const e3Users = licences.customer.licenses.find((l: { sku: { id: string } }) => l.sku.id === e3).users.edges;
    expect(byName(e3Users.map((e: { node: unknown }) => e.node))).toEqual(expected);
    const updated = await s.ok(
      `mutation($i: UpdateUserInput!) { updateUser(input: $i) { user { ${DETAILS} } } }`,
      { i: { userId: holder.id, jobTitle: 'Tester' } },
      token,
    );
    expect(updated.updateUser.user).toEqual(expected);
  });

  it('come in the plain users page (one JSON value) as the user alone reads them, every field, after a cursor too', async () => {
    const page = (after: string | null, fields: string) =>
      s.ok(
        `query($c: ID!, $after: String) { customer(id: $c) { users(first: 2, after: $after) {
          edges { cursor node { ${fields} } } } } }`,
        { c: customer.id, after },
        token,
      );
    for (const fields of [EVERY_FIELD, DETAILS, 'userPrincipalName createdAt licenses { assignedAt }']) {
      const first = (await page(null, fields)).customer.users.edges;
      const next = (await page(first[0].cursor, fields)).customer.users.edges;
      expect(next[0]).toEqual(first[1]);
      const nodes = [...first, ...next].map((e: { node: { userPrincipalName: string } }) => e.node);
      expect(nodes.length).toBeGreaterThanOrEqual(3);
      for (const node of nodes) expect(node).toEqual(await alone(node.userPrincipalName, fields));
    }
  });

  it('come with a deleted user, and again once it is restored', async () => {
    const before = await alone(other.userPrincipalName);
    const deleted = await s.ok(
      `mutation($i: DeleteUserInput!) { deleteUser(input: $i) { user { ${DETAILS} } } }`,
      { i: { userId: other.id } },
      token,
    );
    const unseated = { ...before, licenses: before.licenses.map((l: object) => ({ ...l, seated: false })) };
    expect(deleted.deleteUser.user).toEqual(unseated);
    const page = await s.ok(
      `query($c: ID!) { customer(id: $c) { deletedUsers(first: 10) { edges { node { ${DETAILS} } } } } }`,
      { c: customer.id },
      token,
    );
    expect(page.customer.deletedUsers.edges.map((e: { node: unknown }) => e.node)).toEqual([unseated]);
    const restored = await s.ok(
      `mutation($i: RestoreUserInput!) { restoreUser(input: $i) { user { ${DETAILS} } } }`,
      { i: { userId: other.id } },
      token,
    );
    expect(restored.restoreUser.user).toEqual(before);
  });

  it('are not read when the query does not ask for them', async () => {
    await lastUseRecorded(s, token);
    const count = async (query: string, variables: Record<string, unknown>) => {
      const before = s.database.statements.count;
      await s.ok(query, variables, token);
      return s.database.statements.count - before;
    };
    const q = holder.userPrincipalName.split('@')[0];
    const page = `query($c: ID!, $q: String) { customer(id: $c) { users(first: 10, filter: { search: $q }) {
      edges { node { userPrincipalName FIELDS } } } } }`;
    const without = await count(page.replace('FIELDS', ''), { c: customer.id, q });
    const withRoles = await count(page.replace('FIELDS', 'roles'), { c: customer.id, q });
    expect(withRoles).toBe(without + 1);
    const node = `query($id: ID!) { node(id: $id) { ... on User { userPrincipalName FIELDS } } }`;
    expect(await count(node.replace('FIELDS', 'licenses { seated }'), { id: holder.id })).toBe(
      (await count(node.replace('FIELDS', ''), { id: holder.id })) + 1,
    );
  });
});

describe('rows read as one JSON value (driverJsonRows)', () => {
  it("are the rows Drizzle's select of the same fields gives, timestamps as Dates, in order", async () => {
    const db = s.database.db;
    const customerId = rawId(customer.id);
    const statement = driverJsonRows<typeof userColumns, { customerId: string }>(
      'test_users_as_json',
      userColumns,
      ['upnLower'],
      (_db, selectList) =>
        sql`select ${selectList} from ${users} where ${users.customerId} = ${sql.placeholder('customerId')}::uuid`,
    )(db);
    // Undefined only for a transaction's handle (no driver of its own).
    const rows = await statement!({ customerId });
    const expected = await db
      .select(userColumns)
      .from(users)
      .where(eq(users.customerId, customerId))
      .orderBy(users.upnLower);
    expect(expected.length).toBeGreaterThanOrEqual(3);
    expect(rows).toEqual(expected);
    expect(rows[0]!.createdAt).toBeInstanceOf(Date);
  });
});

describe("a new customer's Global Administrator", () => {
  it('comes with its role, read from the creation, not again', async () => {
    await lastUseRecorded(s, partner.adminToken);
    const create = async (fields: string) => {
      const before = s.database.statements.count;
      const d = await s.ok(
        `mutation($i: CreateCustomerInput!) { createCustomer(input: $i) { globalAdministrator { ${fields} } } }`,
        { i: { name: 'Details', defaultDomain: `details-${Date.now()}-${fields.length}.onmicrosoft.com` } },
        partner.adminToken,
      );
      return { statements: s.database.statements.count - before, admin: d.createCustomer.globalAdministrator };
    };
    const plain = await create('userPrincipalName');
    const detailed = await create('userPrincipalName roles licenses { seated }');
    expect(detailed.admin.roles).toEqual(['GLOBAL_ADMINISTRATOR']);
    expect(detailed.admin.licenses).toEqual([]);
    expect(detailed.statements).toBe(plain.statements);
  });
});

describe('statements built once per shape of their values (templateStatement)', () => {
  /** A statement echoing its values: a name, an instant, and a list joined. */
  const echo = (builds: string[]) =>
    templateStatement('test_echo', (db, p: { name: string | null; at: string; tags: string[] }, name) => {
      builds.push(name);
      return db
        .select({
          name: sql<string | null>`${p.name}::text`,
          at: sql<string>`${p.at}::timestamptz::text`,
          tags: sql<string>`concat_ws(',', null::text${sql.join(p.tags.map((t) => sql`, ${t}::text`))})`,
        })
        .from(sql`(select 1) as one`)
        .prepare(name);
    });

  it('builds once per shape, and each call answers with its own values', async () => {
    const builds: string[] = [];
    const statement = echo(builds);
    const db = s.database.db;
    const at = '2026-01-02T03:04:05.000Z';
    const call = async (name: string | null, tags: string[]) => (await statement(db, { name, at, tags }))[0];
    expect(await call('a', ['x', 'y'])).toMatchObject({ name: 'a', tags: 'x,y' });
    expect(await call(null, ['z', 'w'])).toMatchObject({ name: null, tags: 'z,w' });
    expect(builds).toHaveLength(1);
    // Three tags are another shape: another statement, and the first one still serves two.
    expect(await call('b', ['1', '2', '3'])).toMatchObject({ name: 'b', tags: '1,2,3' });
    expect(await call('c', ['4', '5'])).toMatchObject({ name: 'c', tags: '4,5' });
    expect(builds).toEqual(['test_echo_0', 'test_echo_1']);
    expect(new Date((await call('d', []))!.at).toISOString()).toBe(at);
  });

  it('keeps apart values whose keys would name the same path', async () => {
    const statement = templateStatement('test_paths', (db, p: { 'a.b': string; a: { b: string } }, name) =>
      db
        .select({ dotted: sql<string>`${p['a.b']}::text`, nested: sql<string>`${p.a.b}::text` })
        .from(sql`(select 1) as one`)
        .prepare(name),
    );
    const [row] = await statement(s.database.db, { 'a.b': 'dotted', a: { b: 'nested' } });
    expect(row).toEqual({ dotted: 'dotted', nested: 'nested' });
  });

  it('refuses an undefined value or one that is not a value', async () => {
    const statement = echo([]);
    const db = s.database.db;
    const at = new Date().toISOString();
    await expect(async () => statement(db, { name: undefined as never, at, tags: [] })).rejects.toThrow(
      /name is undefined/,
    );
    await expect(async () => statement(db, { name: sql`1` as never, at, tags: [] })).rejects.toThrow(
      /name is not a value/,
    );
  });
});

describe('attaching details', () => {
  it('leaves a user whose details could not be read with the error as its roles and licences, and the others whole', async () => {
    const failure = new Error('statement timeout');
    const loaders = {
      userDetails: {
        load: (key: UserKey) =>
          key.userId === 'b' ? Promise.reject(failure) : Promise.resolve({ roles: ['REPORTS_READER'], licenses: [] }),
      },
    } as unknown as Parameters<typeof attachMissingDetails>[2]['loaders'];
    const a = { customerId: 'c', id: 'a' } as UserNode;
    const b = { customerId: 'c', id: 'b' } as UserNode;
    const customer = { id: 'c', name: 'not a user' };
    const result = [a, b, customer];
    // The holding field's answer is not failed by one user's details.
    await expect(attachMissingDetails([a, b], result, { loaders })).resolves.toBe(result);
    expect(a).toMatchObject({ roles: ['REPORTS_READER'], licenses: [] });
    expect(hasDetails(a)).toBe(true);
    expect(b.roles).toBe(failure);
    expect(b.licenses).toBe(failure);
    expect(hasDetails(b)).toBe(false);
  });
});
