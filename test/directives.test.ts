// The @requiresRole directives of the schema against what the server enforces: every field that shows one is
// called by an agent who lacks its task's roles (refused, naming that task and its roles) and by one who lacks the
// partner role (refused, naming it). A field whose enforcement drifts from its directive fails here.
import { getDirectiveInExtensions } from '@graphql-tools/utils';
import { isObjectType } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TASKS, type Task } from '../src/auth/roles.js';
import { buildSchema } from '../src/graphql/schema.js';
import { BULK_ENV, IMPORT } from './support/bulk.js';
import { type GqlResult, startServer, type TestServer } from './support/server.js';
import { type Customer, createCustomer, createPartner, createUser, grantAgent } from './support/world.js';

let s: TestServer;
let customer: Customer;
let reader: string;
let salesAgent: string;
let accessAdmin: string;
const ids: Record<string, string> = {};

/** One call per field that carries @requiresRole, touching only that field's task. */
const CALLS: Record<string, { query: string; vars: () => Record<string, unknown> }> = {
  'BulkJob.resultCsv': {
    query: `query($j: ID!) { node(id: $j) { ... on BulkJob { resultCsv } } }`,
    vars: () => ({ j: ids.job }),
  },
  'BulkJob.rows': {
    query: `query($j: ID!) { node(id: $j) { ... on BulkJob { rows(first: 1) { edges { node { rowNumber } } } } } }`,
    vars: () => ({ j: ids.job }),
  },
  'Customer.auditEvents': {
    query: `query($c: ID!) { customer(id: $c) { auditEvents(first: 1) { edges { node { id } } } } }`,
    vars: () => ({ c: customer.id }),
  },
  'Customer.deletedUsers': {
    query: `query($c: ID!) { customer(id: $c) { deletedUsers(first: 1) { edges { node { id } } } } }`,
    vars: () => ({ c: customer.id }),
  },
  'Customer.gdapRelationships': {
    query: `query($c: ID!) { customer(id: $c) { gdapRelationships { id } } }`,
    vars: () => ({ c: customer.id }),
  },
  'Customer.licenses': {
    query: `query($c: ID!) { customer(id: $c) { licenses { totalSeats } } }`,
    vars: () => ({ c: customer.id }),
  },
  'Customer.user': {
    query: `query($c: ID!, $u: String!) { customer(id: $c) { user(userPrincipalName: $u) { id } } }`,
    vars: () => ({ c: customer.id, u: ids.upn }),
  },
  'Customer.users': {
    query: `query($c: ID!) { customer(id: $c) { users(first: 1) { edges { node { id } } } } }`,
    vars: () => ({ c: customer.id }),
  },
  'License.users': {
    query: `query($c: ID!) { customer(id: $c) { licenses { users(first: 1) { edges { node { id } } } } } }`,
    vars: () => ({ c: customer.id }),
  },
  'Query.customer': { query: `query($c: ID!) { customer(id: $c) { id } }`, vars: () => ({ c: customer.id }) },
  'Query.customers': { query: `{ customers(first: 1) { edges { node { id } } } }`, vars: () => ({}) },
  'Query.auditEvents': { query: `{ auditEvents(first: 1) { edges { node { id } } } }`, vars: () => ({}) },
  'Query.exportUsers': {
    query: `query($c: ID!) { exportUsers(customerId: $c) { userCount } }`,
    vars: () => ({ c: customer.id }),
  },
  'Mutation.bulkJobCredentials': {
    query: `mutation($j: ID!) { bulkJobCredentials(input: {jobId: $j}) { userErrors { code } } }`,
    vars: () => ({ j: ids.job }),
  },
  'Mutation.createUser': {
    query: `mutation($c: ID!) { createUser(input: {customerId: $c, userPrincipalName: "probe", displayName: "Probe"}) { userErrors { code } } }`,
    vars: () => ({ c: customer.id }),
  },
  'Mutation.deleteUser': {
    query: `mutation($u: ID!) { deleteUser(input: {userId: $u}) { userErrors { code } } }`,
    vars: () => ({ u: ids.user }),
  },
  'Mutation.deleteUsers': {
    query: `mutation($u: ID!) { deleteUsers(input: {userIds: [$u]}) { failed } }`,
    vars: () => ({ u: ids.user }),
  },
  'Mutation.importUsers': {
    query: `mutation($c: ID!) { importUsers(input: {customerId: $c, csv: "Display name,Email\\nP,p@x.example\\n", dryRun: true}) { userErrors { code } } }`,
    vars: () => ({ c: customer.id }),
  },
  'Mutation.resetUserPassword': {
    query: `mutation($u: ID!) { resetUserPassword(input: {userId: $u}) { userErrors { code } } }`,
    vars: () => ({ u: ids.user }),
  },
  'Mutation.restoreUser': {
    query: `mutation($u: ID!) { restoreUser(input: {userId: $u}) { userErrors { code } } }`,
    vars: () => ({ u: ids.user }),
  },
  'Mutation.restoreUsers': {
    query: `mutation($u: ID!) { restoreUsers(input: {userIds: [$u]}) { failed } }`,
    vars: () => ({ u: ids.user }),
  },
  'Mutation.updateUser': {
    query: `mutation($u: ID!) { updateUser(input: {userId: $u, displayName: "Renamed"}) { userErrors { code } } }`,
    vars: () => ({ u: ids.user }),
  },
  'Subscription.bulkJobProgress': {
    query: `subscription($j: ID!) { bulkJobProgress(id: $j) { status } }`,
    vars: () => ({ j: ids.job }),
  },
};

/** Reads of the partner side that carry @requiresPartnerRole (its mutations are in partner-access.test.ts's matrix). */
const PARTNER_READS: Record<string, string> = {
  'Partner.agents': `{ viewer { agent { partner { agents { id } } } } }`,
  'Partner.securityGroups': `{ viewer { agent { partner { securityGroups { id } } } } }`,
  'Partner.gdapRelationships': `{ viewer { agent { partner { gdapRelationships { id } } } } }`,
  'Partner.auditEvents': `{ viewer { agent { partner { auditEvents(first: 1) { edges { node { action } } } } } } }`,
  'SecurityGroup.members': `{ viewer { agent { groups { members { id } } } } }`,
  'Partner.pendingActivations': `{ viewer { agent { partner { pendingActivations { id } } } } }`,
  'Partner.applications': `{ viewer { agent { partner { applications { id } } } } }`,
  'SecurityGroup.applications': `{ viewer { agent { groups { applications { id } } } } }`,
  // Called by applications (below): the only path to an Application that READ_PARTNER does not already guard.
  'Application.secrets': `{ viewer { application { secrets { keyId } } } }`,
  'Partner.webhookSubscriptions': `{ viewer { agent { partner { webhookSubscriptions { id } } } } }`,
  // Reached through the partner's list, itself guarded by the same task: refused there.
  'WebhookSubscription.deliveries': `{ viewer { agent { partner { webhookSubscriptions { deliveries(first: 1) { edges { node { id } } } } } } } }`,
};

/** Reads called by an application's token rather than an agent's: the refused caller, then the allowed one. */
const APPLICATION_CALLERS: Record<string, { refused: string; allowed: string }> = {};

/** An application with `roles`, signed in with a client secret: its bearer token. */
async function applicationToken(adminToken: string, roles: string[]): Promise<string> {
  const app = await s.ok(
    `mutation($i: CreateApplicationInput!) { createApplication(input: $i) { application { id clientId } } }`,
    { i: { displayName: `app ${roles.join()}`, roles } },
    adminToken,
  );
  const { id, clientId } = app.createApplication.application;
  const secret = await s.ok(
    `mutation($i: AddApplicationSecretInput!) { addApplicationSecret(input: $i) { secretText } }`,
    { i: { applicationId: id } },
    adminToken,
  );
  const res = await fetch(new URL('/oauth/token', s.url), {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: clientId,
      client_secret: secret.addApplicationSecret.secretText,
    }),
  });
  return ((await res.json()) as { access_token: string }).access_token;
}

function partnerRoleFields(kind: 'reads' | 'mutations'): Map<string, { task: string; anyOf: string[] }> {
  const found = new Map<string, { task: string; anyOf: string[] }>();
  for (const type of Object.values(buildSchema().getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__') || (type.name === 'Mutation') !== (kind === 'mutations'))
      continue;
    for (const field of Object.values(type.getFields())) {
      const d = getDirectiveInExtensions(field, 'requiresPartnerRole')?.[0];
      if (d) found.set(`${type.name}.${field.name}`, { task: d.task as string, anyOf: d.anyOf as string[] });
    }
  }
  return found;
}

/** Every field with @requiresRole, and the tasks its directives name. */
function directiveTasks(): Map<string, { tasks: Task[]; partnerRole: string }> {
  const found = new Map<string, { tasks: Task[]; partnerRole: string }>();
  for (const type of Object.values(buildSchema().getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      const ds = getDirectiveInExtensions(field, 'requiresRole') ?? [];
      if (ds.length)
        found.set(`${type.name}.${field.name}`, {
          tasks: ds.map((d) => d.task as Task),
          partnerRole: ds[0]!.partnerRole as string,
        });
    }
  }
  return found;
}

/** A GraphQL request over HTTP; a subscription is read until its first event. */
async function call(name: string, token: string): Promise<GqlResult> {
  const { query, vars } = CALLS[name]!;
  if (!name.startsWith('Subscription.')) return s.gql(query, vars(), token);
  const res = await fetch(s.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables: vars() }),
  });
  const reader = res.body!.getReader();
  let text = '';
  while (!/^data: /m.test(text)) {
    const { value, done } = await reader.read();
    if (done) break;
    text += new TextDecoder().decode(value);
  }
  await reader.cancel();
  return JSON.parse(
    text
      .split('\n')
      .find((l) => l.startsWith('data: '))!
      .slice(6),
  ) as GqlResult;
}

beforeAll(async () => {
  s = await startServer(BULK_ENV);
  const partner = await createPartner(s);
  customer = await createCustomer(s, partner, [['SPE_E3', 1]]);
  const admin = (await grantAgent(s, partner, customer, ['USER_ADMINISTRATOR'])).agentToken;
  const user = await createUser(s, admin, customer);
  ids.user = user.id;
  ids.upn = user.userPrincipalName;
  const job = await s.ok(
    IMPORT,
    { i: { customerId: customer.id, csv: `Display name,Email\nQueued,queued@${customer.domain}\n` } },
    admin,
  );
  ids.job = job.importUsers.job.id;
  reader = (await grantAgent(s, partner, customer, ['DIRECTORY_READERS'])).agentToken;
  salesAgent = (await grantAgent(s, partner, customer, ['GLOBAL_ADMINISTRATOR'], { partnerRoles: ['SALES_AGENT'] }))
    .agentToken;
  accessAdmin = (
    await grantAgent(s, partner, customer, ['DIRECTORY_READERS'], { partnerRoles: ['ACCESS_ADMINISTRATOR'] })
  ).agentToken;
  APPLICATION_CALLERS['Application.secrets'] = {
    refused: await applicationToken(partner.adminToken, ['SALES_AGENT']),
    allowed: await applicationToken(partner.adminToken, ['ADMIN_AGENT']),
  };
});
afterAll(() => s.close());

describe('@requiresPartnerRole on reads', () => {
  const fields = partnerRoleFields('reads');

  it('has a call in this test for every read that carries it', () => {
    expect([...fields.keys()].sort()).toEqual(Object.keys(PARTNER_READS).sort());
  });

  for (const [name, { task, anyOf }] of fields) {
    it(`${name} (${task}) is refused to an agent without ${anyOf.join(' or ')}, naming them`, async () => {
      const byApplication = APPLICATION_CALLERS[name];
      const r = await s.gql(PARTNER_READS[name]!, {}, byApplication?.refused ?? salesAgent);
      expect(r.errors?.[0]?.extensions, name).toMatchObject({ code: 'FORBIDDEN', task, requiredPartnerRoles: anyOf });
      const allowed = await s.gql(
        PARTNER_READS[name]!,
        {},
        byApplication?.allowed ??
          ([
            'Partner.auditEvents',
            'Partner.pendingActivations',
            'Partner.webhookSubscriptions',
            'WebhookSubscription.deliveries',
          ].includes(name)
            ? accessAdmin
            : reader),
      );
      expect(allowed.errors, name).toBeUndefined();
      expect(JSON.stringify(allowed.data), name).not.toMatch(/null}*$/);
    });
  }
});

describe('@requiresRole', () => {
  const fields = directiveTasks();

  it('has a call in this test for every field that carries it', () => {
    expect([...fields.keys()].sort()).toEqual(Object.keys(CALLS).sort());
  });

  for (const [name, { tasks, partnerRole }] of fields) {
    it(`${name} (${tasks.join(', ')}) is enforced as the directive says`, async () => {
      const asReader = await call(name, reader);
      if (tasks.includes('READ_CUSTOMER')) {
        // Directory Readers is a role in the customer: reads pass.
        expect(asReader.errors, name).toBeUndefined();
      } else {
        const e = asReader.errors?.[0];
        expect(e?.extensions?.code, name).toBe('FORBIDDEN');
        expect(tasks, name).toContain(e!.extensions!.task);
        expect(e!.extensions!.requiredRoles).toEqual([...TASKS[e!.extensions!.task as Task].anyOf]);
      }
      // Every one of them also needs the partner role the directive names, whatever the directory roles.
      const asSales = await call(name, salesAgent);
      expect(asSales.errors?.[0]?.extensions, name).toMatchObject({
        code: 'FORBIDDEN',
        requiredPartnerRoles: [partnerRole],
      });
    });
  }
});
