// Fixtures built in-process through the services, as a partner admin's calls would make them, with session tokens
// issued directly (no password check, no HTTP): a test pays HTTP only for what it tests. Ids are returned as the
// API's global ids.
import { eq } from 'drizzle-orm';
import { expect, vi } from 'vitest';
import type { DirectoryRole, PartnerRole } from '../../src/auth/roles.js';
import { hashToken } from '../../src/auth/tokens.js';
import { sessions, skus } from '../../src/db/schema.js';
import { encodeGlobalID, scopedId } from '../../src/graphql/ids.js';
import { createAgent } from '../../src/services/agents.js';
import { type ServiceContext, serviceContext } from '../../src/services/context.js';
import { addSubscription, createCustomer as createCustomerService } from '../../src/services/customers.js';
import { approveGdapRelationship, assignGdapAccess, createGdapRelationship } from '../../src/services/gdap.js';
import { bootstrapPartner } from '../../src/services/partners.js';
import { addGroupMember, createSecurityGroup } from '../../src/services/security-groups.js';
import { authenticate, changePassword, issueSession, LAST_USED_PRECISION_MS } from '../../src/services/sessions.js';
import { rawId } from './fixtures.js';
import type { TestServer } from './server.js';

export const PASSWORD = 'Test-Passw0rd!';
let counter = 0;
const unique = (prefix: string) => `${prefix}${++counter}${Math.random().toString(36).slice(2, 6)}`;

/** A service context for the holder of `token`, authenticated as a request would be (expired tokens fail). */
async function as(s: TestServer, token: string): Promise<ServiceContext> {
  const ctx = serviceContext(s.database.db, s.clock);
  ctx.caller = await authenticate(ctx, token);
  if (!ctx.caller) throw new Error('fixture: the token is invalid or expired (refreshTokens after moving the clock)');
  return ctx;
}

/**
 * Waits until each token's session holds its last use as of now: a request records it in a write it does not wait for
 * (sessions.ts callerOfSession), which would otherwise land among a later request's statements where a test counts.
 */
export async function lastUseRecorded(s: TestServer, ...tokens: string[]): Promise<void> {
  await vi.waitFor(async () => {
    for (const token of tokens) {
      const [row] = await s.database.db
        .select({ at: sessions.lastUsedAt })
        .from(sessions)
        .where(eq(sessions.tokenHash, hashToken(token)));
      const age = s.clock.now().getTime() - (row?.at?.getTime() ?? 0);
      expect(age, 'the time since a token was last used').toBeLessThanOrEqual(LAST_USED_PRECISION_MS);
    }
  });
}

/** A session token for an agent or a user, issued as a successful sign-in would issue it. */
async function tokenFor(
  s: TestServer,
  subject: { kind: 'agent'; id: string } | { kind: 'user'; id: string; customerId: string },
): Promise<string> {
  return (await issueSession(s.database.db, subject, s.clock.now(), s.config.tokenTtlMs)).token;
}

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
  let adminId = created?.admin.id;
  if (!adminId) {
    // Further partners of the same database (tests of isolation between partners).
    const { partners, agents } = await import('../../src/db/schema.js');
    const { hashPassword } = await import('../../src/auth/passwords.js');
    const [p] = await s.database.db.insert(partners).values({ name }).returning();
    const [a] = await s.database.db
      .insert(agents)
      .values({
        partnerId: p!.id,
        email,
        displayName: 'Admin',
        passwordHash: await hashPassword(PASSWORD),
        roles: ['ADMIN_AGENT', 'ACCESS_ADMINISTRATOR'],
      })
      .returning();
    adminId = a!.id;
  }
  return { adminToken: await tokenFor(s, { kind: 'agent', id: adminId }), adminEmail: email, partnerName: name };
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
  const admin = await as(s, partner.adminToken);
  const c = await createCustomerService(admin, { name: unique('Customer '), defaultDomain: domain });
  const customerId = c.customer.id;
  for (const [part, seats] of subs) {
    const [sku] = await s.database.db.select().from(skus).where(eq(skus.partNumber, part));
    await addSubscription(admin, { customerId, skuId: sku!.id, seats });
  }
  // The Global Administrator replaces its temporary password, as it must before anything else.
  const ga = c.globalAdministrator;
  const gaToken = await tokenFor(s, { kind: 'user', id: ga.id, customerId });
  await changePassword(await as(s, gaToken), { currentPassword: c.temporaryPassword, newPassword: PASSWORD });
  return {
    id: encodeGlobalID('Customer', customerId),
    domain,
    gaUserId: encodeGlobalID('User', scopedId(customerId, ga.id)),
    gaUpn: ga.userPrincipalName,
    gaToken,
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
  const admin = await as(s, partner.adminToken);
  const agent = await createAgent(admin, {
    email,
    displayName: email,
    password: PASSWORD,
    roles: opts.partnerRoles ?? ['ADMIN_AGENT'],
  });
  const group = await createSecurityGroup(admin, { name: unique('group') });
  await addGroupMember(admin, { groupId: group.id, agentId: agent.id });
  const customerId = rawId(customer.id);
  const { relationship, approvalToken } = await createGdapRelationship(admin, {
    customerId,
    displayName: unique('rel'),
    roles: opts.relationshipRoles ?? roles,
    durationDays: opts.durationDays ?? 730,
  });
  if (opts.approve !== false) await approveGdapRelationship(await as(s, customer.gaToken), { approvalToken });
  await assignGdapAccess(admin, { customerId, relationshipId: relationship.id, groupId: group.id, roles });
  return {
    relationshipId: encodeGlobalID('GdapRelationship', scopedId(customerId, relationship.id)),
    agentToken: await tokenFor(s, { kind: 'agent', id: agent.id }),
    agentId: encodeGlobalID('Agent', agent.id),
    agentEmail: email,
  };
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
