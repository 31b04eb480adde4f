// Webhooks against a local receiver on 127.0.0.1: signatures verified with the standardwebhooks library, a receiver
// that is down gets the delivery later, a rolled-back change sends nothing, two workers send each event once, a
// rotated secret and the previous one both sign, and a delivery given up after 24 hours is sent again on request.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { count } from 'drizzle-orm';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { webhookDeliveries } from '../src/db/schema.js';
import { recordAudit } from '../src/services/audit.js';
import { credentialsKey } from '../src/services/bulk/credentials.js';
import { inTransaction, serviceContext } from '../src/services/context.js';
import { startWebhookWorker, type WebhookWorker } from '../src/services/webhooks.js';
import { BULK_ENV } from './support/bulk.js';
import { rawId } from './support/fixtures.js';
import { startServer, type TestServer } from './support/server.js';
import {
  type Customer,
  createCustomer,
  createPartner,
  createUser,
  grantAgent,
  type Partner,
  signIn,
} from './support/world.js';

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

let s: TestServer;
let partner: Partner;
let customer: Customer;
let agent: string;
let receiver: Server;
let receiverUrl: string;
let received: Received[] = [];
let answer = 204;
let workers: WebhookWorker[];

beforeAll(async () => {
  s = await startServer({ ...BULK_ENV, WEBHOOK_ALLOW_PRIVATE: '1' });
  partner = await createPartner(s);
  customer = await createCustomer(s, partner, [['O365_BUSINESS_ESSENTIALS', 5]]);
  agent = (await grantAgent(s, partner, customer, ['USER_ADMINISTRATOR'])).agentToken;
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.statusCode = answer;
      res.end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
  const options = { key: credentialsKey(loadConfig(BULK_ENV)), allowPrivate: true, autoStart: false };
  workers = [startWebhookWorker(s.database.db, s.clock, options), startWebhookWorker(s.database.db, s.clock, options)];
});
afterAll(async () => {
  await new Promise<void>((resolve) => receiver.close(() => resolve()));
  await s.close();
});

let subscription: { id: string; secret: string } | undefined;
beforeEach(async () => {
  received = [];
  answer = 204;
  if (subscription) {
    await s.ok(
      `mutation($i: WebhookSubscriptionIdInput!) { deleteWebhookSubscription(input: $i) { userErrors { message } } }`,
      { i: { subscriptionId: subscription.id } },
      partner.adminToken,
    );
  }
  const d = await s.ok(
    `mutation($i: CreateWebhookSubscriptionInput!) { createWebhookSubscription(input: $i) {
      subscription { id eventTypes } secret userErrors { field code message } } }`,
    { i: { url: receiverUrl, eventTypes: ['USER_CREATED', 'USER_DELETED', 'USER_PASSWORD_RESET'] } },
    partner.adminToken,
  );
  expect(d.createWebhookSubscription.userErrors).toEqual([]);
  subscription = { id: d.createWebhookSubscription.subscription.id, secret: d.createWebhookSubscription.secret };
});

const verify = (r: Received, secret = subscription!.secret) =>
  new Webhook(secret).verify(r.body, r.headers as Record<string, string>) as {
    type: string;
    data: Record<string, any>;
  };

const DELIVERIES = `{ viewer { agent { partner { webhookSubscriptions { id
  deliveries(first: 10) { edges { node { id webhookId eventType status attempts lastStatusCode } } } } } } } }`;
async function deliveries() {
  const d = await s.ok(DELIVERIES, {}, partner.adminToken);
  return d.viewer.agent.partner.webhookSubscriptions
    .find((x: any) => x.id === subscription!.id)
    .deliveries.edges.map((e: any) => e.node);
}

describe('webhooks', () => {
  it('sends a signed event the library verifies, with no password in it', async () => {
    const user = await createUser(s, agent, customer);
    expect(await workers[0]!.runOnce()).toBe(1);
    expect(received).toHaveLength(1);
    const event = verify(received[0]!);
    expect(event).toMatchObject({
      type: 'user.created',
      data: { customerId: customer.id, userId: user.id, targetName: user.userPrincipalName, actor: { kind: 'AGENT' } },
    });
    expect(received[0]!.body).not.toContain(user.temporaryPassword);
    expect(() => verify(received[0]!, `whsec_${Buffer.alloc(32, 1).toString('base64')}`)).toThrow();
    expect(await deliveries()).toEqual([
      expect.objectContaining({ eventType: 'USER_CREATED', status: 'SUCCEEDED', attempts: 1, lastStatusCode: 204 }),
    ]);
  });

  it('a receiver that is down gets the delivery later, with the same webhook-id', async () => {
    answer = 503;
    await createUser(s, agent, customer);
    await workers[0]!.runOnce();
    expect(await deliveries()).toEqual([
      expect.objectContaining({ status: 'PENDING', attempts: 1, lastStatusCode: 503 }),
    ]);
    // Not due yet: nothing is sent before the backoff.
    expect(await workers[0]!.runOnce()).toBe(0);
    answer = 200;
    s.travel(5_000);
    expect(await workers[1]!.runOnce()).toBe(1);
    expect(received).toHaveLength(2);
    expect(received[1]!.headers['webhook-id']).toBe(received[0]!.headers['webhook-id']);
    expect(verify(received[1]!).type).toBe('user.created');
    expect(await deliveries()).toEqual([expect.objectContaining({ status: 'SUCCEEDED', attempts: 2 })]);
  });

  it('a change that rolls back sends nothing', async () => {
    const [before] = await s.database.db.select({ n: count() }).from(webhookDeliveries);
    const ctx = serviceContext(s.database.db, s.clock);
    await expect(
      inTransaction(ctx, async (tx) => {
        await recordAudit(tx, { customerId: rawId(customer.id), action: 'CREATE_USER', outcome: 'SUCCESS' });
        throw new Error('the change fails after its audit event');
      }),
    ).rejects.toThrow('the change fails');
    const [after] = await s.database.db.select({ n: count() }).from(webhookDeliveries);
    expect(after!.n).toBe(before!.n);
    expect(await workers[0]!.runOnce()).toBe(0);
  });

  it('sends no customer data of a customer the partner has no active relationship with', async () => {
    const stranger = await createCustomer(s, partner);
    await inTransaction(serviceContext(s.database.db, s.clock), (tx) =>
      recordAudit(tx, { customerId: rawId(stranger.id), action: 'CREATE_USER', outcome: 'SUCCESS' }),
    );
    expect(await workers[0]!.runOnce()).toBe(0);
    expect(received).toEqual([]);
  });

  it('refuses private destinations at connect time unless allowed (a name resolving to loopback)', async () => {
    const d = await s.ok(
      `mutation($i: CreateWebhookSubscriptionInput!) { createWebhookSubscription(input: $i) { subscription { id } } }`,
      { i: { url: receiverUrl.replace('127.0.0.1', 'localhost'), eventTypes: ['USER_CREATED'] } },
      partner.adminToken,
    );
    const strict = startWebhookWorker(s.database.db, s.clock, {
      key: credentialsKey(loadConfig(BULK_ENV)),
      allowPrivate: false,
      autoStart: false,
    });
    await createUser(s, agent, customer);
    expect(await strict.runOnce()).toBe(2);
    // Only the subscription on 127.0.0.1 is a literal address: refused too, before any connection.
    expect(received).toEqual([]);
    const log = await s.ok(
      `{ viewer { agent { partner { webhookSubscriptions { url deliveries(first: 1) { edges { node { status lastError } } } } } } } }`,
      {},
      partner.adminToken,
    );
    for (const sub of log.viewer.agent.partner.webhookSubscriptions)
      expect(sub.deliveries.edges[0].node).toMatchObject({
        status: 'PENDING',
        lastError: expect.stringMatching(/private address/),
      });
    await s.ok(
      `mutation($i: WebhookSubscriptionIdInput!) { deleteWebhookSubscription(input: $i) { userErrors { message } } }`,
      { i: { subscriptionId: d.createWebhookSubscription.subscription.id } },
      partner.adminToken,
    );
  });

  it('two workers send each event once', async () => {
    for (let i = 0; i < 12; i++) await createUser(s, agent, customer);
    const sent = await Promise.all([workers[0]!.runOnce(), workers[1]!.runOnce()]);
    while ((await Promise.all([workers[0]!.runOnce(), workers[1]!.runOnce()])).some((n) => n > 0));
    expect(sent[0]! + sent[1]!).toBeGreaterThan(0);
    expect(received).toHaveLength(12);
    expect(new Set(received.map((r) => r.headers['webhook-id'])).size).toBe(12);
  });

  it('after a rotation both secrets sign, and only the new one after 24 hours', async () => {
    const old = subscription!.secret;
    const d = await s.ok(
      `mutation($i: WebhookSubscriptionIdInput!) { rotateWebhookSecret(input: $i) { secret subscription { previousSecretExpiresAt } } }`,
      { i: { subscriptionId: subscription!.id } },
      partner.adminToken,
    );
    const fresh = d.rotateWebhookSecret.secret;
    expect(fresh).not.toBe(old);
    await createUser(s, agent, customer);
    await workers[0]!.runOnce();
    expect(verify(received[0]!, old).type).toBe('user.created');
    expect(verify(received[0]!, fresh).type).toBe('user.created');
    s.travel(24 * 3_600_000 + 1000);
    // The agent's token has expired meanwhile: the event comes from a purge-like system change instead.
    const ctx = serviceContext(s.database.db, s.clock);
    await inTransaction(ctx, (tx) =>
      recordAudit(tx, { customerId: rawId(customer.id), action: 'DELETE_USER', outcome: 'SUCCESS', details: {} }),
    );
    await workers[0]!.runOnce();
    expect(received).toHaveLength(2);
    expect(verify(received[1]!, fresh).type).toBe('user.deleted');
    expect(() => verify(received[1]!, old)).toThrow();
    subscription!.secret = fresh;
  });

  it('announces a relationship that reached its end, once', async () => {
    const d = await s.ok(
      `mutation($i: CreateWebhookSubscriptionInput!) { createWebhookSubscription(input: $i) { subscription { id } secret } }`,
      { i: { url: receiverUrl, eventTypes: ['RELATIONSHIP_EXPIRED'] } },
      partner.adminToken,
    );
    const secret = d.createWebhookSubscription.secret;
    const short = await grantAgent(s, partner, customer, ['DIRECTORY_READERS'], { durationDays: 1 });
    await workers[0]!.runOnce();
    expect(received).toEqual([]);
    s.travel(2 * 86_400_000);
    await workers[0]!.runOnce();
    await workers[1]!.runOnce();
    expect(received).toHaveLength(1);
    expect(verify(received[0]!, secret)).toMatchObject({
      type: 'relationship.expired',
      data: { customerId: customer.id, relationshipId: short.relationshipId },
    });
    await s.ok(
      `mutation($i: WebhookSubscriptionIdInput!) { deleteWebhookSubscription(input: $i) { userErrors { message } } }`,
      { i: { subscriptionId: d.createWebhookSubscription.subscription.id } },
      await signIn(s, partner.adminEmail),
    );
  });

  it('gives up after 24 hours of refusals (FAILED); redeliverWebhook sends it again', async () => {
    answer = 500;
    await createUser(s, agent, customer);
    let elapsed = 0;
    while (elapsed < 25 * 3_600_000) {
      await workers[0]!.runOnce();
      s.travel(3_600_000);
      elapsed += 3_600_000;
    }
    // The fixtures' tokens expired with the clock a day on: the admin signs in again.
    partner.adminToken = await signIn(s, partner.adminEmail);
    const [failed] = await deliveries();
    expect(failed).toMatchObject({ status: 'FAILED', lastStatusCode: 500 });
    expect(failed.attempts).toBeGreaterThan(5);
    answer = 204;
    const d = await s.ok(
      `mutation($i: RedeliverWebhookInput!) { redeliverWebhook(input: $i) { delivery { status } userErrors { message } } }`,
      { i: { deliveryId: failed.id } },
      partner.adminToken,
    );
    expect(d.redeliverWebhook).toEqual({ delivery: { status: 'PENDING' }, userErrors: [] });
    const before = received.length;
    expect(await workers[0]!.runOnce()).toBe(1);
    expect(received).toHaveLength(before + 1);
    expect(received.at(-1)!.headers['webhook-id']).toBe(failed.webhookId);
    expect(await deliveries()).toEqual([expect.objectContaining({ status: 'SUCCEEDED' })]);
  });
});
