// viewerCan against what the mutations then do, over HTTP, for every directory role held alone (17 callers) on every
// kind of target (a user without admin roles, and one holding each role: 18 targets): each capability the viewer is
// told it has works, and each it is told it lacks is refused with FORBIDDEN. The exhaustive pairs of roles are
// proven as plain functions in access-table.test.ts; this proves the wiring (grants, the page's roles, the state).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIRECTORY_ROLES, type DirectoryRole } from '../src/auth/roles.js';
import { type GqlResult, startServer, type TestServer } from './support/server.js';
import {
  type Customer,
  createCustomer,
  createPartner,
  createUser,
  grantAgent,
  lastUseRecorded,
  type Partner,
  skuId,
} from './support/world.js';

let s: TestServer;
let partner: Partner;
let customer: Customer;
let ga: string;
let sku: string;
const targets: { id: string; upn: string; role: DirectoryRole | null }[] = [];

beforeAll(async () => {
  s = await startServer();
  partner = await createPartner(s);
  customer = await createCustomer(s, partner, [['O365_BUSINESS_ESSENTIALS', 5]]);
  ga = (await grantAgent(s, partner, customer, ['GLOBAL_ADMINISTRATOR'])).agentToken;
  sku = await skuId(s, 'O365_BUSINESS_ESSENTIALS', ga);
  for (const role of [null, ...DIRECTORY_ROLES]) {
    const u = await createUser(s, ga, customer, { usageLocation: 'FR', roles: role ? [role] : [] });
    targets.push({ id: u.id, upn: u.userPrincipalName, role });
  }
});
afterAll(() => s.close());

const CAP = '{ allowed reason requiredRoles }';
const VIEW = `query($c: ID!) { customer(id: $c) {
  viewerCan { createUser ${CAP} deleteUsers ${CAP} restoreUsers ${CAP} editUserInfo ${CAP} editUserLicenses ${CAP}
    editUserRoles ${CAP} resetPasswords ${CAP} readAudit ${CAP} }
  users(first: 100) { edges { node { id viewerCan { update ${CAP} editLicenses ${CAP} editRoles ${CAP}
    resetPassword ${CAP} delete ${CAP} restore ${CAP} } } } } } }`;
const DELETED = `query($c: ID!) { customer(id: $c) { deletedUsers(first: 100) { edges { node { id viewerCan { restore ${CAP} } } } } } }`;
// One request each: in one request, a refused mutation (a non-null root field) would stop the ones after it.
const EDITS = {
  info: `mutation($u: ID!) { info: updateUser(input: {userId: $u, jobTitle: "Checked"}) { userErrors { code } } }`,
  licenses: `mutation($u: ID!, $sku: ID!) { licenses: updateUser(input: {userId: $u, removeLicenseSkuIds: [$sku]}) { userErrors { code } } }`,
  roles: `mutation($u: ID!, $role: DirectoryRole!) { roles: updateUser(input: {userId: $u, removeRoles: [$role]}) { userErrors { code } } }`,
  reset: `mutation($u: ID!) { reset: resetUserPassword(input: {userId: $u}) { userErrors { code } } }`,
};
const DELETE = `mutation($u: ID!) { deleteUser(input: {userId: $u}) { userErrors { code } } }`;
const RESTORE = `mutation($u: ID!) { restoreUser(input: {userId: $u}) { userErrors { code } } }`;

/** What one aliased mutation did: DONE, FORBIDDEN, or something else (a mismatch whatever viewerCan said). */
function outcome(r: GqlResult, alias: string): string {
  const top = r.errors?.find((e) => e.path?.[0] === alias);
  if (top) return top.extensions?.code === 'FORBIDDEN' ? 'FORBIDDEN' : `error ${top.extensions?.code} ${top.message}`;
  const errors = r.data?.[alias]?.userErrors ?? [];
  if (!errors.length) return 'DONE';
  return errors.some((e: { code: string }) => e.code === 'FORBIDDEN')
    ? 'FORBIDDEN'
    : `userErrors ${JSON.stringify(errors)}`;
}
const expected = (allowed: boolean) => (allowed ? 'DONE' : 'FORBIDDEN');

describe('viewerCan', () => {
  it('agrees with every mutation, for each role alone on each kind of target', async () => {
    const wrong: string[] = [];
    for (const callerRole of DIRECTORY_ROLES) {
      const caller = (await grantAgent(s, partner, customer, [callerRole])).agentToken;
      const view = await s.ok(VIEW, { c: customer.id }, caller);
      const caps = new Map(view.customer.users.edges.map((e: any) => [e.node.id, e.node.viewerCan]));
      for (const target of targets) {
        const can: any = caps.get(target.id);
        const at = `${callerRole} on ${target.role ?? 'a user without roles'}`;
        // Every refusal for lack of a role says which roles would do (restore here is refused for the state).
        for (const [name, c] of Object.entries<any>(can))
          if (name !== 'restore' && !c.allowed && !c.requiredRoles.length)
            wrong.push(`${at}: ${name} refused with no roles named`);
        const removable = target.role === 'GUEST_INVITER' ? 'MESSAGE_CENTER_READER' : 'GUEST_INVITER';
        const vars = { u: target.id, sku, role: removable };
        for (const [alias, cap] of [
          ['info', can.update],
          ['licenses', can.editLicenses],
          ['roles', can.editRoles],
          ['reset', can.resetPassword],
        ] as const) {
          const query = EDITS[alias];
          const used = Object.fromEntries(Object.entries(vars).filter(([k]) => query.includes(`$${k}:`)));
          const got = outcome(await s.gql(query, used, caller), alias);
          if (got !== expected(cap.allowed)) wrong.push(`${at}: ${alias} viewerCan=${cap.allowed} but ${got}`);
        }
        const deleted = outcome(await s.gql(DELETE, { u: target.id }, caller), 'deleteUser');
        if (deleted !== expected(can.delete.allowed))
          wrong.push(`${at}: delete viewerCan=${can.delete.allowed} but ${deleted}`);
        if (deleted !== 'DONE') await s.ok(DELETE, { u: target.id }, ga);
        const gone = await s.ok(DELETED, { c: customer.id }, caller);
        const restoreCap = gone.customer.deletedUsers.edges.find((e: any) => e.node.id === target.id).node.viewerCan
          .restore;
        const restored = outcome(await s.gql(RESTORE, { u: target.id }, caller), 'restoreUser');
        if (restored !== expected(restoreCap.allowed))
          wrong.push(`${at}: restore viewerCan=${restoreCap.allowed} but ${restored}`);
        if (restored !== 'DONE') await s.ok(RESTORE, { u: target.id }, ga);
      }
      // The customer-wide answers are those for a user without admin roles.
      const plain = caps.get(targets[0]!.id) as any;
      const wide = view.customer.viewerCan;
      for (const [wideName, userName] of [
        ['editUserInfo', 'update'],
        ['editUserLicenses', 'editLicenses'],
        ['editUserRoles', 'editRoles'],
        ['resetPasswords', 'resetPassword'],
        ['deleteUsers', 'delete'],
      ] as const) {
        if (wide[wideName].allowed !== plain[userName].allowed)
          wrong.push(
            `${callerRole}: customer ${wideName} ${wide[wideName].allowed} but user ${userName} ${plain[userName].allowed}`,
          );
      }
      if (!wide.readAudit.allowed) wrong.push(`${callerRole}: every role reads the audit`);
      const created = await s.gql(
        `mutation($i: CreateUserInput!) { createUser(input: $i) { userErrors { code } } }`,
        {
          i: {
            customerId: customer.id,
            userPrincipalName: `cap.${callerRole.toLowerCase()}@${customer.domain}`,
            displayName: 'Cap',
          },
        },
        caller,
      );
      const got = outcome(created, 'createUser');
      if (got !== expected(wide.createUser.allowed))
        wrong.push(`${callerRole}: createUser viewerCan=${wide.createUser.allowed} but ${got}`);
    }
    expect(wrong).toEqual([]);
  }, 120_000);

  it('names the roles a protected target needs, and none when allowed', async () => {
    const helpdesk = (await grantAgent(s, partner, customer, ['HELPDESK_ADMINISTRATOR'])).agentToken;
    const ga = targets.find((t) => t.role === 'GLOBAL_ADMINISTRATOR')!;
    const d = await s.ok(
      `query($u: ID!) { node(id: $u) { ... on User { viewerCan { resetPassword { allowed reason requiredRoles } } } } }`,
      { u: ga.id },
      helpdesk,
    );
    expect(d.node.viewerCan.resetPassword).toEqual({
      allowed: false,
      reason: expect.stringContaining(ga.upn),
      requiredRoles: ['GLOBAL_ADMINISTRATOR', 'PRIVILEGED_AUTHENTICATION_ADMINISTRATOR'],
    });
    const plain = targets[0]!;
    const ok = await s.ok(
      `query($u: ID!) { node(id: $u) { ... on User { viewerCan { resetPassword { allowed reason requiredRoles } } } } }`,
      { u: plain.id },
      helpdesk,
    );
    expect(ok.node.viewerCan.resetPassword).toEqual({ allowed: true, reason: null, requiredRoles: [] });
  });
  it('costs no statement per row: a page of 5 and a page of 19 users with viewerCan cost the same', async () => {
    const page = (n: number) =>
      `query($c: ID!) { customer(id: $c) { viewerCan { createUser { allowed } } users(first: ${n}) { edges { node {
        viewerCan { update { allowed } resetPassword { allowed reason } delete { allowed } } } } } } }`;
    const statementsOf = async (n: number) => {
      const before = s.database.statements.count;
      await s.ok(page(n), { c: customer.id }, ga);
      return s.database.statements.count - before;
    };
    await statementsOf(1);
    await lastUseRecorded(s, ga);
    expect(await statementsOf(19)).toBe(await statementsOf(5));
  });
});
