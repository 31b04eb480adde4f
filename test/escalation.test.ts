// The wiring of the access tables to each mutation over HTTP: a sample of callers and targets that meets every
// outcome of every task (allowed, refused for the task, refused for the target). The tables themselves are tested
// exhaustively as plain functions (access-table.test.ts) against DESIGN.md's copy in support/access-oracle.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIRECTORY_ROLES, type DirectoryRole, type Task } from '../src/auth/roles.js';
import { expected as expectedFor, type Outcome } from './support/access-oracle.js';
import { startServer, type TestServer } from './support/server.js';
import {
  CREATE_USER,
  type Customer,
  createCustomer,
  createPartner,
  createUser,
  grantAgent,
  skuId,
} from './support/world.js';

const HD = 'HELPDESK_ADMINISTRATOR',
  AUTH = 'AUTHENTICATION_ADMINISTRATOR';
const UA = 'USER_ADMINISTRATOR',
  PAA = 'PRIVILEGED_AUTHENTICATION_ADMINISTRATOR',
  GA = 'GLOBAL_ADMINISTRATOR';
const expected = (task: Task, caller: DirectoryRole, target: DirectoryRole | null) =>
  expectedFor(task, [caller], target ? [target] : []);

/** Callers and targets whose combinations meet every row and column kind of the who-can-reset table. */
const SAMPLE_CALLERS: DirectoryRole[] = [
  'PASSWORD_ADMINISTRATOR',
  HD,
  AUTH,
  UA,
  PAA,
  GA,
  'DIRECTORY_WRITERS',
  'LICENSE_ADMINISTRATOR',
];
const TARGET_ROLES: (DirectoryRole | null)[] = [
  null,
  'DIRECTORY_READERS',
  'REPORTS_READER',
  HD,
  UA,
  AUTH,
  'PRIVILEGED_ROLE_ADMINISTRATOR',
  GA,
];

let s: TestServer;
let customer: Customer;
let operator: string;
let visio: string;
const callers = new Map<DirectoryRole, string>();
const targets = new Map<DirectoryRole | null, string>();

beforeAll(async () => {
  s = await startServer();
  const partner = await createPartner(s);
  customer = await createCustomer(s, partner, [['VISIOCLIENT', 100]]);
  visio = await skuId(s, 'VISIOCLIENT', partner.adminToken);
  operator = (await grantAgent(s, partner, customer, [GA])).agentToken;
  for (const role of DIRECTORY_ROLES) callers.set(role, (await grantAgent(s, partner, customer, [role])).agentToken);
  for (const role of TARGET_ROLES) {
    targets.set(role, (await createUser(s, operator, customer, { usageLocation: 'FR', roles: role ? [role] : [] })).id);
  }
}, 300_000);
afterAll(() => s.close());

const RESET = `mutation($id: ID!) { resetUserPassword(input: {userId: $id}) { temporaryPassword userErrors { code message } } }`;
const UPDATE = `mutation($i: UpdateUserInput!) { updateUser(input: $i) { user { id } userErrors { code message } } }`;
const DELETE = `mutation($id: ID!) { deleteUser(input: {userId: $id}) { user { state } userErrors { code message } } }`;
const RESTORE = `mutation($id: ID!) { restoreUser(input: {userId: $id}) { user { state } userErrors { code message } } }`;

/** What the server did: allowed (and it happened), or which refusal. */
function outcome(r: { data?: any; errors?: any[] }, field: string): Outcome | string {
  const e = r.errors?.[0];
  if (e?.extensions?.code === 'FORBIDDEN') return e.extensions.targetRole ? 'FORBIDDEN_TARGET' : 'FORBIDDEN_TASK';
  if (e) return `error ${e.extensions?.code}: ${e.message}`;
  const payload = r.data[field];
  return payload.userErrors.length ? `userError ${JSON.stringify(payload.userErrors)}` : 'ALLOWED';
}

async function attempt(task: Task, token: string, target: DirectoryRole | null): Promise<Outcome | string> {
  const id = targets.get(target)!;
  switch (task) {
    case 'RESET_PASSWORD':
      return outcome(await s.gql(RESET, { id }, token), 'resetUserPassword');
    case 'EDIT_USER_INFO':
      return outcome(await s.gql(UPDATE, { i: { userId: id, jobTitle: `t${Math.random()}` } }, token), 'updateUser');
    case 'DELETE_USER': {
      const r = outcome(await s.gql(DELETE, { id }, token), 'deleteUser');
      if (r === 'ALLOWED') await s.ok(RESTORE, { id }, operator);
      return r;
    }
    case 'RESTORE_USER': {
      await s.ok(DELETE, { id }, operator);
      const r = outcome(await s.gql(RESTORE, { id }, token), 'restoreUser');
      if (r !== 'ALLOWED') await s.ok(RESTORE, { id }, operator);
      return r;
    }
    default:
      throw new Error(task);
  }
}

describe('task × caller role × target role', () => {
  for (const task of ['RESET_PASSWORD', 'DELETE_USER', 'RESTORE_USER', 'EDIT_USER_INFO'] as Task[]) {
    it(`${task}: the sample meets every outcome`, () => {
      const outcomes = new Set(SAMPLE_CALLERS.flatMap((c) => TARGET_ROLES.map((t) => expected(task, c, t))));
      expect([...outcomes].sort()).toEqual(['ALLOWED', 'FORBIDDEN_TARGET', 'FORBIDDEN_TASK']);
    });
    for (const caller of SAMPLE_CALLERS) {
      it(`${task} by ${caller}, on every kind of target`, async () => {
        const wrong: string[] = [];
        for (const target of TARGET_ROLES) {
          const got = await attempt(task, callers.get(caller)!, target);
          const want = expected(task, caller, target);
          if (got !== want) wrong.push(`target ${target ?? 'no role'}: expected ${want}, got ${got}`);
        }
        expect(wrong).toEqual([]);
      });
    }
  }
});

describe('tasks without a target rule, by caller role', () => {
  for (const caller of DIRECTORY_ROLES) {
    it(`${caller}: create, licences and admin roles as the table says`, async () => {
      const token = callers.get(caller)!;
      const plain = targets.get(null)!;
      const create = outcome(
        await s.gql(
          CREATE_USER,
          {
            i: {
              customerId: customer.id,
              userPrincipalName: `new.${caller.toLowerCase()}@${customer.domain}`,
              displayName: 'New',
            },
          },
          token,
        ),
        'createUser',
      );
      expect(create).toBe(expected('CREATE_USER', caller, null));
      const licence = outcome(
        await s.gql(UPDATE, { i: { userId: plain, addLicenseSkuIds: [visio] } }, token),
        'updateUser',
      );
      expect(licence).toBe(expected('EDIT_USER_LICENSES', caller, null));
      if (licence === 'ALLOWED') await s.ok(UPDATE, { i: { userId: plain, removeLicenseSkuIds: [visio] } }, operator);
      const roles = outcome(
        await s.gql(UPDATE, { i: { userId: plain, addRoles: ['REPORTS_READER'] } }, token),
        'updateUser',
      );
      expect(roles).toBe(expected('EDIT_USER_ROLES', caller, null));
      if (roles === 'ALLOWED') await s.ok(UPDATE, { i: { userId: plain, removeRoles: ['REPORTS_READER'] } }, operator);
    });
  }
});

describe('the refusals name the rule', () => {
  it('a User Administrator cannot reset a Global Administrator, and is told who can', async () => {
    const r = await s.gql(RESET, { id: targets.get(GA) }, callers.get(UA));
    expect(r.errors?.[0]?.message).toBe(
      'Target holds GLOBAL_ADMINISTRATOR; resetting its password needs PRIVILEGED_AUTHENTICATION_ADMINISTRATOR.',
    );
    expect(r.errors?.[0]?.extensions?.requiredRoles).toEqual([PAA, GA]);
  });

  it('a User Administrator cannot grant admin roles; a License Administrator cannot edit names; each refusal names the part', async () => {
    const roles = await s.gql(
      UPDATE,
      { i: { userId: targets.get(null), addRoles: ['GLOBAL_ADMINISTRATOR'] } },
      callers.get(UA),
    );
    expect(roles.errors?.[0]?.message).toBe(
      'Changing admin roles means to assign or remove admin roles: you need one of: PRIVILEGED_ROLE_ADMINISTRATOR, GLOBAL_ADMINISTRATOR.',
    );
    const names = await s.gql(
      UPDATE,
      { i: { userId: targets.get(null), displayName: 'Nope', addLicenseSkuIds: [visio] } },
      callers.get('LICENSE_ADMINISTRATOR'),
    );
    expect(names.errors?.[0]?.extensions).toMatchObject({
      code: 'FORBIDDEN',
      part: 'user info',
      requiredRoles: ['DIRECTORY_WRITERS', UA, GA],
    });
  });

  it('a Helpdesk Administrator cannot reset a User Administrator; Directory Writers cannot delete', async () => {
    expect((await s.gql(RESET, { id: targets.get(UA) }, callers.get(HD))).errors?.[0]?.message).toMatch(
      /^Target holds USER_ADMINISTRATOR/,
    );
    expect(
      (await s.gql(DELETE, { id: targets.get(null) }, callers.get('DIRECTORY_WRITERS'))).errors?.[0]?.extensions
        ?.requiredRoles,
    ).toEqual([UA, GA]);
  });
});
