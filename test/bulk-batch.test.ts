// A bulk job creates each batch of rows in one statement (users/create.ts insertUsers), and falls back to one row at
// a time when the directory refuses a row at creation time (its Email taken, or its SKU's seats gone, since the
// file was checked): then only that row fails, with its reason, and the others are created.
import { and, count, desc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyPassword } from '../src/auth/passwords.js';
import { auditEvents, bulkJobs, users, webhookDeliveries } from '../src/db/schema.js';
import { BULK_ENV, runner, templateCsv, uploadCsv } from './support/bulk.js';
import { rawId } from './support/fixtures.js';
import { startServer, type TestServer } from './support/server.js';
import {
  type Customer,
  createCustomer,
  createPartner,
  createUser,
  type Grant,
  grantAgent,
  lastUseRecorded,
  type Partner,
  skuId,
} from './support/world.js';

let s: TestServer;
let partner: Partner;
let customer: Customer;
let admin: Grant;

beforeAll(async () => {
  s = await startServer(BULK_ENV);
  partner = await createPartner(s);
  customer = await createCustomer(s, partner, [
    ['O365_BUSINESS_ESSENTIALS', 100],
    ['SPB', 5],
  ]);
  admin = await grantAgent(s, partner, customer, ['USER_ADMINISTRATOR', 'PRIVILEGED_ROLE_ADMINISTRATOR']);
}, 120_000);
afterAll(async () => {
  await s?.close();
});

const CREDENTIALS = `mutation($i: BulkJobCredentialsInput!) { bulkJobCredentials(input: $i) {
  credentials { rowNumber userPrincipalName temporaryPassword user { id userPrincipalName } } } }`;
const USER = `query($c: ID!, $u: String!) { customer(id: $c) { user(userPrincipalName: $u) {
  displayName usageLocation roles licenses { sku { partNumber } seated } } } }`;

/** Uploads `csv`, runs a job runner with batches of `batchSize` until the job ends, and stops it. */
async function runJob(csv: string, batchSize: number) {
  const r = await uploadCsv(s, admin.agentToken, customer.id, csv);
  expect(r.data?.importUsers?.userErrors).toEqual([]);
  const jobId = rawId(r.data!.importUsers.job.id);
  await lastUseRecorded(s, admin.agentToken);
  const before = s.database.statements.count;
  // Read with the server's own handle: each read is one statement, taken off the count below.
  let reads = 0;
  const job = async () => {
    reads++;
    const [row] = await s.database.db.select().from(bulkJobs).where(eq(bulkJobs.id, jobId));
    return row!;
  };
  const jobs = runner(s, { batchSize, concurrency: 2, pollMs: 60_000 });
  let done = await job();
  while (!['SUCCEEDED', 'PARTIAL', 'FAILED'].includes(done.status)) {
    await new Promise((r) => setTimeout(r, 20));
    done = await job();
  }
  // After the job the runner looks once for more work and goes to sleep: wait until it has.
  let last = -1;
  while (s.database.statements.count - reads !== last) {
    last = s.database.statements.count - reads;
    await new Promise((r) => setTimeout(r, 300));
  }
  await jobs.stop();
  return { job: done, jobId: r.data!.importUsers.job.id, statements: last - before };
}

describe('a bulk job', () => {
  it('creates each batch in one statement: as many statements for batches of 12 rows as for batches of 3', async () => {
    const csv = (prefix: string, n: number) =>
      templateCsv(
        customer.domain,
        n,
        (i) => ['FR', i % 2 ? 'O365_BUSINESS_ESSENTIALS' : '', i % 3 ? '' : 'Reports reader;Helpdesk administrator'],
        ['Usage location', 'Licenses', 'Roles'],
      ).replaceAll('user', prefix);
    const hook = await s.ok(
      `mutation($i: CreateWebhookSubscriptionInput!) { createWebhookSubscription(input: $i) { userErrors { message } } }`,
      { i: { url: 'https://hooks.example.com/users', eventTypes: ['USER_CREATED'] } },
      partner.adminToken,
    );
    expect(hook.createWebhookSubscription.userErrors).toEqual([]);
    const small = await runJob(csv('small', 6), 3);
    const large = await runJob(csv('large', 24), 12);
    expect(small.job).toMatchObject({ status: 'SUCCEEDED', succeeded: 6, failed: 0 });
    expect(large.job).toMatchObject({ status: 'SUCCEEDED', succeeded: 24, failed: 0 });
    // Two batches each (and the job's claim, its rows' reads and its end). Rows one at a time would cost three
    // statements more a row (54 here); the runner's look for more work after the job may fall on either side.
    expect(Math.abs(large.statements - small.statements)).toBeLessThanOrEqual(2);

    // Each row's credential is its own user's temporary password.
    const credentials = (await s.ok(CREDENTIALS, { i: { jobId: large.jobId } }, admin.agentToken)).bulkJobCredentials
      .credentials;
    expect(credentials).toHaveLength(24);
    for (const c of credentials) expect(c.user.userPrincipalName).toBe(c.userPrincipalName);
    for (const c of credentials.slice(0, 3)) {
      const [u] = await s.database.db
        .select({ hash: users.passwordHash })
        .from(users)
        .where(and(eq(users.customerId, rawId(customer.id)), eq(users.id, rawId(c.user.id))));
      expect(await verifyPassword(u!.hash!, c.temporaryPassword)).toBe(true);
    }

    // What the one statement wrote is what one creation writes.
    for (const i of [1, 2, 3, 24]) {
      const u = (await s.ok(USER, { c: customer.id, u: `large${i}@${customer.domain}` }, admin.agentToken)).customer
        .user;
      expect(u).toEqual({
        displayName: `User ${i}`,
        usageLocation: 'FR',
        roles: i % 3 ? [] : ['HELPDESK_ADMINISTRATOR', 'REPORTS_READER'],
        licenses: i % 2 ? [{ sku: { partNumber: 'O365_BUSINESS_ESSENTIALS' }, seated: true }] : [],
      });
    }
    const seats = await s.ok(
      `query($c: ID!) { customer(id: $c) { licenses { sku { partNumber } consumedSeats } } }`,
      { c: customer.id },
      admin.agentToken,
    );
    const essentials = seats.customer.licenses.find((l: any) => l.sku.partNumber === 'O365_BUSINESS_ESSENTIALS');
    expect(essentials.consumedSeats).toBe(3 + 12);
    const [audited] = await s.database.db
      .select({ n: count() })
      .from(auditEvents)
      .where(and(eq(auditEvents.customerId, rawId(customer.id)), eq(auditEvents.action, 'CREATE_USER')));
    expect(audited!.n).toBe(30); // one a row
    // Newest first, a batch's events come in its rows' order, as written one by one (the test's clock stands still,
    // so the two batches' events share their instants: the first batch's alone are compared).
    const trail = await s.database.db
      .select({ name: auditEvents.targetName })
      .from(auditEvents)
      .where(and(eq(auditEvents.customerId, rawId(customer.id)), eq(auditEvents.action, 'CREATE_USER')))
      .orderBy(desc(auditEvents.at), desc(auditEvents.id));
    const firstBatch = trail.map((e) => Number(/^large(\d+)@/.exec(e.name ?? '')?.[1])).filter((n) => n <= 12);
    expect(firstBatch).toEqual([12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1]);
    // And a user.created webhook event a row, naming its user.
    const sent = await s.database.db
      .select({ payload: webhookDeliveries.payload })
      .from(webhookDeliveries)
      .where(eq(webhookDeliveries.eventType, 'user.created'));
    expect(sent).toHaveLength(30);
    const named = sent.map((d: any) => d.payload.data.targetName).sort();
    expect(named).toContain(`large24@${customer.domain}`);
    expect(new Set(named).size).toBe(30);
  });

  it('creates the rows one by one when the directory refuses one now: only that row fails, with its reason', async () => {
    const csv = templateCsv(customer.domain, 6, (i) => ['FR', i > 3 ? 'SPB' : ''], [
      'Usage location',
      'Licenses',
    ]).replaceAll('user', 'late');
    const r = await uploadCsv(s, admin.agentToken, customer.id, csv);
    expect(r.data?.importUsers?.report).toMatchObject({ validRows: 6, invalidRows: 0 });
    // Since the file was checked: row 3's Email was taken, and 3 of SPB's 5 seats (2 left for rows 4 to 6).
    await createUser(s, admin.agentToken, customer, { userPrincipalName: `late3@${customer.domain}` });
    const spb = await skuId(s, 'SPB', admin.agentToken);
    for (let i = 0; i < 3; i++)
      await createUser(s, admin.agentToken, customer, { usageLocation: 'FR', licenseSkuIds: [spb] });
    const jobs = runner(s, { batchSize: 50, concurrency: 2 });
    const jobId = rawId(r.data!.importUsers.job.id);
    let job = await s.database.db.select().from(bulkJobs).where(eq(bulkJobs.id, jobId));
    while (!['SUCCEEDED', 'PARTIAL', 'FAILED'].includes(job[0]!.status)) {
      await new Promise((r) => setTimeout(r, 50));
      job = await s.database.db.select().from(bulkJobs).where(eq(bulkJobs.id, jobId));
    }
    await jobs.stop();
    expect(job[0]).toMatchObject({ status: 'PARTIAL', succeeded: 4, failed: 2 });
    const rows = await s.ok(
      `query($id: ID!) { node(id: $id) { ... on BulkJob { rows(first: 10, outcome: FAILED) {
        edges { node { rowNumber errors { column code } user { id } } } } } } }`,
      { id: r.data!.importUsers.job.id },
      admin.agentToken,
    );
    expect(rows.node.rows.edges.map((e: any) => e.node)).toEqual([
      { rowNumber: 4, errors: [{ column: 'Email', code: 'UPN_TAKEN' }], user: null },
      { rowNumber: 7, errors: [{ column: 'Licenses', code: 'NO_SEATS' }], user: null },
    ]);
    for (const i of [1, 2, 4, 5]) {
      const u = (await s.ok(USER, { c: customer.id, u: `late${i}@${customer.domain}` }, admin.agentToken)).customer
        .user;
      expect(u.licenses).toEqual(i > 3 ? [{ sku: { partNumber: 'SPB' }, seated: true }] : []);
    }
    const seats = await s.ok(
      `query($c: ID!) { customer(id: $c) { licenses { sku { partNumber } consumedSeats } } }`,
      { c: customer.id },
      admin.agentToken,
    );
    expect(seats.customer.licenses.find((l: any) => l.sku.partNumber === 'SPB').consumedSeats).toBe(5);
  });
});
