// The bulk-import benchmark: a 10 000-row file uploaded through GraphQL (multipart), validated, then created by one
// job runner; the rows/s are set against the argon2id hash rate measured in the same process with the same
// parallelism, since hashing is the cost of every row.
//   npx tsx bench/import.ts                      embedded PGlite (in memory)
//   TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npx tsx bench/import.ts     a fresh PostgreSQL database
//   --rows N  (default 10000)   --batch N (rows per transaction, default 50)
import { availableParallelism, loadavg } from 'node:os';
import { generateTemporaryPassword, hashPassword } from '../src/auth/passwords.js';
import { BULK_ENV, runner, templateCsv, uploadCsv, waitForJob } from '../test/support/bulk.js';
import { startServer } from '../test/support/server.js';
import { createCustomer, createPartner, grantAgent } from '../test/support/world.js';

const args = process.argv.slice(2);
const arg = (name: string, fallback: number) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const rows = arg('--rows', 10_000);
const batchSize = arg('--batch', 50);
const concurrency = availableParallelism();

async function hashRate(count: number): Promise<number> {
  const passwords = Array.from({ length: count }, () => generateTemporaryPassword());
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < passwords.length) await hashPassword(passwords[next++]!);
    }),
  );
  return count / ((performance.now() - started) / 1000);
}

const s = await startServer({ ...BULK_ENV, MAX_UPLOAD_BYTES: String(64 * 1024 * 1024) });
try {
  const partner = await createPartner(s);
  const customer = await createCustomer(s, partner, [['O365_BUSINESS_ESSENTIALS', rows]]);
  const agent = await grantAgent(s, partner, customer, ['USER_ADMINISTRATOR']);
  const csv = templateCsv(customer.domain, rows, (i) => (i % 2 ? ['FR', 'O365_BUSINESS_ESSENTIALS'] : ['', '']), [
    'Usage location',
    'Licenses',
  ]);

  // Measured before and after the job: on a shared machine the rate drifts, and the job lies between the two.
  const hashesBefore = await hashRate(Math.min(400, rows));

  const uploadStarted = performance.now();
  const r = await uploadCsv(s, agent.agentToken, customer.id, csv);
  const validateSeconds = (performance.now() - uploadStarted) / 1000;
  if (!r.data?.importUsers?.job) throw new Error(`import refused: ${JSON.stringify(r)}`);

  const jobs = runner(s, { batchSize, concurrency });
  const runStarted = performance.now();
  const job = await waitForJob(s, agent.agentToken, r.data.importUsers.job.id, 3_600_000);
  const runSeconds = (performance.now() - runStarted) / 1000;
  await jobs.stop();
  if (job.succeeded !== rows) throw new Error(`expected ${rows} users, got ${JSON.stringify(job)}`);
  const hashesAfter = await hashRate(Math.min(400, rows));
  const hashesPerSecond = (hashesBefore + hashesAfter) / 2;

  const rowsPerSecond = rows / runSeconds;
  const db = s.database.kind === 'pglite' ? 'PGlite' : 'PostgreSQL';
  console.log(
    JSON.stringify(
      {
        db,
        rows,
        batchSize,
        concurrency,
        validateSeconds,
        runSeconds,
        rowsPerSecond,
        hashesBefore,
        hashesAfter,
        load: loadavg()[0],
      },
      (_, v) => (typeof v === 'number' ? Math.round(v * 10) / 10 : v),
    ),
  );
  console.log(
    `| ${db} | ${rows} rows (half licensed) | validation ${validateSeconds.toFixed(1)} s | job ${runSeconds.toFixed(1)} s: **${rowsPerSecond.toFixed(0)} rows/s** | argon2id ${hashesPerSecond.toFixed(0)} hashes/s (${concurrency} at once) | ${((100 * rowsPerSecond) / hashesPerSecond).toFixed(0)} % of the hash rate |`,
  );
} finally {
  await s.close();
}
