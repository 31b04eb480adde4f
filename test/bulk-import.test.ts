// "Add multiple users for a customer account": a partner uploads the bulk template, sees every bad row before
// anything is created, the job creates the rest, and the passwords come back once.
import { parse } from 'csv-parse/sync';
import { and, eq, isNotNull } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bulkJobRows } from '../src/db/schema.js';
import { MAX_ROWS } from '../src/services/bulk/import.js';
import type { JobRunner } from '../src/services/bulk/runner.js';
import { BULK_ENV, IMPORT, JOB, runner, TEMPLATE_HEADER, templateCsv, uploadCsv, waitForJob } from './support/bulk.js';
import { rawId } from './support/fixtures.js';
import { startServer, type TestServer } from './support/server.js';
import {
  type Customer,
  createCustomer,
  createPartner,
  createUser,
  type Grant,
  grantAgent,
  type Partner,
  signIn,
} from './support/world.js';

let s: TestServer;
let partner: Partner;
let customer: Customer;
let admin: Grant;
let jobs: JobRunner;

const CREDENTIALS = `mutation($i: BulkJobCredentialsInput!) { bulkJobCredentials(input: $i) {
  credentials { rowNumber userPrincipalName displayName temporaryPassword user { id userPrincipalName mustChangePassword } }
  userErrors { code message } } }`;
const USER_COUNT = `query($c: ID!) { exportUsers(customerId: $c) { userCount } }`;
const SEATS = `query($c: ID!) { customer(id: $c) { licenses { sku { partNumber } consumedSeats } } }`;

beforeAll(async () => {
  s = await startServer({ ...BULK_ENV, MAX_UPLOAD_BYTES: String(16 * 1024 * 1024), PROGRESS_POLL_MS: '50' });
  partner = await createPartner(s);
  customer = await createCustomer(s, partner, [
    ['O365_BUSINESS_ESSENTIALS', 30],
    ['SPB', 5],
  ]);
  admin = await grantAgent(s, partner, customer, ['USER_ADMINISTRATOR', 'PRIVILEGED_ROLE_ADMINISTRATOR']);
  jobs = runner(s);
});
afterAll(async () => {
  await jobs.stop();
  await s.close();
});

const userCount = async (c: Customer, token = admin.agentToken) =>
  (await s.ok(USER_COUNT, { c: c.id }, token)).exportUsers.userCount;

describe('a 1 000-row file with 20 bad rows', () => {
  let existing: string[];
  let csv: string;
  const expected: { rowNumber: number; column: string; code: string }[] = [];

  beforeAll(async () => {
    existing = [
      (await createUser(s, admin.agentToken, customer)).userPrincipalName,
      (await createUser(s, admin.agentToken, customer)).userPrincipalName,
    ];
    const d = customer.domain;
    // Every 50th row asks for a licence; rows 7, 57, 107, … (lines 8, 58, …) each break one rule.
    const bad: [string, string, (i: number, k: number) => string[]][] = [
      ['Email', 'INVALID_UPN', (i) => [`F${i}`, `L${i}`, `User ${i}`, 'not-an-email', '', '', '']],
      [
        'Email',
        'DOMAIN_NOT_VERIFIED',
        (i) => [`F${i}`, `L${i}`, `User ${i}`, `user${i}@elsewhere.example`, '', '', ''],
      ],
      ['Email', 'DUPLICATE_IN_FILE', (i, k) => [`F${i}`, `L${i}`, `User ${i}`, `USER${k + 1}@${d}`, '', '', '']],
      ['Display name', 'REQUIRED', (i) => [`F${i}`, `L${i}`, '', `user${i}@${d}`, '', '', '']],
      ['Licenses', 'UNKNOWN_SKU', (i) => [`F${i}`, `L${i}`, `User ${i}`, `user${i}@${d}`, '', 'FR', 'NOT_A_SKU']],
      [
        'Usage location',
        'USAGE_LOCATION_REQUIRED',
        (i) => [`F${i}`, `L${i}`, `User ${i}`, `user${i}@${d}`, '', '', 'O365_BUSINESS_ESSENTIALS'],
      ],
      ['Display name', 'TOO_LONG', (i) => [`F${i}`, `L${i}`, 'x'.repeat(51), `user${i}@${d}`, '', '', '']],
      ['Email', 'UPN_TAKEN', (i, k) => [`F${i}`, `L${i}`, `User ${i}`, existing[Math.floor(k / 10)]!, '', '', '']],
      ['Usage location', 'INVALID', (i) => [`F${i}`, `L${i}`, `User ${i}`, `user${i}@${d}`, '', 'XX', '']],
      [
        'Licenses',
        'NOT_SUBSCRIBED',
        (i) => [`F${i}`, `L${i}`, `User ${i}`, `user${i}@${d}`, '', 'FR', 'ENTERPRISEPACK'],
      ],
    ];
    const lines = [`${TEMPLATE_HEADER},Usage location,Licenses`];
    for (let i = 1; i <= 1000; i++) {
      if (i % 50 === 7) {
        const k = Math.floor(i / 50);
        const [column, code, cells] = bad[k % bad.length]!;
        lines.push(cells(i, k).join(','));
        expected.push({ rowNumber: i + 1, column, code });
      } else if (i % 50 === 0) {
        lines.push([`F${i}`, `L${i}`, `User ${i}`, `user${i}@${d}`, '', 'FR', 'O365_BUSINESS_ESSENTIALS'].join(','));
      } else {
        lines.push([`F${i}`, `L${i}`, `User ${i}`, `user${i}@${d}`, '', '', ''].join(','));
      }
    }
    csv = `${lines.join('\r\n')}\r\n`;
  });

  // One story (a preview, then the import): the dry run must come first, so it is one test.
  it('dry run reports exactly the 20 bad rows, with row and column, and creates nothing; the real run then creates the 980, reports the 20, and hands the passwords over once', async () => {
    const before = await userCount(customer);
    const basicSeats = async () =>
      (await s.ok(SEATS, { c: customer.id }, admin.agentToken)).customer.licenses.find(
        (l: any) => l.sku.partNumber === 'O365_BUSINESS_ESSENTIALS',
      ).consumedSeats;
    const seatsBefore = await basicSeats();
    const dry = await uploadCsv(s, admin.agentToken, customer.id, csv, { dryRun: true });
    expect(dry.errors).toBeUndefined();
    const { job: noJob, report, userErrors } = dry.data.importUsers;
    expect(userErrors).toEqual([]);
    expect(noJob).toBeNull();
    expect(report).toMatchObject({ rows: 1000, validRows: 980, invalidRows: 20, errorCount: 20 });
    expect(report.errors.map((e: any) => ({ rowNumber: e.rowNumber, column: e.column, code: e.code }))).toEqual(
      expected,
    );
    expect(report.errors[2].message).toMatch(/USER3@.* is already on line 4 of the file/);
    expect(report.seats).toEqual([
      { sku: { partNumber: 'O365_BUSINESS_ESSENTIALS' }, requested: 20, available: 30 - seatsBefore },
    ]);
    expect(await userCount(customer)).toBe(before);

    // The real run.
    const r = await uploadCsv(s, admin.agentToken, customer.id, csv, { fileName: 'new-hires.csv' });
    const queued = r.data.importUsers.job;
    expect(queued).toMatchObject({ total: 1000, failed: 20, succeeded: 0 });
    expect(['QUEUED', 'RUNNING']).toContain(queued.status);

    const job = await waitForJob(s, admin.agentToken, queued.id);
    expect(job).toMatchObject({
      status: 'PARTIAL',
      total: 1000,
      processed: 1000,
      succeeded: 980,
      failed: 20,
      skipped: 0,
    });
    expect(await userCount(customer)).toBe(before + 980);
    expect(await basicSeats()).toBe(seatsBefore + 20);

    const failed = await s.ok(
      `query($id: ID!) { node(id: $id) { ... on BulkJob { fileName rows(first: 100, outcome: FAILED) { edges { node { rowNumber errors { column code } user { id } } } } } } }`,
      { id: queued.id },
      admin.agentToken,
    );
    expect(failed.node.fileName).toBe('new-hires.csv');
    expect(
      failed.node.rows.edges.map((e: any) => ({
        rowNumber: e.node.rowNumber,
        ...e.node.errors[0],
        n: e.node.errors.length,
        user: e.node.user,
      })),
    ).toEqual(expected.map((x) => ({ ...x, n: 1, user: null })));

    // The result is the partner's own file with Status update filled on every row.
    const result = (
      await s.ok(
        `query($id: ID!) { node(id: $id) { ... on BulkJob { resultCsv } } }`,
        { id: queued.id },
        admin.agentToken,
      )
    ).node.resultCsv;
    const records: string[][] = parse(result);
    const original: string[][] = parse(csv);
    expect(records).toHaveLength(1001);
    expect(records[0]).toEqual(original[0]);
    for (let i = 1; i <= 1000; i++) {
      expect(records[i]!.filter((_, c) => c !== 4)).toEqual(original[i]!.filter((_, c) => c !== 4));
      const bad = expected.find((x) => x.rowNumber === i + 1);
      expect(records[i]![4]).toMatch(bad ? /^Not created: / : /^Created$/);
    }

    const first = (await s.ok(CREDENTIALS, { i: { jobId: queued.id } }, admin.agentToken)).bulkJobCredentials;
    expect(first.userErrors).toEqual([]);
    expect(first.credentials).toHaveLength(980);
    expect(new Set(first.credentials.map((c: any) => c.userPrincipalName)).size).toBe(980);
    const one = first.credentials.find((c: any) => c.userPrincipalName === `user1@${customer.domain}`);
    expect(one).toMatchObject({
      rowNumber: 2,
      displayName: 'User 1',
      user: { userPrincipalName: `user1@${customer.domain}`, mustChangePassword: true },
    });
    const signIn = await s.ok(
      `mutation($i: SignInInput!) { signIn(input: $i) { token mustChangePassword userErrors { code } } }`,
      { i: { email: one.userPrincipalName, password: one.temporaryPassword } },
    );
    expect(signIn.signIn).toMatchObject({ mustChangePassword: true, userErrors: [] });

    const second = (await s.ok(CREDENTIALS, { i: { jobId: queued.id } }, admin.agentToken)).bulkJobCredentials;
    expect(second).toEqual({ credentials: [], userErrors: [] });
    expect(
      await s.database.db.$count(
        bulkJobRows,
        and(eq(bulkJobRows.jobId, rawId(queued.id)), isNotNull(bulkJobRows.credential)),
      ),
    ).toBe(0);
  });
});

describe('the file as people save it', () => {
  it('takes ; with a BOM, headers in any order and case, Excel quoting, and gives the file back the same way', async () => {
    const d = customer.domain;
    const csv =
      '\uFEFFemail;DISPLAY NAME;Usage Location;licences;Job title;roles\r\n' +
      `quote@${d};"Smith; ""JJ""";fr;"O365_BUSINESS_ESSENTIALS;SPB";Head of Sales;\r\n` +
      `\r\n` +
      `helpdesk@${d};Help Desk;;;;Helpdesk Administrator\r\n`;
    const r = await s.ok(IMPORT, { i: { customerId: customer.id, csv } }, admin.agentToken);
    expect(r.importUsers.userErrors).toEqual([]);
    expect(r.importUsers.report).toMatchObject({ rows: 2, validRows: 2 });
    const job = await waitForJob(s, admin.agentToken, r.importUsers.job.id);
    expect(job.status).toBe('SUCCEEDED');
    const user = await s.ok(
      `query($c: ID!, $u: String!) { customer(id: $c) { user(userPrincipalName: $u) { displayName jobTitle usageLocation licenses { sku { partNumber } } roles } } }`,
      { c: customer.id, u: `quote@${d}` },
      admin.agentToken,
    );
    expect(user.customer.user).toEqual({
      displayName: 'Smith; "JJ"',
      jobTitle: 'Head of Sales',
      usageLocation: 'FR',
      licenses: [{ sku: { partNumber: 'O365_BUSINESS_ESSENTIALS' } }, { sku: { partNumber: 'SPB' } }],
      roles: [],
    });
    const helpdesk = await s.ok(
      `query($c: ID!, $u: String!) { customer(id: $c) { user(userPrincipalName: $u) { roles } } }`,
      { c: customer.id, u: `helpdesk@${d}` },
      admin.agentToken,
    );
    expect(helpdesk.customer.user.roles).toEqual(['HELPDESK_ADMINISTRATOR']);

    const result = (
      await s.ok(
        `query($id: ID!) { node(id: $id) { ... on BulkJob { resultCsv rows { edges { node { rowNumber } } } } } }`,
        { id: job.id },
        admin.agentToken,
      )
    ).node;
    expect(result.rows.edges.map((e: any) => e.node.rowNumber)).toEqual([2, 4]);
    expect(
      result.resultCsv.startsWith('\uFEFFemail;DISPLAY NAME;Usage Location;licences;Job title;roles;Status update\r\n'),
    ).toBe(true);
    expect(parse(result.resultCsv, { bom: true, delimiter: ';' })[1]).toEqual([
      `quote@${d}`,
      'Smith; "JJ"',
      'fr',
      'O365_BUSINESS_ESSENTIALS;SPB',
      'Head of Sales',
      '',
      'Created',
    ]);
  });

  it('numbers rows by the line where they start, also after a cell with a line break', async () => {
    const csv = `${TEMPLATE_HEADER},Job title\n"A","B","C",a1@${customer.domain},,"two\nlines"\nD,E,F,bad,,\n`;
    const r = await s.ok(IMPORT, { i: { customerId: customer.id, csv, dryRun: true } }, admin.agentToken);
    expect(r.importUsers.report.errors.map((e: any) => [e.rowNumber, e.column, e.code])).toEqual([
      [2, 'Job title', 'INVALID'],
      [4, 'Email', 'INVALID_UPN'],
    ]);
  });
});

describe('seats', () => {
  it('refuses a file asking for more seats than the subscriptions have, before anything is created', async () => {
    const small = await createCustomer(s, partner, [['SPB', 5]]);
    const g = await grantAgent(s, partner, small, ['USER_ADMINISTRATOR']);
    const csv = templateCsv(small.domain, 6, () => ['FR', 'SPB'], ['Usage location', 'Licenses']);
    const dry = (await uploadCsv(s, g.agentToken, small.id, csv, { dryRun: true })).data.importUsers;
    expect(dry.report.seats).toEqual([{ sku: { partNumber: 'SPB' }, requested: 6, available: 5 }]);
    const real = (await uploadCsv(s, g.agentToken, small.id, csv)).data.importUsers;
    expect(real.job).toBeNull();
    expect(real.userErrors).toEqual([
      {
        field: ['file'],
        code: 'NO_SEATS',
        message: expect.stringMatching(/asks for 6 seats of Microsoft 365 Business Premium \(SPB\); 5 are free/),
      },
    ]);
    expect(await userCount(small, g.agentToken)).toBe(1);
  });
});

describe('malformed files', () => {
  const refusals: [string, string | Uint8Array, RegExp, string?][] = [
    [
      'binary',
      new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52]),
      /binary/,
    ],
    ['not UTF-8', new Uint8Array([0x45, 0x6d, 0x61, 0x69, 0x6c, 0x0a, 0xe9, 0xe9, 0xff, 0x0a]), /not UTF-8/],
    ['empty', '', /empty/],
    ['blank', '\uFEFF \r\n\r\n', /empty/],
    ['header only', `${TEMPLATE_HEADER}\r\n`, /header but no rows/],
    [
      'a 10 MB cell',
      `${TEMPLATE_HEADER}\r\nA,B,"${'x'.repeat(10 * 1024 * 1024)}",a@b.example,\r\n`,
      /Line 2: a cell is longer than 65536 characters/,
    ],
    [
      'mixed delimiters in the rows',
      `${TEMPLATE_HEADER}\r\nA,B,C,c@d.example,\r\nA;B;C;x@y.example;\r\n`,
      /Line 3: 1 cell\(s\) where the header has 5.*mix delimiters/,
    ],
    [
      'mixed delimiters in the header',
      'First name;Last name,Display name,Email\r\nA;B,C,x@y.example\r\n',
      /mixes "," and ";"/,
    ],
    [
      'unknown columns',
      `${TEMPLATE_HEADER},Shoe size,Pet\r\nA,B,C,c@d.example,,42,cat\r\n`,
      /Unknown columns: "Shoe size", "Pet"/,
    ],
    ['no Email column', 'First name,Last name,Display name\r\nA,B,C\r\n', /no "Email" column/],
    ['an unclosed quote', `${TEMPLATE_HEADER}\r\nA,B,"C,c@d.example,\r\n`, /quoted cell is never closed/],
    ['over 50 000 rows', templateCsv('x.example', 50_001), /more than 50000 rows/, 'LIMIT_EXCEEDED'],
    [
      'a million blank rows',
      `Display name,Email\n${',\n'.repeat(1_000_000)}`,
      /more than 50000 rows \(blank rows count too\)/,
      'LIMIT_EXCEEDED',
    ],
  ];

  it('answers other requests while it reads a large file', async () => {
    // A file of blank rows used to be read without a pause: every other request waited for it.
    const file = uploadCsv(
      s,
      admin.agentToken,
      customer.id,
      `Display name,Email\n${',\n'.repeat(MAX_ROWS - 1)}One,one@${customer.domain}\n`,
      { dryRun: true },
    );
    const order: string[] = [];
    void file.then(() => order.push('file'));
    await new Promise((r) => setTimeout(r, 20));
    await s.ok(`{ viewer { kind } }`, {}, admin.agentToken).then(() => order.push('other'));
    expect((await file).data.importUsers.report).toMatchObject({ rows: 1, validRows: 1 });
    expect(order).toEqual(['other', 'file']);
  });

  it.each(refusals)(
    'refuses %s with a clear error and creates nothing',
    async (_, content, message, code = 'INVALID_FILE') => {
      const before = await userCount(customer);
      const r = await uploadCsv(s, admin.agentToken, customer.id, content);
      expect(r.errors).toBeUndefined();
      expect(r.data.importUsers.job).toBeNull();
      expect(r.data.importUsers.userErrors).toEqual([
        { field: ['file'], code, message: expect.stringMatching(message) },
      ]);
      expect(await userCount(customer)).toBe(before);
    },
  );

  it('refuses an upload over MAX_UPLOAD_BYTES before reading it, and a csv text over the body limit', async () => {
    const big = await uploadCsv(s, admin.agentToken, customer.id, 'x'.repeat(17 * 1024 * 1024));
    expect(big.errors?.[0]?.extensions?.code).toBe('PAYLOAD_TOO_LARGE');
    const text = await s.gql(
      IMPORT,
      { i: { customerId: customer.id, csv: 'x'.repeat(2 * 1024 * 1024) } },
      admin.agentToken,
    );
    expect(text.errors?.[0]?.extensions?.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('names the csv input when the text is at fault', async () => {
    const r = await s.ok(IMPORT, { i: { customerId: customer.id, csv: `${TEMPLATE_HEADER}\n` } }, admin.agentToken);
    expect(r.importUsers.userErrors).toEqual([
      { field: ['csv'], code: 'INVALID_FILE', message: expect.stringMatching(/no rows/) },
    ]);
  });
});

describe('GDAP', () => {
  it('needs CREATE_USER, and the roles of licences and admin roles when the file sets them', async () => {
    const csv = templateCsv(customer.domain, 1, () => ['FR', 'O365_BUSINESS_ESSENTIALS', 'USER_ADMINISTRATOR'], [
      'Usage location',
      'Licenses',
      'Roles',
    ]).replace('user1@', 'gdap1@');
    const licenseAdmin = await grantAgent(s, partner, customer, ['LICENSE_ADMINISTRATOR']);
    const refused = await s.gql(IMPORT, { i: { customerId: customer.id, csv, dryRun: true } }, licenseAdmin.agentToken);
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', task: 'CREATE_USER' });

    const writer = await grantAgent(s, partner, customer, ['DIRECTORY_WRITERS']);
    const noRoles = await s.gql(IMPORT, { i: { customerId: customer.id, csv } }, writer.agentToken);
    expect(noRoles.errors?.[0]?.extensions).toMatchObject({
      code: 'FORBIDDEN',
      task: 'EDIT_USER_ROLES',
      requiredRoles: ['PRIVILEGED_ROLE_ADMINISTRATOR', 'GLOBAL_ADMINISTRATOR'],
    });
    const withoutRoles = await s.ok(
      IMPORT,
      { i: { customerId: customer.id, csv: csv.replace(',USER_ADMINISTRATOR', ',') } },
      writer.agentToken,
    );
    expect(withoutRoles.importUsers.userErrors).toEqual([]);
    const job = await waitForJob(s, writer.agentToken, withoutRoles.importUsers.job.id);
    expect(job).toMatchObject({ status: 'SUCCEEDED', succeeded: 1 });

    // The passwords are the starting agent's alone; another customer's agent does not even see the job.
    const other = await s.gql(CREDENTIALS, { i: { jobId: job.id } }, admin.agentToken);
    expect(other.errors?.[0]).toMatchObject({
      extensions: { code: 'FORBIDDEN' },
      message: expect.stringMatching(/who started the import/),
    });
    const elsewhere = await createCustomer(s, partner);
    const stranger = await grantAgent(s, partner, elsewhere, ['USER_ADMINISTRATOR']);
    expect((await s.gql(JOB, { id: job.id }, stranger.agentToken)).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect(
      (await s.gql(IMPORT, { i: { customerId: customer.id, csv } }, stranger.agentToken)).errors?.[0]?.extensions?.code,
    ).toBe('NOT_FOUND');
    expect(
      (await s.ok(CREDENTIALS, { i: { jobId: job.id } }, writer.agentToken)).bulkJobCredentials.credentials,
    ).toHaveLength(1);
  });
});

/** bulkJobProgress over SSE, as `token` sees it. */
function progressStream(token: string, jobId: string, fields: string): Promise<Response> {
  return fetch(s.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${token}` },
    body: JSON.stringify({
      query: `subscription($id: ID!) { bulkJobProgress(id: $id) { ${fields} } }`,
      variables: { id: jobId },
    }),
  });
}

describe('progress', () => {
  it('streams the job over SSE until it is finished', async () => {
    await jobs.stop();
    const csv = templateCsv(customer.domain, 120).replace(/user(\d+)@/g, 'sse$1@');
    const r = await s.ok(IMPORT, { i: { customerId: customer.id, csv } }, admin.agentToken);
    const res = await progressStream(admin.agentToken, r.importUsers.job.id, 'status processed succeeded total');
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
    // The runner starts only once the first event is out, so that event is the queued job whatever the timing.
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let body = '';
    while (!body.includes('bulkJobProgress')) {
      const { value, done } = await reader.read();
      if (done) break;
      body += decoder.decode(value, { stream: true });
    }
    jobs = runner(s, { batchSize: 20 });
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read())
      body += decoder.decode(chunk.value, { stream: true });
    const events = body
      .split('\n')
      .filter((l) => l.startsWith('data: ') && l.includes('bulkJobProgress'))
      .map((l) => JSON.parse(l.slice(6)).data.bulkJobProgress);
    expect(events[0]).toEqual({ status: 'QUEUED', processed: 0, succeeded: 0, total: 120 });
    expect(events.at(-1)).toEqual({ status: 'SUCCEEDED', processed: 120, succeeded: 120, total: 120 });
    expect(events.length).toBeGreaterThan(2);
    const processed = events.map((e: any) => e.processed);
    expect([...processed].sort((a, b) => a - b)).toEqual(processed);
  });
});

describe('progress of a signed-out watcher', () => {
  it('ends the stream with UNAUTHENTICATED at the next poll once the token is signed out', async () => {
    await jobs.stop();
    const watcher = await grantAgent(s, partner, customer, ['USER_ADMINISTRATOR']);
    const csv = templateCsv(customer.domain, 5).replace(/user(\d+)@/g, 'gone$1@');
    const r = await s.ok(IMPORT, { i: { customerId: customer.id, csv } }, watcher.agentToken);
    const res = await progressStream(watcher.agentToken, r.importUsers.job.id, 'status');
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let body = '';
    while (!body.includes('QUEUED')) body += decoder.decode((await reader.read()).value, { stream: true });
    // The job stays queued (no runner): only the sign-out can end the stream.
    expect((await s.ok(`mutation { signOut { ok } }`, {}, watcher.agentToken)).signOut.ok).toBe(true);
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read())
      body += decoder.decode(chunk.value, { stream: true });
    expect(body).toContain('UNAUTHENTICATED');
    // Finished now, so that no later test meets its rows.
    jobs = runner(s, { batchSize: 20 });
    await waitForJob(s, admin.agentToken, r.importUsers.job.id);
  });
});

/** Starts an import of `rows` users named `prefix…` in batches of 10 and returns once its first batch is done. */
async function importPastFirstBatch(token: string, prefix: string, rows: number): Promise<string> {
  await jobs.stop();
  const csv = templateCsv(customer.domain, rows).replace(/user(\d+)@/g, `${prefix}$1@`);
  const r = await s.ok(IMPORT, { i: { customerId: customer.id, csv } }, token);
  jobs = runner(s, { batchSize: 10 });
  for (let job = (await s.ok(JOB, { id: r.importUsers.job.id }, admin.agentToken)).node; job.processed < 10; ) {
    await new Promise((done) => setTimeout(done, 20));
    job = (await s.ok(JOB, { id: r.importUsers.job.id }, admin.agentToken)).node;
  }
  return r.importUsers.job.id;
}

describe('access ending during an import', () => {
  it('stops the job at the next batch: the rows left fail naming why, and none of them is created', async () => {
    const g = await grantAgent(s, partner, customer, ['USER_ADMINISTRATOR']);
    const jobId = await importPastFirstBatch(g.agentToken, 'ended', 300);
    await s.ok(
      `mutation($i: TerminateGdapRelationshipInput!) { terminateGdapRelationship(input: $i) { userErrors { message } } }`,
      { i: { relationshipId: g.relationshipId } },
      partner.adminToken,
    );
    const job = await waitForJob(s, admin.agentToken, jobId);
    expect(job.status).toBe('PARTIAL');
    expect(job.succeeded).toBeLessThan(300);
    expect(job.succeeded + job.failed).toBe(300);
    const failed = await s.ok(
      `query($id: ID!) { node(id: $id) { ... on BulkJob { rows(first: 5, outcome: FAILED) { edges { node { errors { code } user { id } } } } } } }`,
      { id: job.id },
      admin.agentToken,
    );
    expect(failed.node.rows.edges[0].node).toEqual({ errors: [{ code: 'NOT_FOUND' }], user: null });
    const created = await s.ok(
      `query($c: ID!) { customer(id: $c) { users(first: 500, filter: {search: "ended"}) { edges { node { id } } } } }`,
      { c: customer.id },
      admin.agentToken,
    );
    expect(created.customer.users.edges).toHaveLength(job.succeeded);
  });
});

describe('offboarding during an import', () => {
  it("a disabled agent's import stops at the next batch: the rows left fail saying so, and none of them is created", async () => {
    const g = await grantAgent(s, partner, customer, ['USER_ADMINISTRATOR']);
    const jobId = await importPastFirstBatch(g.agentToken, 'offboarded', 120);
    await s.ok(
      `mutation($id: ID!) { disableAgent(input: {agentId: $id}) { userErrors { message } } }`,
      { id: g.agentId },
      partner.adminToken,
    );
    const job = await waitForJob(s, admin.agentToken, jobId);
    expect(job.status).toBe('PARTIAL');
    expect(job.succeeded).toBeLessThan(120);
    expect(job.succeeded + job.failed).toBe(120);
    expect(job.error).toBe('The agent who started this import was disabled: the rest of the file was not imported.');
    const failed = await s.ok(
      `query($id: ID!) { node(id: $id) { ... on BulkJob { rows(first: 1, outcome: FAILED) { edges { node { errors { code message } user { id } } } } } } }`,
      { id: job.id },
      admin.agentToken,
    );
    expect(failed.node.rows.edges[0].node).toEqual({ errors: [{ code: 'FORBIDDEN', message: job.error }], user: null });
    const created = await s.ok(
      `query($c: ID!) { customer(id: $c) { users(first: 500, filter: {search: "offboarded"}) { edges { node { id } } } } }`,
      { c: customer.id },
      admin.agentToken,
    );
    expect(created.customer.users.edges).toHaveLength(job.succeeded);
  });

  it("a reset of the agent's password (a suspect account) stops its import too", async () => {
    const g = await grantAgent(s, partner, customer, ['USER_ADMINISTRATOR']);
    const jobId = await importPastFirstBatch(g.agentToken, 'suspect', 60);
    await s.ok(
      `mutation($id: ID!) { resetAgentPassword(input: {agentId: $id}) { userErrors { message } } }`,
      { id: g.agentId },
      partner.adminToken,
    );
    const job = await waitForJob(s, admin.agentToken, jobId);
    expect(job).toMatchObject({
      status: 'PARTIAL',
      error: 'The password of the agent who started this import was reset: the rest of the file was not imported.',
    });
    expect(job.succeeded).toBeLessThan(60);
  });
});

describe('export', () => {
  it('writes the import columns plus State, and re-imports into another customer once the domain is changed', async () => {
    const source = await createCustomer(s, partner, [['O365_BUSINESS_ESSENTIALS', 5]]);
    const target = await createCustomer(s, partner, [['O365_BUSINESS_ESSENTIALS', 5]]);
    const g = await grantAgent(s, partner, source, ['USER_ADMINISTRATOR', 'PRIVILEGED_ROLE_ADMINISTRATOR']);
    const t = await grantAgent(s, partner, target, ['USER_ADMINISTRATOR', 'PRIVILEGED_ROLE_ADMINISTRATOR']);
    const csv =
      'First name,Last name,Display name,Email,Usage location,Licenses,Roles,Job title,Department,City,Mobile phone\r\n' +
      `Ann,Lee,Ann Lee,ann@${source.domain},FR,O365_BUSINESS_ESSENTIALS,HELPDESK_ADMINISTRATOR,CFO,Finance,Lyon,+33 6 00 00 00 00\r\n` +
      `Bob,Ray,"Ray, Bob",bob@${source.domain},,,,,,,\r\n` +
      `Cy,Doe,Cy Doe,cy@${source.domain},,,,,,,\r\n`;
    const r = await s.ok(IMPORT, { i: { customerId: source.id, csv } }, g.agentToken);
    await waitForJob(s, g.agentToken, r.importUsers.job.id);
    const cy = await s.ok(
      `query($c: ID!) { customer(id: $c) { user(userPrincipalName: "cy@${source.domain}") { id } } }`,
      { c: source.id },
      g.agentToken,
    );
    await s.ok(
      `mutation($i: DeleteUserInput!) { deleteUser(input: $i) { userErrors { message } } }`,
      { i: { userId: cy.customer.user.id } },
      g.agentToken,
    );

    const active = (
      await s.ok(`query($c: ID!) { exportUsers(customerId: $c) { csv userCount } }`, { c: source.id }, g.agentToken)
    ).exportUsers;
    expect(active.userCount).toBe(3);
    const all = (
      await s.ok(
        `query($c: ID!) { exportUsers(customerId: $c, includeDeleted: true) { csv userCount } }`,
        { c: source.id },
        g.agentToken,
      )
    ).exportUsers;
    expect(all.userCount).toBe(4);
    const records: string[][] = parse(all.csv);
    expect(records[0]).toEqual([
      'First name',
      'Last name',
      'Display name',
      'Email',
      'Status update',
      'Usage location',
      'Licenses',
      'Roles',
      'Job title',
      'Department',
      'Office',
      'Office phone',
      'Mobile phone',
      'Street address',
      'City',
      'State or province',
      'Postal code',
      'Country or region',
      'Alternate email',
      'State',
    ]);
    expect(records.find((x) => x[3] === `ann@${source.domain}`)).toEqual([
      'Ann',
      'Lee',
      'Ann Lee',
      `ann@${source.domain}`,
      '',
      'FR',
      'O365_BUSINESS_ESSENTIALS',
      'HELPDESK_ADMINISTRATOR',
      'CFO',
      'Finance',
      '',
      '',
      "'+33 6 00 00 00 00",
      '',
      'Lyon',
      '',
      '',
      '',
      '',
      'ACTIVE',
    ]);
    expect(records.find((x) => x[3] === `cy@${source.domain}`)!.at(-1)).toBe('INACTIVE');

    const moved = all.csv.replaceAll(`@${source.domain}`, `@${target.domain}`);
    const again = await s.ok(IMPORT, { i: { customerId: target.id, csv: moved } }, t.agentToken);
    expect(again.importUsers.userErrors).toEqual([]);
    // The target has its own admin@ already; every other row is taken as it is, the deleted one skipped.
    expect(again.importUsers.report).toMatchObject({ rows: 4, validRows: 2, skippedRows: 1, invalidRows: 1 });
    expect(again.importUsers.report.errors).toEqual([
      { rowNumber: 2, column: 'Email', code: 'UPN_TAKEN', message: expect.stringMatching(/admin@/) },
    ]);
    const job = await waitForJob(s, t.agentToken, again.importUsers.job.id);
    expect(job).toMatchObject({ status: 'PARTIAL', succeeded: 2, skipped: 1, failed: 1 });
    const reexported = parse(
      (await s.ok(`query($c: ID!) { exportUsers(customerId: $c) { csv } }`, { c: target.id }, t.agentToken)).exportUsers
        .csv,
    ) as string[][];
    const bySource = records
      .filter((x) => x[19] === 'ACTIVE' && !x[3]!.startsWith('admin@'))
      .map((x) => x.join('|').replaceAll(source.domain, target.domain));
    expect(
      reexported
        .filter((x) => !x[3]!.startsWith('admin@'))
        .slice(1)
        .map((x) => x.join('|')),
    ).toEqual(bySource);
  });
});

describe('credentials', () => {
  it('are erased 24 hours after creation when nobody fetched them', async () => {
    const csv = templateCsv(customer.domain, 3).replace(/user(\d)@/g, 'late$1@');
    const r = await s.ok(IMPORT, { i: { customerId: customer.id, csv } }, admin.agentToken);
    const job = await waitForJob(s, admin.agentToken, r.importUsers.job.id);
    expect(job.succeeded).toBe(3);
    s.travel(24 * 3_600_000 + 1);
    // A day later the agent's token has expired too (TOKEN_TTL_MINUTES): sign in again.
    admin.agentToken = await signIn(s, admin.agentEmail);
    expect(
      (await s.ok(CREDENTIALS, { i: { jobId: job.id } }, admin.agentToken)).bulkJobCredentials.credentials,
    ).toEqual([]);
    // The idle runner's sweep removes the sealed values themselves.
    for (let i = 0; i < 100 && (await s.database.db.$count(bulkJobRows, isNotNull(bulkJobRows.credential))) > 0; i++) {
      await new Promise((res) => setTimeout(res, 50));
    }
    expect(await s.database.db.$count(bulkJobRows, isNotNull(bulkJobRows.credential))).toBe(0);
  });
});
