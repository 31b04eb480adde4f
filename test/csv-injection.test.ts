// Exported cells that a spreadsheet would run as formulas are neutralised, and come back unchanged on re-import.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BULK_ENV, runner, uploadCsv, waitForJob } from './support/bulk.js';
import { startServer, type TestServer } from './support/server.js';
import { type Customer, createCustomer, createPartner, createUser, grantAgent, joinGrant } from './support/world.js';

let s: TestServer;
let source: Customer;
let target: Customer;
let token: string;

beforeAll(async () => {
  s = await startServer(BULK_ENV);
  const partner = await createPartner(s);
  source = await createCustomer(s, partner);
  target = await createCustomer(s, partner);
  token = (await grantAgent(s, partner, source, ['USER_ADMINISTRATOR'])).agentToken;
  const g = await grantAgent(s, partner, target, ['USER_ADMINISTRATOR']);
  await joinGrant(s, partner, g, token);
});
afterAll(() => s.close());

describe('CSV export', () => {
  it('prefixes cells starting with = + - @ with an apostrophe, and a re-import restores them', async () => {
    await createUser(s, token, source, {
      userPrincipalName: `mallory@${source.domain}`,
      displayName: '=HYPERLINK("http://evil.example","click")',
      mobilePhone: '+33 6 12 34 56 78',
      jobTitle: '@boss',
    });
    const d = await s.ok(`query($c: ID!) { exportUsers(customerId: $c) { csv } }`, { c: source.id }, token);
    const line = d.exportUsers.csv.split('\r\n').find((l: string) => l.includes('mallory@'));
    expect(line).toContain(`"'=HYPERLINK(""http://evil.example"",""click"")"`);
    expect(line).toContain("'+33 6 12 34 56 78");
    expect(line).toContain("'@boss");
    expect(line).not.toMatch(/(^|,)[=+@]/);

    const csv = d.exportUsers.csv
      .split('\r\n')
      .filter((l: string, i: number) => i === 0 || l.includes('mallory@'))
      .join('\r\n')
      .replaceAll(source.domain, target.domain);
    const r = await uploadCsv(s, token, target.id, csv);
    const job = r.data.importUsers.job;
    const jobRunner = runner(s);
    try {
      expect((await waitForJob(s, token, job.id)).status).toBe('SUCCEEDED');
    } finally {
      await jobRunner.stop();
    }
    const u = await s.ok(
      `query($c: ID!, $u: String!) { customer(id: $c) { user(userPrincipalName: $u) { displayName mobilePhone jobTitle } } }`,
      { c: target.id, u: `mallory@${target.domain}` },
      token,
    );
    expect(u.customer.user).toEqual({
      displayName: '=HYPERLINK("http://evil.example","click")',
      mobilePhone: '+33 6 12 34 56 78',
      jobTitle: '@boss',
    });
  });
});

describe('the result file of an import', () => {
  it('neutralises formula cells as the export does', async () => {
    const csv = `First name,Last name,Display name,Email,Status update\r\n=1+1,@SUM(A1),-2+3,formula@${source.domain},\r\n+bad,x,Bad row,not-an-email,\r\n`;
    const r = await uploadCsv(s, token, source.id, csv);
    const job = r.data.importUsers.job;
    const d = await s.ok(`query($j: ID!) { node(id: $j) { ... on BulkJob { resultCsv } } }`, { j: job.id }, token);
    const lines = d.node.resultCsv.split('\r\n');
    expect(lines[1]).toMatch(/^'=1\+1,'@SUM\(A1\),'-2\+3,formula@/);
    expect(lines[2]).toMatch(/^'\+bad,x,Bad row,not-an-email,/);
    for (const line of lines) expect(line).not.toMatch(/(^|,)[=+\-@]/);
  });
});
