// Each successful mutation writes one audit event; refusals are recorded too; passwords never are.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from './support/server.js';
import { type Customer, createCustomer, createPartner, createUser, grantAgent, skuId } from './support/world.js';

let s: TestServer;
let customer: Customer;
let admin: string;
let adminEmail: string;
let reader: string;
let sales: string;

const EVENTS = `query($c: ID!) { customer(id: $c) { auditEvents(first: 500) { edges { node { at actor actorId actorEmail action outcome targetName details } } } } }`;
const events = async () =>
  (await s.ok(EVENTS, { c: customer.id }, admin)).customer.auditEvents.edges.map((e: any) => e.node);

beforeAll(async () => {
  s = await startServer();
  const partner = await createPartner(s);
  customer = await createCustomer(s, partner, [['SPE_E3', 5]]);
  const g = await grantAgent(s, partner, customer, ['USER_ADMINISTRATOR']);
  admin = g.agentToken;
  adminEmail = g.agentEmail;
  reader = (await grantAgent(s, partner, customer, ['DIRECTORY_READERS'])).agentToken;
  sales = (await grantAgent(s, partner, customer, ['USER_ADMINISTRATOR'], { partnerRoles: ['SALES_AGENT'] }))
    .agentToken;
});
afterAll(() => s.close());

describe('audit', () => {
  it('records one event per successful mutation, newest first, with who, target, action and the change', async () => {
    const before = (await events()).length;
    s.clock.advance(1000);
    const u = await createUser(s, admin, customer, {
      usageLocation: 'FR',
      licenseSkuIds: [await skuId(s, 'SPE_E3', admin)],
      jobTitle: 'Pilot',
    });
    s.clock.advance(1000);
    await s.ok(
      `mutation($i: UpdateUserInput!) { updateUser(input: $i) { userErrors { message } } }`,
      { i: { userId: u.id, jobTitle: 'Captain' } },
      admin,
    );
    s.clock.advance(1000);
    const reset = await s.ok(
      `mutation($id: ID!) { resetUserPassword(input: {userId: $id}) { temporaryPassword } }`,
      { id: u.id },
      admin,
    );
    s.clock.advance(1000);
    await s.ok(
      `mutation($id: ID!) { deleteUser(input: {userId: $id}) { userErrors { message } } }`,
      { id: u.id },
      admin,
    );

    const all = await events();
    expect(all.length - before).toBe(4);
    const [del, res, upd, cre] = all;
    expect([del.action, res.action, upd.action, cre.action]).toEqual([
      'DELETE_USER',
      'RESET_PASSWORD',
      'UPDATE_USER',
      'CREATE_USER',
    ]);
    const adminId = (await s.ok(`{ viewer { agent { id } } }`, {}, admin)).viewer.agent.id;
    for (const e of [del, res, upd, cre]) {
      expect(e).toMatchObject({
        actor: adminEmail,
        actorId: adminId,
        actorEmail: adminEmail,
        outcome: 'SUCCESS',
        targetName: u.userPrincipalName,
      });
    }
    expect(JSON.parse(upd.details)).toEqual({ changes: [{ field: 'jobTitle', from: 'Pilot', to: 'Captain' }] });
    expect(JSON.parse(cre.details)).toMatchObject({
      userPrincipalName: u.userPrincipalName,
      licenses: ['SPE_E3'],
      jobTitle: 'Pilot',
    });
    const text = JSON.stringify(all);
    expect(text).not.toContain(u.temporaryPassword);
    expect(text).not.toContain(reset.resetUserPassword.temporaryPassword);
    expect(text.toLowerCase()).not.toContain('password":');
  });

  it('records refused attempts with the reason', async () => {
    const target = await createUser(s, admin, customer);
    s.clock.advance(1000);
    const r = await s.gql(
      `mutation($id: ID!) { deleteUser(input: {userId: $id}) { userErrors { message } } }`,
      { id: target.id },
      reader,
    );
    expect(r.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const [denied] = await events();
    expect(denied).toMatchObject({ action: 'DELETE_USER', outcome: 'DENIED' });
    expect(JSON.parse(denied.details).reason).toBe(
      'To delete users you need one of: USER_ADMINISTRATOR, GLOBAL_ADMINISTRATOR.',
    );
  });

  it('records a refusal for want of ADMIN_AGENT by an agent who holds roles in the customer', async () => {
    const target = await createUser(s, admin, customer);
    s.clock.advance(1000);
    const r = await s.gql(
      `mutation($id: ID!) { deleteUser(input: {userId: $id}) { userErrors { message } } }`,
      { id: target.id },
      sales,
    );
    expect(r.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', requiredPartnerRoles: ['ADMIN_AGENT'] });
    const [denied] = await events();
    expect(denied).toMatchObject({ action: 'DELETE_USER', outcome: 'DENIED' });
    expect(JSON.parse(denied.details).requiredPartnerRoles).toEqual(['ADMIN_AGENT']);
  });

  it('records an update that changed nothing, with no changes', async () => {
    const target = await createUser(s, admin, customer, { jobTitle: 'Same' });
    s.clock.advance(1000);
    await s.ok(
      `mutation($i: UpdateUserInput!) { updateUser(input: $i) { userErrors { message } } }`,
      { i: { userId: target.id, jobTitle: 'Same' } },
      admin,
    );
    const [same] = await events();
    expect(same).toMatchObject({ action: 'UPDATE_USER', outcome: 'SUCCESS', targetName: target.userPrincipalName });
    expect(JSON.parse(same.details)).toEqual({ changes: [] });
  });

  it('can be read by any role in the customer, and by nobody outside it', async () => {
    expect((await s.ok(EVENTS, { c: customer.id }, reader)).customer.auditEvents.edges.length).toBeGreaterThan(0);
    const other = await createPartner(s);
    const stranger = (await grantAgent(s, other, await createCustomer(s, other), ['GLOBAL_ADMINISTRATOR'])).agentToken;
    expect((await s.gql(EVENTS, { c: customer.id }, stranger)).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });
});
