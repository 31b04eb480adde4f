// Text inputs with NUL, control, invisible or bidirectional-override characters are refused as bad input naming the
// field, before anything runs, in variables and in literals alike (NUL used to be a server error from PostgreSQL).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from './support/server.js';
import {
  CREATE_USER,
  type Customer,
  createCustomer,
  createPartner,
  grantAgent,
  PASSWORD,
  type Partner,
} from './support/world.js';

let s: TestServer;
let partner: Partner;
let customer: Customer;
let admin: string;

beforeAll(async () => {
  s = await startServer();
  partner = await createPartner(s);
  customer = await createCustomer(s, partner);
  admin = (await grantAgent(s, partner, customer, ['USER_ADMINISTRATOR'])).agentToken;
});
afterAll(() => s.close());

const refusal = (r: { errors?: { extensions?: Record<string, unknown> }[] }) => r.errors?.[0]?.extensions;

describe('control and invisible characters in text inputs', () => {
  it('a NUL in a sign-in email, a search, an agent email: BAD_USER_INPUT naming the field, never a server error', async () => {
    const signIn = await s.gql(`mutation($i: SignInInput!) { signIn(input: $i) { token } }`, {
      i: { email: 'admin\u0000@partner.example', password: PASSWORD },
    });
    expect(refusal(signIn)).toMatchObject({ code: 'BAD_USER_INPUT', field: ['email'], variable: 'i' });
    const search = await s.gql(
      `query($c: ID!, $q: String) { customer(id: $c) { users(first: 5, filter: {search: $q}) { edges { node { id } } } } }`,
      { c: customer.id, q: 'a\u0000' },
      admin,
    );
    expect(refusal(search)).toMatchObject({ code: 'BAD_USER_INPUT', field: ['q'] });
    const agent = await s.gql(
      `mutation { createAgent(input: {email: "x\\u0000@partner.example", displayName: "X", password: "${PASSWORD}", roles: [SALES_AGENT]}) { agent { id } } }`,
      {},
      partner.adminToken,
    );
    expect(refusal(agent)).toMatchObject({ code: 'BAD_USER_INPUT', field: ['email'] });
    // The same document again (yoga's parse cache hands over the same tree; the guard remembers what it found in it).
    const again = await s.gql(
      `mutation { createAgent(input: {email: "x\\u0000@partner.example", displayName: "X", password: "${PASSWORD}", roles: [SALES_AGENT]}) { agent { id } } }`,
      {},
      partner.adminToken,
    );
    expect(again).toEqual(agent);
    expect(agent.errors?.[0]?.message).toBe(
      'email contains a character that is not allowed (U+0000): control and invisible characters are refused.',
    );
  });

  it('a right-to-left override or a zero-width space in a display name is refused; ordinary accents and line breaks in a CSV are not', async () => {
    for (const bad of [
      'Evil\u202Egnp.exe',
      'Zero\u200Bwidth',
      'Bell\u0007',
      'Filler\u3164',
      'Tag\u{E0041}',
      '\uFEFFAdmin',
      'Soft\u00ADhyphen',
    ]) {
      const r = await s.gql(
        CREATE_USER,
        { i: { customerId: customer.id, userPrincipalName: `u${bad.length}@${customer.domain}`, displayName: bad } },
        admin,
      );
      expect(refusal(r), bad).toMatchObject({ code: 'BAD_USER_INPUT', field: ['displayName'] });
    }
    const ok = await s.ok(
      CREATE_USER,
      {
        i: { customerId: customer.id, userPrincipalName: `zoe@${customer.domain}`, displayName: 'Zoë Ångström-Łukasz' },
      },
      admin,
    );
    expect(ok.createUser.userErrors).toEqual([]);
    // A file sent as text is checked row by row, naming the row and the column.
    const csv = `\uFEFFFirst name,Last name,Display name,Email,Status update\r\nA,B,Hidden\u200Bname,hidden@${customer.domain},\r\n`;
    const dry = await s.ok(
      `mutation($i: ImportUsersInput!) { importUsers(input: $i) { report { invalidRows errors { rowNumber column code message } } userErrors { code } } }`,
      { i: { customerId: customer.id, csv, dryRun: true } },
      admin,
    );
    expect(dry.importUsers.report.invalidRows).toBe(1);
    expect(dry.importUsers.report.errors[0]).toMatchObject({ rowNumber: 2, column: 'Display name' });
    expect(dry.importUsers.report.errors[0].message).toContain('U+200B');
  });
});
