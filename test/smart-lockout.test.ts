// Sign-in limits that hold against strangers: a stranger's wrong passwords lock out strangers, not the user at its
// usual address (Entra's smart lockout); one address has a budget across all logins; one request, one sign-in.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientAddress, normalizeAddress } from '../src/client-address.js';
import { startServer, type TestServer } from './support/server.js';
import { createPartner, PASSWORD, type Partner } from './support/world.js';

let s: TestServer;
let partner: Partner;

const SIGN_IN = `mutation($i: SignInInput!) { signIn(input: $i) { token userErrors { code message } } }`;

/** A sign-in from a client address (the server trusts one proxy hop, which sets X-Forwarded-For). */
async function signInFrom(address: string, email: string, password: string): Promise<string> {
  const res = await fetch(s.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': address },
    body: JSON.stringify({ query: SIGN_IN, variables: { i: { email, password } } }),
  });
  const d = (await res.json()) as any;
  return d.data.signIn.token ? 'OK' : d.data.signIn.userErrors[0].code;
}

beforeAll(async () => {
  s = await startServer({ TRUST_PROXY: '1', SIGN_IN_CLIENT_MAX_FAILURES: '8' });
  partner = await createPartner(s);
});
afterAll(() => s.close());

describe('smart lockout', () => {
  it("a stranger's wrong passwords lock out strangers, while the user signs in from its usual address", async () => {
    const email = partner.adminEmail;
    expect(await signInFrom('198.51.100.7', email, PASSWORD)).toBe('OK');
    const stranger = [];
    for (let i = 0; i < 6; i++) stranger.push(await signInFrom('203.0.113.66', email, `Wrong-${i}-Passw0rd`));
    expect(stranger).toEqual([...Array(5).fill('INVALID_CREDENTIALS'), 'TOO_MANY_ATTEMPTS']);
    // The stranger, and any other unfamiliar address, is locked out even with the right password...
    expect(await signInFrom('203.0.113.66', email, PASSWORD)).toBe('TOO_MANY_ATTEMPTS');
    expect(await signInFrom('192.0.2.1', email, PASSWORD)).toBe('TOO_MANY_ATTEMPTS');
    // ...but the user's familiar address is not.
    expect(await signInFrom('198.51.100.7', email, PASSWORD)).toBe('OK');
  });

  it('one address has a budget of failures across all logins (password spraying)', async () => {
    const results = [];
    for (let i = 0; i < 10; i++)
      results.push(await signInFrom('203.0.113.99', `someone${i}@partner.example`, 'Spray-Passw0rd-1'));
    expect(results.slice(0, 8)).toEqual(Array(8).fill('INVALID_CREDENTIALS'));
    expect(results.slice(8)).toEqual(['TOO_MANY_ATTEMPTS', 'TOO_MANY_ATTEMPTS']);
    // Another address is not concerned.
    expect(await signInFrom('203.0.113.100', 'someone0@partner.example', 'Spray-Passw0rd-1')).toBe(
      'INVALID_CREDENTIALS',
    );
  });

  it('one sign-in per request: aliases do not multiply password checks', async () => {
    // A login of its own, so the failures of the tests above do not count here.
    const { adminEmail } = await createPartner(s);
    const aliases = Array.from(
      { length: 4 },
      (_, i) =>
        `a${i}: signIn(input: {email: "${adminEmail}", password: "Wrong-${i}-Passw0rd"}) { token userErrors { code } }`,
    ).join(' ');
    const r = await s.ok(`mutation { ${aliases} }`);
    expect(Object.values(r).map((x: any) => x.userErrors[0].code)).toEqual([
      'INVALID_CREDENTIALS',
      'TOO_MANY_ATTEMPTS',
      'TOO_MANY_ATTEMPTS',
      'TOO_MANY_ATTEMPTS',
    ]);
  });

  it('changePassword too checks one password per request', async () => {
    const aliases = Array.from(
      { length: 3 },
      (_, i) =>
        `c${i}: changePassword(input: {currentPassword: "Guess-${i}-Passw0rd", newPassword: "New-Passw0rd-${i}x"}) { ok userErrors { code } }`,
    ).join(' ');
    const r = await s.ok(`mutation { ${aliases} }`, {}, partner.adminToken);
    expect(Object.values(r).map((x: any) => x.userErrors[0].code)).toEqual([
      'INVALID_CREDENTIALS',
      'TOO_MANY_ATTEMPTS',
      'TOO_MANY_ATTEMPTS',
    ]);
  });
});

describe('client addresses', () => {
  it('are normalised: no port, IPv4-mapped as IPv4, IPv6 by its /64', () => {
    expect(normalizeAddress('203.0.113.5:51234')).toBe('203.0.113.5');
    expect(normalizeAddress('::ffff:203.0.113.5')).toBe('203.0.113.5');
    expect(normalizeAddress('[2001:db8:1:2:aaaa::1]:443')).toBe('2001:db8:1:2::/64');
    expect(normalizeAddress('2001:db8:1:2:ffff:ffff:ffff:ffff')).toBe('2001:db8:1:2::/64');
    expect(clientAddress('10.0.0.1', '198.51.100.1, 203.0.113.9:1234', 1)).toBe('203.0.113.9');
    expect(clientAddress('10.0.0.1', '198.51.100.1, 203.0.113.9', 0)).toBe('10.0.0.1');
  });

  it('ignore X-Forwarded-For unless TRUST_PROXY says a proxy sets it', async () => {
    const direct = await startServer({ SIGN_IN_CLIENT_MAX_FAILURES: '3' });
    try {
      const answers = [];
      for (let i = 0; i < 4; i++) {
        const res = await fetch(direct.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-forwarded-for': `203.0.113.${i}` },
          body: JSON.stringify({
            query: SIGN_IN,
            variables: { i: { email: `x${i}@partner.example`, password: 'Wrong-Passw0rd-1' } },
          }),
        });
        answers.push(((await res.json()) as any).data.signIn.userErrors[0].code);
      }
      // Four "different" forwarded addresses, one real client: its budget of 3 is spent.
      expect(answers).toEqual([
        'INVALID_CREDENTIALS',
        'INVALID_CREDENTIALS',
        'INVALID_CREDENTIALS',
        'TOO_MANY_ATTEMPTS',
      ]);
    } finally {
      await direct.close();
    }
  });
});
