// Answers a form can use as they are: a failed changePassword says ok: false, a refused part of updateUser names the
// input field that asked for it, a malformed id names its place.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from './support/server.js';
import { type Customer, createCustomer, createPartner, createUser, grantAgent, type Partner } from './support/world.js';

let s: TestServer;
let partner: Partner;
let customer: Customer;

beforeAll(async () => {
  s = await startServer();
  partner = await createPartner(s);
  customer = await createCustomer(s, partner);
});
afterAll(() => s.close());

describe('answers', () => {
  it('a failed changePassword answers ok: false with its error', async () => {
    const d = await s.ok(
      `mutation { changePassword(input: {currentPassword: "wrong", newPassword: "Another-Passw0rd!"}) { ok userErrors { field code } } }`,
      {},
      partner.adminToken,
    );
    expect(d.changePassword).toEqual({
      ok: false,
      userErrors: [{ field: ['currentPassword'], code: 'INVALID_CREDENTIALS' }],
    });
  });

  it('a refused part of updateUser names the input field, not a word', async () => {
    const admin = (await grantAgent(s, partner, customer, ['USER_ADMINISTRATOR'])).agentToken;
    const user = await createUser(s, admin, customer);
    const licences = (await grantAgent(s, partner, customer, ['LICENSE_ADMINISTRATOR'])).agentToken;
    const UPDATE = `mutation($i: UpdateUserInput!) { updateUser(input: $i) { userErrors { code } } }`;
    const info = await s.gql(UPDATE, { i: { userId: user.id, jobTitle: 'Boss' } }, licences);
    expect(info.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', field: ['jobTitle'] });
    const roles = await s.gql(UPDATE, { i: { userId: user.id, removeRoles: ['GUEST_INVITER'] } }, licences);
    expect(roles.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', field: ['removeRoles'] });
  });
});
