// Keyset connections in both directions (Relay Cursor Connections): first/after and last/before walk the same items
// in the same order, pageInfo is right at both ends, and sizes and cursors are checked naming the argument.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from './support/server.js';
import {
  type Customer,
  createCustomer,
  createPartner,
  createUser,
  grantAgent,
  joinGrant,
  type Partner,
} from './support/world.js';

let s: TestServer;
let partner: Partner;
let customer: Customer;
let token: string;

const DELETE = `mutation($id: ID!) { deleteUser(input: {userId: $id}) { userErrors { code message } } }`;

beforeAll(async () => {
  s = await startServer();
  partner = await createPartner(s);
  customer = await createCustomer(s, partner);
  token = (await grantAgent(s, partner, customer, ['USER_ADMINISTRATOR'])).agentToken;
  const created = [];
  for (let i = 0; i < 16; i++) created.push(await createUser(s, token, customer));
  // Deleted in three batches: within a batch all share one deletedAt, so the id decides their order (the second
  // key of the keyset); the clock moves between batches.
  for (const [i, u] of created.slice(0, 9).entries()) {
    if (i === 4 || i === 7) s.clock.advance(1_000);
    const d = await s.ok(DELETE, { id: u.id }, token);
    expect(d.deleteUser.userErrors).toEqual([]);
  }
}, 120_000);
afterAll(() => s.close());

type Field = 'users' | 'deletedUsers' | 'auditEvents';
const NODE: Record<Field, string> = {
  users: 'userPrincipalName',
  deletedUsers: 'id deletedAt',
  auditEvents: 'at action',
};

const query = (field: Field) => `query($id: ID!, $first: Int, $after: String, $last: Int, $before: String) {
  customer(id: $id) { ${field}(first: $first, after: $after, last: $last, before: $before) {
    edges { cursor node { ${NODE[field]} } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } } }`;

interface PageInfo {
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  startCursor: string | null;
  endCursor: string | null;
}
interface Conn {
  edges: { cursor: string; node: Record<string, string> }[];
  pageInfo: PageInfo;
}

async function page(field: Field, args: Record<string, unknown>): Promise<Conn> {
  const d = await s.ok(query(field), { id: customer.id, ...args }, token);
  return d.customer[field];
}

/** Every edge, page by page from the start with first/after. */
async function walkForward(field: Field, size: number) {
  const edges: Conn['edges'] = [];
  const infos: PageInfo[] = [];
  let after: string | null = null;
  for (let i = 0; i < 100; i++) {
    const c = await page(field, { first: size, after });
    edges.push(...c.edges);
    infos.push(c.pageInfo);
    expect(c.edges.length).toBeLessThanOrEqual(size);
    expect(c.pageInfo.startCursor).toBe(c.edges[0]?.cursor ?? null);
    expect(c.pageInfo.endCursor).toBe(c.edges.at(-1)?.cursor ?? null);
    if (!c.pageInfo.hasNextPage) break;
    after = c.pageInfo.endCursor;
  }
  return { edges, infos };
}

/** Every edge, page by page from the end with last/before, put back in the connection's order. */
async function walkBackward(field: Field, size: number) {
  const pages: Conn['edges'][] = [];
  const infos: PageInfo[] = [];
  let before: string | null = null;
  for (let i = 0; i < 100; i++) {
    const c = await page(field, { last: size, before });
    pages.unshift(c.edges);
    infos.push(c.pageInfo);
    expect(c.edges.length).toBeLessThanOrEqual(size);
    expect(c.pageInfo.startCursor).toBe(c.edges[0]?.cursor ?? null);
    expect(c.pageInfo.endCursor).toBe(c.edges.at(-1)?.cursor ?? null);
    if (!c.pageInfo.hasPreviousPage) break;
    before = c.pageInfo.startCursor;
  }
  return { edges: pages.flat(), infos };
}

describe.each([
  // 16 created - 9 deleted + the Global Administrator: 8 active users, pages of 3 3 2 forward, 2 3 3 backward.
  ['users', 3],
  // Deleted 4 + 3 + 2 at three instants: page boundaries fall between users deleted at the same instant.
  ['deletedUsers', 4],
  ['auditEvents', 6],
] as const)('%s', (field, size) => {
  it('gives the same items in the same order forward (first/after) and backward (last/before)', async () => {
    const all = await page(field, { first: 500 });
    expect(all.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: false });
    expect(all.edges.length).toBeGreaterThan(size * 2); // at least three pages each way
    const forward = await walkForward(field, size);
    const backward = await walkBackward(field, size);
    expect(forward.edges).toEqual(all.edges);
    // The same nodes with the same cursors: one cursor format in both directions.
    expect(backward.edges).toEqual(all.edges);
    expect(new Set(all.edges.map((e) => e.cursor)).size).toBe(all.edges.length);

    // Forward: no previous page at the start, no next page at the end, next pages in between.
    expect(forward.infos[0]).toMatchObject({ hasPreviousPage: false, hasNextPage: true });
    expect(forward.infos.slice(0, -1).every((p) => p.hasNextPage)).toBe(true);
    expect(forward.infos.at(-1)!.hasNextPage).toBe(false);
    // Backward: the last page has no next page, the first has no previous one.
    expect(backward.infos[0]).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
    expect(backward.infos.slice(0, -1).every((p) => p.hasPreviousPage)).toBe(true);
    expect(backward.infos.at(-1)!.hasPreviousPage).toBe(false);
  });

  it('pages backward from a cursor in the middle to exactly the items before it', async () => {
    const all = (await page(field, { first: 500 })).edges;
    const middle = Math.floor(all.length / 2);
    const before = await page(field, { last: 3, before: all[middle]!.cursor });
    expect(before.edges).toEqual(all.slice(middle - 3, middle));
    expect(before.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: true });
    const after = await page(field, { first: 3, after: all[middle]!.cursor });
    expect(after.edges).toEqual(all.slice(middle + 1, middle + 4));
    // Both bounds: the items strictly between the two cursors.
    const between = await page(field, { last: 10, after: all[1]!.cursor, before: all[5]!.cursor });
    expect(between.edges).toEqual(all.slice(2, 5));
    expect(between.pageInfo.hasPreviousPage).toBe(false);
  });

  it('answers an empty page for size 0 in either direction', async () => {
    for (const args of [{ first: 0 }, { last: 0 }]) {
      const c = await page(field, args);
      expect(c.edges).toEqual([]);
      expect(c.pageInfo).toMatchObject({ startCursor: null, endCursor: null });
    }
  });

  it('refuses sizes over 500 and forged cursors, naming the argument', async () => {
    const keys = field === 'users' ? 1 : 2;
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ first: 501 }, 'first', /first must be between 0 and 500/],
      [{ last: 501 }, 'last', /last must be between 0 and 500/],
      [{ first: -1 }, 'first', /first must be between 0 and 500/],
      [{ last: -1 }, 'last', /last must be between 0 and 500/],
      [{ first: 2, last: 2 }, 'last', /not both/],
      [{ first: 5, after: 'garbage' }, 'after', /cursor `after`/],
      [{ last: 5, before: 'garbage' }, 'before', /cursor `before`/],
      // Not as many values as the ordering has keys.
      [{ first: 5, after: forge(Array(keys + 1).fill('x')) }, 'after', /cursor `after`/],
      [{ last: 5, before: forge(Array(keys + 1).fill('x')) }, 'before', /cursor `before`/],
    ];
    if (field !== 'users') {
      // Well formed, but its values are not of the columns' types (a UPN cursor is any string, so users has none).
      cases.push(
        [{ last: 5, before: forge(['not a time', 'not a uuid']) }, 'before', /cursor `before`/],
        [{ first: 5, after: forge(['2026-01-01T00:00:00.000Z', 'not-a-uuid']) }, 'after', /cursor `after`/],
      );
    }
    for (const [args, name, message] of cases) {
      const r = await s.gql(query(field), { id: customer.id, ...args }, token);
      expect(r.errors?.[0]?.extensions, JSON.stringify(args)).toMatchObject({ code: 'BAD_USER_INPUT', field: [name] });
      expect(r.errors?.[0]?.message, JSON.stringify(args)).toMatch(message);
    }
  });
});

it('pages customers and the partner log backward too', async () => {
  for (let i = 0; i < 2; i++) {
    const other = await createCustomer(s, partner);
    await joinGrant(s, partner, await grantAgent(s, partner, other, ['DIRECTORY_READERS']), token);
  }
  const CUSTOMERS = `query($last: Int, $before: String) { customers(last: $last, before: $before) {
    edges { cursor node { id } } pageInfo { hasNextPage hasPreviousPage } } }`;
  const all = (await s.ok(`{ customers(first: 500) { edges { cursor node { id } } } }`, {}, token)).customers.edges;
  expect(all.length).toBe(3);
  const last = (await s.ok(CUSTOMERS, { last: 2 }, token)).customers;
  expect(last.edges).toEqual(all.slice(1));
  expect(last.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
  const rest = (await s.ok(CUSTOMERS, { last: 2, before: last.edges[0].cursor }, token)).customers;
  expect(rest.edges).toEqual(all.slice(0, 1));
  expect(rest.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });

  const LOG = `query($last: Int, $first: Int) { viewer { agent { partner { auditEvents(last: $last, first: $first) {
    edges { cursor node { at action } } pageInfo { hasPreviousPage hasNextPage } } } } } }`;
  const admin = partner.adminToken;
  const log = (await s.ok(LOG, { first: 500 }, admin)).viewer.agent.partner.auditEvents.edges;
  expect(log.length).toBeGreaterThan(3);
  const tail = (await s.ok(LOG, { last: 3 }, admin)).viewer.agent.partner.auditEvents;
  expect(tail.edges).toEqual(log.slice(-3));
  expect(tail.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: false });
});

function forge(values: unknown[]): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}
