// Seats never go over the subscription, whatever the concurrency and the order of deletes, restores and assignments.
import { randomUUID } from 'node:crypto';
import { type SQL, sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFinished } from 'vitest';
import { BULK_ENV } from './support/bulk.js';
import { insertUsers, rawId } from './support/fixtures.js';
import { startServer, type TestServer } from './support/server.js';
import {
  CREATE_USER,
  type Customer,
  createCustomer,
  createPartner,
  createUser,
  grantAgent,
  lastUseRecorded,
  type Partner,
  skuId,
} from './support/world.js';

let s: TestServer;
let partner: Partner;
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

/** Seats the SPE_E5 subscription says are consumed, and seats of it actually held by active users. */
async function ledger(): Promise<{ total: number; consumed: number; held: number }> {
  const lic = (await s.ok(SEATS, { c: customer.id }, token)).customer.licenses.find(
    (l: any) => l.sku.partNumber === 'SPE_E5',
  );
  const rows: any = await s.database.db.execute(sql`select count(*)::int as n from license_assignments la join users u
    on u.customer_id = la.customer_id and u.id = la.user_id where la.customer_id = ${rawId(customer.id)} and la.sku_id = ${rawId(sku)} and la.seated and u.state = 'ACTIVE'`);
  return { total: lic.totalSeats, consumed: lic.consumedSeats, held: (rows.rows ?? rows)[0].n };
}

beforeAll(async () => {
  // The credentials key seals webhook secrets (createUser's tests subscribe to user.created).
  s = await startServer(BULK_ENV);
});
// Each test starts from the same seats: its own customer with 30 of 40 seats held and 50 users without one.
beforeEach(async () => {
  partner = await createPartner(s);
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

describe('createUser', () => {
  /** Counts the transactions opened on the server's database handle for the rest of the test. */
  function countTransactions(): { opened: number } {
    const db = s.database.db;
    const original = db.transaction;
    const counter = { opened: 0 };
    db.transaction = ((...args: Parameters<typeof original>) => {
      counter.opened++;
      return original.apply(db, args);
    }) as typeof original;
    onTestFinished(() => {
      db.transaction = original;
    });
    return counter;
  }

  const rows = async (query: SQL) => {
    const r: any = await s.database.db.execute(query);
    return (r.rows ?? r) as unknown[];
  };

  it('writes the user, its seat, its licence and its audit event in one statement, without a transaction', async () => {
    const transactions = countTransactions();
    await createUser(s, token, customer, { usageLocation: 'FR', licenseSkuIds: [sku] }); // the token's first use
    await lastUseRecorded(s, token);
    const [statements, opened] = [s.database.statements.count, transactions.opened];
    const u: any = await createUser(s, token, customer, { usageLocation: 'FR', licenseSkuIds: [sku] });
    expect(u.licenses).toEqual([{ sku: { partNumber: 'SPE_E5' } }]);
    // The session (with the spend, the customer named in the input, the caller's grants in it and its verified
    // domains), the creation (user, seat, licence, audit event and webhook outbox: one statement, no BEGIN or
    // COMMIT, returning the roles and licences it wrote for the answer). (Before, the writes were four statements in
    // a transaction, and the answer's roles and licences a fifth.)
    expect(s.database.statements.count - statements).toBe(2);
    expect(transactions.opened - opened).toBe(0);
    expect(await ledger()).toEqual({ total: 40, consumed: 32, held: 32 });
  });

  it('16 concurrent creations wanting two SKUs, named in either order, share the last 10 seats without a deadlock', async () => {
    const visio = await skuId(s, 'VISIOCLIENT', token);
    await s.ok(
      `mutation($i: AddSubscriptionInput!) { addSubscription(input: $i) { userErrors { message } } }`,
      { i: { customerId: customer.id, skuId: visio, seats: 40 } },
      partner.adminToken,
    );
    const results = await Promise.all(
      Array.from({ length: 16 }, (_, i) =>
        s.ok(
          CREATE_USER,
          {
            i: {
              customerId: customer.id,
              userPrincipalName: `pair${i}@${customer.domain}`,
              displayName: `Pair ${i}`,
              usageLocation: 'FR',
              licenseSkuIds: i % 2 ? [sku, visio] : [visio, sku],
            },
          },
          token,
        ),
      ),
    );
    expect(results.filter((r) => r.createUser.user)).toHaveLength(10);
    const refused = results.flatMap((r) => r.createUser.userErrors);
    expect(refused).toHaveLength(6);
    for (const e of refused) expect(e).toMatchObject({ code: 'NO_SEATS', message: expect.stringContaining('SPE_E5') });
    expect(await ledger()).toEqual({ total: 40, consumed: 40, held: 40 });
    const seats = (await s.ok(SEATS, { c: customer.id }, token)).customer.licenses;
    expect(seats.find((l: any) => l.sku.partNumber === 'VISIOCLIENT').consumedSeats).toBe(10);
  });

  describe('refused for want of a seat, writes nothing', () => {
    let visio: string;
    beforeEach(async () => {
      // A webhook subscription wanting user.created: a creation that went through would queue a delivery.
      const hook = await s.ok(
        `mutation($i: CreateWebhookSubscriptionInput!) { createWebhookSubscription(input: $i) { userErrors { message } } }`,
        { i: { url: 'https://hooks.example.com/users', eventTypes: ['USER_CREATED'] } },
        partner.adminToken,
      );
      expect(hook.createWebhookSubscription.userErrors).toEqual([]);
      // Visio has seats free: a creation asking for it and another SKU would take one if it were not refused whole.
      visio = await skuId(s, 'VISIOCLIENT', token);
      const added = await s.ok(
        `mutation($i: AddSubscriptionInput!) { addSubscription(input: $i) { userErrors { message } } }`,
        { i: { customerId: customer.id, skuId: visio, seats: 5 } },
        partner.adminToken,
      );
      expect(added.addSubscription.userErrors).toEqual([]);
    });

    const refusal = async (licenseSkuIds: string[]) => {
      const upn = `refused-${randomUUID()}@${customer.domain}`;
      const d = await s.ok(
        CREATE_USER,
        {
          i: {
            customerId: customer.id,
            userPrincipalName: upn,
            displayName: 'Refused',
            usageLocation: 'FR',
            licenseSkuIds,
          },
        },
        token,
      );
      expect(d.createUser.user).toBeNull();
      const c = rawId(customer.id);
      expect(await rows(sql`select 1 from users where customer_id = ${c} and user_principal_name = ${upn}`)).toEqual(
        [],
      );
      expect(await rows(sql`select 1 from audit_events where customer_id = ${c} and action = 'CREATE_USER'`)).toEqual(
        [],
      );
      expect(await rows(sql`select 1 from webhook_deliveries where payload::text like ${`%${upn}%`}`)).toEqual([]);
      // The customer's licences are still its 30 holders' only.
      expect(await rows(sql`select 1 from license_assignments where customer_id = ${c}`)).toHaveLength(30);
      const seats = (await s.ok(SEATS, { c: customer.id }, token)).customer.licenses.map((l: any) => [
        l.sku.partNumber,
        l.consumedSeats,
      ]);
      expect(Object.fromEntries(seats)).toEqual({ SPE_E5: 30, VISIOCLIENT: 0 });
      return d.createUser.userErrors;
    };

    it('when a SKU has no seat left (NO_SEATS, naming it)', async () => {
      await s.database.db.execute(
        sql`update subscriptions set total_seats = consumed_seats where customer_id = ${rawId(customer.id)}
          and sku_id = ${rawId(sku)}`,
      );
      for (const order of [
        [sku, visio],
        [visio, sku],
      ]) {
        const [error, ...more] = await refusal(order);
        expect(more).toEqual([]);
        expect(error).toMatchObject({ code: 'NO_SEATS', field: ['licenseSkuIds'] });
        expect(error.message).toContain('SPE_E5');
      }
      // What the refusals would have written, a creation that goes through writes (the checks above can fail).
      const upn = `accepted-${randomUUID()}@${customer.domain}`;
      await createUser(s, token, customer, { userPrincipalName: upn, usageLocation: 'FR', licenseSkuIds: [visio] });
      expect(await rows(sql`select 1 from webhook_deliveries where payload::text like ${`%${upn}%`}`)).toHaveLength(1);
      expect(
        await rows(sql`select 1 from audit_events where customer_id = ${rawId(customer.id)} and target_name = ${upn}`),
      ).toHaveLength(1);
    });

    it('when the customer has no subscription for a SKU (NOT_SUBSCRIBED, naming it)', async () => {
      const e3 = await skuId(s, 'SPE_E3', token);
      for (const order of [
        [e3, visio],
        [visio, e3],
      ]) {
        const [error, ...more] = await refusal(order);
        expect(more).toEqual([]);
        expect(error).toMatchObject({ code: 'NOT_SUBSCRIBED', field: ['licenseSkuIds'] });
        expect(error.message).toContain('SPE_E3');
      }
    });
  });
});
