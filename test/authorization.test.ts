// The read side of the task → roles table, generated from src/auth/roles.ts: every directory role and partner
// role, and every way of not having access (expired, pending, terminated, another partner, no group).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIRECTORY_ROLES, type DirectoryRole, TASKS } from '../src/auth/roles.js';
import { startServer, type TestServer } from './support/server.js';
import {
  type Customer,
  createCustomer,
  createPartner,
  createUser,
  grantAgent,
  PASSWORD,
  type Partner,
  refreshTokens,
  signIn,
} from './support/world.js';

let s: TestServer;
let partner: Partner;
let customer: Customer;
let target: { id: string; userPrincipalName: string };
const byRole = new Map<DirectoryRole, string>();

/** Every read of a customer's data, as a query and the path of the field it reads. */
const READS: Record<string, { query: string; vars: () => Record<string, unknown> }> = {
  customer: {
    query: `query($c: ID!) { customer(id: $c) { id name domains { name } } }`,
    vars: () => ({ c: customer.id }),
  },
  users: {
    query: `query($c: ID!) { customer(id: $c) { users(first: 5) { edges { node { id roles licenses { sku { name } } } } } } }`,
    vars: () => ({ c: customer.id }),
  },
  deletedUsers: {
    query: `query($c: ID!) { customer(id: $c) { deletedUsers(first: 5) { edges { node { id purgeAt } } } } }`,
    vars: () => ({ c: customer.id }),
  },
  userByUpn: {
    query: `query($c: ID!, $u: String!) { customer(id: $c) { user(userPrincipalName: $u) { id } } }`,
    vars: () => ({ c: customer.id, u: target.userPrincipalName }),
  },
  licenses: {
    query: `query($c: ID!) { customer(id: $c) { licenses { totalSeats users(first: 5) { edges { node { id } } } } } }`,
    vars: () => ({ c: customer.id }),
  },
  gdapRelationships: {
    query: `query($c: ID!) { customer(id: $c) { gdapRelationships { id status } } }`,
    vars: () => ({ c: customer.id }),
  },
  auditEvents: {
    query: `query($c: ID!) { customer(id: $c) { auditEvents(first: 5) { edges { node { action } } } } }`,
    vars: () => ({ c: customer.id }),
  },
  nodeCustomer: {
    query: `query($c: ID!) { node(id: $c) { id ... on Customer { name } } }`,
    vars: () => ({ c: customer.id }),
  },
  nodeUser: {
    query: `query($u: ID!) { node(id: $u) { id ... on User { userPrincipalName } } }`,
    vars: () => ({ u: target.id }),
  },
};

beforeAll(async () => {
  s = await startServer();
  partner = await createPartner(s);
  customer = await createCustomer(s, partner, [['O365_BUSINESS_ESSENTIALS', 5]]);
  for (const role of DIRECTORY_ROLES) byRole.set(role, (await grantAgent(s, partner, customer, [role])).agentToken);
  target = await createUser(s, byRole.get('USER_ADMINISTRATOR')!, customer);
}, 300_000);
afterAll(() => s.close());

describe('reading a customer, by directory role', () => {
  it('every directory role reads the customer (the table allows READ_CUSTOMER to all of them)', () => {
    // Refusals of reads are proven below (no role, no partner role, no relationship), so this matrix has one outcome.
    expect([...TASKS.READ_CUSTOMER.anyOf].sort()).toEqual([...DIRECTORY_ROLES].sort());
  });

  for (const role of DIRECTORY_ROLES) {
    it(`${role} reads every field of the customer`, async () => {
      for (const [name, read] of Object.entries(READS)) {
        const r = await s.gql(read.query, read.vars(), byRole.get(role));
        expect(r.errors, name).toBeUndefined();
        expect(JSON.stringify(r.data), name).not.toContain('null');
      }
    });
  }

  it('lists the customer among `customers` and explains the roles in myRoles and rolesIn', async () => {
    const token = byRole.get('LICENSE_ADMINISTRATOR')!;
    const d = await s.ok(
      `query($c: ID!) { customers(first: 10) { edges { node { id myRoles { role groupName relationshipName } } } }
      viewer { agent { rolesIn(customerId: $c) { role } } } }`,
      { c: customer.id },
      token,
    );
    expect(d.customers.edges.map((e: any) => e.node.id)).toEqual([customer.id]);
    expect(d.customers.edges[0].node.myRoles.map((g: any) => g.role)).toEqual(['LICENSE_ADMINISTRATOR']);
    expect(d.viewer.agent.rolesIn).toEqual([{ role: 'LICENSE_ADMINISTRATOR' }]);
  });
});

describe('partner roles', () => {
  for (const partnerRole of ['SALES_AGENT', 'HELPDESK_AGENT'] as const) {
    it(`a ${partnerRole} with User Administrator through GDAP is refused every customer read, naming ADMIN_AGENT`, async () => {
      const g = await grantAgent(s, partner, customer, ['USER_ADMINISTRATOR'], { partnerRoles: [partnerRole] });
      for (const read of Object.values(READS)) {
        const r = await s.gql(read.query, read.vars(), g.agentToken);
        expect(r.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
        expect(r.errors?.[0]?.extensions?.requiredPartnerRoles).toEqual(['ADMIN_AGENT']);
      }
    });
  }
});

describe('no access looks like no customer', () => {
  const expectNotFound = async (token: string) => {
    const list = await s.ok(`{ customers(first: 10) { edges { node { id } } } }`, {}, token);
    expect(list.customers.edges.map((e: any) => e.node.id)).not.toContain(customer.id);
    for (const [name, read] of Object.entries(READS)) {
      const r = await s.gql(read.query, read.vars(), token);
      expect(r.errors?.[0]?.extensions?.code, name).toBe('NOT_FOUND');
    }
    // The partner's relationships are partner-side data, but the customer they lead to is not shown without a role.
    const rels = await s.ok(
      `{ viewer { agent { partner { gdapRelationships { id customer { id name domains { name } } } } } } }`,
      {},
      token,
    );
    const links = rels.viewer.agent.partner.gdapRelationships;
    expect(links.length).toBeGreaterThan(0);
    expect(JSON.stringify(links)).not.toContain(customer.id);
    expect(JSON.stringify(links)).not.toContain(customer.domain);
  };

  it('through a pending relationship', async () => {
    await expectNotFound(
      (await grantAgent(s, partner, customer, ['USER_ADMINISTRATOR'], { approve: false })).agentToken,
    );
  });

  it('through a terminated relationship', async () => {
    const g = await grantAgent(s, partner, customer, ['USER_ADMINISTRATOR']);
    expect((await s.gql(READS.customer!.query, READS.customer!.vars(), g.agentToken)).errors).toBeUndefined();
    const t = await s.ok(
      `mutation($i: TerminateGdapRelationshipInput!) { terminateGdapRelationship(input: $i) { relationship { status } userErrors { message } } }`,
      { i: { relationshipId: g.relationshipId } },
      partner.adminToken,
    );
    expect(t.terminateGdapRelationship.relationship.status).toBe('TERMINATED');
    await expectNotFound(g.agentToken);
  });

  it('for an agent of the partner in no group', async () => {
    const email = `loner${Date.now()}@partner.example`;
    await s.ok(
      `mutation($i: CreateAgentInput!) { createAgent(input: $i) { agent { id } } }`,
      { i: { email, displayName: 'Loner', password: PASSWORD, roles: ['ADMIN_AGENT'] } },
      partner.adminToken,
    );
    await expectNotFound(await signIn(s, email));
  });

  it('for an agent of another partner, even with a relationship to its own customers', async () => {
    const other = await createPartner(s);
    const theirs = await createCustomer(s, other);
    const g = await grantAgent(s, other, theirs, ['GLOBAL_ADMINISTRATOR']);
    await expectNotFound(g.agentToken);
  });

  it('refuses a caller who is not signed in with UNAUTHENTICATED', async () => {
    for (const read of Object.values(READS)) {
      expect((await s.gql(read.query, read.vars())).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    }
  });

  it('through an expired relationship, judged by the clock at request time', async () => {
    const g = await grantAgent(s, partner, customer, ['USER_ADMINISTRATOR'], { durationDays: 1 });
    expect((await s.gql(READS.customer!.query, READS.customer!.vars(), g.agentToken)).errors).toBeUndefined();
    s.travel(25 * 3600_000);
    const fresh = await signIn(s, g.agentEmail);
    await expectNotFound(fresh);
    await refreshTokens(s, partner, customer);
    const rel = await s.ok(
      `query($c: ID!) { viewer { agent { partner { gdapRelationships(customerId: $c) { id status } } } } }`,
      { c: customer.id },
      partner.adminToken,
    );
    expect(rel.viewer.agent.partner.gdapRelationships.find((r: any) => r.id === g.relationshipId).status).toBe(
      'EXPIRED',
    );
  });
});
