// Applications (service principals) over HTTP: created and given secrets by an access administrator, signing in with
// client credentials at POST /oauth/token, acting in customers through security groups and GDAP like agents,
// refused at once when disabled or when their secret is removed, and bound by the four-eyes rule.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from './support/server.js';
import {
  CREATE_USER,
  type Customer,
  createCustomer,
  createPartner,
  type Grant,
  grantAgent,
  type Partner,
} from './support/world.js';

let s: TestServer;
let partner: Partner;
let customer: Customer;
let grant: Grant;
let tokenUrl: string;

beforeAll(async () => {
  s = await startServer();
  partner = await createPartner(s);
  customer = await createCustomer(s, partner);
  grant = await grantAgent(s, partner, customer, ['USER_ADMINISTRATOR']);
  tokenUrl = new URL('/oauth/token', s.url).toString();
});
afterAll(() => s.close());

const CREATE_APP = `mutation($i: CreateApplicationInput!) { createApplication(input: $i) {
  application { id clientId displayName partnerRoles status } userErrors { field code message } } }`;
const ADD_SECRET = `mutation($i: AddApplicationSecretInput!) { addApplicationSecret(input: $i) {
  secret { keyId hint live expiresAt } secretText userErrors { field code message } } }`;
const REMOVE_SECRET = `mutation($i: RemoveApplicationSecretInput!) { removeApplicationSecret(input: $i) {
  application { secrets { keyId live revokedAt } } userErrors { field code message } } }`;
const ADD_MEMBER = `mutation($i: AddSecurityGroupMemberInput!) { addSecurityGroupMember(input: $i) {
  securityGroup { applications { displayName } members { email } } userErrors { field code message } } }`;
const VIEWER = '{ viewer { kind agent { id } } }';
/** The error code a token gets on a query that needs a signed-in caller (undefined when it is taken). */
const codeFor = async (token: string) =>
  (await s.gql('{ customers(first: 1) { edges { node { id } } } }', {}, token)).errors?.[0]?.extensions?.code;

interface App {
  id: string;
  clientId: string;
}

async function createApp(roles = ['ADMIN_AGENT'], name = `Sync ${Math.random().toString(36).slice(2, 7)}`) {
  const d = await s.ok(CREATE_APP, { i: { displayName: name, roles } }, partner.adminToken);
  expect(d.createApplication.userErrors).toEqual([]);
  return d.createApplication.application as App & { displayName: string };
}

async function addSecret(app: App, extra: Record<string, unknown> = {}, token = partner.adminToken) {
  return (await s.ok(ADD_SECRET, { i: { applicationId: app.id, ...extra } }, token)).addApplicationSecret;
}

function postToken(body: string | Record<string, string>, headers: Record<string, string> = {}) {
  const form = typeof body !== 'string';
  return fetch(tokenUrl, {
    method: 'POST',
    headers: {
      'content-type': form ? 'application/x-www-form-urlencoded' : 'application/json',
      ...headers,
    },
    body: form ? new URLSearchParams(body).toString() : body,
  });
}

async function tokenOf(app: App, secret: string): Promise<string> {
  const res = await postToken({ grant_type: 'client_credentials', client_id: app.clientId, client_secret: secret });
  const body = await res.json();
  if (res.status !== 200) throw new Error(`token refused: ${JSON.stringify(body)}`);
  return body.access_token;
}

async function groupOfGrant(): Promise<string> {
  return (await s.ok('{ viewer { agent { groups { id } } } }', {}, grant.agentToken)).viewer.agent.groups[0].id;
}

describe('client credentials (POST /oauth/token)', () => {
  it('gives a bearer token for a form post, for HTTP Basic and for JSON, never cached; the API takes it', async () => {
    const app = await createApp();
    const { secretText, secret } = await addSecret(app, { description: 'ci' });
    expect(secretText).toMatch(/^cs_[\w-]{43}$/);
    expect(secret).toMatchObject({ hint: secretText.slice(0, 6), live: true });

    const form = await postToken({
      grant_type: 'client_credentials',
      client_id: app.clientId,
      client_secret: secretText,
    });
    expect(form.status).toBe(200);
    expect(form.headers.get('cache-control')).toBe('no-store');
    const body = await form.json();
    expect(body).toEqual({ access_token: expect.stringMatching(/^pat_/), token_type: 'Bearer', expires_in: 3600 });
    expect((await s.ok(VIEWER, {}, body.access_token)).viewer).toEqual({ kind: 'APPLICATION', agent: null });

    const basic = await postToken(
      { grant_type: 'client_credentials' },
      { authorization: `Basic ${Buffer.from(`${app.clientId}:${secretText}`).toString('base64')}` },
    );
    expect(basic.status).toBe(200);
    const json = await postToken(
      JSON.stringify({ grant_type: 'client_credentials', client_id: app.clientId, client_secret: secretText }),
    );
    expect(json.status).toBe(200);
  });

  it('answers RFC 6749 errors: a wrong secret or an unknown client is invalid_client (401), the rest invalid_request', async () => {
    const app = await createApp();
    const { secretText } = await addSecret(app);
    const wrong = await postToken({
      grant_type: 'client_credentials',
      client_id: app.clientId,
      client_secret: `${secretText.slice(0, -1)}x`,
    });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ error: 'invalid_client' });
    const unknown = await postToken({
      grant_type: 'client_credentials',
      client_id: '00000000-0000-4000-8000-000000000000',
      client_secret: secretText,
    });
    expect(unknown.status).toBe(401);
    const basicWrong = await postToken(
      { grant_type: 'client_credentials' },
      { authorization: `Basic ${Buffer.from(`${app.clientId}:nope`).toString('base64')}` },
    );
    expect(basicWrong.status).toBe(401);
    expect(basicWrong.headers.get('www-authenticate')).toMatch(/^Basic/);
    expect(wrong.headers.get('www-authenticate')).toMatch(/^Basic/);
    const notBasic = await postToken(
      { grant_type: 'client_credentials', client_id: app.clientId, client_secret: secretText },
      { authorization: 'Bearer something' },
    );
    expect(notBasic.status).toBe(401);
    const repeated = await postToken(
      `grant_type=client_credentials&client_id=${app.clientId}&client_id=${app.clientId}&client_secret=${secretText}`,
      { 'content-type': 'application/x-www-form-urlencoded' },
    );
    expect(repeated.status).toBe(400);

    const grantType = await postToken({ grant_type: 'password', client_id: app.clientId, client_secret: secretText });
    expect(grantType.status).toBe(400);
    expect(await grantType.json()).toMatchObject({ error: 'unsupported_grant_type' });
    const twoWays = await postToken(
      { grant_type: 'client_credentials', client_id: app.clientId, client_secret: secretText },
      { authorization: `Basic ${Buffer.from(`${app.clientId}:${secretText}`).toString('base64')}` },
    );
    expect(twoWays.status).toBe(400);
    expect(await twoWays.json()).toMatchObject({ error: 'invalid_request' });
    expect((await fetch(tokenUrl)).status).toBe(405);
  });

  it('a token lives one hour; a secret past its expiry gets none', async () => {
    const app = await createApp();
    const { secretText } = await addSecret(app, { expiresInDays: 1 });
    const token = await tokenOf(app, secretText);
    s.travel(61 * 60_000);
    expect(await codeFor(token)).toBe('UNAUTHENTICATED');
    await tokenOf(app, secretText);
    s.travel(86_400_000);
    const late = await postToken({
      grant_type: 'client_credentials',
      client_id: app.clientId,
      client_secret: secretText,
    });
    expect(late.status).toBe(401);
  });

  it('an application has no password: no signIn, no changePassword', async () => {
    const app = await createApp();
    const token = await tokenOf(app, (await addSecret(app)).secretText);
    const r = await s.gql(
      `mutation { changePassword(input: {currentPassword: "x", newPassword: "Another-Passw0rd!"}) { ok userErrors { code } } }`,
      {},
      token,
    );
    expect(r.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});

describe('secrets: rotation and revocation', () => {
  it('two secrets live at once both get tokens, a third is refused; removing one revokes its tokens at once', async () => {
    const app = await createApp();
    const first = await addSecret(app, { description: 'old' });
    const second = await addSecret(app, { description: 'new' });
    const third = await addSecret(app);
    expect(third).toMatchObject({
      secretText: null,
      userErrors: [{ field: ['applicationId'], code: 'LIMIT_EXCEEDED' }],
    });
    const oldToken = await tokenOf(app, first.secretText);
    const newToken = await tokenOf(app, second.secretText);

    const removed = await s.ok(
      REMOVE_SECRET,
      { i: { applicationId: app.id, keyId: first.secret.keyId } },
      partner.adminToken,
    );
    expect(removed.removeApplicationSecret.userErrors).toEqual([]);
    const secrets = removed.removeApplicationSecret.application.secrets;
    expect(secrets).toHaveLength(2);
    expect(secrets).toEqual(
      expect.arrayContaining([
        { keyId: second.secret.keyId, live: true, revokedAt: null },
        { keyId: first.secret.keyId, live: false, revokedAt: expect.any(String) },
      ]),
    );
    expect(await codeFor(oldToken)).toBe('UNAUTHENTICATED');
    expect((await s.ok(VIEWER, {}, newToken)).viewer.kind).toBe('APPLICATION');
    const again = await postToken({
      grant_type: 'client_credentials',
      client_id: app.clientId,
      client_secret: first.secretText,
    });
    expect(again.status).toBe(401);
    // Room for the next rotation.
    expect((await addSecret(app)).userErrors).toEqual([]);
  });

  it('never shows a secret again, nor puts it in the partner log', async () => {
    const app = await createApp();
    const { secretText } = await addSecret(app);
    await tokenOf(app, secretText);
    const log = await s.ok(
      `{ viewer { agent { partner { auditEvents(first: 20) { edges { node { action actorKind actorId details } } } } } } }`,
      {},
      partner.adminToken,
    );
    const events = log.viewer.agent.partner.auditEvents.edges.map((e: any) => e.node);
    expect(JSON.stringify(events)).not.toContain(secretText.slice(6));
    expect(events.find((e: any) => e.action === 'APPLICATION_TOKEN_ISSUED')).toMatchObject({
      actorKind: 'APPLICATION',
      actorId: app.id,
    });
  });
});

describe('access through security groups and GDAP', () => {
  it('acts in a customer only once in a group with GDAP roles there, and the audit shows the application as the actor', async () => {
    const app = await createApp();
    const token = await tokenOf(app, (await addSecret(app)).secretText);
    const input = {
      customerId: customer.id,
      userPrincipalName: `auto${Date.now()}@${customer.domain}`,
      displayName: 'Auto Mated',
    };
    const before = await s.gql(CREATE_USER, { i: input }, token);
    expect(before.errors?.[0]?.extensions?.code).toMatch(/FORBIDDEN|NOT_FOUND/);

    const joined = await s.ok(
      ADD_MEMBER,
      { i: { groupId: await groupOfGrant(), agentId: app.id } },
      partner.adminToken,
    );
    expect(joined.addSecurityGroupMember.userErrors).toEqual([]);
    expect(joined.addSecurityGroupMember.securityGroup.applications).toEqual([{ displayName: app.displayName }]);
    expect(joined.addSecurityGroupMember.securityGroup.members).toEqual([{ email: grant.agentEmail }]);

    const created = await s.ok(CREATE_USER, { i: input }, token);
    expect(created.createUser.userErrors).toEqual([]);
    const audit = await s.ok(
      `query($c: ID!) { customer(id: $c) { auditEvents(first: 50) { edges { node { action actor actorKind actorId actorEmail } } } } }`,
      { c: customer.id },
      token,
    );
    // Events of one instant (the test clock stands still) have no order among them: find it by its action.
    const nodes = audit.customer.auditEvents.edges.map((e: any) => e.node);
    expect(nodes.find((n: any) => n.action === 'CREATE_USER')).toEqual({
      action: 'CREATE_USER',
      actor: app.displayName,
      actorKind: 'APPLICATION',
      actorId: app.id,
      actorEmail: null,
    });
  });

  it('is an ACTIVE member or none: ELIGIBLE (just in time) is for people', async () => {
    const app = await createApp();
    const d = await s.ok(
      ADD_MEMBER,
      { i: { groupId: await groupOfGrant(), agentId: app.id, kind: 'ELIGIBLE' } },
      partner.adminToken,
    );
    expect(d.addSecurityGroupMember.userErrors).toEqual([
      expect.objectContaining({ field: ['kind'], code: 'INVALID' }),
    ]);
  });

  it("a disabled application's token is refused on its next request and it gets no new one; enabled, it does again", async () => {
    const app = await createApp();
    const { secretText } = await addSecret(app);
    const token = await tokenOf(app, secretText);
    const d = await s.ok(
      `mutation($i: ApplicationIdInput!) { disableApplication(input: $i) { application { status } userErrors { code } } }`,
      { i: { applicationId: app.id } },
      partner.adminToken,
    );
    expect(d.disableApplication).toEqual({ application: { status: 'DISABLED' }, userErrors: [] });
    expect(await codeFor(token)).toBe('UNAUTHENTICATED');
    const refused = await postToken({
      grant_type: 'client_credentials',
      client_id: app.clientId,
      client_secret: secretText,
    });
    expect(refused.status).toBe(401);
    await s.ok(
      `mutation($i: ApplicationIdInput!) { enableApplication(input: $i) { userErrors { code } } }`,
      { i: { applicationId: app.id } },
      partner.adminToken,
    );
    expect((await s.ok(VIEWER, {}, await tokenOf(app, secretText))).viewer.kind).toBe('APPLICATION');
  });
});

describe('four eyes for applications', () => {
  it('an ACCESS_ADMINISTRATOR application manages others, never itself: its secrets, its roles, its groups', async () => {
    const admin = await createApp(['ACCESS_ADMINISTRATOR']);
    const token = await tokenOf(admin, (await addSecret(admin)).secretText);
    const refusal = async (query: string, i: Record<string, unknown>) => {
      const r = await s.gql(query, { i }, token);
      expect(r.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      return r.errors![0]!.message;
    };
    expect(await refusal(ADD_SECRET, { applicationId: admin.id })).toMatch(/Four-eyes/);
    expect(
      await refusal(`mutation($i: UpdateApplicationInput!) { updateApplication(input: $i) { userErrors { code } } }`, {
        applicationId: admin.id,
        roles: ['ACCESS_ADMINISTRATOR', 'ADMIN_AGENT'],
      }),
    ).toMatch(/Four-eyes/);
    expect(await refusal(ADD_MEMBER, { groupId: await groupOfGrant(), agentId: admin.id })).toMatch(/Four-eyes/);
    // Nor any other principal: through a helper it could change itself (create B, give B a secret, let B change it).
    const other = await createApp();
    expect(await refusal(ADD_SECRET, { applicationId: other.id })).toMatch(/applications do not manage/);
    expect(await refusal(CREATE_APP, { displayName: 'helper', roles: ['ACCESS_ADMINISTRATOR'] })).toMatch(/Four-eyes/);
  });
});
