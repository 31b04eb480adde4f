// The users page's hot path (roles and licences in the page's statement, attached to the rows) takes no
// authorization shortcut: every request still authenticates its token and reads its GDAP grants, so a disabled agent,
// a signed-out token and an ended relationship are refused on the very next page. It also answers what the
// DataLoader path answers, in as many statements for 10 users as for 100.
import { type GraphQLObjectType, getNamedType, isCompositeType } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSchema } from '../src/graphql/schema.js';
import { startServer, type TestServer } from './support/server.js';
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

const PAGE = `query($c: ID!, $n: Int) { customer(id: $c) { users(first: $n) {
  edges { node { userPrincipalName displayName state roles licenses { sku { name } seated } } } } } }`;

let s: TestServer;
let partner: Partner;
let customer: Customer;
let adminToken: string;
let skus: { e3: string; pbi: string };

beforeAll(async () => {
  // Tokens outlive the relationship that expires below, so the same token is asked again after it ended.
  s = await startServer({ TOKEN_TTL_MINUTES: String(3 * 24 * 60) });
  partner = await createPartner(s);
  customer = await createCustomer(s, partner, [
    ['SPE_E3', 50],
    ['POWER_BI_PRO', 50],
  ]);
  const admin = await grantAgent(s, partner, customer, ['GLOBAL_ADMINISTRATOR']);
  const e3 = await skuId(s, 'SPE_E3', admin.agentToken);
  const pbi = await skuId(s, 'POWER_BI_PRO', admin.agentToken);
  adminToken = admin.agentToken;
  skus = { e3, pbi };
  for (let i = 0; i < 12; i++) {
    await createUser(s, admin.agentToken, customer, {
      usageLocation: 'US',
      ...(i % 3 === 0 ? { roles: ['REPORTS_READER', 'HELPDESK_ADMINISTRATOR'] } : {}),
      ...(i % 2 === 0 ? { licenseSkuIds: i % 4 === 0 ? [pbi, e3] : [e3] } : {}),
    });
  }
}, 120_000);

afterAll(async () => {
  await s?.close();
});

const refusal = async (token: string) => {
  const r = await s.gql(PAGE, { c: customer.id, n: 100 }, token);
  expect(r.data?.customer ?? null).toBeNull();
  return r.errors?.[0]?.extensions?.code;
};

describe('the users page', () => {
  it('answers the roles and licences the DataLoader path answers, in the same number of statements for 10 and 100', async () => {
    const { agentToken } = await grantAgent(s, partner, customer, ['USER_ADMINISTRATOR']);
    const count = async (n: number) => {
      const before = s.database.statements.count;
      const d = await s.ok(PAGE, { c: customer.id, n }, agentToken);
      return { statements: s.database.statements.count - before, edges: d.customer.users.edges };
    };
    await count(1); // a token's first request also records its session's last use
    await lastUseRecorded(s, agentToken, partner.adminToken);
    const ten = await count(10);
    const all = await count(100);
    expect(ten.statements).toBe(all.statements);
    // The session with the spend of the request's price, the customer it names and the caller's GDAP grants in it;
    // the page with its roles and licences.
    expect(all.statements).toBe(2);
    expect(all.edges.length).toBeGreaterThan(12);
    // The same users one by one (user(userPrincipalName): the DataLoader path) answer the same fields.
    for (const { node } of all.edges) {
      const one = await s.ok(
        `query($c: ID!, $u: String!) { customer(id: $c) { user(userPrincipalName: $u) {
          userPrincipalName displayName state roles licenses { sku { name } seated } } } }`,
        { c: customer.id, u: node.userPrincipalName },
        agentToken,
      );
      expect(one.customer.user).toEqual(node);
    }
    expect(all.edges.some((e: any) => e.node.roles.length === 2 && e.node.licenses.length === 2)).toBe(true);
  });

  it('answers a created user with the roles and licences a later read shows, without reading them again', async () => {
    const FIELDS = `id userPrincipalName roles licenses { sku { id name } seated assignedAt }`;
    await lastUseRecorded(s, adminToken);
    const before = s.database.statements.count;
    const d = await s.ok(
      `mutation($i: CreateUserInput!) { createUser(input: $i) { userErrors { message } user { ${FIELDS} } } }`,
      {
        i: {
          customerId: customer.id,
          userPrincipalName: `created-${Date.now()}@${customer.domain}`,
          displayName: 'Created',
          usageLocation: 'US',
          // Given out of order: the answer lists them as a read does (roles by name, licences by SKU name).
          roles: ['USER_ADMINISTRATOR', 'HELPDESK_ADMINISTRATOR', 'REPORTS_READER'],
          licenseSkuIds: [skus.e3, skus.pbi],
        },
      },
      adminToken,
    );
    const statements = s.database.statements.count - before;
    const created = d.createUser.user;
    expect(d.createUser.userErrors).toEqual([]);
    expect(created.roles).toEqual(['HELPDESK_ADMINISTRATOR', 'REPORTS_READER', 'USER_ADMINISTRATOR']);
    expect(created.licenses.map((l: any) => l.sku.name)).toEqual(['Microsoft 365 E3', 'Power BI Pro']);
    expect(created.licenses.every((l: any) => l.seated && l.assignedAt === s.clock.now().toISOString())).toBe(true);
    const read = await s.ok(
      `query($id: ID!) { node(id: $id) { ... on User { ${FIELDS} } } }`,
      { id: created.id },
      adminToken,
    );
    expect(created).toEqual(read.node);
    // The session (with its spend and what the input names), the creation with what it wrote, and nothing else.
    expect(statements).toBe(2);
  });

  it("reads licences' assignedAt when the query asks for it anywhere: through a fragment, an alias, an inline fragment", async () => {
    // A page that does not ask for it does not read it (the lean statement); one that asks for it however it is
    // written gets what the user alone (the DataLoader path) answers.
    const { agentToken } = await grantAgent(s, partner, customer, ['USER_ADMINISTRATOR']);
    const page = async (query: string) =>
      (await s.ok(query, { c: customer.id }, agentToken)).customer.users.edges.map((e: any) => e.node);
    const lean = await page(`query($c: ID!) { customer(id: $c) { users(first: 50) { edges { node {
      userPrincipalName licenses { sku { name } seated } } } } } }`);
    expect(lean.some((u: any) => u.licenses.length === 2)).toBe(true);
    const written = [
      `query($c: ID!) { customer(id: $c) { users(first: 50) { edges { node { userPrincipalName licenses { ...L } } } } } }
        fragment L on LicenseAssignment { sku { name } assignedAt }`,
      `query($c: ID!) { customer(id: $c) { users(first: 50) { edges { n: node { userPrincipalName
        ... on User { licenses { sku { name } at: assignedAt } } } } } } }`,
      `query($c: ID!) { customer(id: $c) { users(first: 50) { edges { node { ...U } } } } }
        fragment U on User { userPrincipalName licenses { sku { name } assignedAt } }`,
    ];
    for (const query of written) {
      const rows = await s.ok(query, { c: customer.id }, agentToken);
      const nodes = rows.customer.users.edges.map((e: any) => e.node ?? e.n);
      expect(nodes.length).toBe(lean.length);
      const licensed = nodes.filter((n: any) => n.licenses.length > 0);
      expect(licensed.length).toBeGreaterThan(3);
      for (const node of licensed.slice(0, 4)) {
        const one = await s.ok(
          `query($c: ID!, $u: String!) { customer(id: $c) { user(userPrincipalName: $u) {
            licenses { sku { name } assignedAt } } } }`,
          { c: customer.id, u: node.userPrincipalName },
          agentToken,
        );
        const at = node.licenses.map((l: any) => l.assignedAt ?? l.at);
        expect(at).toEqual(one.customer.user.licenses.map((l: any) => l.assignedAt));
        expect(at.every((a: unknown) => typeof a === 'string' && !Number.isNaN(Date.parse(a)))).toBe(true);
      }
    }
  });

  it('answers every User field alone as it does with every column read', async () => {
    // A page reads only the columns its selected fields read (graphql/types/user.ts USER_FIELD_COLUMNS); viewerCan is
    // not in that list, so a page asking for it reads every column: the reference each field alone is compared with.
    const { agentToken } = await grantAgent(s, partner, customer, ['USER_ADMINISTRATOR']);
    const SUB: Record<string, string> = {
      licenses: '{ sku { name } seated assignedAt }',
      customer: '{ id name }',
      viewerCan: '{ resetPassword { allowed } }',
    };
    const fields = Object.values((buildSchema().getType('User') as GraphQLObjectType).getFields()).map((f) => {
      if (!isCompositeType(getNamedType(f.type))) return f.name;
      expect(SUB[f.name], `a sub-selection for User.${f.name}`).toBeDefined();
      return `${f.name} ${SUB[f.name]}`;
    });
    expect(fields.length).toBeGreaterThan(25);
    const page = async (selection: string) =>
      (
        await s.ok(
          `query($c: ID!) { customer(id: $c) { users(first: 50) { edges { cursor node { ${selection} } } } } }`,
          { c: customer.id },
          agentToken,
        )
      ).customer.users.edges;
    const whole = await page(fields.join(' '));
    expect(whole.length).toBeGreaterThan(12);
    for (const field of fields) {
      const name = field.split(' ')[0]!;
      const alone = await page(`... on User { ${field} }`);
      expect(
        alone.map((e: any) => [e.cursor, e.node[name]]),
        name,
      ).toEqual(whole.map((e: any) => [e.cursor, e.node[name]]));
    }
  });

  it('gives the same cursors and pages, asked for or not', async () => {
    const { agentToken } = await grantAgent(s, partner, customer, ['USER_ADMINISTRATOR']);
    const WITH_CURSORS = `query($c: ID!, $n: Int, $a: String) { customer(id: $c) { users(first: $n, after: $a) {
      edges { cursor node { userPrincipalName roles } } pageInfo { hasNextPage endCursor startCursor } } } }`;
    const first = (await s.ok(WITH_CURSORS, { c: customer.id, n: 5 }, agentToken)).customer.users;
    expect(first.pageInfo.hasNextPage).toBe(true);
    expect(first.pageInfo.startCursor).toBe(first.edges[0].cursor);
    expect(first.pageInfo.endCursor).toBe(first.edges[4].cursor);
    const next = (await s.ok(WITH_CURSORS, { c: customer.id, n: 5, a: first.pageInfo.endCursor }, agentToken)).customer
      .users;
    const whole = (await s.ok(WITH_CURSORS, { c: customer.id, n: 10 }, agentToken)).customer.users;
    expect([...first.edges, ...next.edges]).toEqual(whole.edges);
  });

  it("refuses a disabled agent's token on the very next page", async () => {
    const g = await grantAgent(s, partner, customer, ['USER_ADMINISTRATOR']);
    await s.ok(PAGE, { c: customer.id, n: 100 }, g.agentToken);
    await s.ok(
      `mutation($id: ID!) { disableAgent(input: {agentId: $id}) { userErrors { message } } }`,
      { id: g.agentId },
      partner.adminToken,
    );
    expect(await refusal(g.agentToken)).toBe('UNAUTHENTICATED');
  });

  it('refuses a signed-out token on the very next page', async () => {
    const g = await grantAgent(s, partner, customer, ['USER_ADMINISTRATOR']);
    await s.ok(PAGE, { c: customer.id, n: 100 }, g.agentToken);
    expect((await s.ok(`mutation { signOut { ok } }`, {}, g.agentToken)).signOut.ok).toBe(true);
    expect(await refusal(g.agentToken)).toBe('UNAUTHENTICATED');
  });

  it('refuses the page on the very next request once the GDAP relationship is terminated', async () => {
    const g = await grantAgent(s, partner, customer, ['USER_ADMINISTRATOR']);
    await s.ok(PAGE, { c: customer.id, n: 100 }, g.agentToken);
    const t = await s.ok(
      `mutation($i: TerminateGdapRelationshipInput!) { terminateGdapRelationship(input: $i) { relationship { status } } }`,
      { i: { relationshipId: g.relationshipId } },
      partner.adminToken,
    );
    expect(t.terminateGdapRelationship.relationship.status).toBe('TERMINATED');
    expect(await refusal(g.agentToken)).toBe('NOT_FOUND');
  });

  it('refuses the page on the very next request once the GDAP relationship has expired, with the same token', async () => {
    const g = await grantAgent(s, partner, customer, ['USER_ADMINISTRATOR'], { durationDays: 1 });
    await s.ok(PAGE, { c: customer.id, n: 100 }, g.agentToken);
    s.travel(25 * 3600_000);
    expect(await refusal(g.agentToken)).toBe('NOT_FOUND');
  });

  it("never lends the named customer's grants to another customer the request reads", async () => {
    // The session statement reads ahead the customer the first root field names; the other root fields are
    // authorized by their own grants, in either order, and an id in another field decides nothing.
    const other = await createCustomer(s, partner, [['SPE_E3', 5]]);
    const g = await grantAgent(s, partner, customer, ['USER_ADMINISTRATOR']);
    const TWO = `query($a: ID!, $b: ID!) { a: customer(id: $a) { name } b: customer(id: $b) { name } }`;
    for (const [a, b] of [
      [customer.id, other.id],
      [other.id, customer.id],
    ]) {
      const r = await s.gql(TWO, { a, b }, g.agentToken);
      const granted = a === customer.id ? 'a' : 'b';
      const refused = granted === 'a' ? 'b' : 'a';
      expect(r.data?.[granted]?.name).toBeTruthy();
      expect(r.data?.[refused]).toBeNull();
      expect(r.errors?.map((e: any) => [e.path[0], e.extensions.code])).toEqual([[refused, 'NOT_FOUND']]);
    }
    // A mutation naming the granted customer in its input cannot act in the other one through a second field.
    const r = await s.gql(
      `mutation($a: CreateUserInput!, $b: CreateUserInput!) {
        a: createUser(input: $a) { user { id } userErrors { code } }
        b: createUser(input: $b) { user { id } userErrors { code } } }`,
      {
        a: { customerId: customer.id, userPrincipalName: `hint.a@${customer.domain}`, displayName: 'A' },
        b: { customerId: other.id, userPrincipalName: `hint.b@${other.domain}`, displayName: 'B' },
      },
      g.agentToken,
    );
    // (createUser's payload is non-null: b's refusal nulls the answer's data, a's user was created all the same.)
    expect(r.errors?.map((e: any) => [e.path[0], e.extensions.code])).toEqual([['b', 'NOT_FOUND']]);
    const made = await s.ok(
      `query($c: ID!, $u: String!) { customer(id: $c) { user(userPrincipalName: $u) { displayName } } }`,
      { c: customer.id, u: `hint.a@${customer.domain}` },
      g.agentToken,
    );
    expect(made.customer.user.displayName).toBe('A');
  });

  it("judges a new UPN's domain by the domains as they are when it is created, not as read ahead", async () => {
    // A mutation reads the customer's verified domains ahead with its session; a domain added by an earlier field of
    // the same request is then already the new user's.
    const g = await grantAgent(s, partner, customer, ['USER_ADMINISTRATOR']);
    const domain = `ahead${Date.now()}.example`;
    const r = await s.gql(
      `mutation($d: AddCustomerDomainInput!, $u: CreateUserInput!) {
        d: addCustomerDomain(input: $d) { domain { name } userErrors { code } }
        u: createUser(input: $u) { user { userPrincipalName } userErrors { code } } }`,
      {
        d: { customerId: customer.id, name: domain },
        u: { customerId: customer.id, userPrincipalName: `first@${domain}`, displayName: 'First' },
      },
      g.agentToken,
    );
    expect(r.errors).toBeUndefined();
    expect(r.data.d).toEqual({ domain: { name: domain }, userErrors: [] });
    expect(r.data.u).toEqual({ user: { userPrincipalName: `first@${domain}` }, userErrors: [] });
    const refused = await s.gql(
      `mutation($u: CreateUserInput!) { createUser(input: $u) { user { id } userErrors { code } } }`,
      { u: { customerId: customer.id, userPrincipalName: `second@not-${domain}`, displayName: 'Second' } },
      g.agentToken,
    );
    expect(refused.data.createUser.userErrors).toEqual([{ code: 'DOMAIN_NOT_VERIFIED' }]);
  });

  it('authorizes each mutation field by the access that holds when it runs, not by what was read ahead', async () => {
    // The first field names the customer (its grants are read ahead with the session); the second ends the agent's
    // only relationship; the third must then be refused, in the same request.
    const g = await grantAgent(s, partner, customer, ['USER_ADMINISTRATOR']);
    const r = await s.gql(
      `mutation($c: ID!, $r: ID!, $d: String!, $u: String!) {
        a: addCustomerDomain(input: { customerId: $c, name: $d }) { userErrors { code } }
        b: terminateGdapRelationship(input: { relationshipId: $r }) { relationship { status } userErrors { code } }
        c: createUser(input: { customerId: $c, userPrincipalName: $u, displayName: "Late" }) { user { id } userErrors { code } } }`,
      { c: customer.id, r: g.relationshipId, d: `late${Date.now()}.example`, u: `late@${customer.domain}` },
      g.agentToken,
    );
    // (createUser's payload is non-null: its refusal nulls the answer's data; a and b ran, in order.)
    expect(r.errors?.map((e: any) => [e.path[0], e.extensions.code])).toEqual([['c', 'NOT_FOUND']]);
  });

  it('reads ahead nothing for a customer of another partner', async () => {
    const stranger = await createPartner(s);
    const theirs = await createCustomer(s, stranger, [['SPE_E3', 5]]);
    const g = await grantAgent(s, partner, customer, ['USER_ADMINISTRATOR']);
    expect(
      await (async () => {
        const r = await s.gql(PAGE, { c: theirs.id, n: 10 }, g.agentToken);
        expect(r.data?.customer ?? null).toBeNull();
        return r.errors?.[0]?.extensions?.code;
      })(),
    ).toBe('NOT_FOUND');
  });
});
