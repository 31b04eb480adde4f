// The partner side: agents, groups, customers, subscriptions, GDAP requests, approval and termination.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from './support/server.js';
import {
  type Customer,
  createCustomer,
  createPartner,
  grantAgent,
  PASSWORD,
  type Partner,
  signIn,
  skuId,
} from './support/world.js';

let s: TestServer;
let partner: Partner;
let customer: Customer;

beforeAll(async () => {
  s = await startServer();
  partner = await createPartner(s);
  customer = await createCustomer(s, partner);
});
afterAll(() => s.close());

const CREATE_REL = `mutation($i: CreateGdapRelationshipInput!) { createGdapRelationship(input: $i) {
  relationship { id status endsAt } approvalToken userErrors { field code message } } }`;
const APPROVE = `mutation($i: ApproveGdapRelationshipInput!) { approveGdapRelationship(input: $i) {
  relationship { status activatedAt endsAt } userErrors { field code message } } }`;

describe('partner administration', () => {
  it('creates a customer with its default domain and a first Global Administrator whose password is shown once', async () => {
    const d = await s.ok(
      `mutation { createCustomer(input: {name: "Woodgrove", defaultDomain: "woodgrove.onmicrosoft.com"}) {
      customer { name domains { name isDefault verified } } globalAdministrator { userPrincipalName mustChangePassword } temporaryPassword userErrors { message } } }`,
      {},
      partner.adminToken,
    );
    expect(d.createCustomer.customer).toEqual({
      name: 'Woodgrove',
      domains: [{ name: 'woodgrove.onmicrosoft.com', isDefault: true, verified: true }],
    });
    expect(d.createCustomer.globalAdministrator).toEqual({
      userPrincipalName: 'admin@woodgrove.onmicrosoft.com',
      mustChangePassword: true,
    });
    expect(d.createCustomer.temporaryPassword).toMatch(/^.{14,}$/);
    const again = await s.ok(
      `mutation { createCustomer(input: {name: "Copycat", defaultDomain: "WOODGROVE.onmicrosoft.com"}) { customer { id } userErrors { field code } } }`,
      {},
      partner.adminToken,
    );
    expect(again.createCustomer).toEqual({
      customer: null,
      userErrors: [{ field: ['defaultDomain'], code: 'DOMAIN_TAKEN' }],
    });
  });

  it('refuses partner tasks to agents without ADMIN_AGENT, naming the role', async () => {
    const email = `sales${Date.now()}@partner.example`;
    await s.ok(
      `mutation($i: CreateAgentInput!) { createAgent(input: $i) { agent { partnerRoles } } }`,
      { i: { email, displayName: 'Sales', password: PASSWORD, roles: ['SALES_AGENT'] } },
      partner.adminToken,
    );
    const sales = await signIn(s, email);
    const r = await s.gql(
      `mutation { createCustomer(input: {name: "Mine", defaultDomain: "mine.onmicrosoft.com"}) { customer { id } } }`,
      {},
      sales,
    );
    expect(r.errors?.[0]?.extensions).toMatchObject({
      code: 'FORBIDDEN',
      task: 'MANAGE_CUSTOMERS',
      requiredPartnerRoles: ['ADMIN_AGENT'],
    });
  });

  it('validates agents: email taken, weak password', async () => {
    const d = await s.ok(
      `mutation($i: CreateAgentInput!) { createAgent(input: $i) { agent { id } userErrors { field code } } }`,
      {
        i: { email: partner.adminEmail.toUpperCase(), displayName: 'Dup', password: PASSWORD, roles: ['ADMIN_AGENT'] },
      },
      partner.adminToken,
    );
    expect(d.createAgent.userErrors).toEqual([{ field: ['email'], code: 'EMAIL_TAKEN' }]);
    const weak = await s.ok(
      `mutation($i: CreateAgentInput!) { createAgent(input: $i) { agent { id } userErrors { field code message } } }`,
      { i: { email: 'weak@partner.example', displayName: 'Weak', password: 'alllowercase', roles: ['ADMIN_AGENT'] } },
      partner.adminToken,
    );
    expect(weak.createAgent.userErrors[0]).toMatchObject({ field: ['password'], code: 'WEAK_PASSWORD' });
  });

  it('adds subscriptions and seats to them', async () => {
    const sku = await skuId(s, 'POWER_BI_PRO', partner.adminToken);
    const add = `mutation($i: AddSubscriptionInput!) { addSubscription(input: $i) { license { totalSeats consumedSeats availableSeats sku { partNumber } } userErrors { field code } } }`;
    await s.ok(add, { i: { customerId: customer.id, skuId: sku, seats: 5 } }, partner.adminToken);
    const d = await s.ok(add, { i: { customerId: customer.id, skuId: sku, seats: 3 } }, partner.adminToken);
    expect(d.addSubscription.license).toEqual({
      totalSeats: 8,
      consumedSeats: 0,
      availableSeats: 8,
      sku: { partNumber: 'POWER_BI_PRO' },
    });
    const bad = await s.ok(add, { i: { customerId: customer.id, skuId: sku, seats: 0 } }, partner.adminToken);
    expect(bad.addSubscription.userErrors).toEqual([{ field: ['seats'], code: 'INVALID' }]);
  });

  it('validates GDAP requests: at most 2 years, no auto-extend with Global Administrator, unique names', async () => {
    const tooLong = await s.ok(
      CREATE_REL,
      { i: { customerId: customer.id, displayName: 'long', roles: ['USER_ADMINISTRATOR'], durationDays: 731 } },
      partner.adminToken,
    );
    expect(tooLong.createGdapRelationship.userErrors).toEqual([
      { field: ['durationDays'], code: 'INVALID', message: 'The duration must be from 1 day to 730 days (2 years).' },
    ]);
    const ga = await s.ok(
      CREATE_REL,
      {
        i: {
          customerId: customer.id,
          displayName: 'ga',
          roles: ['GLOBAL_ADMINISTRATOR'],
          durationDays: 30,
          autoExtend: true,
        },
      },
      partner.adminToken,
    );
    expect(ga.createGdapRelationship.userErrors[0].field).toEqual(['autoExtend']);
    await s.ok(
      CREATE_REL,
      { i: { customerId: customer.id, displayName: 'twice', roles: ['USER_ADMINISTRATOR'], durationDays: 30 } },
      partner.adminToken,
    );
    const twice = await s.ok(
      CREATE_REL,
      { i: { customerId: customer.id, displayName: 'twice', roles: ['USER_ADMINISTRATOR'], durationDays: 30 } },
      partner.adminToken,
    );
    expect(twice.createGdapRelationship.userErrors[0].code).toBe('NAME_TAKEN');
  });

  it('is approved only by a Global Administrator of that customer, and runs for its duration from approval', async () => {
    const rel = await s.ok(
      CREATE_REL,
      {
        i: {
          customerId: customer.id,
          displayName: 'approve me',
          roles: ['USER_ADMINISTRATOR', 'LICENSE_ADMINISTRATOR'],
          durationDays: 90,
        },
      },
      partner.adminToken,
    );
    expect(rel.createGdapRelationship.relationship).toMatchObject({ status: 'APPROVAL_PENDING', endsAt: null });
    const token = rel.createGdapRelationship.approvalToken;

    const other = await createCustomer(s, partner);
    const wrongTenant = await s.ok(APPROVE, { i: { approvalToken: token } }, other.gaToken);
    expect(wrongTenant.approveGdapRelationship.userErrors[0]).toMatchObject({
      field: ['approvalToken'],
      code: 'INVALID',
    });

    const agent = await s.gql(APPROVE, { i: { approvalToken: token } }, partner.adminToken);
    expect(agent.data?.approveGdapRelationship.userErrors[0].code).toBe('INVALID');

    const ok = await s.ok(APPROVE, { i: { approvalToken: token } }, customer.gaToken);
    expect(ok.approveGdapRelationship.relationship.status).toBe('ACTIVE');
    const days =
      (Date.parse(ok.approveGdapRelationship.relationship.endsAt) -
        Date.parse(ok.approveGdapRelationship.relationship.activatedAt)) /
      86_400_000;
    expect(days).toBe(90);
    const twice = await s.ok(APPROVE, { i: { approvalToken: token } }, customer.gaToken);
    expect(twice.approveGdapRelationship.userErrors[0].code).toBe('INVALID');
  });

  it("assigns only the relationship's roles to a group; leaving the group or terminating ends the access", async () => {
    const g = await grantAgent(s, partner, customer, ['DIRECTORY_READERS'], {
      relationshipRoles: ['DIRECTORY_READERS', 'USER_ADMINISTRATOR'],
    });
    const groups = await s.ok(`{ viewer { agent { groups { id } } } }`, {}, g.agentToken);
    const outside = await s.ok(
      `mutation($i: AssignGdapAccessInput!) { assignGdapAccess(input: $i) { userErrors { field code message } } }`,
      {
        i: {
          relationshipId: g.relationshipId,
          groupId: groups.viewer.agent.groups[0].id,
          roles: ['GLOBAL_ADMINISTRATOR'],
        },
      },
      partner.adminToken,
    );
    expect(outside.assignGdapAccess.userErrors).toEqual([
      { field: ['roles'], code: 'INVALID', message: 'The relationship does not carry GLOBAL_ADMINISTRATOR.' },
    ]);
    const more = await s.ok(
      `mutation($i: AssignGdapAccessInput!) { assignGdapAccess(input: $i) { relationship { accessAssignments { roles } } } }`,
      {
        i: {
          relationshipId: g.relationshipId,
          groupId: groups.viewer.agent.groups[0].id,
          roles: ['DIRECTORY_READERS', 'USER_ADMINISTRATOR'],
        },
      },
      partner.adminToken,
    );
    expect(more.assignGdapAccess.relationship.accessAssignments).toEqual([
      { roles: ['DIRECTORY_READERS', 'USER_ADMINISTRATOR'] },
    ]);
    const roles = await s.ok(
      `query($c: ID!) { customer(id: $c) { myRoles { role } } }`,
      { c: customer.id },
      g.agentToken,
    );
    expect(roles.customer.myRoles.map((r: any) => r.role).sort()).toEqual(['DIRECTORY_READERS', 'USER_ADMINISTRATOR']);

    const agentId = (await s.ok(`{ viewer { agent { id } } }`, {}, g.agentToken)).viewer.agent.id;
    await s.ok(
      `mutation($i: SecurityGroupMemberInput!) { removeSecurityGroupMember(input: $i) { securityGroup { members { id } } } }`,
      { i: { groupId: groups.viewer.agent.groups[0].id, agentId } },
      partner.adminToken,
    );
    expect(
      (await s.gql(`query($c: ID!) { customer(id: $c) { id } }`, { c: customer.id }, g.agentToken)).errors?.[0]
        ?.extensions?.code,
    ).toBe('NOT_FOUND');
    await s.ok(
      `mutation($i: AddSecurityGroupMemberInput!) { addSecurityGroupMember(input: $i) { securityGroup { id } } }`,
      { i: { groupId: groups.viewer.agent.groups[0].id, agentId } },
      partner.adminToken,
    );
    expect(
      (await s.gql(`query($c: ID!) { customer(id: $c) { id } }`, { c: customer.id }, g.agentToken)).errors,
    ).toBeUndefined();

    await s.ok(
      `mutation($i: TerminateGdapRelationshipInput!) { terminateGdapRelationship(input: $i) { relationship { status terminatedAt } } }`,
      { i: { relationshipId: g.relationshipId } },
      partner.adminToken,
    );
    expect(
      (await s.gql(`query($c: ID!) { customer(id: $c) { id } }`, { c: customer.id }, g.agentToken)).errors?.[0]
        ?.extensions?.code,
    ).toBe('NOT_FOUND');
  });
});
