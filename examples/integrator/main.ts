// An MSP's automation, end to end, against a running server with the demo data (`WEBHOOK_ALLOW_PRIVATE=1 npm start`,
// then `npm run example`):
//   0. setup, done once by an access administrator (here the demo's): an application in the Helpdesk group (User
//      Administrator in Fabrikam), a client secret, and a webhook subscription to a receiver this script runs;
//   1. a token with client credentials (POST /oauth/token);
//   2. users created with Idempotency-Key (a retry gets the same user and temporary password);
//   3. a licence for each; 4. every user paged through; 5. the user.created webhooks, signatures verified.
// Every operation is typed from schema/schema.graphql (gql.tada). Exits non-zero when anything is not as expected.
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TadaDocumentNode } from 'gql.tada';
import { print } from 'graphql';
import { Webhook } from 'standardwebhooks';
import { graphql, type ResultOf } from './graphql.js';

const API = process.env.API_URL ?? 'http://127.0.0.1:4000';
const ADMIN_EMAIL = process.env.ADMIN_EMAIL ?? 'access@northwind.example';
const ADMIN_PASSWORD = process.env.ADMIN_PASSWORD ?? 'Demo-Passw0rd!';
const CUSTOMER = process.env.CUSTOMER_NAME ?? 'Fabrikam';
const GROUP = process.env.GROUP_NAME ?? 'Helpdesk';
const USERS = 3;

function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(`check failed: ${message}`);
}

interface Answer<R> {
  data?: R;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
  extensions?: { cost?: { requestedQueryCost: number; throttleStatus?: { currentlyAvailable: number } } };
}

/** One GraphQL request; fails on top-level errors, retries once after a 429's Retry-After. */
async function request<R, V>(
  doc: TadaDocumentNode<R, V>,
  variables: V,
  token?: string,
  headers: Record<string, string> = {},
): Promise<R & { __cost?: Answer<R>['extensions'] }> {
  for (let attempt = 0; ; attempt++) {
    const res = await fetch(`${API}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...headers,
      },
      body: JSON.stringify({ query: print(doc), variables }),
    });
    if (res.status === 429 && attempt === 0) {
      await new Promise((r) => setTimeout(r, Number(res.headers.get('retry-after') ?? 1) * 1000));
      continue;
    }
    const answer = (await res.json()) as Answer<R>;
    if (answer.errors?.length || !answer.data) throw new Error(`GraphQL errors: ${JSON.stringify(answer.errors)}`);
    return Object.assign(answer.data, { __cost: answer.extensions });
  }
}

const SignIn = graphql(`
  mutation SignIn($email: String!, $password: String!) {
    signIn(input: { email: $email, password: $password }) { token userErrors { code message } }
  }
`);
const Groups = graphql(`
  query Groups { viewer { agent { partner { securityGroups { id name } } } } }
`);
const CreateApplication = graphql(`
  mutation CreateApplication($name: String!) {
    createApplication(input: { displayName: $name, roles: [ADMIN_AGENT] }) {
      application { id clientId } userErrors { field code message }
    }
  }
`);
const AddSecret = graphql(`
  mutation AddSecret($app: ID!) {
    addApplicationSecret(input: { applicationId: $app, description: "integrator example", expiresInDays: 1 }) {
      secretText userErrors { code message }
    }
  }
`);
const AddMember = graphql(`
  mutation AddMember($group: ID!, $member: ID!) {
    addSecurityGroupMember(input: { groupId: $group, agentId: $member }) { userErrors { code message } }
  }
`);
const Subscribe = graphql(`
  mutation Subscribe($url: String!) {
    createWebhookSubscription(input: { url: $url, eventTypes: [USER_CREATED] }) {
      subscription { id } secret userErrors { field code message }
    }
  }
`);
const Unsubscribe = graphql(`
  mutation Unsubscribe($id: ID!) {
    deleteWebhookSubscription(input: { subscriptionId: $id }) { userErrors { message } }
  }
`);
const DeleteApplication = graphql(`
  mutation DeleteApplication($app: ID!) {
    deleteApplication(input: { applicationId: $app }) { userErrors { message } }
  }
`);
const Customers = graphql(`
  query Customers { customers(first: 50) { edges { node { id name domains { name isDefault }
    licenses { sku { id partNumber } availableSeats } } } } }
`);
const CreateUser = graphql(`
  mutation CreateUser($input: CreateUserInput!) {
    createUser(input: $input) { user { id userPrincipalName } temporaryPassword userErrors { field code message } }
  }
`);
const License = graphql(`
  mutation License($user: ID!, $sku: ID!) {
    updateUser(input: { userId: $user, usageLocation: "FR", addLicenseSkuIds: [$sku] }) {
      user { licenses { sku { partNumber } } } userErrors { field code message }
    }
  }
`);
const UsersPage = graphql(`
  query UsersPage($customer: ID!, $after: String) {
    customer(id: $customer) {
      users(first: 10, after: $after) {
        edges { node { id userPrincipalName licenses { sku { partNumber } } } }
        pageInfo { hasNextPage endCursor }
      }
    }
  }
`);

/** A webhook receiver on loopback: verifies each delivery with the subscription's secret. */
async function receiver() {
  const events: { type: string; data: Record<string, unknown> }[] = [];
  let secret = '';
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      try {
        events.push(new Webhook(secret).verify(body, req.headers as Record<string, string>) as (typeof events)[number]);
        res.statusCode = 204;
      } catch {
        res.statusCode = 400;
      }
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks`,
    events,
    useSecret: (s: string) => (secret = s),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function main() {
  const hooks = await receiver();
  // 0. Setup (an access administrator, once).
  const signIn = await request(SignIn, { email: ADMIN_EMAIL, password: ADMIN_PASSWORD });
  const admin = signIn.signIn.token;
  check(admin, `sign-in of ${ADMIN_EMAIL}: ${JSON.stringify(signIn.signIn.userErrors)}`);
  const app = (await request(CreateApplication, { name: `Integrator example ${randomUUID().slice(0, 8)}` }, admin))
    .createApplication;
  check(app.application, `createApplication: ${JSON.stringify(app.userErrors)}`);
  const secret = (await request(AddSecret, { app: app.application.id }, admin)).addApplicationSecret.secretText;
  check(secret, 'addApplicationSecret returned no secret');
  const groups = (await request(Groups, {}, admin)).viewer?.agent?.partner.securityGroups ?? [];
  const group = groups.find((g) => g.name === GROUP);
  check(group, `no security group named ${GROUP}`);
  const joined = await request(AddMember, { group: group.id, member: app.application.id }, admin);
  check(!joined.addSecurityGroupMember.userErrors.length, JSON.stringify(joined.addSecurityGroupMember.userErrors));
  const sub = (await request(Subscribe, { url: hooks.url }, admin)).createWebhookSubscription;
  check(sub.secret && sub.subscription, `createWebhookSubscription: ${JSON.stringify(sub.userErrors)}`);
  hooks.useSecret(sub.secret);
  console.log(`setup: application ${app.application.clientId} in ${GROUP}, webhooks to ${hooks.url}`);

  try {
    // 1. Client credentials.
    const res = await fetch(`${API}/oauth/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${app.application.clientId}:${secret}`).toString('base64')}`,
      },
      body: new URLSearchParams({ grant_type: 'client_credentials' }),
    });
    check(res.status === 200, `token endpoint answered ${res.status}`);
    const { access_token: token, expires_in } = (await res.json()) as { access_token: string; expires_in: number };
    console.log(`1. token for ${expires_in} s`);

    // 2. Users, each with an idempotency key; the first is retried.
    const customers = (await request(Customers, {}, token)).customers.edges.map((e) => e.node);
    const customer = customers.find((c) => c.name === CUSTOMER);
    check(customer, `the application does not see ${CUSTOMER}`);
    const domain = customer.domains.find((d) => d.isDefault)?.name;
    check(domain, 'no default domain');
    const created: { id: string; userPrincipalName: string }[] = [];
    const run = randomUUID().slice(0, 6);
    for (let i = 0; i < USERS; i++) {
      const key = `example-${run}-${i}`;
      const input = {
        customerId: customer.id,
        userPrincipalName: `sync.${run}.${i}@${domain}`,
        displayName: `Synced User ${i}`,
      };
      const first = (await request(CreateUser, { input }, token, { 'idempotency-key': key })).createUser;
      check(first.user && first.temporaryPassword, `createUser: ${JSON.stringify(first.userErrors)}`);
      if (i === 0) {
        // A retry after a timeout: same key, same body, the same answer, no second user.
        const retry = (await request(CreateUser, { input }, token, { 'idempotency-key': key })).createUser;
        check(retry.user?.id === first.user.id, 'the retry returned another user');
        check(retry.temporaryPassword === first.temporaryPassword, 'the retry returned another password');
      }
      created.push(first.user);
    }
    console.log(`2. created ${created.map((u) => u.userPrincipalName).join(', ')} (the first one retried)`);

    // 3. A licence each, from a subscription with seats left.
    const sku = customer.licenses.find((l) => l.availableSeats >= USERS)?.sku;
    check(sku, 'no subscription with enough free seats');
    for (const u of created) {
      const r = (await request(License, { user: u.id, sku: sku.id }, token)).updateUser;
      check(!r.userErrors.length, `licence: ${JSON.stringify(r.userErrors)}`);
    }
    console.log(`3. ${sku.partNumber} assigned to each`);

    // 4. Every user, page after page.
    let after: string | null = null;
    let total = 0;
    let pages = 0;
    let cost: number | undefined;
    do {
      const page: ResultOf<typeof UsersPage> & { __cost?: Answer<unknown>['extensions'] } = await request(
        UsersPage,
        { customer: customer.id, after },
        token,
      );
      const users = page.customer?.users;
      check(users, 'the customer disappeared');
      total += users.edges.length;
      pages++;
      cost = page.__cost?.cost?.throttleStatus?.currentlyAvailable;
      after = users.pageInfo.hasNextPage ? (users.pageInfo.endCursor ?? null) : null;
    } while (after);
    console.log(`4. ${total} users in ${pages} pages (budget left: ${cost} points)`);
    check(total >= USERS, 'the new users are not in the list');

    // 5. The webhooks (sent by the server's worker within seconds), each signature verified.
    const deadline = Date.now() + 20_000;
    const ids = new Set(created.map((u) => u.id));
    const seen = () => hooks.events.filter((e) => e.type === 'user.created' && ids.has(String(e.data.userId))).length;
    while (seen() < USERS && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    check(seen() === USERS, `${seen()} of ${USERS} user.created webhooks arrived verified`);
    console.log(`5. ${USERS} user.created webhooks received, signatures verified`);
  } finally {
    await request(Unsubscribe, { id: sub.subscription.id }, admin);
    await request(DeleteApplication, { app: app.application.id }, admin);
    await hooks.close();
  }
  console.log('example: OK');
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
