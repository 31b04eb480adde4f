// Which requests graphql-jit may run (src/graphql/jit-safe.ts): every variable given, or the left-out ones used only
// as a connection's first/last/after/before; never a left-out variable inside an input object (graphql-jit would pass
// null there, and null erases a field in updateUser). Over HTTP: a first page leaving `$after` out answers as one
// giving `after: null`, and an update leaving a field's variable out erases nothing.
import { parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jitSafe } from '../src/graphql/jit-safe.js';
import { startServer, type TestServer } from './support/server.js';
import { type Customer, createCustomer, createPartner, createUser, grantAgent, type Partner } from './support/world.js';

const PAGE = `query($id: ID!, $first: Int, $after: String) { customer(id: $id) { users(first: $first, after: $after) {
  edges { node { userPrincipalName jobTitle } } } } }`;
const UPDATE = `mutation($id: ID!, $job: String, $dept: String) { updateUser(input: {userId: $id, jobTitle: $job, department: $dept}) {
  user { jobTitle department } userErrors { code } } }`;

describe('jitSafe', () => {
  it.each([
    ['every variable given', PAGE, { id: 'x', first: 10, after: null }, true],
    ['$after and $first left out (paging arguments)', PAGE, { id: 'x' }, true],
    ['$id left out (not a paging argument)', PAGE, { first: 10 }, false],
    ['a variable left out inside an input object', UPDATE, { id: 'x', job: 'a' }, false],
    ['every variable of the input object given', UPDATE, { id: 'x', job: 'a', dept: null }, true],
    [
      'a paging variable used elsewhere too',
      `query($a: String) { customers(after: $a) { totalCount } users: customers(filter: {search: $a}) { totalCount } }`,
      {},
      false,
    ],
    [
      'a paging variable in a fragment',
      `query($a: String) { ...F } fragment F on Query { customers(after: $a) { totalCount } }`,
      {},
      true,
    ],
    ['a variable in a directive', `query($s: Boolean) { viewer @include(if: $s) { kind } }`, {}, false],
    [
      'a conditional selection, its variable given',
      `query($s: Boolean!) { viewer @skip(if: $s) { kind } }`,
      { s: false },
      false,
    ],
    ['a subscription', `subscription { x }`, {}, false],
    ['a document of two operations', `query A { viewer { kind } } query B { viewer { kind } }`, {}, false],
  ])('%s: %s', (_, query, variableValues, expected) => {
    expect(jitSafe({ document: parse(query), variableValues })).toBe(expected);
  });
});

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

describe('over HTTP', () => {
  it('a first page leaving $after out answers as one giving after: null', async () => {
    for (let i = 0; i < 3; i++) await createUser(s, admin, customer, { jobTitle: `Job ${i}` });
    const left = await s.ok(PAGE, { id: customer.id, first: 2 }, admin);
    const given = await s.ok(PAGE, { id: customer.id, first: 2, after: null }, admin);
    expect(left).toEqual(given);
    expect(left.customer.users.edges).toHaveLength(2);
  });

  it('runs the operation a request names, whichever of the document ran before', async () => {
    const both = `query Big($id: ID!) { customer(id: $id) { users(first: 1) { totalCount } } } query Small { viewer { kind } }`;
    const ask = (operationName: string) =>
      fetch(`${s.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` },
        body: JSON.stringify({
          query: both,
          operationName,
          variables: operationName === 'Big' ? { id: customer.id } : {},
        }),
      }).then((r) => r.json() as Promise<{ data: Record<string, unknown> }>);
    expect(Object.keys((await ask('Big')).data)).toEqual(['customer']);
    expect((await ask('Small')).data).toEqual({ viewer: { kind: 'AGENT' } });
  });

  it('a fragment spread twice, once included, answers its fields', async () => {
    // graphql-jit 0.8 skips the second spread of a fragment whose first was excluded; graphql-js does not.
    const d = await s.ok(
      `query($x: Boolean!, $y: Boolean!) { ...V @include(if: $x) ...V @include(if: $y) } fragment V on Query { viewer { kind } }`,
      { x: false, y: true },
      admin,
    );
    expect(d).toEqual({ viewer: { kind: 'AGENT' } });
  });

  it('an update leaving a field variable out erases nothing', async () => {
    const user = await createUser(s, admin, customer, { jobTitle: 'Keeper', department: 'Sales' });
    const d = await s.ok(UPDATE, { id: user.id, job: 'Changed' }, admin);
    expect(d.updateUser).toEqual({ user: { jobTitle: 'Changed', department: 'Sales' }, userErrors: [] });
  });
});
