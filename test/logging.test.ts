// Logs: JSON lines with the request's id, never a statement's parameters, never unbounded input.

import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startServer, type TestServer } from './support/server.js';
import { createPartner, type Partner } from './support/world.js';

let s: TestServer;
let partner: Partner;

beforeAll(async () => {
  s = await startServer();
  partner = await createPartner(s);
});
afterAll(() => s.close());

/** What the server writes to stderr while `fn` runs. */
async function stderrOf(fn: () => Promise<unknown>): Promise<string[]> {
  const lines: string[] = [];
  const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
  try {
    await fn();
  } finally {
    spy.mockRestore();
  }
  return lines.join('').split('\n').filter(Boolean);
}

describe('logs', () => {
  it("an unexpected error is one JSON line with the request's id and the statement, without its parameters", async () => {
    const name = `Secret Group ${Date.now()}`;
    await s.database.db.execute(
      sql.raw(
        `create or replace function fail_audit() returns trigger language plpgsql as $$ begin raise exception 'injected failure'; end $$`,
      ),
    );
    await s.database.db.execute(
      sql.raw(
        `create trigger fail_audit before insert on partner_audit_events for each row execute function fail_audit()`,
      ),
    );
    let requestId: string | null = null;
    const lines = await stderrOf(async () => {
      const res = await fetch(s.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${partner.adminToken}` },
        body: JSON.stringify({
          query: `mutation($n: String!) { createSecurityGroup(input: {name: $n}) { securityGroup { id } } }`,
          variables: { n: name },
        }),
      });
      requestId = res.headers.get('x-request-id');
      expect(((await res.json()) as any).errors[0].extensions.code).toBe('INTERNAL_SERVER_ERROR');
    }).finally(() => s.database.db.execute(sql.raw(`drop trigger fail_audit on partner_audit_events`)));
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    const entries = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    const unexpected = entries.filter((e) => e.msg === 'unexpected error');
    expect(unexpected).toHaveLength(1);
    expect(unexpected[0]).toMatchObject({ level: 50, requestId });
    expect(String(unexpected[0]!.error)).toMatch(/^Failed query: insert into "partner_audit_events"/);
    expect(lines.join('\n')).not.toContain(name);
    expect(lines.join('\n')).not.toContain(partner.adminEmail);
  });

  it('a 0.9 MB email is refused at once and written nowhere', async () => {
    const huge = `${'a'.repeat(900_000)}@partner.example`;
    const lines = await stderrOf(async () => {
      const r = await s.ok(`mutation($i: SignInInput!) { signIn(input: $i) { token userErrors { code } } }`, {
        i: { email: huge, password: 'Whatever-Passw0rd' },
      });
      expect(r.signIn.userErrors).toEqual([{ code: 'INVALID_CREDENTIALS' }]);
    });
    expect(lines.filter((l) => l.length > 10_000)).toEqual([]);
  });
});
