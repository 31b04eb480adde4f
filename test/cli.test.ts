// What a new user does first: `npm start` on an empty data folder, then the README tour with the printed
// credentials; a restart keeps the data; `npm run purge` runs the purge once.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/db/client.js';

/** The bundle `npm start` runs (built once here: far cheaper than compiling src/ with tsx at every command). */
const CLI = 'dist/src/cli.js';
beforeAll(() => {
  const build = spawnSync('npm', ['run', '-s', 'build'], { encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`npm run build failed:\n${build.stdout}${build.stderr}`);
}, 120_000);

const dataDir = mkdtempSync(join(tmpdir(), 'pua-cli-'));
const port = 4300 + Math.floor(Math.random() * 500);
const url = `http://127.0.0.1:${port}/graphql`;
let child: ChildProcess | undefined;
let output = '';

function start(env: Record<string, string> = {}): Promise<void> {
  output = '';
  child = spawn(process.execPath, [CLI, 'serve'], {
    env: {
      ...process.env,
      DATA_DIR: dataDir,
      PORT: String(port),
      DATABASE_URL: '',
      SEED_DEMO: '',
      SHUTDOWN_DELAY_SECONDS: '0',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 90_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('GraphiQL:')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child!.stdout!.on('data', onData);
    child!.stderr!.on('data', onData);
    child!.on('exit', (code) => reject(new Error(`server exited with ${code}:\n${output}`)));
  });
}

function stop(): Promise<void> {
  return new Promise((resolve) => {
    if (!child || child.exitCode !== null) return resolve();
    child.removeAllListeners('exit');
    child.on('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

async function gql(query: string, variables: Record<string, unknown> = {}, token?: string) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return (await res.json()) as { data?: any; errors?: any[] };
}

afterAll(async () => {
  await stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('npm start on a fresh machine', () => {
  it('seeds the demo, prints how to sign in, and the README tour works', async () => {
    await start();
    try {
      expect(output).toContain('Seeding the demo partner');
      expect(output).toContain(`GraphiQL: ${url}`);
      const [, email, password] = output.match(/signIn\(input: \{email: "([^"]+)", password: "([^"]+)"\}\)/)!;

      const signIn = await gql(
        `mutation($e: String!, $p: String!) { signIn(input: {email: $e, password: $p}) { token } }`,
        { e: email, p: password },
      );
      const token = signIn.data.signIn.token;
      const customers = await gql(
        `{ customers(first: 20) { edges { node { id name myRoles { role } } } } }`,
        {},
        token,
      );
      const byName = Object.fromEntries(customers.data.customers.edges.map((e: any) => [e.node.name, e.node]));
      expect(Object.keys(byName).sort()).toEqual(['Contoso', 'Fabrikam']);

      const users = await gql(
        `query($id: ID!) { customer(id: $id) { users(first: 50) { edges { node { userPrincipalName roles licenses { sku { name } } } } } } }`,
        { id: byName.Fabrikam.id },
        token,
      );
      expect(users.data.customer.users.edges.length).toBe(25);

      const refused = await gql(
        `mutation($c: ID!) { createUser(input: {customerId: $c, userPrincipalName: "new.person@contoso.onmicrosoft.com", displayName: "New Person"}) { user { id } } }`,
        { c: byName.Contoso.id },
        token,
      );
      expect(refused.errors?.[0]?.extensions).toMatchObject({
        code: 'FORBIDDEN',
        requiredRoles: ['DIRECTORY_WRITERS', 'USER_ADMINISTRATOR', 'GLOBAL_ADMINISTRATOR'],
      });

      const created = await gql(
        `mutation($c: ID!) { createUser(input: {customerId: $c, userPrincipalName: "new.person@fabrikam.example", displayName: "New Person", usageLocation: "FR"}) { user { userPrincipalName } temporaryPassword userErrors { message } } }`,
        { c: byName.Fabrikam.id },
        token,
      );
      expect(created.data.createUser.user.userPrincipalName).toBe('new.person@fabrikam.example');

      // Partner access: Nora cannot put herself in a group (four eyes); her eligible escalation needs Ada's approval.
      const me = await gql(
        `{ viewer { agent { id partner { id securityGroups { id name } } groupMemberships { group { id name } state } } } }`,
        {},
        token,
      );
      const groups = Object.fromEntries(me.data.viewer.agent.partner.securityGroups.map((g: any) => [g.name, g.id]));
      const self = await gql(
        `mutation($i: AddSecurityGroupMemberInput!) { addSecurityGroupMember(input: $i) { userErrors { message } } }`,
        { i: { groupId: groups['License desk'], agentId: me.data.viewer.agent.id } },
        token,
      );
      expect(self.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', rule: 'FOUR_EYES' });
      expect(
        me.data.viewer.agent.groupMemberships.find((m: any) => m.group.name === 'Fabrikam escalation (JIT)').state,
      ).toBe('ELIGIBLE');
      const asked = await gql(
        `mutation($g: ID!) { activateGroupMembership(input: {groupId: $g, justification: "Reset the Fabrikam admin's password", minutes: 30}) { activation { id status } userErrors { message } } }`,
        { g: groups['Fabrikam escalation (JIT)'] },
        token,
      );
      expect(asked.data.activateGroupMembership.activation.status).toBe('PENDING_APPROVAL');
      const ada = (
        await gql(`mutation { signIn(input: {email: "access@northwind.example", password: "${password}"}) { token } }`)
      ).data.signIn.token;
      const approved = await gql(
        `mutation($a: ID!) { approveActivation(input: {activationId: $a}) { activation { status endsAt } userErrors { message } } }`,
        { a: asked.data.activateGroupMembership.activation.id },
        ada,
      );
      expect(approved.data.approveActivation.activation.status).toBe('APPROVED');
      const roles = await gql(
        `query($id: ID!) { customer(id: $id) { myRoles { role via activeUntil } } }`,
        { id: byName.Fabrikam.id },
        token,
      );
      expect(roles.data.customer.myRoles).toContainEqual({
        role: 'PRIVILEGED_AUTHENTICATION_ADMINISTRATOR',
        via: 'ACTIVATION',
        activeUntil: approved.data.approveActivation.activation.endsAt,
      });
    } finally {
      await stop();
    }
  }, 180_000);

  it('keeps the data folder private, and refuses a second process on it while the server runs', async () => {
    const modes = (dir: string): [string, number][] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
        const path = join(dir, e.name);
        return [[path, statSync(path).mode & 0o777] as [string, number], ...(e.isDirectory() ? modes(path) : [])];
      });
    const all = [[dataDir, statSync(dataDir).mode & 0o777] as [string, number], ...modes(dataDir)];
    expect(all.filter(([, mode]) => mode & 0o077)).toEqual([]);
    expect(all.map(([p]) => p)).toContain(join(dataDir, 'credentials.key'));
    await start();
    try {
      const r = spawnSync(process.execPath, [CLI, 'purge'], {
        env: { ...process.env, DATA_DIR: dataDir, DATABASE_URL: '' },
        encoding: 'utf8',
        timeout: 120_000,
      });
      expect(r.status).not.toBe(0);
      expect(r.stderr).toContain('is in use by another process');
    } finally {
      await stop();
    }
  }, 180_000);

  it('answers /health and /ready, and stops gracefully: requests in flight at SIGTERM get their real answers', async () => {
    await start();
    const base = url.replace('/graphql', '');
    expect((await fetch(`${base}/health`)).status).toBe(200);
    expect((await fetch(`${base}/ready`)).status).toBe(200);
    // start() rejects on exit; this exit is expected.
    child!.removeAllListeners('exit');
    const exited = new Promise<number | null>((resolve) => child!.on('exit', (code) => resolve(code)));
    // Sign-ins (each checks an argon2 hash, so they are in flight for a while) for different logins.
    const requests = Array.from({ length: 12 }, (_, i) =>
      gql(
        `mutation { signIn(input: {email: "nobody${i}@northwind.example", password: "Wrong-Passw0rd-${i}"}) { token userErrors { code } } }`,
      ).then(
        (r) =>
          r.errors
            ? `errors ${JSON.stringify(r.errors)}`
            : r.data.signIn.userErrors[0]?.code === 'INVALID_CREDENTIALS'
              ? 'answered'
              : JSON.stringify(r.data),
        () => 'not accepted',
      ),
    );
    await new Promise((r) => setTimeout(r, 30));
    child!.kill('SIGTERM');
    const outcomes = await Promise.all(requests);
    expect(outcomes.filter((o) => o !== 'answered' && o !== 'not accepted')).toEqual([]);
    expect(outcomes).toContain('answered');
    expect(await exited).toBe(0);
    expect(output).toContain('Stopped.');
  }, 180_000);

  it('starts again at once after a crash (kill -9): the dead holder of the data folder is recognised', async () => {
    await start();
    child!.removeAllListeners('exit');
    const killed = new Promise((resolve) => child!.on('exit', resolve));
    child!.kill('SIGKILL');
    await killed;
    const began = Date.now();
    await start();
    // Well under the 30 s it takes a lock to go stale.
    expect(Date.now() - began).toBeLessThan(20_000);
    await stop();
  }, 180_000);

  it('keeps the data across a restart without seeding again', async () => {
    await start();
    try {
      expect(output).not.toContain('Seeding');
      const signIn = await gql(
        `mutation { signIn(input: {email: "admin@northwind.example", password: "Demo-Passw0rd!"}) { token } }`,
      );
      const token = signIn.data.signIn.token;
      const d = await gql(
        `{ customers(first: 20, search: "fabrikam") { edges { node { user(userPrincipalName: "new.person@fabrikam.example") { displayName } } } } }`,
        {},
        token,
      );
      expect(d.data.customers.edges[0].node.user.displayName).toBe('New Person');
    } finally {
      await stop();
    }
  }, 180_000);

  it("resets an access administrator's password as the operator, which the API refuses to anyone", async () => {
    const r = spawnSync(process.execPath, [CLI, 'reset-agent-password', 'ACCESS@northwind.example'], {
      env: { ...process.env, DATA_DIR: dataDir, DATABASE_URL: '' },
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(r.status).toBe(0);
    const [, password] = r.stdout.match(
      /Temporary password for access@northwind\.example \(shown once; it must be changed at the next sign-in\): (\S+)/,
    )!;
    await start();
    try {
      const d = await gql(
        `mutation($p: String!) { signIn(input: {email: "access@northwind.example", password: $p}) { token mustChangePassword } }`,
        { p: password },
      );
      expect(d.data.signIn).toMatchObject({ mustChangePassword: true });
      const old = await gql(
        `mutation { signIn(input: {email: "access@northwind.example", password: "Demo-Passw0rd!"}) { userErrors { code } } }`,
      );
      expect(old.data.signIn.userErrors[0].code).toBe('INVALID_CREDENTIALS');
    } finally {
      await stop();
    }
  }, 180_000);

  it('refuses to start with another CREDENTIALS_KEY than the one the database was set up with', async () => {
    const r = spawnSync(process.execPath, [CLI, 'serve'], {
      env: {
        ...process.env,
        DATA_DIR: dataDir,
        DATABASE_URL: '',
        PORT: String(port),
        CREDENTIALS_KEY: randomBytes(32).toString('hex'),
      },
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('is not the key this database was set up with');
    // A restored backup without its key: the operator adopts a new one, and the server starts with it.
    const newKey = randomBytes(32).toString('hex');
    const env = { ...process.env, DATA_DIR: dataDir, DATABASE_URL: '', CREDENTIALS_KEY: newKey };
    const forget = spawnSync(process.execPath, [CLI, 'forget-credentials-key'], {
      env,
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(forget.stdout).toContain('The database now uses the current key');
    await start({ CREDENTIALS_KEY: newKey });
    expect(output).toContain('GraphiQL:');
    await stop();
    // Back to the key in the data folder, for what follows.
    const { CREDENTIALS_KEY: _dropped, ...withoutKey } = env;
    const back = spawnSync(process.execPath, [CLI, 'forget-credentials-key'], {
      env: withoutKey,
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(back.stdout).toContain('The database now uses the current key');
  }, 180_000);

  it('runs the purge as a command: a user deleted 31 days ago is gone, one deleted yesterday stays', async () => {
    // The server is stopped: open its database here to age two deletions (the CLI runs on the real clock).
    const database = await openDatabase({ url: join(dataDir, 'pglite') });
    const upns = ['adele.vance@fabrikam.example', 'alex.sherman@fabrikam.example'];
    try {
      await database.db.execute(
        sql`update users set state = 'INACTIVE', deleted_at = now() - interval '31 days' where user_principal_name = ${upns[0]}`,
      );
      await database.db.execute(
        sql`update users set state = 'INACTIVE', deleted_at = now() - interval '1 day' where user_principal_name = ${upns[1]}`,
      );
    } finally {
      await database.close();
    }
    const r = spawnSync(process.execPath, [CLI, 'purge'], {
      env: { ...process.env, DATA_DIR: dataDir, DATABASE_URL: '' },
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(r.stdout).toContain('Purged 1 users deleted more than 30 days ago.');
    expect(r.status).toBe(0);
    const after = await openDatabase({ url: join(dataDir, 'pglite') });
    try {
      const rows = (await after.db.execute(
        sql`select user_principal_name from users where user_principal_name in (${upns[0]}, ${upns[1]})`,
      )) as unknown as { rows: { user_principal_name: string }[] };
      expect(rows.rows.map((u) => u.user_principal_name)).toEqual([upns[1]]);
    } finally {
      await after.close();
    }
  }, 180_000);
});
