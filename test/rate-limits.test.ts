// Cost and rate limits over HTTP: every answer says what it cost and what the caller has left (extensions.cost); a
// caller whose budget is spent gets 429 with Retry-After, on any instance, since the budget lives in the database;
// agents and applications each have their own.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { createApp, LIMITS, listen } from '../src/server.js';
import { startServer, type TestServer } from './support/server.js';
import { type Customer, createCustomer, createPartner, grantAgent } from './support/world.js';

// The smallest budget (one request's limit), refilled slowly: two full pages of 500 spend it.
const ENV = { RATE_LIMIT_POINTS: '50000', RATE_LIMIT_RESTORE_PER_SECOND: '1000' };

let s: TestServer;
let second: { url: string; server: Server };
let customer: Customer;
let partner: Awaited<ReturnType<typeof createPartner>>;

beforeAll(async () => {
  s = await startServer(ENV);
  // A second instance over the same database, with its own memory: only the database is shared.
  const app = createApp({
    config: loadConfig({ ...ENV, DATABASE_URL: s.config.databaseUrl, SEED_DEMO: '0' }),
    database: s.database,
    clock: s.clock,
  });
  const server = await listen(app, 0, '127.0.0.1');
  second = { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql` };
  partner = await createPartner(s);
  customer = await createCustomer(s, partner);
});
afterAll(async () => {
  await new Promise<void>((resolve) => second.server.close(() => resolve()));
  await s.close();
});

async function post(url: string, query: string, variables: Record<string, unknown>, token: string) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  return { status: res.status, retryAfter: res.headers.get('retry-after'), body: (await res.json()) as any };
}

const PAGE_500 = `query($id: ID!) { customer(id: $id) { users(first: 500) { edges { node { id userPrincipalName displayName state roles licenses { sku { name } } } } } } }`;

describe('extensions.cost', () => {
  it('every answer says its cost, the per-request limit and what the caller has left', async () => {
    const { agentToken } = await grantAgent(s, partner, customer, ['USER_ADMINISTRATOR']);
    const first = await post(s.url, `{ viewer { kind } }`, {}, agentToken);
    expect(first.body.extensions.cost).toEqual({
      requestedQueryCost: 2,
      maximumQueryCost: LIMITS.maxNodes,
      throttleStatus: { maximumAvailable: 50_000, currentlyAvailable: 49_998, restoreRate: 1000 },
    });
    const page = await post(s.url, PAGE_500, { id: customer.id }, agentToken);
    expect(page.body.errors).toBeUndefined();
    const cost = page.body.extensions.cost.requestedQueryCost;
    // A full page of the README tour's fields fits the per-request limit.
    expect(cost).toBeGreaterThan(20_000);
    expect(cost).toBeLessThan(LIMITS.maxNodes);
    expect(page.body.extensions.cost.throttleStatus.currentlyAvailable).toBe(49_998 - cost);
    const mutation = await post(
      s.url,
      `mutation { signOut { ok } }`,
      {},
      (await grantAgent(s, partner, customer, ['USER_ADMINISTRATOR'])).agentToken,
    );
    expect(mutation.body.extensions.cost.requestedQueryCost).toBe(11);
  });
});

describe('the cost of a document sent again', () => {
  it('follows the variables it depends on: page sizes and @include, through fragments', async () => {
    // Costs are kept per document and per the values of the variables given to first/last and @skip/@include: the
    // same document with other values costs what it would have cost the first time.
    const { agentToken } = await grantAgent(s, partner, customer, ['USER_ADMINISTRATOR']);
    const QUERY = `query($id: ID!, $n: Int, $roles: Boolean!) { customer(id: $id) { users(first: $n) {
      edges { node { ...U } } } } } fragment U on User { id displayName roles @include(if: $roles) }`;
    const cost = async (n: number, roles: boolean) =>
      ((r) => r.extensions?.cost?.requestedQueryCost ?? JSON.stringify(r))(
        (await post(s.url, QUERY, { id: customer.id, n, roles }, agentToken)).body,
      );
    const costs = [
      await cost(10, true),
      await cost(100, true),
      await cost(10, false),
      await cost(10, true),
      await cost(100, false),
    ];
    // 1 (customer) + 1 (users) + n × (edges, node, id, displayName, roles when included).
    expect(costs).toEqual([2 + 10 * 5, 2 + 100 * 5, 2 + 10 * 4, 2 + 10 * 5, 2 + 100 * 4]);
  });

  it('tells a page size given as null (the default page) from one left out (its default value)', async () => {
    const { agentToken } = await grantAgent(s, partner, customer, ['USER_ADMINISTRATOR']);
    const QUERY = `query($id: ID!, $n: Int = 400) { customer(id: $id) { users(first: $n) { edges { node { id } } } } }`;
    const cost = async (variables: Record<string, unknown>) =>
      (await post(s.url, QUERY, { id: customer.id, ...variables }, agentToken)).body.extensions.cost.requestedQueryCost;
    // null: the connection's default page (50); left out: the variable's default (400). In either order.
    expect([await cost({ n: null }), await cost({}), await cost({ n: null })]).toEqual([
      2 + 50 * 3,
      2 + 400 * 3,
      2 + 50 * 3,
    ]);
  });
});

describe('budgets', () => {
  it('a spent budget is 429 with Retry-After on either instance, and comes back with time', async () => {
    const { agentToken } = await grantAgent(s, partner, customer, ['USER_ADMINISTRATOR']);
    expect((await post(s.url, PAGE_500, { id: customer.id }, agentToken)).status).toBe(200);
    expect((await post(second.url, PAGE_500, { id: customer.id }, agentToken)).status).toBe(200);
    for (const url of [s.url, second.url]) {
      const refused = await post(url, PAGE_500, { id: customer.id }, agentToken);
      expect(refused.status).toBe(429);
      expect(refused.body.errors[0].extensions).toMatchObject({
        code: 'THROTTLED',
        retryAfterSeconds: expect.any(Number),
      });
      expect(Number(refused.retryAfter)).toBe(refused.body.errors[0].extensions.retryAfterSeconds);
      expect(refused.body.data).toBeUndefined();
      expect(refused.body.extensions.cost.throttleStatus.currentlyAvailable).toBeLessThan(
        refused.body.extensions.cost.requestedQueryCost,
      );
    }
    const wait = Number((await post(s.url, PAGE_500, { id: customer.id }, agentToken)).retryAfter);
    s.travel(wait * 1000);
    expect((await post(second.url, PAGE_500, { id: customer.id }, agentToken)).status).toBe(200);
  });

  it("each caller has its own budget: one agent's spending does not throttle another", async () => {
    const a = (await grantAgent(s, partner, customer, ['USER_ADMINISTRATOR'])).agentToken;
    const b = (await grantAgent(s, partner, customer, ['USER_ADMINISTRATOR'])).agentToken;
    await post(s.url, PAGE_500, { id: customer.id }, a);
    await post(s.url, PAGE_500, { id: customer.id }, a);
    expect((await post(s.url, PAGE_500, { id: customer.id }, a)).status).toBe(429);
    expect((await post(s.url, PAGE_500, { id: customer.id }, b)).status).toBe(200);
  });

  it("an application's tokens come from its budget too (after its secret is checked): 429 when spent", async () => {
    const app = await s.ok(
      `mutation { createApplication(input: {displayName: "Token loop", roles: [ADMIN_AGENT]}) { application { id clientId } } }`,
      {},
      partner.adminToken,
    );
    const { id, clientId } = app.createApplication.application;
    const secret = (
      await s.ok(
        `mutation($id: ID!) { addApplicationSecret(input: {applicationId: $id}) { secretText } }`,
        { id },
        partner.adminToken,
      )
    ).addApplicationSecret.secretText;
    const token = () =>
      fetch(new URL('/oauth/token', s.url), {
        method: 'POST',
        body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: secret }),
      });
    // Wrong secrets cost the application nothing.
    for (let i = 0; i < 60; i++) {
      const wrong = await fetch(new URL('/oauth/token', s.url), {
        method: 'POST',
        body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: 'nope' }),
      });
      expect(wrong.status).toBe(401);
    }
    // 50 000 points at 1 000 a token: the 51st waits.
    for (let i = 0; i < 50; i++) expect((await token()).status).toBe(200);
    const refused = await token();
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await refused.json()).toMatchObject({ error: 'temporarily_unavailable' });
  });
});

describe('mutation costs', () => {
  it('count the items of the lists a mutation is given', async () => {
    const { agentToken } = await grantAgent(s, partner, customer, ['USER_ADMINISTRATOR']);
    const DELETE = `mutation($ids: [ID!]!) { deleteUsers(input: {userIds: $ids}) { userErrors { code } } }`;
    const ids = (n: number) => Array.from({ length: n }, () => customer.id);
    const one = await post(s.url, DELETE, { ids: ids(1) }, agentToken);
    const many = await post(s.url, DELETE, { ids: ids(40) }, agentToken);
    expect(many.body.extensions.cost.requestedQueryCost - one.body.extensions.cost.requestedQueryCost).toBe(39);
    // The document's walk is kept, its lists counted each time: sent again, in any order, each costs the same.
    const cost = async (variables: Record<string, unknown>, document = DELETE) =>
      (await post(s.url, document, variables, agentToken)).body.extensions.cost.requestedQueryCost;
    const base = one.body.extensions.cost.requestedQueryCost;
    expect([await cost({ ids: ids(40) }), await cost({ ids: ids(1) }), await cost({ ids: ids(7) })]).toEqual([
      base + 39,
      base,
      base + 6,
    ]);
    // Two root fields each count their own lists; one left out by @skip counts nothing (walked each time).
    const TWO = `mutation($a: [ID!]!, $b: [ID!]!, $skip: Boolean!) {
      a: deleteUsers(input: {userIds: $a}) { userErrors { code } }
      b: deleteUsers(input: {userIds: $b}) @skip(if: $skip) { userErrors { code } } }`;
    for (const skip of [false, true, false])
      expect(await cost({ a: ids(3), b: ids(5), skip }, TWO)).toBe(skip ? base + 2 : 2 * base + 2 + 4);
  });
});
