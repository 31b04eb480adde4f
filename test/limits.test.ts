// graphql-armor limits and the body size limit: each refuses an over-limit request with a clear error, and the
// README's queries pass.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIMITS } from '../src/server.js';
import { startServer, type TestServer } from './support/server.js';
import { type Customer, createCustomer, createPartner, grantAgent } from './support/world.js';

let s: TestServer;
let token: string;
let customer: Customer;

beforeAll(async () => {
  s = await startServer({ MAX_BODY_BYTES: '65536' });
  const partner = await createPartner(s);
  customer = await createCustomer(s, partner, [['O365_BUSINESS_ESSENTIALS', 5]]);
  token = (await grantAgent(s, partner, customer, ['USER_ADMINISTRATOR'])).agentToken;
});
afterAll(() => s.close());

const README_USERS_PAGE = `query($id: ID!) {
  customer(id: $id) {
    name
    licenses { sku { name partNumber } totalSeats consumedSeats availableSeats }
    users(first: 20, filter: {search: "a"}) {
      edges { node { id userPrincipalName displayName state roles licenses { sku { name } } } }
      pageInfo { hasNextPage endCursor }
    }
  }
}`;

describe('error codes', () => {
  it('every top-level error carries one: bad variables, unknown fields, syntax', async () => {
    const cases: [string, Record<string, unknown>, string][] = [
      [`query($id: ID!) { customer(id: $id) { id } }`, { id: { not: 'an id' } }, 'BAD_USER_INPUT'],
      [`query($id: ID!) { customer(id: $id) { id } }`, {}, 'BAD_USER_INPUT'],
      [`mutation($i: SignInInput!) { signIn(input: $i) { token } }`, { i: { email: 'a@b.example' } }, 'BAD_USER_INPUT'],
      [`{ nope }`, {}, 'GRAPHQL_VALIDATION_FAILED'],
      [`{ viewer { kind `, {}, 'GRAPHQL_PARSE_FAILED'],
    ];
    for (const [query, variables, code] of cases) {
      const r = await s.gql(query, variables, token);
      expect(r.errors?.length, query).toBeGreaterThan(0);
      for (const e of r.errors!)
        expect(e.extensions?.code, `${query} ${JSON.stringify(variables)}: ${e.message}`).toBe(code);
    }
  });
});

describe('request limits', () => {
  it("let the README's queries through, and one full page of 500 users", async () => {
    const page500 = `query($id: ID!) { customer(id: $id) { users(first: 500) { edges { node { userPrincipalName displayName state roles licenses { sku { name } } } } } } }`;
    expect((await s.gql(page500, { id: customer.id }, token)).errors).toBeUndefined();
    expect((await s.gql(README_USERS_PAGE, { id: customer.id }, token)).errors).toBeUndefined();
    const list = `{ customers(first: 20) { edges { node { id name domains { name isDefault } myRoles { role relationshipName groupName } } } } }`;
    expect((await s.gql(list, {}, token)).errors).toBeUndefined();
    const deep = `query($id: ID!) { customer(id: $id) { licenses { users(first: 5) { edges { node { licenses { sku { name } } } } } } } }`;
    expect((await s.gql(deep, { id: customer.id }, token)).errors).toBeUndefined();
  });

  it('refuse a query deeper than the limit', async () => {
    let q = 'id';
    for (let i = 0; i < 4; i++) q = `customer { users(first: 1) { edges { node { ${q} } } } }`;
    const r = await s.gql(
      `query($id: ID!) { customer(id: $id) { users(first: 1) { edges { node { ${q} } } } } }`,
      { id: customer.id },
      token,
    );
    expect(r.errors?.[0]?.message).toMatch(new RegExp(`Query depth limit of ${LIMITS.maxDepth} exceeded`));
    expect(r.errors?.[0]?.extensions).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED', reason: 'LIMIT_EXCEEDED' });
  });

  it('refuse too many aliases', async () => {
    const aliases = Array.from({ length: LIMITS.maxAliases + 1 }, (_, i) => `a${i}: viewer { kind }`).join(' ');
    const r = await s.gql(`{ ${aliases} }`, {}, token);
    expect(r.errors?.[0]?.message).toMatch(/Aliases limit of 15 exceeded/);
    expect(r.errors?.[0]?.extensions).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED', reason: 'LIMIT_EXCEEDED' });
  });

  it('refuse too many tokens', async () => {
    const fields = Array.from({ length: 1200 }, () => '__typename').join(' ');
    const r = await s.gql(`{ ${fields} }`, {}, token);
    expect(r.errors?.[0]?.message).toMatch(/Token limit of 1000 exceeded/);
  });

  it('refuse a query that costs too much', async () => {
    const fragment = `fragment U on User { id userPrincipalName displayName firstName lastName usageLocation jobTitle department office city roles state licenses { seated sku { name partNumber } } customer { name domains { name isDefault verified } } }`;
    const aliases = Array.from(
      { length: 15 },
      (_, i) => `c${i}: customer(id: $id) { users(first: 100) { edges { node { ...U } } } }`,
    ).join(' ');
    const r = await s.gql(`query($id: ID!) { ${aliases} } ${fragment}`, { id: customer.id }, token);
    expect(r.errors?.[0]?.message).toMatch(/the limit is 50000/);
    expect(r.errors?.[0]?.extensions).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED', reason: 'LIMIT_EXCEEDED' });
  });

  it('count page sizes given as variables: nested pages of 500 are refused, small ones pass', async () => {
    const q = `query($id: ID!, $n: Int) { customer(id: $id) { users(first: $n) { edges { node { id customer { users(first: $n) { edges { node { id userPrincipalName } } } } } } } } }`;
    const big = await s.gql(q, { id: customer.id, n: 500 }, token);
    expect(big.data).toBeUndefined();
    expect(big.errors?.[0]?.extensions).toMatchObject({
      code: 'GRAPHQL_VALIDATION_FAILED',
      reason: 'LIMIT_EXCEEDED',
      limit: LIMITS.maxNodes,
    });
    expect(big.errors?.[0]?.extensions?.requested).toBeGreaterThan(250_000);
    const small = await s.gql(q, { id: customer.id, n: 5 }, token);
    expect(small.errors).toBeUndefined();
    // Without first, a connection counts as its default page (50).
    const unsized = await s.gql(
      `query($id: ID!, $n: Int) { customer(id: $id) { users { edges { node { customer { users(first: $n) { edges { node { id displayName } } } } } } } } }`,
      { id: customer.id, n: 500 },
      token,
    );
    expect(unsized.errors?.[0]?.extensions).toMatchObject({ reason: 'LIMIT_EXCEEDED', limit: LIMITS.maxNodes });
    // Backward pages count like forward ones.
    const backward = await s.gql(q.replaceAll('first: $n', 'last: $n'), { id: customer.id, n: 500 }, token);
    expect(backward.errors?.[0]?.extensions).toMatchObject({ reason: 'LIMIT_EXCEEDED', limit: LIMITS.maxNodes });
  });

  it('count plain lists at an assumed size, refuse what cannot even be counted, and hold for subscriptions too', async () => {
    const licences = `query($id: ID!, $n: Int) { customer(id: $id) { licenses { users(first: $n) { edges { node { id userPrincipalName displayName jobTitle department } } } } } }`;
    expect((await s.gql(licences, { id: customer.id, n: 500 }, token)).errors?.[0]?.extensions).toMatchObject({
      reason: 'LIMIT_EXCEEDED',
      limit: LIMITS.maxNodes,
    });
    expect((await s.gql(licences, { id: customer.id, n: 50 }, token)).errors).toBeUndefined();
    // Fragments spread over and over (2^18 times here) in a few hundred tokens.
    const fragments = [
      `fragment F0 on Query { viewer { kind } }`,
      ...Array.from({ length: 18 }, (_, i) => `fragment F${i + 1} on Query { ...F${i} ...F${i} }`),
    ];
    const exploded = await s.gql(`{ ...F18 } ${fragments.join(' ')}`, {}, token);
    expect(exploded.errors?.[0]?.extensions).toMatchObject({
      code: 'GRAPHQL_VALIDATION_FAILED',
      reason: 'LIMIT_EXCEEDED',
    });
    const res = await fetch(s.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${token}` },
      body: JSON.stringify({
        query: `subscription($j: ID!, $n: Int) { bulkJobProgress(id: $j) { customer { users(first: $n) { edges { node { customer { users(first: $n) { edges { node { id } } } } } } } } } }`,
        variables: { j: 'Qm9ndXM6MQ==', n: 500 },
      }),
    });
    const text = await res.text();
    expect(text).toContain('LIMIT_EXCEEDED');
  });

  it('refuse too many directives', async () => {
    const many = Array.from({ length: LIMITS.maxDirectives + 1 }, () => '@include(if: true)').join(' ');
    const r = await s.gql(`{ viewer ${many} { kind } }`, {}, token);
    expect(r.errors?.[0]?.message).toMatch(/Directives limit of 50 exceeded/);
    expect(r.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('refuse a body over the size limit with 413 and say so', async () => {
    const res = await fetch(s.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ viewer { kind } }', variables: { pad: 'x'.repeat(70_000) } }),
    });
    expect(res.status).toBe(413);
    expect((await res.json()).errors[0]).toMatchObject({
      extensions: { code: 'PAYLOAD_TOO_LARGE' },
      message: 'The request body is larger than 65536 bytes.',
    });
  });

  it('take a body up to the configured limit, even past yoga’s own default of 25 MB', async () => {
    // MAX_UPLOAD_BYTES defaults to 32 MiB: yoga's built-in limit (25 000 000 bytes) refused such uploads before ours.
    const roomy = await startServer({ MAX_BODY_BYTES: '26000000' });
    try {
      const body = JSON.stringify({ query: '{ __typename }', variables: { pad: 'x'.repeat(25_100_000) } });
      const res = await fetch(roomy.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      expect([res.status, (await res.json()).data]).toEqual([200, { __typename: 'Query' }]);
    } finally {
      await roomy.close();
    }
  });

  it('do not suggest field names outside development', async () => {
    const r = await s.gql(`{ viewr { kind } }`, {}, token);
    expect(r.errors?.[0]?.message).toMatch(/^Cannot query field "viewr" on type "Query"/);
    expect(r.errors?.[0]?.message).not.toMatch(/Did you mean/);
  });
});
