// The demo data of a first start: a partner with agents of different roles, groups, three customers with users and
// subscriptions, and GDAP relationships in different states. Built through the same services the API uses.

import { eq } from 'drizzle-orm';
import type { DirectoryRole } from '../auth/roles.js';
import { type Clock, DAY_MS, ManualClock } from '../clock.js';
import type { Db } from '../db/client.js';
import { agents, skus } from '../db/schema.js';
import { createAgent } from './agents.js';
import { type Caller, partnerCaller, type ServiceContext, serviceContext } from './context.js';
import { addDomain, addSubscription, createCustomer } from './customers.js';
import {
  approveGdapRelationship,
  assignGdapAccess,
  createGdapRelationship,
  terminateGdapRelationship,
} from './gdap.js';
import { bootstrapPartner } from './partners.js';
import { addGroupMember, createSecurityGroup, updateSecurityGroup } from './security-groups.js';
import { createUser } from './users/create.js';

export const DEMO_PASSWORD = 'Demo-Passw0rd!';
export const DEMO_ADMIN = 'admin@northwind.example';
export const DEMO_ACCESS_ADMIN = 'access@northwind.example';

export interface DemoSummary {
  password: string;
  agents: { email: string; note: string }[];
}

const FIRST = [
  'Adele',
  'Alex',
  'Diego',
  'Grady',
  'Henrietta',
  'Isaiah',
  'Johanna',
  'Joni',
  'Lee',
  'Lidia',
  'Lynne',
  'Megan',
  'Miriam',
  'Nestor',
  'Patti',
  'Pradeep',
];
const LAST = [
  'Vance',
  'Wilber',
  'Siciliani',
  'Archie',
  'Mueller',
  'Langer',
  'Lorenz',
  'Sherman',
  'Gu',
  'Holloway',
  'Robbins',
  'Bowen',
  'Graham',
  'Wilke',
  'Fernandez',
  'Gupta',
];

/** Whether the demo partner is in the database (seeded now or at an earlier start), to print its sign-in. */
export async function demoPresent(db: Db): Promise<boolean> {
  const [row] = await db.select({ id: agents.id }).from(agents).where(eq(agents.emailLower, DEMO_ADMIN));
  return !!row;
}

export async function seedDemo(db: Db, clock: Clock): Promise<DemoSummary> {
  const boot = await bootstrapPartner(serviceContext(db, clock), {
    partnerName: 'Northwind Cloud Partners',
    adminEmail: DEMO_ADMIN,
    adminPassword: DEMO_PASSWORD,
    adminName: 'Nora Admin',
  });
  if (!boot) throw new Error('The database already has a partner; the demo seed only runs on an empty one.');
  const asAgent = (row: Parameters<typeof partnerCaller>[0]): ServiceContext =>
    serviceContext(db, clock, partnerCaller({ ...row, mustChangePassword: false }, 'seed'));
  const admin = asAgent(boot.admin);
  // The second access administrator: the four-eyes rule means Nora cannot put herself in groups or grant her own
  // groups roles, so Ada does it (and the README tour shows it).
  const access = asAgent(
    await createAgent(admin, {
      email: DEMO_ACCESS_ADMIN,
      displayName: 'Ada Access',
      password: DEMO_PASSWORD,
      roles: ['ACCESS_ADMINISTRATOR'],
    }),
  );
  const licenseAgent = await createAgent(admin, {
    email: 'licenses@northwind.example',
    displayName: 'Liam Licenses',
    password: DEMO_PASSWORD,
    roles: ['ADMIN_AGENT'],
  });
  await createAgent(admin, {
    email: 'sales@northwind.example',
    displayName: 'Sam Sales',
    password: DEMO_PASSWORD,
    roles: ['SALES_AGENT'],
  });
  const helpdesk = await createSecurityGroup(admin, { name: 'Helpdesk' });
  const licenseDesk = await createSecurityGroup(admin, { name: 'License desk' });
  // Just in time: Nora is only eligible for the escalation group, which needs Ada's approval, for at most an hour.
  const escalation = await createSecurityGroup(access, { name: 'Fabrikam escalation (JIT)' });
  await updateSecurityGroup(access, { groupId: escalation.id, maxActivationMinutes: 60, requiresApproval: true });
  await addGroupMember(access, { groupId: escalation.id, agentId: boot.admin.id, kind: 'ELIGIBLE' });
  await addGroupMember(access, { groupId: helpdesk.id, agentId: boot.admin.id });
  await addGroupMember(admin, { groupId: licenseDesk.id, agentId: licenseAgent.id });

  const skuRows = await db.select().from(skus);
  const sku = (part: string) => skuRows.find((s) => s.partNumber === part)!;

  // Grants a relationship, approved by the customer's Global Administrator, to groups.
  async function relationship(
    customerId: string,
    ga: Caller,
    name: string,
    roles: DirectoryRole[],
    grants: [string, DirectoryRole[]][],
    opts: { days?: number; approveAt?: Date; approve?: boolean } = {},
  ) {
    const { relationship: rel, approvalToken } = await createGdapRelationship(admin, {
      customerId,
      displayName: name,
      roles,
      durationDays: opts.days ?? 730,
    });
    if (opts.approve !== false) {
      const approveClock = opts.approveAt ? new ManualClock(opts.approveAt) : clock;
      await approveGdapRelationship(serviceContext(db, approveClock, ga), { approvalToken });
    }
    for (const [groupId, groupRoles] of grants) {
      await assignGdapAccess(access, { customerId, relationshipId: rel.id, groupId, roles: groupRoles });
    }
  }

  async function customer(
    name: string,
    domain: string,
    userCount: number,
    subs: [string, number][],
    extraDomain?: string,
  ) {
    const created = await createCustomer(admin, { name, defaultDomain: domain });
    if (extraDomain) await addDomain(admin, { customerId: created.customer.id, name: extraDomain });
    for (const [part, seats] of subs)
      await addSubscription(admin, { customerId: created.customer.id, skuId: sku(part).id, seats });
    const ga: Caller = {
      kind: 'user',
      customerId: created.customer.id,
      userId: created.globalAdministrator.id,
      userPrincipalName: created.globalAdministrator.userPrincipalName,
      mustChangePassword: false,
      tokenHash: 'seed',
    };
    return { id: created.customer.id, ga, userCount, domain: extraDomain ?? domain, subs };
  }

  const fabrikam = await customer(
    'Fabrikam',
    'fabrikam.onmicrosoft.com',
    24,
    [
      ['O365_BUSINESS_ESSENTIALS', 30],
      ['SPE_E3', 10],
    ],
    'fabrikam.example',
  );
  const contoso = await customer('Contoso', 'contoso.onmicrosoft.com', 10, [['SPB', 12]]);
  const tailspin = await customer('Tailspin Toys', 'tailspintoys.onmicrosoft.com', 6, [['O365_BUSINESS_PREMIUM', 6]]);

  // Fabrikam: full user management for the helpdesk, licences only for the licence desk.
  await relationship(
    fabrikam.id,
    fabrikam.ga,
    'Fabrikam user management',
    [
      'USER_ADMINISTRATOR',
      'LICENSE_ADMINISTRATOR',
      'PRIVILEGED_ROLE_ADMINISTRATOR',
      'DIRECTORY_READERS',
      'PRIVILEGED_AUTHENTICATION_ADMINISTRATOR',
    ],
    [
      [helpdesk.id, ['USER_ADMINISTRATOR', 'PRIVILEGED_ROLE_ADMINISTRATOR', 'DIRECTORY_READERS']],
      [licenseDesk.id, ['LICENSE_ADMINISTRATOR']],
      [escalation.id, ['PRIVILEGED_AUTHENTICATION_ADMINISTRATOR']],
    ],
  );
  // Contoso: read and licences only, so creating a user is FORBIDDEN with the roles named.
  await relationship(
    contoso.id,
    contoso.ga,
    'Contoso licensing',
    ['DIRECTORY_READERS', 'LICENSE_ADMINISTRATOR'],
    [[helpdesk.id, ['DIRECTORY_READERS', 'LICENSE_ADMINISTRATOR']]],
  );
  // Tailspin: an expired relationship and a pending one, so the customer is invisible.
  await relationship(
    tailspin.id,
    tailspin.ga,
    'Tailspin 2024',
    ['USER_ADMINISTRATOR'],
    [[helpdesk.id, ['USER_ADMINISTRATOR']]],
    { days: 30, approveAt: new Date(clock.now().getTime() - 60 * DAY_MS) },
  );
  await relationship(tailspin.id, tailspin.ga, 'Tailspin renewal', ['USER_ADMINISTRATOR', 'DIRECTORY_WRITERS'], [], {
    approve: false,
  });

  // Users, created through createUser. Fabrikam's grants allow it; Contoso and Tailspin get a one-off seeding
  // relationship that is terminated right after, so their demo access stays as described above.
  async function users(c: typeof fabrikam) {
    for (let i = 0; i < c.userCount; i++) {
      const first = FIRST[i % FIRST.length]!;
      const last = LAST[(i * 7) % LAST.length]!;
      const licensed = i % 3 !== 2 && c.subs.length > 0;
      await createUser(admin, {
        customerId: c.id,
        userPrincipalName: `${first}.${last}${i >= FIRST.length ? i : ''}@${c.domain}`.toLowerCase(),
        firstName: first,
        lastName: last,
        displayName: `${first} ${last}`,
        usageLocation: 'FR',
        jobTitle: i % 4 === 0 ? 'Manager' : 'Consultant',
        department: ['Sales', 'Finance', 'IT', 'Operations'][i % 4]!,
        roles: i === 1 ? ['HELPDESK_ADMINISTRATOR'] : i === 2 ? ['USER_ADMINISTRATOR'] : [],
        licenseSkuIds: licensed ? [sku(c.subs[i % c.subs.length]![0]).id] : [],
      });
    }
  }
  await users(fabrikam);
  const seeding = await createSecurityGroup(admin, { name: 'Demo seeding' });
  await addGroupMember(access, { groupId: seeding.id, agentId: boot.admin.id });
  for (const c of [contoso, tailspin]) {
    const roles: DirectoryRole[] = ['USER_ADMINISTRATOR', 'PRIVILEGED_ROLE_ADMINISTRATOR'];
    const { relationship: rel, approvalToken } = await createGdapRelationship(admin, {
      customerId: c.id,
      displayName: `Demo seeding ${c.domain}`,
      roles,
      durationDays: 1,
    });
    await approveGdapRelationship(serviceContext(db, clock, c.ga), { approvalToken });
    await assignGdapAccess(access, { customerId: c.id, relationshipId: rel.id, groupId: seeding.id, roles });
    admin.grantCache.clear();
    try {
      await users(c);
    } finally {
      await terminateGdapRelationship(admin, { customerId: c.id, relationshipId: rel.id });
      admin.grantCache.clear();
    }
  }

  return {
    password: DEMO_PASSWORD,
    agents: [
      {
        email: DEMO_ADMIN,
        note: 'ADMIN_AGENT + ACCESS_ADMINISTRATOR; User Administrator in Fabrikam (eligible for Privileged Authentication Administrator, just in time), Directory Readers + License Administrator in Contoso',
      },
      {
        email: DEMO_ACCESS_ADMIN,
        note: 'ACCESS_ADMINISTRATOR only: manages agents, groups and GDAP assignments, no customer access',
      },
      { email: 'licenses@northwind.example', note: 'ADMIN_AGENT; License Administrator in Fabrikam only' },
      { email: 'sales@northwind.example', note: 'SALES_AGENT: no user management' },
    ],
  };
}
