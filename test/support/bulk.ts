// Bulk-import helpers: CSV files built in memory, the GraphQL multipart upload as a browser or curl sends it, a job
// runner over the test server's database, and polling a job until it is finished.
import { loadConfig } from '../../src/config.js';
import { credentialsKey } from '../../src/services/bulk/credentials.js';
import { type JobRunner, type JobRunnerOptions, startJobRunner } from '../../src/services/bulk/runner.js';
import type { GqlResult, TestServer } from './server.js';

/** One key for the test servers and the runners they share a database with (PostgreSQL needs it from the env). */
export const CREDENTIALS_KEY = '80c29a3a798af4ab4cc2619bd51248ef78e828d2fb7da5b485b40328fa4a7527';
export const BULK_ENV = { CREDENTIALS_KEY };

export function runner(s: TestServer, options: Partial<JobRunnerOptions> = {}): JobRunner {
  return startJobRunner(s.database.db, s.clock, {
    credentialsKey: credentialsKey(loadConfig(BULK_ENV)),
    pollMs: 50,
    ...options,
  });
}

export const IMPORT = `mutation($i: ImportUsersInput!) { importUsers(input: $i) {
  job { id status total processed succeeded failed skipped }
  report { rows validRows invalidRows skippedRows errorCount errors { rowNumber column code message } seats { sku { partNumber } requested available } }
  userErrors { field code message } } }`;

/** importUsers with the file as a multipart upload (the GraphQL multipart request spec). */
export async function uploadCsv(
  s: TestServer,
  token: string,
  customerId: string,
  content: string | Uint8Array,
  opts: { dryRun?: boolean; fileName?: string } = {},
): Promise<GqlResult> {
  const form = new FormData();
  form.append(
    'operations',
    JSON.stringify({ query: IMPORT, variables: { i: { customerId, file: null, dryRun: opts.dryRun ?? false } } }),
  );
  form.append('map', JSON.stringify({ 0: ['variables.i.file'] }));
  form.append(
    '0',
    new Blob([typeof content === 'string' ? content : new Uint8Array(content)], { type: 'text/csv' }),
    opts.fileName ?? 'users.csv',
  );
  // A preflight header, as every browser client of a multipart request must send (CSRF prevention).
  const res = await fetch(s.url, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'graphql-preflight': '1' },
    body: form,
  });
  return (await res.json()) as GqlResult;
}

export const JOB = `query($id: ID!) { node(id: $id) { ... on BulkJob { id status total processed succeeded failed skipped error } } }`;

export async function waitForJob(s: TestServer, token: string, jobId: string, timeoutMs = 300_000): Promise<any> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const job = (await s.ok(JOB, { id: jobId }, token)).node;
    if (['SUCCEEDED', 'PARTIAL', 'FAILED'].includes(job.status)) return job;
    if (Date.now() > until) throw new Error(`job still ${job.status} after ${timeoutMs} ms: ${JSON.stringify(job)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export const TEMPLATE_HEADER = 'First name,Last name,Display name,Email,Status update';

/** A template file of n rows (line i + 1 holds user i), with optional extra columns after the template's. */
export function templateCsv(
  domain: string,
  n: number,
  row: (i: number) => string[] = () => [],
  extraHeader: string[] = [],
): string {
  const lines = [[TEMPLATE_HEADER, ...extraHeader].join(',')];
  for (let i = 1; i <= n; i++)
    lines.push([`First${i}`, `Last${i}`, `User ${i}`, `user${i}@${domain}`, '', ...row(i)].join(','));
  return `${lines.join('\r\n')}\r\n`;
}
