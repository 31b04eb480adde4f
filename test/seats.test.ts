// Seats never go over the subscription, whatever the concurrency and the order of deletes, restores and assignments.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { insertUsers, rawId } from './support/fixtures.js';
import { startServer, type TestServer } from './support/server.js';
import { type Customer, createCustomer, createPartner, grantAgent, skuId } from './support/world.js';

let s: TestServer;
let customer: Customer;
let token: string;
let sku: string;

const UPDATE = `mutation($i: UpdateUserInput!) { updateUser(input: $i) { user { id } userErrors { code message } } }`;
const SEATS = `query($c: ID!) { customer(id: $c) { licenses { sku { partNumber } totalSeats consumedSeats } } }`;

async function userIds(prefix: string): Promise<string[]> {
  const d = await s.ok(
    `query($c: ID!, $q: String) { customer(id: $c) { users(first: 500, filter: {search: $q}) { edges { node { id } } } } }`,
    { c: customer.id, q: prefix },
    token,
  );
  return d.customer.users.edges.map((e: any) => e.node.id);
}

/** Seats the subscription says are consumed, and seats actually held by active users. */
async function ledger(): Promise<{ total: number; consumed: number; held: number }> {
  const lic = (await s.ok(SEATS, { c: customer.id }, token)).customer.licenses[0];
  const rows: any = await s.database.db.execute(sql`select count(*)::int as n from license_assignments la join users u
    on u.customer_id = la.customer_id and u.id = la.user_id where la.customer_id = ${rawId(customer.id)} and la.seated and u.state = 'ACTIVE'`);
  return { total: lic.totalSeats, consumed: lic.consumedSeats, held: (rows.rows ?? rows)[0].n };
}

beforeAll(async () => {
  s = await startServer();
});
// Each test starts from the same seats: its own customer with 30 of 40 seats held and 50 users without one.
beforeEach(async () => {
  const partner = await createPartner(s);
  customer = await createCustomer(s, partner, [['SPE_E5', 40]]);
  token = (await grantAgent(s, partner, customer, ['USER_ADMINISTRATOR'])).agentToken;
  sku = await skuId(s, 'SPE_E5', partner.adminToken);
  await insertUsers(s.database.db, customer.id, 30, { prefix: 'holder', domain: customer.domain, skuGlobalId: sku });
  await insertUsers(s.database.db, customer.id, 50, { prefix: 'racer', domain: customer.domain });
});
afterAll(() => s.close());

describe('seats', () => {
  it('50 concurrent assignments of the last 10 seats give exactly 10 successes', async () => {
    expect(await ledger()).toEqual({ total: 40, consumed: 30, held: 30 });
    const racers = await userIds('racer');
    expect(racers).toHaveLength(50);
    const results = await Promise.all(
      racers.map((id) => s.ok(UPDATE, { i: { userId: id, addLicenseSkuIds: [sku] } }, token)),
    );
    const ok = results.filter((r) => r.updateUser.userErrors.length === 0);
    const refused = results.filter((r) => r.updateUser.userErrors[0]?.code === 'NO_SEATS');
    expect(ok).toHaveLength(10);
    expect(refused).toHaveLength(40);
    expect(refused[0]!.updateUser.userErrors[0].message).toContain('SPE_E5');
    expect(await ledger()).toEqual({ total: 40, consumed: 40, held: 40 });
  });

  it('stay within the total through any mix of concurrent deletes, restores and assignments', async () => {
    const everyone = [...(await userIds('holder')), ...(await userIds('racer'))];
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let round = 0; round < 4; round++) {
      const ops = everyone.slice(0, 40).map((id) => {
        const r = random();
        if (r < 0.3)
          return s.gql(
            `mutation($id: ID!) { deleteUser(input: {userId: $id}) { userErrors { code } } }`,
            { id },
            token,
          );
        if (r < 0.6)
          return s.gql(
            `mutation($id: ID!) { restoreUser(input: {userId: $id}) { userErrors { code } } }`,
            { id },
            token,
          );
        if (r < 0.8) return s.gql(UPDATE, { i: { userId: id, addLicenseSkuIds: [sku] } }, token);
        return s.gql(UPDATE, { i: { userId: id, removeLicenseSkuIds: [sku] } }, token);
      });
      const results = await Promise.all(ops);
      expect(results.every((r) => !r.errors)).toBe(true);
      const l = await ledger();
      expect(l.consumed).toBe(l.held);
      expect(l.consumed).toBeLessThanOrEqual(l.total);
      everyone.reverse();
    }
  });
});

describe('seats of several SKUs', () => {
  it('are taken by concurrent updates naming the SKUs in opposite orders without a deadlock', async () => {
    const partner = await createPartner(s);
    const two = await createCustomer(s, partner, [
      ['SPE_E3', 40],
      ['O365_BUSINESS_ESSENTIALS', 40],
    ]);
    const agent = (await grantAgent(s, partner, two, ['USER_ADMINISTRATOR'])).agentToken;
    const [e3, basic] = [await skuId(s, 'SPE_E3', agent), await skuId(s, 'O365_BUSINESS_ESSENTIALS', agent)];
    await insertUsers(s.database.db, two.id, 40, { prefix: 'pair', domain: two.domain });
    const list = await s.ok(
      `query($c: ID!) { customer(id: $c) { users(first: 100, filter: {search: "pair"}) { edges { node { id } } } } }`,
      { c: two.id },
      agent,
    );
    const ids: string[] = list.customer.users.edges.map((e: any) => e.node.id);
    expect(ids).toHaveLength(40);
    const results = await Promise.all(
      ids.map((id, i) =>
        s.ok(
          UPDATE,
          { i: { userId: id, usageLocation: 'FR', addLicenseSkuIds: i % 2 ? [e3, basic] : [basic, e3] } },
          agent,
        ),
      ),
    );
    expect(results.flatMap((r) => r.updateUser.userErrors)).toEqual([]);
    const seats = (await s.ok(SEATS, { c: two.id }, agent)).customer.licenses.map((l: any) => [
      l.sku.partNumber,
      l.consumedSeats,
    ]);
    expect(Object.fromEntries(seats)).toEqual({ SPE_E3: 40, O365_BUSINESS_ESSENTIALS: 40 });
  });
});
