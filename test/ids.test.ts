// Global ids: another partner's objects are NOT_FOUND everywhere an id is taken; malformed ids are clear errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from './support/server.js';
import {
  type Customer,
  createCustomer,
  createPartner,
  createUser,
  grantAgent,
  type Partner,
  skuId,
} from './support/world.js';

let s: TestServer;
let mine: Partner;
let myCustomer: Customer;
let myToken: string;
let theirs: {
  customer: Customer;
  userId: string;
  relationshipId: string;
  groupId: string;
  agentId: string;
  token: string;
};

beforeAll(async () => {
  s = await startServer();
  mine = await createPartner(s);
  myCustomer = await createCustomer(s, mine, [['SPE_E3', 5]]);
  myToken = (await grantAgent(s, mine, myCustomer, ['GLOBAL_ADMINISTRATOR'])).agentToken;
  const other = await createPartner(s);
  const customer = await createCustomer(s, other, [['SPE_E3', 5]]);
  const g = await grantAgent(s, other, customer, ['GLOBAL_ADMINISTRATOR']);
  const user = await createUser(s, g.agentToken, customer);
  const groups = await s.ok(
    `{ viewer { agent { partner { securityGroups { id } agents { id } } } } }`,
    {},
    other.adminToken,
  );
  theirs = {
    customer,
    userId: user.id,
    relationshipId: g.relationshipId,
    groupId: groups.viewer.agent.partner.securityGroups[0].id,
    agentId: g.agentId,
    token: g.agentToken,
  };
}, 120_000);
afterAll(() => s.close());

const b64 = (text: string) => Buffer.from(text).toString('base64');

describe("another partner's ids", () => {
  const cases: [string, string, () => Record<string, unknown>][] = [
    ['node(customer)', `query($id: ID!) { node(id: $id) { id } }`, () => ({ id: theirs.customer.id })],
    ['node(user)', `query($id: ID!) { node(id: $id) { id } }`, () => ({ id: theirs.userId })],
    ['node(relationship)', `query($id: ID!) { node(id: $id) { id } }`, () => ({ id: theirs.relationshipId })],
    ['node(group)', `query($id: ID!) { node(id: $id) { id } }`, () => ({ id: theirs.groupId })],
    ['node(agent)', `query($id: ID!) { node(id: $id) { id } }`, () => ({ id: theirs.agentId })],
    ['customer', `query($id: ID!) { customer(id: $id) { id } }`, () => ({ id: theirs.customer.id })],
    [
      'rolesIn',
      `query($id: ID!) { viewer { agent { rolesIn(customerId: $id) { role } } } }`,
      () => ({ id: theirs.customer.id }),
    ],
    [
      'partner.gdapRelationships',
      `query($id: ID!) { viewer { agent { partner { gdapRelationships(customerId: $id) { id } } } } }`,
      () => ({ id: theirs.customer.id }),
    ],
    [
      'createUser',
      `mutation($id: ID!) { createUser(input: {customerId: $id, userPrincipalName: "x@x.example", displayName: "X"}) { userErrors { message } } }`,
      () => ({ id: theirs.customer.id }),
    ],
    [
      'deleteUser',
      `mutation($id: ID!) { deleteUser(input: {userId: $id}) { userErrors { message } } }`,
      () => ({ id: theirs.userId }),
    ],
    [
      'deleteUsers',
      `mutation($id: ID!) { deleteUsers(input: {userIds: [$id]}) { userErrors { message } } }`,
      () => ({ id: theirs.userId }),
    ],
    [
      'restoreUser',
      `mutation($id: ID!) { restoreUser(input: {userId: $id}) { userErrors { message } } }`,
      () => ({ id: theirs.userId }),
    ],
    [
      'restoreUsers',
      `mutation($id: ID!) { restoreUsers(input: {userIds: [$id]}) { userErrors { message } } }`,
      () => ({ id: theirs.userId }),
    ],
    [
      'updateUser',
      `mutation($id: ID!) { updateUser(input: {userId: $id, displayName: "Y"}) { userErrors { message } } }`,
      () => ({ id: theirs.userId }),
    ],
    [
      'resetUserPassword',
      `mutation($id: ID!) { resetUserPassword(input: {userId: $id}) { userErrors { message } } }`,
      () => ({ id: theirs.userId }),
    ],
    [
      'addSubscription',
      `mutation($id: ID!, $sku: ID!) { addSubscription(input: {customerId: $id, skuId: $sku, seats: 1}) { userErrors { message } } }`,
      () => ({ id: theirs.customer.id, sku: skuIdE3 }),
    ],
    [
      'addCustomerDomain',
      `mutation($id: ID!) { addCustomerDomain(input: {customerId: $id, name: "stolen.example"}) { userErrors { message } } }`,
      () => ({ id: theirs.customer.id }),
    ],
    [
      'createGdapRelationship',
      `mutation($id: ID!) { createGdapRelationship(input: {customerId: $id, displayName: "grab", roles: [USER_ADMINISTRATOR], durationDays: 30}) { userErrors { message } } }`,
      () => ({ id: theirs.customer.id }),
    ],
    [
      'terminateGdapRelationship',
      `mutation($id: ID!) { terminateGdapRelationship(input: {relationshipId: $id}) { userErrors { message } } }`,
      () => ({ id: theirs.relationshipId }),
    ],
    [
      'assignGdapAccess (relationship)',
      `mutation($id: ID!, $g: ID!) { assignGdapAccess(input: {relationshipId: $id, groupId: $g, roles: [GLOBAL_ADMINISTRATOR]}) { userErrors { message } } }`,
      () => ({ id: theirs.relationshipId, g: theirs.groupId }),
    ],
    [
      'addSecurityGroupMember (group)',
      `mutation($id: ID!, $a: ID!) { addSecurityGroupMember(input: {groupId: $id, agentId: $a}) { userErrors { message } } }`,
      () => ({ id: theirs.groupId, a: theirs.agentId }),
    ],
  ];
  let skuIdE3 = '';
  beforeAll(async () => {
    skuIdE3 = await skuId(s, 'SPE_E3', myToken);
  });

  for (const [name, query, vars] of cases) {
    it(`${name} answers NOT_FOUND, as for an id that does not exist`, async () => {
      // Partner-side mutations are tried by the partner's own admin, customer tasks by an agent with full GDAP access.
      const partnerSide = /^add|Gdap|partner\./.test(name);
      const r = await s.gql(query, vars(), partnerSide ? mine.adminToken : myToken);
      expect(r.errors?.[0]?.extensions?.code, JSON.stringify(r)).toBe('NOT_FOUND');
      expect(r.errors?.[0]?.message).toMatch(/^No such /);
    });
  }

  it('leaves their data untouched', async () => {
    const d = await s.ok(
      `query($u: ID!, $r: ID!) { user: node(id: $u) { ... on User { state displayName } }
      rel: node(id: $r) { ... on GdapRelationship { status } } }`,
      { u: theirs.userId, r: theirs.relationshipId },
      theirs.token,
    );
    expect(d).toEqual({ user: { state: 'ACTIVE', displayName: 'A User' }, rel: { status: 'ACTIVE' } });
  });
});

describe('malformed and forged ids', () => {
  const forged = [
    ['not base64 at all', '%%%'],
    ['no type', b64('1234')],
    ['unknown type', b64('Invoice:6b0c3c9e-8f7a-4c55-9a55-2f7d3a0e6a11')],
    ['not a uuid', b64('Customer:1 or 1=1')],
    ['user without customer', b64('User:6b0c3c9e-8f7a-4c55-9a55-2f7d3a0e6a11')],
  ];
  for (const [name, id] of forged) {
    it(`a query with an id that is ${name} gets BAD_USER_INPUT naming the argument`, async () => {
      const r = await s.gql(`query($id: ID!) { customer(id: $id) { id } }`, { id }, myToken);
      expect(r.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'INVALID_ID', field: ['id'] });
      const n = await s.gql(`query($id: ID!) { node(id: $id) { id } }`, { id }, myToken);
      expect(n.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    });
    it(`a mutation with an id that is ${name} gets a userError on the field and changes nothing`, async () => {
      const d = await s.ok(
        `mutation($id: ID!) { deleteUser(input: {userId: $id}) { user { id } userErrors { field code message } } }`,
        { id },
        myToken,
      );
      expect(d.deleteUser).toMatchObject({ user: null, userErrors: [{ field: ['userId'], code: 'INVALID_ID' }] });
    });
  }

  it('an id of the wrong type is named as such', async () => {
    const d = await s.ok(
      `mutation($id: ID!) { deleteUser(input: {userId: $id}) { userErrors { field code message } } }`,
      { id: myCustomer.id },
      myToken,
    );
    expect(d.deleteUser.userErrors[0]).toMatchObject({
      code: 'INVALID_ID',
      message: 'userId must be the id of a User, not of a Customer.',
    });
  });

  it('an id that does not exist is NOT_FOUND', async () => {
    const customerUuid = Buffer.from(myCustomer.id, 'base64').toString().split(':')[1];
    const ghost = b64(`User:${customerUuid}:6b0c3c9e-8f7a-4c55-9a55-2f7d3a0e6a11`);
    const r = await s.gql(`query($id: ID!) { node(id: $id) { id } }`, { id: ghost }, myToken);
    expect(r.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });
});
