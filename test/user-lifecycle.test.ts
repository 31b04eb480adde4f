// The seed page's tasks, step by step: create, first sign-in, edit with a dry run, delete, restore, reset, purge.

import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { argon2Options } from '../src/auth/passwords.js';
import { DAY_MS } from '../src/clock.js';
import { phcParameters, rawId } from './support/fixtures.js';
import { startServer, type TestServer } from './support/server.js';
import {
  CREATE_USER,
  type Customer,
  createCustomer,
  createPartner,
  createUser,
  grantAgent,
  type Partner,
  signIn,
  skuId,
} from './support/world.js';

let s: TestServer;
let partner: Partner;
let customer: Customer;
let admin: string;
let basic: string;
let e3: string;

const SIGN_IN = `mutation($i: SignInInput!) { signIn(input: $i) { token mustChangePassword userErrors { code } } }`;
const USER = `query($id: ID!) { node(id: $id) { ... on User { userPrincipalName displayName state deletedAt purgeAt roles licenses { seated sku { partNumber } } } } }`;
const LICENSES = `query($c: ID!) { customer(id: $c) { licenses { sku { partNumber } totalSeats consumedSeats availableSeats } } }`;
const DELETE = `mutation($id: ID!) { deleteUser(input: {userId: $id}) { user { state deletedAt } userErrors { field code message } } }`;
const RESTORE = `mutation($id: ID!, $upn: String) { restoreUser(input: {userId: $id, newUserPrincipalName: $upn}) {
  user { state userPrincipalName licenses { sku { partNumber } } roles } licenseWarnings { sku { partNumber } message } userErrors { field code message } } }`;
const UPDATE = `mutation($i: UpdateUserInput!) { updateUser(input: $i) { user { displayName jobTitle roles licenses { sku { partNumber } } }
  changes { field from to } dryRun userErrors { field code message } } }`;

const seats = async (part: string) =>
  (await s.ok(LICENSES, { c: customer.id }, admin)).customer.licenses.find((l: any) => l.sku.partNumber === part);

/** A customer with E3 (3 seats), Basic (10) and Visio (5), and an agent with the roles every user task needs. */
async function newCustomer(): Promise<{ customer: Customer; admin: string }> {
  const c = await createCustomer(s, partner, [
    ['SPE_E3', 3],
    ['O365_BUSINESS_ESSENTIALS', 10],
    ['VISIOCLIENT', 5],
  ]);
  const grant = await grantAgent(s, partner, c, [
    'USER_ADMINISTRATOR',
    'PRIVILEGED_ROLE_ADMINISTRATOR',
    'PRIVILEGED_AUTHENTICATION_ADMINISTRATOR',
  ]);
  return { customer: c, admin: grant.agentToken };
}

/** The running test gets a customer of its own (it uses up seats the other tests need), back to the shared one after. */
async function ownCustomer(): Promise<void> {
  const shared = { customer, admin };
  ({ customer, admin } = await newCustomer());
  onTestFinished(() => {
    ({ customer, admin } = shared);
  });
}

beforeAll(async () => {
  s = await startServer();
  partner = await createPartner(s);
  ({ customer, admin } = await newCustomer());
  e3 = await skuId(s, 'SPE_E3', partner.adminToken);
  basic = await skuId(s, 'O365_BUSINESS_ESSENTIALS', partner.adminToken);
});
afterAll(() => s.close());

describe('creating a user', () => {
  it('returns a strong temporary password once, stores only its argon2id hash, and applies roles and licences', async () => {
    const d = await s.ok(
      CREATE_USER,
      {
        i: {
          customerId: customer.id,
          userPrincipalName: `Grace.Hopper@${customer.domain}`,
          displayName: 'Grace Hopper',
          firstName: 'Grace',
          lastName: 'Hopper',
          usageLocation: 'US',
          roles: ['REPORTS_READER'],
          licenseSkuIds: [e3],
        },
      },
      admin,
    );
    const { user, temporaryPassword, userErrors } = d.createUser;
    expect(userErrors).toEqual([]);
    expect(user).toMatchObject({
      userPrincipalName: `Grace.Hopper@${customer.domain}`,
      state: 'ACTIVE',
      roles: ['REPORTS_READER'],
      licenses: [{ sku: { partNumber: 'SPE_E3' } }],
    });
    expect(temporaryPassword.length).toBeGreaterThanOrEqual(14);
    for (const cls of [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/]) expect(temporaryPassword).toMatch(cls);
    const { sql } = await import('drizzle-orm');
    const rows: any = await s.database.db.execute(
      sql`select password_hash from users where user_principal_name = ${user.userPrincipalName}`,
    );
    const hash = (rows.rows ?? rows)[0].password_hash;
    const { memoryCost: m, timeCost: t, parallelism: p } = argon2Options();
    expect(phcParameters(hash)).toEqual({ algorithm: 'argon2id', m, t, p });
    expect(hash).not.toContain(temporaryPassword);
    expect((await seats('SPE_E3')).consumedSeats).toBe(1);
  });

  it('generates different passwords every time', async () => {
    const a = await createUser(s, admin, customer);
    const b = await createUser(s, admin, customer);
    expect(a.temporaryPassword).not.toBe(b.temporaryPassword);
  });

  const invalid: [string, Record<string, unknown>, string[], string, RegExp?][] = [
    ['no alias', { userPrincipalName: '@x' }, ['userPrincipalName'], 'INVALID_UPN'],
    ['bad characters', { userPrincipalName: 'a b@DOMAIN' }, ['userPrincipalName'], 'INVALID_UPN', /letters, digits/],
    ['a double dot', { userPrincipalName: 'a..b@DOMAIN' }, ['userPrincipalName'], 'INVALID_UPN'],
    [
      'a 65-character alias',
      { userPrincipalName: `${'a'.repeat(65)}@DOMAIN` },
      ['userPrincipalName'],
      'INVALID_UPN',
      /64/,
    ],
    [
      'an unverified domain',
      { userPrincipalName: 'someone@gmail.com' },
      ['userPrincipalName'],
      'DOMAIN_NOT_VERIFIED',
      /gmail\.com/,
    ],
    ['licences without usage location', { licenseSkuIds: ['E3'] }, ['usageLocation'], 'USAGE_LOCATION_REQUIRED'],
    ['a bad usage location', { usageLocation: 'XX' }, ['usageLocation'], 'INVALID'],
    ['an empty display name', { displayName: ' ' }, ['displayName'], 'REQUIRED'],
    ['a 300-character display name', { displayName: 'x'.repeat(300) }, ['displayName'], 'TOO_LONG'],
  ];
  for (const [name, input, field, code, message] of invalid) {
    it(`refuses ${name} with a userError on ${field.join('.')}, creating nothing`, async () => {
      const before = (
        await s.ok(
          `query($c: ID!) { customer(id: $c) { users(first: 500) { edges { node { id } } } } }`,
          { c: customer.id },
          admin,
        )
      ).customer.users.edges.length;
      const i: Record<string, unknown> = {
        customerId: customer.id,
        userPrincipalName: `valid.${Date.now()}@DOMAIN`,
        displayName: 'Valid',
        ...input,
      };
      i.userPrincipalName = String(i.userPrincipalName).replace('DOMAIN', customer.domain);
      if (Array.isArray(i.licenseSkuIds)) i.licenseSkuIds = [e3];
      const d = await s.ok(CREATE_USER, { i }, admin);
      expect(d.createUser.user).toBeNull();
      expect(d.createUser.userErrors).toContainEqual(expect.objectContaining({ field, code }));
      if (message) expect(d.createUser.userErrors.find((e: any) => e.code === code).message).toMatch(message);
      const after = (
        await s.ok(
          `query($c: ID!) { customer(id: $c) { users(first: 500) { edges { node { id } } } } }`,
          { c: customer.id },
          admin,
        )
      ).customer.users.edges.length;
      expect(after).toBe(before);
    });
  }

  it('refuses a UPN an active user holds, whatever the case, naming that user', async () => {
    const taken = await createUser(s, admin, customer, { displayName: 'First Holder' });
    const d = await s.ok(
      CREATE_USER,
      {
        i: { customerId: customer.id, userPrincipalName: taken.userPrincipalName.toUpperCase(), displayName: 'Second' },
      },
      admin,
    );
    expect(d.createUser.userErrors[0]).toMatchObject({ field: ['userPrincipalName'], code: 'UPN_TAKEN' });
    expect(d.createUser.userErrors[0].message).toContain('First Holder');
  });

  it('creates exactly one user when 20 requests race for one UPN', async () => {
    const upn = `race@${customer.domain}`;
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        s.ok(CREATE_USER, { i: { customerId: customer.id, userPrincipalName: upn, displayName: 'Racer' } }, admin),
      ),
    );
    const created = results.filter((r) => r.createUser.user);
    expect(created).toHaveLength(1);
    expect(results.filter((r) => r.createUser.userErrors[0]?.code === 'UPN_TAKEN')).toHaveLength(19);
    const found = await s.ok(
      `query($c: ID!) { customer(id: $c) { users(first: 10, filter: {search: "race@"}) { edges { node { id } } } } }`,
      { c: customer.id },
      admin,
    );
    expect(found.customer.users.edges).toHaveLength(1);
  });
});

describe('first sign-in of a new user', () => {
  it('signs in once with the temporary password, must change it, and the temporary one stops working', async () => {
    const u = await createUser(s, admin, customer);
    const first = await s.ok(SIGN_IN, { i: { email: u.userPrincipalName, password: u.temporaryPassword } });
    expect(first.signIn.mustChangePassword).toBe(true);
    const change = `mutation($i: ChangePasswordInput!) { changePassword(input: $i) { ok userErrors { field code message } } }`;
    const weak = await s.ok(
      change,
      { i: { currentPassword: u.temporaryPassword, newPassword: 'abcdefgh' } },
      first.signIn.token,
    );
    expect(weak.changePassword.userErrors[0]).toMatchObject({
      code: 'WEAK_PASSWORD',
      message: 'The new password must contain at least three of: lower case, upper case, digits, symbols.',
    });
    const unicode = await s.ok(
      change,
      { i: { currentPassword: u.temporaryPassword, newPassword: 'Pässword-123' } },
      first.signIn.token,
    );
    expect(unicode.changePassword.userErrors[0].message).toMatch(/must not contain the character "ä"/);
    expect(
      (
        await s.ok(
          change,
          { i: { currentPassword: u.temporaryPassword, newPassword: 'Good-Passw0rd' } },
          first.signIn.token,
        )
      ).changePassword.ok,
    ).toBe(true);
    expect(
      (await s.ok(SIGN_IN, { i: { email: u.userPrincipalName, password: u.temporaryPassword } })).signIn.userErrors[0]
        .code,
    ).toBe('INVALID_CREDENTIALS');
  });
});

describe('editing a user', () => {
  it('leaves alone the fields whose variables a client declares but does not send (codegen forms)', async () => {
    const u = await createUser(s, admin, customer, { usageLocation: 'FR', jobTitle: 'Pilot', department: 'Air' });
    const q = `mutation($id: ID!, $loc: String, $job: String, $dept: String) {
      updateUser(input: {userId: $id, usageLocation: $loc, jobTitle: $job, department: $dept}) { user { usageLocation jobTitle department } changes { field } userErrors { code } } }`;
    // Twice: the second request runs the compiled plan of the first, if any.
    for (const dept of ['Sea', 'Land']) {
      const d = await s.ok(q, { id: u.id, dept }, admin);
      expect(d.updateUser).toMatchObject({
        user: { usageLocation: 'FR', jobTitle: 'Pilot', department: dept },
        changes: [{ field: 'department' }],
        userErrors: [],
      });
    }
    // Sent as null, a field is cleared.
    const cleared = await s.ok(q, { id: u.id, job: null, loc: 'FR', dept: 'Land' }, admin);
    expect(cleared.updateUser.user).toEqual({ usageLocation: 'FR', jobTitle: null, department: 'Land' });
  });

  it('previews with a dry run, saving nothing, then saves the same changes', async () => {
    const u = await createUser(s, admin, customer, { usageLocation: 'FR' });
    const input = {
      userId: u.id,
      displayName: 'Renamed',
      jobTitle: 'Engineer',
      addRoles: ['HELPDESK_ADMINISTRATOR'],
      addLicenseSkuIds: [basic],
    };
    const before = (await seats('O365_BUSINESS_ESSENTIALS')).consumedSeats;
    const dry = await s.ok(UPDATE, { i: { ...input, dryRun: true } }, admin);
    expect(dry.updateUser).toMatchObject({
      dryRun: true,
      userErrors: [],
      user: {
        displayName: 'Renamed',
        jobTitle: 'Engineer',
        roles: ['HELPDESK_ADMINISTRATOR'],
        licenses: [{ sku: { partNumber: 'O365_BUSINESS_ESSENTIALS' } }],
      },
    });
    expect(dry.updateUser.changes).toEqual([
      { field: 'displayName', from: 'A User', to: 'Renamed' },
      { field: 'jobTitle', from: null, to: 'Engineer' },
      { field: 'roles', from: null, to: 'HELPDESK_ADMINISTRATOR' },
      { field: 'licenses', from: null, to: 'O365_BUSINESS_ESSENTIALS' },
    ]);
    expect((await s.ok(USER, { id: u.id }, admin)).node).toMatchObject({
      displayName: 'A User',
      roles: [],
      licenses: [],
    });
    expect((await seats('O365_BUSINESS_ESSENTIALS')).consumedSeats).toBe(before);

    const saved = await s.ok(UPDATE, { i: input }, admin);
    expect(saved.updateUser.changes).toEqual(dry.updateUser.changes);
    expect((await s.ok(USER, { id: u.id }, admin)).node).toMatchObject({
      displayName: 'Renamed',
      roles: ['HELPDESK_ADMINISTRATOR'],
      licenses: [{ sku: { partNumber: 'O365_BUSINESS_ESSENTIALS' } }],
    });
    expect((await seats('O365_BUSINESS_ESSENTIALS')).consumedSeats).toBe(before + 1);
  });

  it('saves nothing when one part of the input is invalid', async () => {
    const u = await createUser(s, admin, customer, { usageLocation: 'FR' });
    const d = await s.ok(
      UPDATE,
      { i: { userId: u.id, displayName: 'Changed', addLicenseSkuIds: [basic], usageLocation: 'ZZ' } },
      admin,
    );
    expect(d.updateUser.userErrors).toEqual([expect.objectContaining({ field: ['usageLocation'], code: 'INVALID' })]);
    expect((await s.ok(USER, { id: u.id }, admin)).node).toMatchObject({ displayName: 'A User', licenses: [] });
  });

  it('saves nothing when a licence has no seat left, and names the SKU', async () => {
    await ownCustomer();
    const full = await s.ok(LICENSES, { c: customer.id }, admin);
    const e3Left = full.customer.licenses.find((l: any) => l.sku.partNumber === 'SPE_E3').availableSeats;
    for (let i = 0; i < e3Left; i++) await createUser(s, admin, customer, { usageLocation: 'FR', licenseSkuIds: [e3] });
    const u = await createUser(s, admin, customer, { usageLocation: 'FR' });
    const basicBefore = (await seats('O365_BUSINESS_ESSENTIALS')).consumedSeats;
    const d = await s.ok(
      UPDATE,
      { i: { userId: u.id, displayName: 'Wants E3', addLicenseSkuIds: [basic, e3] } },
      admin,
    );
    expect(d.updateUser.userErrors[0]).toMatchObject({ code: 'NO_SEATS', field: ['addLicenseSkuIds'] });
    expect(d.updateUser.userErrors[0].message).toContain('Microsoft 365 E3 (SPE_E3)');
    expect((await s.ok(USER, { id: u.id }, admin)).node).toMatchObject({ displayName: 'A User', licenses: [] });
    expect((await seats('SPE_E3')).consumedSeats).toBe((await seats('SPE_E3')).totalSeats);
    // The Basic seat the update took before it found E3 full went back with the rollback.
    expect((await seats('O365_BUSINESS_ESSENTIALS')).consumedSeats).toBe(basicBefore);
  });

  it('needs a usage location before a licence', async () => {
    const u = await createUser(s, admin, customer);
    const d = await s.ok(UPDATE, { i: { userId: u.id, addLicenseSkuIds: [basic] } }, admin);
    expect(d.updateUser.userErrors[0]).toMatchObject({ code: 'USAGE_LOCATION_REQUIRED', field: ['usageLocation'] });
  });
});

describe('deleting and restoring', () => {
  it('deletes softly: the user cannot sign in, frees its seats, leaves users for deletedUsers with purgeAt 30 days on', async () => {
    const u = await createUser(s, admin, customer, { usageLocation: 'FR', licenseSkuIds: [basic] });
    const session = (await s.ok(SIGN_IN, { i: { email: u.userPrincipalName, password: u.temporaryPassword } })).signIn
      .token;
    const before = (await seats('O365_BUSINESS_ESSENTIALS')).consumedSeats;
    const d = await s.ok(DELETE, { id: u.id }, admin);
    expect(d.deleteUser.user.state).toBe('INACTIVE');
    expect((await seats('O365_BUSINESS_ESSENTIALS')).consumedSeats).toBe(before - 1);
    expect(
      (await s.ok(SIGN_IN, { i: { email: u.userPrincipalName, password: u.temporaryPassword } })).signIn.userErrors[0]
        .code,
    ).toBe('INVALID_CREDENTIALS');
    expect((await s.ok(`{ viewer { kind } }`, {}, session)).viewer).toBeNull();
    const lists = await s.ok(
      `query($c: ID!, $q: String) { customer(id: $c) { users(first: 10, filter: {search: $q}) { edges { node { id } } }
      deletedUsers(first: 100) { edges { node { id deletedAt purgeAt } } } } }`,
      { c: customer.id, q: u.userPrincipalName },
      admin,
    );
    expect(lists.customer.users.edges).toEqual([]);
    const deleted = lists.customer.deletedUsers.edges.find((e: any) => e.node.id === u.id).node;
    expect(Date.parse(deleted.purgeAt) - Date.parse(deleted.deletedAt)).toBe(30 * 86_400_000);
    expect((await s.ok(DELETE, { id: u.id }, admin)).deleteUser.userErrors[0].code).toBe('INVALID_STATE');
  });

  it('restores on day 29 with roles and licences, and not on day 31', async () => {
    const early = await createUser(s, admin, customer, {
      usageLocation: 'FR',
      licenseSkuIds: [basic],
      roles: ['REPORTS_READER'],
    });
    const late = await createUser(s, admin, customer);
    await s.ok(DELETE, { id: early.id }, admin);
    await s.ok(DELETE, { id: late.id }, admin);
    s.travel(29 * DAY_MS);
    const fresh = await refreshAdmin();
    const r = await s.ok(RESTORE, { id: early.id }, fresh);
    expect(r.restoreUser).toMatchObject({
      userErrors: [],
      licenseWarnings: [],
      user: {
        state: 'ACTIVE',
        roles: ['REPORTS_READER'],
        licenses: [{ sku: { partNumber: 'O365_BUSINESS_ESSENTIALS' } }],
      },
    });
    s.travel(2 * DAY_MS);
    const fresher = await refreshAdmin();
    const t = await s.ok(RESTORE, { id: late.id }, fresher);
    expect(t.restoreUser.userErrors[0]).toMatchObject({ code: 'RESTORE_WINDOW_PASSED' });
  });

  it('refuses to restore over an active holder of the UPN, naming it, unless a new UPN is given', async () => {
    const old = await createUser(s, admin, customer);
    await s.ok(DELETE, { id: old.id }, admin);
    const holder = await createUser(s, admin, customer, {
      userPrincipalName: old.userPrincipalName,
      displayName: 'The New Holder',
    });
    const r = await s.ok(RESTORE, { id: old.id }, admin);
    expect(r.restoreUser.userErrors[0]).toMatchObject({ code: 'UPN_TAKEN' });
    expect(r.restoreUser.userErrors[0].message).toContain('The New Holder');
    expect(holder.userPrincipalName).toBe(old.userPrincipalName);
    const renamed = await s.ok(RESTORE, { id: old.id, upn: `returned.${old.userPrincipalName}` }, admin);
    expect(renamed.restoreUser.user).toMatchObject({
      state: 'ACTIVE',
      userPrincipalName: `returned.${old.userPrincipalName}`,
    });
  });

  it('restores without licences that have no free seat and names them in licenseWarnings', async () => {
    await ownCustomer();
    const u = await createUser(s, admin, customer, { usageLocation: 'FR', licenseSkuIds: [basic] });
    await s.ok(DELETE, { id: u.id }, admin);
    const left = (await seats('O365_BUSINESS_ESSENTIALS')).availableSeats;
    for (let i = 0; i < left; i++)
      await createUser(s, admin, customer, { usageLocation: 'FR', licenseSkuIds: [basic] });
    const r = await s.ok(RESTORE, { id: u.id }, admin);
    expect(r.restoreUser.user).toMatchObject({ state: 'ACTIVE', licenses: [] });
    expect(r.restoreUser.licenseWarnings).toEqual([
      { sku: { partNumber: 'O365_BUSINESS_ESSENTIALS' }, message: expect.stringContaining('No seat left') },
    ]);
    const l = await seats('O365_BUSINESS_ESSENTIALS');
    expect(l.consumedSeats).toBe(l.totalSeats);
  });

  it('reports per user in bulk: one failure does not undo the others', async () => {
    const a = await createUser(s, admin, customer);
    const b = await createUser(s, admin, customer);
    await s.ok(DELETE, { id: b.id }, admin);
    const d = await s.ok(
      `mutation($ids: [ID!]!) { deleteUsers(input: {userIds: $ids}) { succeeded failed results { userId user { state } userErrors { code } } } }`,
      { ids: [a.id, b.id] },
      admin,
    );
    expect(d.deleteUsers).toMatchObject({ succeeded: 1, failed: 1 });
    expect(d.deleteUsers.results).toEqual([
      { userId: a.id, user: { state: 'INACTIVE' }, userErrors: [] },
      { userId: b.id, user: null, userErrors: [{ code: 'INVALID_STATE' }] },
    ]);
    const r = await s.ok(
      `mutation($ids: [ID!]!) { restoreUsers(input: {userIds: $ids}) { succeeded failed results { user { state } userErrors { code } } } }`,
      { ids: [a.id, b.id] },
      admin,
    );
    expect(r.restoreUsers).toMatchObject({ succeeded: 2, failed: 0 });
  });

  it('answers each id even when one is refused or unknown (FORBIDDEN, NOT_FOUND per id, the others done)', async () => {
    const uaOnly = (await grantAgent(s, partner, customer, ['USER_ADMINISTRATOR'])).agentToken;
    const plain = await createUser(s, admin, customer);
    const unknown = Buffer.from(`User:${rawId(customer.id)}:${randomUUID()}`).toString('base64');
    const ids = [customer.gaUserId, plain.id, unknown];
    const BULK = `succeeded failed results { userId user { state } userErrors { code message } }`;
    const d = await s.ok(`mutation($ids: [ID!]!) { deleteUsers(input: {userIds: $ids}) { ${BULK} } }`, { ids }, uaOnly);
    expect(d.deleteUsers).toMatchObject({ succeeded: 1, failed: 2 });
    expect(
      d.deleteUsers.results.map((r: any) => [r.user?.state ?? null, r.userErrors.map((e: any) => e.code)]),
    ).toEqual([
      [null, ['FORBIDDEN']],
      ['INACTIVE', []],
      [null, ['NOT_FOUND']],
    ]);
    const r = await s.ok(
      `mutation($ids: [ID!]!) { restoreUsers(input: {userIds: $ids}) { ${BULK} } }`,
      { ids: [unknown, plain.id] },
      uaOnly,
    );
    expect(r.restoreUsers.results.map((x: any) => x.userErrors.map((e: any) => e.code))).toEqual([['NOT_FOUND'], []]);
  });
});

describe('resetting a password', () => {
  it('gives a new temporary password once, revokes sessions, and kills the old password', async () => {
    const u = await createUser(s, admin, customer);
    const token = (await s.ok(SIGN_IN, { i: { email: u.userPrincipalName, password: u.temporaryPassword } })).signIn
      .token;
    await s.ok(
      `mutation($i: ChangePasswordInput!) { changePassword(input: $i) { ok } }`,
      { i: { currentPassword: u.temporaryPassword, newPassword: 'Chosen-Passw0rd' } },
      token,
    );
    const d = await s.ok(
      `mutation($id: ID!) { resetUserPassword(input: {userId: $id}) { user { mustChangePassword } temporaryPassword userErrors { message } } }`,
      { id: u.id },
      admin,
    );
    expect(d.resetUserPassword.user.mustChangePassword).toBe(true);
    expect((await s.ok(`{ viewer { kind } }`, {}, token)).viewer).toBeNull();
    expect(
      (await s.ok(SIGN_IN, { i: { email: u.userPrincipalName, password: 'Chosen-Passw0rd' } })).signIn.userErrors[0]
        .code,
    ).toBe('INVALID_CREDENTIALS');
    expect(
      (await s.ok(SIGN_IN, { i: { email: u.userPrincipalName, password: d.resetUserPassword.temporaryPassword } }))
        .signIn.mustChangePassword,
    ).toBe(true);
  });
});

describe('purge', () => {
  it('removes exactly the users deleted more than 30 days ago; a second run removes nothing; audit stays', async () => {
    const { purgeDeletedUsers } = await import('../src/services/users/purge.js');
    const old = await createUser(s, admin, customer, {
      usageLocation: 'FR',
      licenseSkuIds: [await skuId(s, 'VISIOCLIENT', partner.adminToken)],
      roles: ['REPORTS_READER'],
    });
    await s.ok(DELETE, { id: old.id }, admin);
    s.travel(20 * DAY_MS);
    const fresh = await refreshAdmin();
    const recent = await createUser(s, fresh, customer);
    await s.ok(DELETE, { id: recent.id }, fresh);
    s.travel(11 * DAY_MS);
    const now = await refreshAdmin();
    const { sql } = await import('drizzle-orm');
    const olderThan30: any = await s.database.db.execute(
      sql`select count(*)::int as n from users where state = 'INACTIVE' and deleted_at <= ${new Date(s.clock.now().getTime() - 30 * 86_400_000).toISOString()}::timestamptz`,
    );
    const expected = (olderThan30.rows ?? olderThan30)[0].n;
    expect(expected).toBeGreaterThanOrEqual(1);
    const [first, second] = await Promise.all([
      purgeDeletedUsers(s.database.db, s.clock),
      purgeDeletedUsers(s.database.db, s.clock),
    ]);
    expect(first + second).toBe(expected);
    expect(await purgeDeletedUsers(s.database.db, s.clock)).toBe(0);
    expect((await s.gql(USER, { id: old.id }, now)).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect((await s.ok(USER, { id: recent.id }, now)).node.state).toBe('INACTIVE');
    const audit = await s.ok(
      `query($c: ID!) { customer(id: $c) { auditEvents(first: 500) { edges { node { action targetName } } } } }`,
      { c: customer.id },
      now,
    );
    expect(
      audit.customer.auditEvents.edges.some(
        (e: any) => e.node.action === 'DELETE_USER' && e.node.targetName === old.userPrincipalName,
      ),
    ).toBe(true);
  });

  it('(moves the clock) at exactly 30 days: restore is refused and the purge takes the user, never neither', async () => {
    const { purgeDeletedUsers } = await import('../src/services/users/purge.js');
    const u = await createUser(s, admin, customer);
    await s.ok(DELETE, { id: u.id }, admin);
    s.travel(30 * DAY_MS);
    const now = await refreshAdmin();
    const r = await s.ok(RESTORE, { id: u.id }, now);
    expect(r.restoreUser.userErrors[0]).toMatchObject({ code: 'RESTORE_WINDOW_PASSED', field: ['userId'] });
    // Not restorable, so no longer among the deleted users either, even before the purge runs.
    const deleted = await s.ok(
      `query($c: ID!) { customer(id: $c) { deletedUsers(first: 500) { edges { node { id } } } } }`,
      { c: customer.id },
      now,
    );
    expect(deleted.customer.deletedUsers.edges.map((e: any) => e.node.id)).not.toContain(u.id);
    expect(await purgeDeletedUsers(s.database.db, s.clock)).toBeGreaterThanOrEqual(1);
    expect((await s.gql(USER, { id: u.id }, now)).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });
});

async function refreshAdmin(): Promise<string> {
  const { refreshTokens } = await import('./support/world.js');
  await refreshTokens(s, partner, customer);
  admin = await signIn(
    s,
    (
      await grantAgent(s, partner, customer, [
        'USER_ADMINISTRATOR',
        'PRIVILEGED_ROLE_ADMINISTRATOR',
        'PRIVILEGED_AUTHENTICATION_ADMINISTRATOR',
      ])
    ).agentEmail,
  );
  return admin;
}
