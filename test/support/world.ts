// Fixtures built through the public API (GraphQL over HTTP), as a partner admin would click through them.
import type { DirectoryRole, PartnerRole } from '../../src/auth/roles.js';
import { serviceContext } from '../../src/services/context.js';
import { bootstrapPartner } from '../../src/services/partners.js';
import type { TestServer } from './server.js';

export const PASSWORD = 'Test-Passw0rd!';
let counter = 0;
const unique = (prefix: string) => `${prefix}${++counter}${Math.random().toString(36).slice(2, 6)}`;

export interface Partner {
  adminToken: string;
  adminEmail: string;
  partnerName: string;
}

export interface Customer {
  id: string;
  domain: string;
  gaUserId: string;
  gaUpn: string;
  gaToken: string;
}

/** Signs the partner admin and the customers' Global Administrators in again (after moving the clock). */
export async function refreshTokens(s: TestServer, partner: Partner, ...customers: Customer[]): Promise<void> {
  partner.adminToken = await signIn(s, partner.adminEmail);
  for (const c of customers) c.gaToken = await signIn(s, c.gaUpn);
}

export async function signIn(s: TestServer, email: string, password = PASSWORD): Promise<string> {
  const d = await s.ok(`mutation($i: SignInInput!) { signIn(input: $i) { token userErrors { code message } } }`, {
    i: { email, password },
  });
  if (!d.signIn.token) throw new Error(`sign-in failed for ${email}: ${JSON.stringify(d.signIn.userErrors)}`);
  return d.signIn.token;
}

/** A partner and its first ADMIN_AGENT, as the BOOTSTRAP_* variables make them. */
export async function createPartner(s: TestServer, name = unique('Partner ')): Promise<Partner> {
  const email = `${unique('admin')}@partner.example`;
  const created = await bootstrapPartner(serviceContext(s.database.db, s.clock), {
    partnerName: name,
    adminEmail: email,
    adminPassword: PASSWORD,
  });
  if (!created) {
    // Further partners of the same database (tests of isolation between partners).
    const { partners, agents } = await import('../../src/db/schema.js');
    const { hashPassword } = await import('../../src/auth/passwords.js');
    const [p] = await s.database.db.insert(partners).values({ name }).returning();
    await s.database.db.insert(agents).values({
      partnerId: p!.id,
      email,
      displayName: 'Admin',
      passwordHash: await hashPassword(PASSWORD),
      roles: ['ADMIN_AGENT', 'ACCESS_ADMINISTRATOR'],
    });
  }
  return { adminToken: await signIn(s, email), adminEmail: email, partnerName: name };
}

/** A SKU's global id, from the catalogue as a signed-in caller reads it. */
export async function skuId(s: TestServer, partNumber: string, token: string): Promise<string> {
  const d = await s.ok(`{ skus { id partNumber } }`, {}, token);
  return d.skus.find((x: { partNumber: string }) => x.partNumber === partNumber).id;
}

export async function createCustomer(
  s: TestServer,
  partner: Partner,
  subs: [string, number][] = [],
): Promise<Customer> {
  const domain = `${unique('tenant')}.onmicrosoft.com`;
  const d = await s.ok(
    `mutation($i: CreateCustomerInput!) { createCustomer(input: $i) {
      customer { id } globalAdministrator { id userPrincipalName } temporaryPassword userErrors { message } } }`,
    { i: { name: unique('Customer '), defaultDomain: domain } },
    partner.adminToken,
  );
  const c = d.createCustomer;
  for (const [part, seats] of subs) {
    await s.ok(
      `mutation($i: AddSubscriptionInput!) { addSubscription(input: $i) { userErrors { message } } }`,
      { i: { customerId: c.customer.id, skuId: await skuId(s, part, partner.adminToken), seats } },
      partner.adminToken,
    );
  }
  const temp = await signIn(s, c.globalAdministrator.userPrincipalName, c.temporaryPassword);
  await s.ok(
    `mutation($i: ChangePasswordInput!) { changePassword(input: $i) { ok } }`,
    {
      i: { currentPassword: c.temporaryPassword, newPassword: PASSWORD },
    },
    temp,
  );
  return {
    id: c.customer.id,
    domain,
    gaUserId: c.globalAdministrator.id,
    gaUpn: c.globalAdministrator.userPrincipalName,
    gaToken: temp,
  };
}

export interface Grant {
  relationshipId: string;
  agentToken: string;
  agentId: string;
  agentEmail: string;
}

/** An agent whose only access to the customer is `roles`, through a new relationship (approved unless pending). */
export async function grantAgent(
  s: TestServer,
  partner: Partner,
  customer: Customer,
  roles: DirectoryRole[],
  opts: {
    partnerRoles?: PartnerRole[];
    approve?: boolean;
    durationDays?: number;
    relationshipRoles?: DirectoryRole[];
  } = {},
): Promise<Grant> {
  const email = `${unique('agent')}@partner.example`;
  const agent = await s.ok(
    `mutation($i: CreateAgentInput!) { createAgent(input: $i) { agent { id } userErrors { message } } }`,
    { i: { email, displayName: email, password: PASSWORD, roles: opts.partnerRoles ?? ['ADMIN_AGENT'] } },
    partner.adminToken,
  );
  const group = await s.ok(
    `mutation($i: CreateSecurityGroupInput!) { createSecurityGroup(input: $i) { securityGroup { id } } }`,
    { i: { name: unique('group') } },
    partner.adminToken,
  );
  await s.ok(
    `mutation($i: AddSecurityGroupMemberInput!) { addSecurityGroupMember(input: $i) { userErrors { message } } }`,
    { i: { groupId: group.createSecurityGroup.securityGroup.id, agentId: agent.createAgent.agent.id } },
    partner.adminToken,
  );
  const rel = await s.ok(
    `mutation($i: CreateGdapRelationshipInput!) { createGdapRelationship(input: $i) { relationship { id } approvalToken userErrors { message } } }`,
    {
      i: {
        customerId: customer.id,
        displayName: unique('rel'),
        roles: opts.relationshipRoles ?? roles,
        durationDays: opts.durationDays ?? 730,
      },
    },
    partner.adminToken,
  );
  const relationshipId = rel.createGdapRelationship.relationship.id;
  if (opts.approve !== false) {
    const a = await s.ok(
      `mutation($i: ApproveGdapRelationshipInput!) { approveGdapRelationship(input: $i) { userErrors { message } } }`,
      { i: { approvalToken: rel.createGdapRelationship.approvalToken } },
      customer.gaToken,
    );
    if (a.approveGdapRelationship.userErrors.length) throw new Error(JSON.stringify(a));
  }
  const assign = await s.ok(
    `mutation($i: AssignGdapAccessInput!) { assignGdapAccess(input: $i) { userErrors { message } } }`,
    { i: { relationshipId, groupId: group.createSecurityGroup.securityGroup.id, roles } },
    partner.adminToken,
  );
  if (assign.assignGdapAccess.userErrors.length) throw new Error(JSON.stringify(assign));
  return { relationshipId, agentToken: await signIn(s, email), agentId: agent.createAgent.agent.id, agentEmail: email };
}

/** Adds the agent signed in with `token` to the security group of `grant` too: it then holds both grants' roles. */
export async function joinGrant(s: TestServer, partner: Partner, grant: Grant, token: string): Promise<void> {
  const d = await s.ok(
    `mutation($i: AddSecurityGroupMemberInput!) { addSecurityGroupMember(input: $i) { userErrors { message } } }`,
    {
      i: {
        groupId: (await s.ok(`{ viewer { agent { groups { id } } } }`, {}, grant.agentToken)).viewer.agent.groups[0].id,
        agentId: (await s.ok(`{ viewer { agent { id } } }`, {}, token)).viewer.agent.id,
      },
    },
    partner.adminToken,
  );
  if (d.addSecurityGroupMember.userErrors.length) throw new Error(JSON.stringify(d));
}

export const CREATE_USER = `mutation($i: CreateUserInput!) { createUser(input: $i) {
  user { id userPrincipalName state roles licenses { sku { partNumber } } } temporaryPassword
  userErrors { field code message } } }`;

export async function createUser(
  s: TestServer,
  token: string,
  customer: Customer,
  input: Record<string, unknown> = {},
): Promise<{ id: string; userPrincipalName: string; temporaryPassword: string }> {
  const d = await s.ok(
    CREATE_USER,
    {
      i: {
        customerId: customer.id,
        userPrincipalName: `${unique('user')}@${customer.domain}`,
        displayName: 'A User',
        ...input,
      },
    },
    token,
  );
  if (d.createUser.userErrors.length) throw new Error(JSON.stringify(d.createUser.userErrors));
  return { ...d.createUser.user, temporaryPassword: d.createUser.temporaryPassword };
}
