// A server killed in the middle of a 600-row import (volume is measured by bench/, not here): when runners come back, the job finishes and every valid row
// is created exactly once (each row's outcome is committed with its user; the dead runner's lease expires).

import { parse } from 'csv-parse/sync';
import { and, countDistinct, eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { bulkJobRows } from '../src/db/schema.js';
import { LEASE_MS } from '../src/services/bulk/runner.js';
import { BULK_ENV, JOB, runner, templateCsv, uploadCsv, waitForJob } from './support/bulk.js';
import { rawId } from './support/fixtures.js';
import { startServer, type TestServer } from './support/server.js';
import { createCustomer, createPartner, grantAgent } from './support/world.js';

let s: TestServer;
beforeAll(async () => {
  s = await startServer(BULK_ENV);
});
afterAll(() => s.close());

const ROWS = 600;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

it('finishes a job after its runner died mid-way, creating every valid row exactly once', {
  timeout: 120_000,
}, async () => {
  const partner = await createPartner(s);
  const customer = await createCustomer(s, partner, [['O365_BUSINESS_ESSENTIALS', ROWS]]);
  const { agentToken } = await grantAgent(s, partner, customer, ['USER_ADMINISTRATOR']);
  // Every 200th row is refused by validation; every 10th asks for a licence.
  const csv = templateCsv(customer.domain, ROWS, (i) => (i % 10 ? ['', ''] : ['FR', 'O365_BUSINESS_ESSENTIALS']), [
    'Usage location',
    'Licenses',
  ])
    .split('\r\n')
    .map((line, n) => (n > 0 && n % 200 === 0 ? line.replace(/user\d+@/, 'bad..alias@') : line))
    .join('\r\n');
  const bad = ROWS / 200;
  const r = await uploadCsv(s, agentToken, customer.id, csv);
  const jobId = r.data.importUsers.job.id;
  expect(r.data.importUsers.report).toMatchObject({ rows: ROWS, validRows: ROWS - bad, invalidRows: bad });

  const first = runner(s, { batchSize: 50 });
  let job = (await s.ok(JOB, { id: jobId }, agentToken)).node;
  while (job.processed < 200) {
    await sleep(20);
    job = (await s.ok(JOB, { id: jobId }, agentToken)).node;
  }
  await first.stop();

  const halted = (await s.ok(JOB, { id: jobId }, agentToken)).node;
  expect(halted.status).toBe('RUNNING');
  expect(halted.processed).toBeLessThan(ROWS);
  const created = () =>
    s.database.db.$count(bulkJobRows, and(eq(bulkJobRows.jobId, rawId(jobId)), eq(bulkJobRows.outcome, 'CREATED')));
  const users = async () =>
    (await s.ok(`query($c: ID!) { exportUsers(customerId: $c) { userCount } }`, { c: customer.id }, agentToken))
      .exportUsers.userCount;
  // Nothing half done: every user in the directory has its row marked created, and the counters agree.
  expect(await created()).toBe(halted.succeeded);
  expect(await users()).toBe(1 + halted.succeeded);

  // Two instances come up. The dead runner's lease still holds the job, until it expires.
  const restarted = [runner(s), runner(s)];
  await sleep(500);
  expect((await s.ok(JOB, { id: jobId }, agentToken)).node.processed).toBe(halted.processed);
  s.travel(LEASE_MS + 1_000);

  const done = await waitForJob(s, agentToken, jobId, 100_000);
  await Promise.all(restarted.map((x) => x.stop()));
  expect(done).toMatchObject({ status: 'PARTIAL', total: ROWS, processed: ROWS, succeeded: ROWS - bad, failed: bad });
  expect(await created()).toBe(ROWS - bad);
  expect(await users()).toBe(1 + ROWS - bad);
  const [distinct] = await s.database.db
    .select({ n: countDistinct(bulkJobRows.userId) })
    .from(bulkJobRows)
    .where(eq(bulkJobRows.jobId, rawId(jobId)));
  expect(distinct!.n).toBe(ROWS - bad);
  const exported: string[][] = parse(
    (await s.ok(`query($c: ID!) { exportUsers(customerId: $c) { csv } }`, { c: customer.id }, agentToken)).exportUsers
      .csv,
  );
  const emails = exported.slice(1).map((x) => x[3]!);
  expect(new Set(emails).size).toBe(emails.length);
  const seats = (
    await s.ok(`query($c: ID!) { customer(id: $c) { licenses { consumedSeats } } }`, { c: customer.id }, agentToken)
  ).customer.licenses;
  // Every 200th row is also a 10th one: those licences were never asked for by a valid row.
  expect(seats[0].consumedSeats).toBe(ROWS / 10 - bad);
});
