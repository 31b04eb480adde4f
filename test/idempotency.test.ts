// Idempotency-Key over HTTP: a retried mutation gets the first answer (the same user and temporary password) without
// the work being done twice; another body with the same key is refused; concurrent duplicates create one user; keys
// are per caller, expire after 24 hours, and the kept answer is sealed.
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { idempotencyKeys, users } from '../src/db/schema.js';
import { BULK_ENV } from './support/bulk.js';
import { rawId } from './support/fixtures.js';
import { startServer, type TestServer } from './support/server.js';
import {
  CREATE_USER,
  type Customer,
  createCustomer,
  createPartner,
  type Grant,
  grantAgent,
  signIn,
} from './support/world.js';

let s: TestServer;
let customer: Customer;
let agent: Grant;
let other: Grant;

beforeAll(async () => {
  s = await startServer(BULK_ENV);
  const partner = await createPartner(s);
  customer = await createCustomer(s, partner);
  agent = await grantAgent(s, partner, customer, ['USER_ADMINISTRATOR']);
  other = await grantAgent(s, partner, customer, ['USER_ADMINISTRATOR']);
});
afterAll(() => s.close());

let n = 0;
const newKey = () => `key-${++n}-${Math.random().toString(36).slice(2)}`;

async function post(query: string, variables: Record<string, unknown>, token: string, key?: string) {
  const res = await fetch(s.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${token}`,
      ...(key === undefined ? {} : { 'idempotency-key': key }),
    },
    body: JSON.stringify({ query, variables }),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as any };
}

const userInput = (name: string) => ({
  customerId: customer.id,
  userPrincipalName: `${name}@${customer.domain}`,
  displayName: name,
});

async function usersNamed(upn: string): Promise<number> {
  const [row] = await s.database.db
    .select({ n: sql<number>`count(*)::int` })
    .from(users)
    .where(eq(users.upnLower, upn.toLowerCase()));
  return row!.n;
}

describe('Idempotency-Key', () => {
  it('a retried createUser gets the same user and temporary password, and one user is created', async () => {
    const key = newKey();
    const i = userInput(`retry${n}`);
    const first = await post(CREATE_USER, { i }, agent.agentToken, key);
    expect(first.status).toBe(200);
    expect(first.body.data.createUser.userErrors).toEqual([]);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    const again = await post(CREATE_USER, { i }, agent.agentToken, key);
    expect(again.status).toBe(200);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body.data).toEqual(first.body.data);
    expect(again.body.data.createUser.temporaryPassword).toMatch(/.{12,}/);
    expect(await usersNamed(i.userPrincipalName)).toBe(1);
    // Without the key, the same request is a new one: the UPN is taken now.
    const unkeyed = await post(CREATE_USER, { i }, agent.agentToken);
    expect(unkeyed.body.data.createUser.userErrors[0].code).toBe('UPN_TAKEN');
  });

  it('the same key with another body is refused (422) and changes nothing', async () => {
    const key = newKey();
    await post(CREATE_USER, { i: userInput(`first${n}`) }, agent.agentToken, key);
    const other = userInput(`second${n}`);
    const reused = await post(CREATE_USER, { i: other }, agent.agentToken, key);
    expect(reused.status).toBe(422);
    expect(reused.body.errors[0].extensions.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(await usersNamed(other.userPrincipalName)).toBe(0);
  });

  it('concurrent duplicates create one user; each gets its answer (or 409 while the first runs)', async () => {
    const key = newKey();
    const i = userInput(`race${n}`);
    const answers = await Promise.all(Array.from({ length: 4 }, () => post(CREATE_USER, { i }, agent.agentToken, key)));
    expect(await usersNamed(i.userPrincipalName)).toBe(1);
    const created = answers.filter((a) => a.status === 200);
    expect(created.length).toBeGreaterThanOrEqual(1);
    for (const a of created) {
      expect(a.body.data.createUser.userErrors).toEqual([]);
      expect(a.body.data).toEqual(created[0]!.body.data);
    }
    for (const a of answers.filter((x) => x.status !== 200)) expect(a.status).toBe(409);
  });

  it('a retried resetUserPassword gives the same temporary password, which signs in', async () => {
    const created = await post(CREATE_USER, { i: userInput(`reset${n}`) }, agent.agentToken);
    const user = created.body.data.createUser.user;
    const RESET = `mutation($i: ResetUserPasswordInput!) { resetUserPassword(input: $i) { temporaryPassword userErrors { code } } }`;
    const key = newKey();
    const first = await post(RESET, { i: { userId: user.id } }, agent.agentToken, key);
    const again = await post(RESET, { i: { userId: user.id } }, agent.agentToken, key);
    expect(again.body.data).toEqual(first.body.data);
    const password = first.body.data.resetUserPassword.temporaryPassword;
    const signIn = await s.ok(`mutation($i: SignInInput!) { signIn(input: $i) { token } }`, {
      i: { email: user.userPrincipalName, password },
    });
    expect(signIn.signIn.token).toBeTruthy();
  });

  it('keys are per caller: another agent with the same key does its own work', async () => {
    const key = newKey();
    const a = await post(CREATE_USER, { i: userInput(`mine${n}`) }, agent.agentToken, key);
    const b = await post(CREATE_USER, { i: userInput(`yours${n}`) }, other.agentToken, key);
    expect(b.status).toBe(200);
    expect(b.body.data.createUser.user.id).not.toBe(a.body.data.createUser.user.id);
  });

  it('keeps the answer sealed (no temporary password in the table) and forgets it after 24 hours', async () => {
    const key = newKey();
    const i = userInput(`sealed${n}`);
    const first = await post(CREATE_USER, { i }, agent.agentToken, key);
    const password = first.body.data.createUser.temporaryPassword;
    const [row] = await s.database.db
      .select()
      .from(idempotencyKeys)
      .where(eq(idempotencyKeys.principalId, rawId(agent.agentId)));
    expect(row).toBeDefined();
    const rows = await s.database.db.select({ response: idempotencyKeys.response }).from(idempotencyKeys);
    expect(JSON.stringify(rows)).not.toContain(password);
    s.travel(24 * 3_600_000 + 1);
    const later = await post(CREATE_USER, { i }, await signIn(s, agent.agentEmail), key);
    expect(later.headers.get('idempotent-replayed')).toBeNull();
    expect(later.body.data.createUser.userErrors[0].code).toBe('UPN_TAKEN');
  });

  it('is ignored on queries, and refused when malformed', async () => {
    const q = await post(`{ viewer { kind } }`, {}, agent.agentToken, newKey());
    expect(q.status).toBe(200);
    expect(q.headers.get('idempotent-replayed')).toBeNull();
    const bad = await post(CREATE_USER, { i: userInput(`bad${n}`) }, agent.agentToken, 'é'.repeat(3));
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].extensions.code).toBe('INVALID_IDEMPOTENCY_KEY');
  });
});
