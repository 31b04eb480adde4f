import argon2 from 'argon2';
import { afterAll, beforeAll, describe, expect, it, onTestFinished, vi } from 'vitest';
import { argon2Options } from '../src/auth/passwords.js';
import { phcParameters } from './support/fixtures.js';
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

beforeAll(async () => {
  // This file tries many wrong passwords from one address; the per-address budget is tested apart (smart lockout).
  s = await startServer({ TOKEN_TTL_MINUTES: '60', SIGN_IN_CLIENT_MAX_FAILURES: '10000' });
  partner = await createPartner(s);
  customer = await createCustomer(s, partner);
});
afterAll(() => s.close());

const SIGN_IN = `mutation($i: SignInInput!) { signIn(input: $i) { token expiresAt mustChangePassword userErrors { field code message } } }`;
const VIEWER = `{ viewer { kind mustChangePassword agent { email } } }`;

describe('sign-in', () => {
  it('gives a bearer token that identifies the agent', async () => {
    const d = await s.ok(`{ viewer { agent { partner { name } } } }`, {}, partner.adminToken);
    expect(d.viewer.agent.partner.name).toBe(partner.partnerName);
  });

  it('answers a wrong email and a wrong password with the same error', async () => {
    const wrongEmail = await s.ok(SIGN_IN, { i: { email: 'nobody@nowhere.example', password: PASSWORD } });
    const g = await grantAgent(s, partner, customer, ['DIRECTORY_READERS']);
    const wrongPassword = await s.ok(SIGN_IN, { i: { email: g.agentEmail, password: 'Wrong-Passw0rd!' } });
    expect(wrongEmail.signIn.token).toBeNull();
    expect(wrongEmail.signIn.userErrors).toEqual(wrongPassword.signIn.userErrors);
    expect(wrongEmail.signIn.userErrors[0].code).toBe('INVALID_CREDENTIALS');
  });

  it('does the same work for a wrong email as for a wrong password: one argon2id verification of a hash with the same parameters', async () => {
    const g = await grantAgent(s, partner, customer, ['DIRECTORY_READERS']);
    // The server runs in this process: every verification it makes goes through argon2.verify.
    const verified: string[] = [];
    const spy = vi.spyOn(argon2, 'verify').mockImplementation(async (hash: string) => {
      verified.push(hash.slice(0, hash.lastIndexOf('$', hash.lastIndexOf('$') - 1)));
      return false;
    });
    try {
      await s.ok(SIGN_IN, { i: { email: 'nobody@nowhere.example', password: 'Wrong-Passw0rd!' } });
      await s.ok(SIGN_IN, { i: { email: g.agentEmail, password: 'Wrong-Passw0rd!' } });
    } finally {
      spy.mockRestore();
    }
    // Both verified once, against hashes of the same algorithm and parameters (the salt and digest differ).
    expect(verified).toHaveLength(2);
    expect(verified[0]).toBe(verified[1]);
  });

  it('throttles repeated failures for one email, even with the right password afterwards', async () => {
    const g = await grantAgent(s, partner, customer, ['DIRECTORY_READERS']);
    for (let i = 0; i < 5; i++) await s.ok(SIGN_IN, { i: { email: g.agentEmail, password: `Wrong-${i}-Passw0rd` } });
    const locked = await s.ok(SIGN_IN, { i: { email: g.agentEmail, password: PASSWORD } });
    expect(locked.signIn.token).toBeNull();
    expect(locked.signIn.userErrors[0].code).toBe('TOO_MANY_ATTEMPTS');
    await s.ok(SIGN_IN, { i: { email: g.agentEmail, password: PASSWORD } });
    // The partner's log has each failure and the lockout once, however often the locked account is tried.
    const log = await s.ok(
      `{ viewer { agent { partner { auditEvents(first: 50) { edges { node { action actorKind actorEmail targetName } } } } } } }`,
      {},
      partner.adminToken,
    );
    const mine = log.viewer.agent.partner.auditEvents.edges
      .map((e: any) => e.node)
      .filter((e: any) => e.targetName === g.agentEmail && e.action.startsWith('SIGN_IN'));
    expect(mine.map((e: any) => e.action)).toEqual(['SIGN_IN_LOCKED_OUT', ...Array(5).fill('SIGN_IN_FAILED')]);
    expect(mine[0]).toMatchObject({ actorKind: 'ANONYMOUS', actorEmail: g.agentEmail });
    s.travel(16 * 60_000);
    const again = await s.ok(SIGN_IN, { i: { email: g.agentEmail, password: PASSWORD } });
    expect(again.signIn.token).toMatch(/^pat_/);
  });

  it('checks at most five passwords of one email when thirty guesses arrive at once', async () => {
    const g = await grantAgent(s, partner, customer, ['DIRECTORY_READERS']);
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        s.ok(SIGN_IN, { i: { email: g.agentEmail, password: `Guess-${i}-Passw0rd` } }),
      ),
    );
    const codes = answers.map((a) => a.signIn.userErrors[0]?.code);
    expect(codes.filter((c) => c === 'INVALID_CREDENTIALS')).toHaveLength(5);
    expect(codes.filter((c) => c === 'TOO_MANY_ATTEMPTS')).toHaveLength(25);
  });

  it("lets no agent email shadow a customer user's sign-in, from this partner or another", async () => {
    const gaSignIn = async () => (await s.ok(SIGN_IN, { i: { email: customer.gaUpn, password: PASSWORD } })).signIn;
    expect((await gaSignIn()).token).toMatch(/^pat_/);
    const intruder = await createPartner(s);
    for (const admin of [intruder.adminToken, partner.adminToken]) {
      const d = await s.ok(
        `mutation($i: CreateAgentInput!) { createAgent(input: $i) { agent { id } userErrors { field code message } } }`,
        { i: { email: customer.gaUpn, displayName: 'Shadow', password: PASSWORD, roles: ['SALES_AGENT'] } },
        admin,
      );
      expect(d.createAgent.agent).toBeNull();
      expect(d.createAgent.userErrors[0]).toMatchObject({ field: ['email'], code: 'DOMAIN_TAKEN' });
      // Another partner learns that the domain is not available, not whose it is.
      expect(d.createAgent.userErrors[0].message).toBe(
        `The domain ${customer.domain} is not available for agents' emails: use one on your own domain.`,
      );
    }
    expect((await gaSignIn()).token).toMatch(/^pat_/);
    // Nor can a customer take over the domain the partner's agents sign in with.
    const agentDomain = partner.adminEmail.split('@')[1];
    const d = await s.ok(
      `mutation($i: AddCustomerDomainInput!) { addCustomerDomain(input: $i) { userErrors { field code message } } }`,
      { i: { customerId: customer.id, name: agentDomain } },
      partner.adminToken,
    );
    expect(d.addCustomerDomain.userErrors[0]).toMatchObject({
      field: ['name'],
      code: 'DOMAIN_TAKEN',
      message: `The domain ${agentDomain} is not available: choose another.`,
    });
    expect(await signIn(s, partner.adminEmail)).toMatch(/^pat_/);
    // An agent email of another partner: not available, no more.
    const other = await s.ok(
      `mutation($i: CreateAgentInput!) { createAgent(input: $i) { userErrors { code message } } }`,
      { i: { email: partner.adminEmail, displayName: 'Copy', password: PASSWORD, roles: ['SALES_AGENT'] } },
      intruder.adminToken,
    );
    expect(other.createAgent.userErrors).toEqual([
      { code: 'EMAIL_TAKEN', message: `${partner.adminEmail} is not available: choose another email.` },
    ]);
  });

  it('answers the product catalogue only to a signed-in caller', async () => {
    expect((await s.gql(`{ skus { id } }`)).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const d = await s.ok(`{ skus { id partNumber } }`, {}, partner.adminToken);
    expect(d.skus.length).toBeGreaterThan(0);
    expect(
      (await s.gql(`query($id: ID!) { node(id: $id) { id } }`, { id: d.skus[0].id })).errors?.[0]?.extensions?.code,
    ).toBe('UNAUTHENTICATED');
  });

  it('refuses a malformed, an expired and a revoked token with UNAUTHENTICATED', async () => {
    const bad = await s.gql(`{ customers { edges { node { id } } } }`, {}, 'pat_not-a-token');
    expect(bad.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(bad.errors?.[0]?.message).toMatch(/invalid, expired or revoked/);

    const token = await signIn(s, (await grantAgent(s, partner, customer, ['DIRECTORY_READERS'])).agentEmail);
    expect((await s.ok(VIEWER, {}, token)).viewer.kind).toBe('AGENT');
    await s.ok(`mutation { signOut { ok } }`, {}, token);
    expect((await s.ok(VIEWER, {}, token)).viewer).toBeNull();
    expect((await s.gql(`{ customers { edges { node { id } } } }`, {}, token)).errors?.[0]?.extensions?.code).toBe(
      'UNAUTHENTICATED',
    );
  });

  it('lets a customer user with a temporary password do nothing but change it', async () => {
    const admin = await grantAgent(s, partner, customer, ['USER_ADMINISTRATOR']);
    const user = await createUser(s, admin.agentToken, customer);
    const first = await s.ok(SIGN_IN, { i: { email: user.userPrincipalName, password: user.temporaryPassword } });
    expect(first.signIn.mustChangePassword).toBe(true);
    const token = first.signIn.token;

    const refused = await s.gql(
      `mutation($i: ApproveGdapRelationshipInput!) { approveGdapRelationship(input: $i) { userErrors { message } } }`,
      { i: { approvalToken: 'x' } },
      token,
    );
    expect(refused.errors?.[0]?.extensions?.code).toBe('PASSWORD_CHANGE_REQUIRED');
    for (const read of [`{ skus { id } }`, `{ customers(first: 1) { edges { node { id } } } }`]) {
      expect((await s.gql(read, {}, token)).errors?.[0]?.extensions?.code, read).toBe('PASSWORD_CHANGE_REQUIRED');
    }
    expect((await s.ok(`{ viewer { user { id } mustChangePassword } }`, {}, token)).viewer).toEqual({
      user: null,
      mustChangePassword: true,
    });

    const weak = await s.ok(
      `mutation($i: ChangePasswordInput!) { changePassword(input: $i) { ok userErrors { field code message } } }`,
      { i: { currentPassword: user.temporaryPassword, newPassword: 'password' } },
      token,
    );
    expect(weak.changePassword.userErrors[0]).toMatchObject({ field: ['newPassword'], code: 'WEAK_PASSWORD' });

    const changed = await s.ok(
      `mutation($i: ChangePasswordInput!) { changePassword(input: $i) { ok userErrors { message } } }`,
      { i: { currentPassword: user.temporaryPassword, newPassword: 'Brand-New-Passw0rd' } },
      token,
    );
    expect(changed.changePassword.ok).toBe(true);
    expect((await s.ok(`{ viewer { mustChangePassword user { userPrincipalName } } }`, {}, token)).viewer).toEqual({
      mustChangePassword: false,
      user: { userPrincipalName: user.userPrincipalName },
    });

    const old = await s.ok(SIGN_IN, { i: { email: user.userPrincipalName, password: user.temporaryPassword } });
    expect(old.signIn.userErrors[0].code).toBe('INVALID_CREDENTIALS');
    const fresh = await s.ok(SIGN_IN, { i: { email: user.userPrincipalName, password: 'Brand-New-Passw0rd' } });
    expect(fresh.signIn.mustChangePassword).toBe(false);
  });

  it("finds a customer user through the tenant that owns the UPN's domain, also for the same alias in two tenants", async () => {
    const other = await createCustomer(s, partner);
    const extra = `extra-${other.domain}`;
    const added = await s.ok(
      `mutation($i: AddCustomerDomainInput!) { addCustomerDomain(input: $i) { domain { name } userErrors { field code } } }`,
      { i: { customerId: other.id, name: extra } },
      partner.adminToken,
    );
    expect(added.addCustomerDomain).toEqual({ domain: { name: extra }, userErrors: [] });
    const taken = await s.ok(
      `mutation($i: AddCustomerDomainInput!) { addCustomerDomain(input: $i) { domain { name } userErrors { field code } } }`,
      { i: { customerId: customer.id, name: extra.toUpperCase() } },
      partner.adminToken,
    );
    expect(taken.addCustomerDomain).toEqual({ domain: null, userErrors: [{ field: ['name'], code: 'DOMAIN_TAKEN' }] });

    const here = await grantAgent(s, partner, customer, ['USER_ADMINISTRATOR']);
    const there = await grantAgent(s, partner, other, ['USER_ADMINISTRATOR']);
    const a = await createUser(s, here.agentToken, customer, { userPrincipalName: `same.alias@${customer.domain}` });
    const b = await createUser(s, there.agentToken, other, { userPrincipalName: `Same.Alias@${extra}` });
    const whoAmI = async (email: string, password: string) => {
      const r = await s.ok(SIGN_IN, { i: { email, password } });
      expect(r.signIn.userErrors).toEqual([]);
      return (await s.ok(`{ viewer { kind } }`, {}, r.signIn.token)).viewer.kind;
    };
    expect(await whoAmI(`SAME.alias@${customer.domain.toUpperCase()}`, a.temporaryPassword)).toBe('USER');
    expect(await whoAmI(`same.alias@${extra}`, b.temporaryPassword)).toBe('USER');
    // Each password opens only its own tenant's account.
    const crossed = await s.ok(SIGN_IN, { i: { email: `same.alias@${extra}`, password: a.temporaryPassword } });
    expect(crossed.signIn).toMatchObject({ token: null, userErrors: [{ code: 'INVALID_CREDENTIALS' }] });
    const noDomain = await s.ok(SIGN_IN, {
      i: { email: `same.alias@unknown-${customer.domain}`, password: a.temporaryPassword },
    });
    expect(noDomain.signIn).toMatchObject({ token: null, userErrors: [{ code: 'INVALID_CREDENTIALS' }] });
  });

  it("hashes with OWASP's argon2id parameters outside the test suite (m=19 MiB, t=2, p=1)", () => {
    expect(argon2Options({})).toEqual({ type: 2, memoryCost: 19_456, timeCost: 2, parallelism: 1 });
    expect(argon2Options({ ARGON2_TEST_PARAMETERS: '1', NODE_ENV: 'production' })).toEqual(argon2Options({}));
  });

  it('stores only hashes: argon2id for passwords, SHA-256 for tokens', async () => {
    const { sql } = await import('drizzle-orm');
    const rows = await s.database.db.execute(sql`select password_hash from agents limit 1`);
    const hash = ((rows as unknown as { rows?: any[] }).rows ?? (rows as unknown as any[]))[0].password_hash as string;
    const { memoryCost: m, timeCost: t, parallelism: p } = argon2Options();
    expect(phcParameters(hash)).toEqual({ algorithm: 'argon2id', m, t, p });
    const sessions = await s.database.db.execute(sql`select token_hash from sessions`);
    const list = ((sessions as unknown as { rows?: any[] }).rows ?? (sessions as unknown as any[])) as {
      token_hash: string;
    }[];
    expect(list.every((r) => /^[0-9a-f]{64}$/.test(r.token_hash))).toBe(true);
    expect(list.some((r) => r.token_hash.includes(partner.adminToken))).toBe(false);
  });

  it('refuses a token once it has expired', async () => {
    const short = await signIn(s, (await grantAgent(s, partner, customer, ['DIRECTORY_READERS'])).agentEmail);
    expect((await s.gql(`{ customers { edges { node { id } } } }`, {}, short)).errors).toBeUndefined();
    s.travel(61 * 60_000);
    expect((await s.gql(`{ customers { edges { node { id } } } }`, {}, short)).errors?.[0]?.extensions?.code).toBe(
      'UNAUTHENTICATED',
    );
  });

  it('(moves the clock) lets maintenance remove sessions over for a day and spent sign-in counters, nothing live', async () => {
    const { sql } = await import('drizzle-orm');
    const { removeStaleSessions } = await import('../src/services/sessions.js');
    const count = async (table: string) => {
      const r: any = await s.database.db.execute(sql.raw(`select count(*)::int as n from ${table}`));
      return (r.rows ?? r)[0].n as number;
    };
    s.travel(2 * 86_400_000);
    // The sessions of this file's fixtures are among those removed: sign them in again for the tests after this one.
    onTestFinished(() => refreshTokens(s, partner, customer));
    const live = await signIn(s, partner.adminEmail);
    expect(await count('sign_in_throttle')).toBeGreaterThan(0);
    expect(await removeStaleSessions(s.database.db, s.clock.now())).toBeGreaterThan(0);
    expect(await count('sessions')).toBe(1);
    expect(await count('sign_in_throttle')).toBe(0);
    expect((await s.ok(VIEWER, {}, live)).viewer.kind).toBe('AGENT');
  });
});
