// The role catalogue a front end explains roles with (directoryRoles, partnerRoles), compared with DESIGN.md's
// tables as written out in support/access-oracle.ts, and the required roles in each field's description.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIRECTORY_ROLES } from '../src/auth/roles.js';
import { TASK_ROLES } from './support/access-oracle.js';
import { startServer, type TestServer } from './support/server.js';
import { createPartner, type Partner } from './support/world.js';

let s: TestServer;
let partner: Partner;
beforeAll(async () => {
  // GraphiQL on, so introspection answers (as it does in development and for the embedded demo).
  s = await startServer({ GRAPHIQL: '1' });
  partner = await createPartner(s);
});
afterAll(() => s.close());

const CATALOGUE = `{ directoryRoles { role displayName description tasks } partnerRoles { role displayName description tasks } }`;

describe('role catalogue', () => {
  it('lists every directory role with its name, what it is, and exactly the tasks DESIGN.md gives it', async () => {
    const d = await s.ok(CATALOGUE, {}, partner.adminToken);
    expect(d.directoryRoles.map((r: any) => r.role)).toEqual([...DIRECTORY_ROLES]);
    for (const r of d.directoryRoles) {
      expect(r.displayName.length, r.role).toBeGreaterThan(3);
      expect(r.description.length, r.role).toBeGreaterThan(10);
      const expected = [
        'READ_CUSTOMER',
        ...Object.entries(TASK_ROLES)
          .filter(([, roles]) => roles.includes(r.role))
          .map(([task]) => task),
      ];
      expect([...r.tasks].sort(), r.role).toEqual(expected.sort());
    }
    const ua = d.directoryRoles.find((r: any) => r.role === 'USER_ADMINISTRATOR');
    expect(ua.displayName).toBe('User Administrator');
    expect(ua.tasks).toContain('DELETE_USER');
    expect(d.directoryRoles.find((r: any) => r.role === 'DIRECTORY_READERS').tasks).toEqual(['READ_CUSTOMER']);
  });

  it('lists every partner role with the partner-side tasks it allows', async () => {
    const d = await s.ok(CATALOGUE, {}, partner.adminToken);
    const tasks = Object.fromEntries(d.partnerRoles.map((r: any) => [r.role, [...r.tasks].sort()]));
    expect(tasks).toEqual({
      ADMIN_AGENT: ['MANAGE_CUSTOMERS', 'MANAGE_RELATIONSHIPS', 'READ_PARTNER'],
      ACCESS_ADMINISTRATOR: [
        'APPROVE_ACTIVATIONS',
        'ASSIGN_GDAP_ACCESS',
        'MANAGE_AGENTS',
        'MANAGE_GROUPS',
        'MANAGE_WEBHOOKS',
        'READ_PARTNER',
        'READ_PARTNER_AUDIT',
      ],
      SALES_AGENT: [],
      HELPDESK_AGENT: [],
    });
  });

  it('is for signed-in callers', async () => {
    expect((await s.gql(CATALOGUE)).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it("says in each guarded field's description who may call it, where introspection (GraphiQL's docs) shows it", async () => {
    const d = await s.ok(
      `{ mutation: __type(name: "Mutation") { fields { name description } }
         customer: __type(name: "Customer") { fields { name description } }
         role: __type(name: "DirectoryRole") { enumValues { name description } } }`,
      {},
      partner.adminToken,
    );
    const describe = (type: any, name: string) => type.fields.find((f: any) => f.name === name).description;
    expect(describe(d.mutation, 'createUser')).toContain(
      'Task CREATE_USER: the partner role ADMIN_AGENT and, in the customer, one of DIRECTORY_WRITERS, USER_ADMINISTRATOR, GLOBAL_ADMINISTRATOR.',
    );
    expect(describe(d.mutation, 'createSecurityGroup')).toContain(
      'Task MANAGE_GROUPS: one of the partner roles ACCESS_ADMINISTRATOR.',
    );
    expect(describe(d.customer, 'users')).toContain(
      'Task READ_CUSTOMER: the partner role ADMIN_AGENT and, in the customer, any directory role.',
    );
    expect(d.role.enumValues.find((v: any) => v.name === 'LICENSE_ADMINISTRATOR').description).toMatch(
      /^License Administrator: /,
    );
  });
});
