// The benchmark harness (issue 5). `npm run bench` for the numbers of BENCHMARKS.md, `npm run bench -- --quick` for
// a one-minute smoke run. Everything is measured side by side in one run and quoted as medians of the repetitions,
// because the machine is shared: only ratios taken in the same run mean much.
//
// Options: --quick · --pglite (embedded database instead of PostgreSQL at DATABASE_URL) · --runs N · --seconds S
//          --sizes 1000,10000,100000 · --keep (keep the generated database) · --profile (node --cpu-prof the server)
//          --allocations (V8's sampling heap profiler in the server, freed objects included: what drives the GC; it keeps
//          every sample, so that run's memory and CPU figures are not comparable with others)
//          --write-only (only the createUser run and its memory: for profiling the write path)
//          --only page (only section 1, the users page: server, PostGraphile and floor; generates 10 000 users only)

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashPassword } from '../src/auth/passwords.js';
import { openDatabase } from '../src/db/client.js';
import { type BenchCustomer, DEFAULT_SIZES, type Fixtures, generate } from './generate.js';
import {
  type Child,
  cpuMsOf,
  createPostgresDatabase,
  flag,
  type Load,
  load,
  median,
  option,
  type PostgresCpu,
  post,
  postgresCpu,
  postgresCpuSince,
  startChild,
  threadCpuMsOf,
} from './lib.js';

const args = process.argv.slice(2);
const quick = flag(args, '--quick');
const pglite = flag(args, '--pglite');
const runs = Number(option(args, '--runs') ?? (quick ? 1 : 3));
const seconds = Number(option(args, '--seconds') ?? (quick ? 1 : 8));
/** The creations each process gets before the write path is measured (creations() says why a count). */
const WARM_CREATIONS = 1000;
const scaleSeconds = Number(option(args, '--seconds') ?? (quick ? 1 : 5));
const onlyPage = option(args, '--only') === 'page';
if (option(args, '--only') !== undefined && !onlyPage) throw new Error('--only takes one value: page');
const sizes = (option(args, '--sizes') ?? (onlyPage ? '10000' : pglite ? '1000,10000' : DEFAULT_SIZES.join(',')))
  .split(',')
  .map(Number);
const writeOnly = flag(args, '--write-only');
// PostGraphile needs PostgreSQL (it introspects the catalogue over the wire): left out on PGlite.
const withPostgraphile = !pglite;
const profileDir = flag(args, '--profile') ? mkdtempSync(join(tmpdir(), 'bench-profile-')) : null;
const allocationsDir = flag(args, '--allocations') ? mkdtempSync(join(tmpdir(), 'bench-allocations-')) : null;
const CONCURRENCY = [1, 16, 64];
const PAGE_SIZES = [10, 100, 500];

const READ_QUERY = `query($id: ID!, $first: Int, $after: String) { customer(id: $id) { users(first: $first, after: $after) {
  edges { node { userPrincipalName displayName state roles licenses { sku { name } } } } } } }`;
const CREATE_USER = `mutation($i: CreateUserInput!) { createUser(input: $i) { user { id } userErrors { code message } } }`;

const readBody = (c: BenchCustomer, first = 100, deep = false) =>
  JSON.stringify({ query: READ_QUERY, variables: { id: c.globalId, first, ...(deep ? { after: c.deepCursor } : {}) } });

/**
 * The same page from PostGraphile (bench/postgraphile.ts): the customer's ACTIVE users in upn_lower order (ours's
 * keyset; PostGraphile adds the primary key), each with its roles and its licences' SKU names, in one query.
 */
const PG_READ_QUERY = `query($id: UUID!, $first: Int) { customerByRowId(rowId: $id) { usersByCustomerId(first: $first,
  condition: { state: "ACTIVE" }, orderBy: [UPN_LOWER_ASC]) { edges { node { userPrincipalName displayName state
  userRolesByCustomerIdAndUserId { nodes { role } } licenseAssignmentsByCustomerIdAndUserId { nodes { skusBySkuId { name } } } } } } } }`;
const pgReadBody = (c: BenchCustomer, first = 100) =>
  JSON.stringify({ query: PG_READ_QUERY, variables: { id: c.id, first } });

type Entry = 'server' | 'floor' | 'postgraphile';
const LABEL: Record<Entry, string> = { server: 'server', floor: 'floor', postgraphile: 'PostGraphile' };

const log = (line: string) => console.log(line);
const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : '–');

async function withChild<T>(entry: Entry, url: string, fn: (child: Child) => Promise<T>): Promise<T> {
  // The V8 flags of `npm start`, for the floor and PostGraphile as well so that all run alike: semi-spaces of at most
  // 16 MiB (V8 lets them grow to 64 under this load: peak RSS 278 MB), and the old generation let grow to 2.5× what
  // survived its last full collection, where V8 may go up to 4× (BENCHMARKS.md, thirteenth round). SEMI=… and
  // HEAP_GROWING=… try others (0: V8's own); BENCH_NODE_FLAGS='…' adds any.
  const flags = [
    `--max-semi-space-size=${process.env.SEMI ?? 16}`,
    `--heap-growing-percent=${process.env.HEAP_GROWING ?? 150}`,
    ...(process.env.BENCH_NODE_FLAGS?.split(' ').filter(Boolean) ?? []),
    ...(entry === 'server' && profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []),
  ];
  // NODE_ENV=production as in a deployment: graphql-js then skips its development-only instanceof checks (and
  // GRAPHILE_ENV=production, PostGraphile's own switch, which it also defaults to, says so without a warning).
  // dist/ is built by `npm run bench` (the same bundle `npm start` runs; PostGraphile's packages stay external).
  const env: Record<string, string> = { BENCH_DATABASE_URL: url, NODE_ENV: 'production', GRAPHILE_ENV: 'production' };
  if (entry === 'server' && allocationsDir) env.BENCH_ALLOCATIONS_DIR = allocationsDir;
  const child = await startChild(`dist/bench/${entry}.js`, env, flags);
  try {
    return await fn(child);
  } finally {
    await child.stop();
  }
}

/** A short untimed run first: the JIT, the pools and the caches of a fresh process warm up before we measure. */
async function warm(url: string, headers: Record<string, string>, body: string) {
  await load({ url, connections: 16, seconds: quick ? 1 : 3, headers, body });
}

/**
 * Waits until the process is idle: when autocannon stops, the requests it sent last are still being answered, and
 * they must not be counted in the next run. The server and PostGraphile report their requests in flight; the floor
 * answers in milliseconds, so a pause does.
 */
async function settle(child: Child, entry: Entry) {
  for (let waited = 0; waited < 10_000; waited += 50) {
    if (entry !== 'floor') {
      const { inFlight } = (await (await fetch(`${child.url}/__bench/statements`)).json()) as { inFlight: number };
      if (inFlight === 0) return;
    } else if (waited >= 300) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * What may stretch a round's latency tail, for its log line: the server's GC pauses in it (the bench route counts them
 * from its last call, so `stallMark` before the round starts the count) and how long its event loop waited for a core
 * (schedstat's run-queue time: the machine or the other processes keeping it off).
 */
const runQueueMs = (child: Child) => Number(readFileSync(`/proc/${child.pid}/schedstat`, 'utf8').split(' ')[1]) / 1e6;

async function stallMark(child: Child): Promise<number> {
  await fetch(`${child.url}/__bench/gc`);
  return runQueueMs(child);
}

async function stallsSince(child: Child, mark: number): Promise<string> {
  const gc = (await (await fetch(`${child.url}/__bench/gc`)).json()) as Record<'pauses' | 'totalMs' | 'maxMs', number>;
  return `, GC ${gc.pauses} pauses (longest ${fmt(gc.maxMs)} ms, ${fmt(gc.totalMs, 0)} ms in all), run-queue wait ${fmt(runQueueMs(child) - mark, 0)} ms`;
}

/** The server's memory now and its peak RSS so far (the bench route's process.memoryUsage), for the run's log. */
async function serverMemory(child: Child): Promise<string> {
  const { memory: m } = (await (await fetch(`${child.url}/__bench/statements`)).json()) as {
    memory: Record<'rss' | 'heapTotal' | 'heapUsed' | 'external' | 'arrayBuffers', number>;
  };
  const mb = (n: number) => fmt(n / 2 ** 20, 0);
  return `; RSS ${mb(m.rss)} MB (peak ${fmt(child.peakRssMb(), 0)}): heap ${mb(m.heapUsed)}/${mb(m.heapTotal)}, external ${mb(m.external)}`;
}

async function signIn(serverUrl: string, f: Fixtures): Promise<string> {
  const r = await post(`${serverUrl}/graphql`, {
    query: 'mutation($i: SignInInput!) { signIn(input: $i) { token userErrors { message } } }',
    variables: { i: { email: f.agentEmail, password: f.agentPassword } },
  });
  if (!r.data?.signIn?.token) throw new Error(`bench sign-in failed: ${JSON.stringify(r)}`);
  return r.data.signIn.token;
}

/** The answers to the benchmark's two pages (first, deep), to compare the server's with the floor's. */
async function answers(url: string, headers: Record<string, string>, c: BenchCustomer): Promise<string[]> {
  const out: string[] = [];
  for (const deep of [false, true]) {
    const answer = await post(url, JSON.parse(readBody(c, 100, deep)), headers);
    if (answer.data?.customer?.users?.edges?.length !== 100) {
      throw new Error(`expected a page of 100 users, got ${JSON.stringify(answer).slice(0, 400)}`);
    }
    // The rows, not the extensions: the server's answer also says what it cost (extensions.cost), the floor's does not.
    out.push(JSON.stringify(answer.data));
  }
  return out;
}

/**
 * argon2id hashes per second with the server's own parameters and its own hashPassword, all cores busy: one hash a
 * core at a time (passwords.ts hashSlots), the next ones queued so that no core idles between two. Until the eleventh
 * round these were four at once on libuv's four threads, ~12 % slower on 2 cores: the reference was lower.
 */
async function argon2Rate(durationS: number): Promise<number> {
  const inFlight = availableParallelism() * 2;
  const end = performance.now() + durationS * 1000;
  let done = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (performance.now() < end) {
        await hashPassword('Bench-Hash-Passw0rd!');
        done++;
      }
    }),
  );
  return done / ((performance.now() - started) / 1000);
}

/** A timed load with the CPU it cost: of the child process and of all postgres processes, per request sent. */
interface ReadLoad extends Load {
  cpuMs: number;
  /** All `postgres` processes: the bench database's backends, the background workers, and anyone else's backends. */
  dbCpuMs: number;
  /** Only the backends connected to the bench database. */
  benchDbCpuMs: number;
}

/** One row of the users page, whoever answered it: what the comparison of the answers looks at. */
type PageRow = [upn: string, displayName: string, state: string, roles: string[], licenses: string[]];

function serverRows(answer: string): PageRow[] {
  const edges = JSON.parse(answer).customer.users.edges as {
    node: {
      userPrincipalName: string;
      displayName: string;
      state: string;
      roles: string[];
      licenses: { sku: { name: string } }[];
    };
  }[];
  return edges.map(({ node: n }) => [
    n.userPrincipalName,
    n.displayName,
    n.state,
    [...n.roles].sort(),
    n.licenses.map((l) => l.sku.name).sort(),
  ]);
}

async function postgraphileRows(url: string, c: BenchCustomer): Promise<PageRow[]> {
  const answer = await post(url, JSON.parse(pgReadBody(c)));
  const edges = answer.data?.customerByRowId?.usersByCustomerId?.edges as
    | {
        node: {
          userPrincipalName: string;
          displayName: string;
          state: string;
          userRolesByCustomerIdAndUserId: { nodes: { role: string }[] };
          licenseAssignmentsByCustomerIdAndUserId: { nodes: { skusBySkuId: { name: string } | null }[] };
        };
      }[]
    | undefined;
  if (edges?.length !== 100) {
    throw new Error(`expected a page of 100 users from PostGraphile, got ${JSON.stringify(answer).slice(0, 400)}`);
  }
  return edges.map(({ node: n }) => [
    n.userPrincipalName,
    n.displayName,
    n.state,
    n.userRolesByCustomerIdAndUserId.nodes.map((r) => r.role).sort(),
    n.licenseAssignmentsByCustomerIdAndUserId.nodes.map((l) => l.skusBySkuId?.name ?? '(no SKU)').sort(),
  ]);
}

interface Results {
  read: Record<Entry, Record<number, ReadLoad[]>>;
  readRss: number[];
  scale: Record<string, Load[]>;
  statements: Record<string, number>;
  writes: {
    mutations: number;
    hashes: number;
    p50: number;
    p99: number;
    /** CPU ms per createUser sent: the server's event loop, its other threads (argon2), postgres, this harness. */
    cpu: { main: number; others: number; postgres: number; backends: number; harness: number };
  }[];
  /** The same createUser load against the floor (bench/floor.ts). */
  floorWrites: Results['writes'];
  writeRss: number;
  generateSeconds: number;
}

async function main() {
  const started = performance.now();
  let dbUrl: string;
  let cleanup: () => Promise<void>;
  if (pglite) {
    const dir = mkdtempSync(join(tmpdir(), 'bench-pglite-'));
    dbUrl = dir;
    cleanup = async () => rmSync(dir, { recursive: true, force: true });
  } else {
    const created = await createPostgresDatabase(process.env.DATABASE_URL);
    dbUrl = created.url;
    cleanup = created.drop;
  }
  log(
    `# benchmark: ${quick ? 'quick' : 'full'}${onlyPage ? ' (users page only)' : ''} run on ${pglite ? 'PGlite' : 'PostgreSQL'}, ${runs} repetition(s), ${seconds} s a run`,
  );
  log(`database: ${dbUrl}`);
  try {
    const genStart = performance.now();
    const database = await openDatabase({ url: dbUrl });
    const fixtures = await generate(database, sizes, (l) => log(`  ${l}`));
    await database.close();
    const results = await measure(dbUrl, fixtures, (performance.now() - genStart) / 1000);
    report(results, fixtures);
  } finally {
    if (flag(args, '--keep')) log(`kept the database: ${dbUrl}`);
    else await cleanup();
    if (profileDir) log(`CPU profiles of the server: ${profileDir}`);
    if (allocationsDir) log(`Sampled allocations of the server (freed ones too): ${allocationsDir}`);
    log(`total time ${fmt((performance.now() - started) / 1000)} s`);
  }
}

async function measure(dbUrl: string, f: Fixtures, generateSeconds: number): Promise<Results> {
  const results: Results = {
    read: { server: {}, floor: {}, postgraphile: {} },
    readRss: [],
    scale: {},
    statements: {},
    writes: [],
    floorWrites: [],
    writeRss: NaN,
    generateSeconds,
  };
  if (!writeOnly) await measureReads(dbUrl, f, results);
  if (!onlyPage) await measureWrites(dbUrl, f, results);
  return results;
}

async function measureReads(dbUrl: string, f: Fixtures, results: Results): Promise<void> {
  const page = f.customers.find((c) => c.size === 10_000) ?? f.customers.at(-1)!;
  let headers: Record<string, string> = {};
  log(
    `\n## 1. read path: server vs ${withPostgraphile ? 'PostGraphile vs ' : ''}floor (${page.size}-user customer, first 100), concurrency ${CONCURRENCY.join('/')}`,
  );
  let serverAnswers: string[] = [];
  const dbName = pglite ? '' : new URL(dbUrl).pathname.slice(1);
  /** The timed loads of one process, each with the CPU it cost: the child's and the database's. */
  const timedLoads = async (entry: Entry, child: Child, url: string, rep: number, body: string) => {
    await warm(url, headers, body);
    for (const c of CONCURRENCY) {
      await settle(child, entry);
      const cpu0 = cpuMsOf(child.pid);
      const db0 = postgresCpu(dbName);
      const mark = entry === 'server' ? await stallMark(child) : 0;
      const r = await load({ url, connections: c, seconds, headers, body });
      const stalls = entry === 'server' ? await stallsSince(child, mark) : '';
      // The requests still in flight when autocannon stopped are answered (and their CPU spent) before we read.
      await settle(child, entry);
      const cpuMs = (cpuMsOf(child.pid) - cpu0) / r.sent;
      const db = postgresCpuSince(db0, dbName);
      const dbCpuMs = db.all / r.sent;
      const benchDbCpuMs = db.database / r.sent;
      (results.read[entry][c] ??= []).push({ ...r, cpuMs, dbCpuMs, benchDbCpuMs });
      log(
        `  run ${rep} ${LABEL[entry].padEnd(12)} c=${c}: ${fmt(r.rps)} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms, CPU ${fmt(cpuMs, 2)} ms/req, postgres CPU ${fmt(dbCpuMs, 2)} ms/req (its backends ${fmt(benchDbCpuMs, 2)})${stalls}${entry === 'server' ? await serverMemory(child) : ''}`,
      );
    }
  };
  // Rounds interleaved: each repetition runs the server, the floor and PostGraphile one after the other (never at
  // once: a PGlite folder takes one process only, and the machine has two cores), so a slow spell of the shared
  // machine falls on all three, and each ratio is taken within one round.
  for (let rep = 1; rep <= runs; rep++) {
    await withChild('server', dbUrl, async (server) => {
      if (!headers.authorization) headers = { authorization: `Bearer ${await signIn(server.url, f)}` };
      if (rep === 1) serverAnswers = await answers(`${server.url}/graphql`, headers, page);
      await timedLoads('server', server, `${server.url}/graphql`, rep, readBody(page));
      results.readRss.push(server.peakRssMb());
    });
    await withChild('floor', dbUrl, async (floor) => {
      if (rep === 1) {
        const floorAnswers = await answers(floor.url, headers, page);
        // The floor must answer exactly what the server answers, or the comparison means nothing.
        if (floorAnswers.join() !== serverAnswers.join()) {
          throw new Error(
            `the floor answers differently:\n${serverAnswers[0]!.slice(0, 300)}\n${floorAnswers[0]!.slice(0, 300)}`,
          );
        }
      }
      await timedLoads('floor', floor, floor.url, rep, readBody(page));
    });
    if (!withPostgraphile) continue;
    await withChild('postgraphile', dbUrl, async (pgl) => {
      const url = `${pgl.url}/graphql`;
      if (rep === 1) {
        // The same rows in the same order (roles and licence names compared as sorted sets), or no comparison.
        const ours = serverRows(serverAnswers[0]!);
        const theirs = await postgraphileRows(url, page);
        const at = ours.findIndex((row, i) => JSON.stringify(row) !== JSON.stringify(theirs[i]));
        if (at >= 0 || theirs.length !== ours.length) {
          throw new Error(
            `PostGraphile answers differently (${theirs.length} rows against ${ours.length}), first at row ${at}:\n` +
              `ours:         ${JSON.stringify(ours[at])}\nPostGraphile: ${JSON.stringify(theirs[at])}`,
          );
        }
        log(`  PostGraphile's page holds the same ${ours.length} rows in the same order as the server's`);
      }
      // PostGraphile runs with no authentication at all: the server's token goes along, unread.
      await timedLoads('postgraphile', pgl, url, rep, pgReadBody(page));
    });
  }

  if (onlyPage) return;
  log(`\n## 2. scale (concurrency 1, first 100, first page and the page after 90 %) and 3. statements per request`);
  await withChild('server', dbUrl, async (server) => {
    const gql = `${server.url}/graphql`;
    const statementsOf = async (body: string) => {
      const before = (await (await fetch(`${server.url}/__bench/statements`)).json()).count as number;
      const answer = await post(gql, JSON.parse(body), headers);
      if (answer.errors) throw new Error(JSON.stringify(answer.errors));
      return ((await (await fetch(`${server.url}/__bench/statements`)).json()).count as number) - before;
    };
    for (const c of f.customers) {
      for (const first of PAGE_SIZES) {
        results.statements[`${c.size}:${first}`] = await statementsOf(readBody(c, first));
        results.statements[`${c.size}:${first}:deep`] = await statementsOf(readBody(c, first, true));
      }
    }
    await warm(gql, headers, readBody(f.customers[0]!));
    for (let rep = 1; rep <= runs; rep++) {
      for (const c of f.customers) {
        for (const deep of [false, true]) {
          await settle(server, 'server');
          const r = await load({
            url: gql,
            connections: 1,
            seconds: scaleSeconds,
            headers,
            body: readBody(c, 100, deep),
          });
          (results.scale[`${c.size}:${deep ? 'deep' : 'first'}`] ??= []).push(r);
          log(
            `  run ${rep} ${c.size} users, ${deep ? 'deep ' : 'first'} page: ${fmt(r.rps)} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms`,
          );
        }
      }
    }
  });
}

type WriteRun = Results['writes'][number];

async function measureWrites(dbUrl: string, f: Fixtures, results: Results): Promise<void> {
  const headers = { authorization: '' };
  log(`\n## 4. write path: createUser at concurrency 16 vs argon2id hashes/s on ${availableParallelism()} cores`);
  const tag = Date.now().toString(36);
  let n = 0;
  const createBody = () =>
    JSON.stringify({
      query: CREATE_USER,
      variables: {
        i: {
          customerId: f.write.globalId,
          userPrincipalName: `w${tag}.${++n}@${f.write.domain}`,
          displayName: `Bench writer ${n}`,
          usageLocation: 'FR',
          licenseSkuIds: [f.write.skuGlobalId],
        },
      },
    });
  await withChild('server', dbUrl, async (server) => {
    headers.authorization = `Bearer ${await signIn(server.url, f)}`;
    await creations(server, 'server', dbUrl, headers, createBody, results.writes);
    results.writeRss = server.peakRssMb();
  });
  // The floor's createUser (bench/floor.ts: two hand-written statements and the hash, no GraphQL): what this
  // machine allows a creation that does what ours must, with the same token (PostgreSQL only).
  if (pglite) return;
  await withChild('floor', dbUrl, async (floor) => {
    const answer = (await (
      await fetch(floor.url, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: createBody(),
      })
    ).json()) as { data?: { createUser?: { user?: { id?: string } } } };
    if (!answer.data?.createUser?.user?.id) throw new Error(`the floor created no user: ${JSON.stringify(answer)}`);
    await creations(floor, 'floor', dbUrl, headers, createBody, results.floorWrites);
  });
}

/** createUser at concurrency 16 against `child`, `runs` times, each between two measures of the hash rate. */
async function creations(
  child: Child,
  entry: Entry,
  dbUrl: string,
  headers: Record<string, string>,
  createBody: () => string,
  into: WriteRun[],
) {
  const url = entry === 'floor' ? child.url : `${child.url}/graphql`;
  const database = pglite ? '' : new URL(dbUrl).pathname.slice(1);
  // Warmed up with WARM_CREATIONS creations, counted, not timed: V8 optimizes a function after some hundreds of calls
  // (Maglev at ~400), and a function called once a creation reaches that only after as many creations. Traced
  // (--trace-opt), the server compiled ~570 functions between its 170th and 600th creation, then a few a second; its
  // compiler threads cost 0.6 ms a creation until then, 0.14 after. The 8 s warm-up this replaced (~360 creations on a
  // slow day, ~750 on a fast one) left the first run's window in that burst on a slow day: it was the lowest of its
  // run in most benches (BENCHMARKS.md, fourteenth round).
  await load({
    url,
    connections: 16,
    seconds: 1,
    requests: quick ? undefined : WARM_CREATIONS,
    headers,
    body: createBody,
  });
  for (let rep = 1; rep <= runs; rep++) {
    await settle(child, entry);
    // The hash rate just before and just after the creations, half as long each, averaged: on a shared machine
    // whose speed drifts by a third within minutes, one measurement before the run made the ratio swing 0.79–1.01.
    const hashesBefore = await argon2Rate(seconds / 2);
    // Counted in a steady window (lib.ts load: 1 s of load before it, 1 s after), with the CPU spent in it: the
    // rate of the whole run would also count the first second, before the first answers are back, and lose the work
    // on the 16 requests unanswered at its end (both printed).
    let start: { threads: ReturnType<typeof threadCpuMsOf>; db: PostgresCpu; harness: NodeJS.CpuUsage } | undefined;
    let spent: { main: number; others: number; postgres: number; backends: number; harness: number } | undefined;
    const r = await load({
      url,
      connections: 16,
      seconds,
      headers,
      body: createBody,
      window: {
        skipS: 1,
        tailS: 1,
        onStart: () => {
          start = { threads: threadCpuMsOf(child.pid), db: postgresCpu(database), harness: process.cpuUsage() };
        },
        onEnd: () => {
          const harness = process.cpuUsage(start!.harness);
          const threads = threadCpuMsOf(child.pid);
          const db = postgresCpuSince(start!.db, database);
          spent = {
            main: threads.main - start!.threads.main,
            others: threads.others - start!.threads.others,
            postgres: db.all,
            backends: db.database,
            harness: (harness.user + harness.system) / 1000,
          };
        },
      },
    });
    await settle(child, entry);
    const hashesAfter = await argon2Rate(seconds / 2);
    const hashes = (hashesBefore + hashesAfter) / 2;
    const answered = r.window!.requests;
    const mutations = answered / r.window!.seconds;
    const cpu = {
      main: spent!.main / answered,
      others: spent!.others / answered,
      postgres: spent!.postgres / answered,
      backends: spent!.backends / answered,
      harness: spent!.harness / answered,
    };
    into.push({ mutations, hashes, p50: r.p50, p99: r.p99, cpu });
    log(
      `  run ${rep} ${LABEL[entry].padEnd(6)}: createUser ${fmt(mutations)}/s in the steady window (${fmt(r.rps)}/s autocannon's average of the whole run, ratio ${fmt(r.rps / hashes, 2)}) (p50 ${r.p50} ms, p99 ${r.p99} ms), argon2id ${fmt(hashes)} hashes/s (${fmt(hashesBefore)} before, ${fmt(hashesAfter)} after), ratio ${fmt(mutations / hashes, 2)}; ` +
        `CPU ms a createUser: event loop ${fmt(cpu.main, 2)}, other threads ${fmt(cpu.others, 2)}, postgres ${fmt(cpu.postgres, 2)} (its backends ${fmt(cpu.backends, 2)}), harness ${fmt(cpu.harness, 2)} (one hash ${fmt((1000 * availableParallelism()) / hashes, 2)})`,
    );
  }
}

function report(r: Results, f: Fixtures) {
  const lines: string[] = [];
  lines.push(`\n# Results (medians of ${runs} run(s); ratios are medians of the per-run ratios)`);
  lines.push(`\nGenerated ${f.customers.map((c) => c.size).join(', ')}-user customers in ${fmt(r.generateSeconds)} s.`);
  if (!writeOnly) reportReads(r, f, lines);
  if (!onlyPage) reportWrites(r, lines);
  log(lines.join('\n'));
  // Also kept on disk (bench/results is not committed): BENCHMARKS.md quotes these.
  const file = `bench/results/${pglite ? 'pglite' : 'postgres'}-${quick ? 'quick' : 'full'}${writeOnly ? '-write' : ''}${onlyPage ? '-page' : ''}-${new Date().toISOString().replace(/[:.]/g, '-')}.md`;
  mkdirSync('bench/results', { recursive: true });
  writeFileSync(file, `${lines.join('\n')}\n`);
  log(`\nwritten to ${file}`);
}

/** The numeric figures of a load. */
type Figure = 'rps' | 'p50' | 'p99' | 'requests' | 'sent';
const med = (loads: Load[], key: Figure) => median(loads.map((l) => l[key]));
const pairedRatio = (a: Load[], b: Load[], key: Figure) => median(a.map((l, i) => l[key] / b[i]![key]));
const mark = (ok: boolean) => (ok ? 'met' : '**missed**');

function reportReads(r: Results, f: Fixtures, lines: string[]) {
  lines.push('\n### 1. Read path, users(first: 100) with roles and licences: server vs floor');
  lines.push(
    '| concurrency | server req/s | server p50 ms | server p99 ms | floor req/s | floor p50 ms | floor p99 ms | req/s ratio | p50 ratio | p99 ratio |',
  );
  lines.push('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const c of CONCURRENCY) {
    const s = r.read.server[c]!;
    const fl = r.read.floor[c]!;
    lines.push(
      `| ${c} | ${fmt(med(s, 'rps'))} | ${fmt(med(s, 'p50'))} | ${fmt(med(s, 'p99'))} | ${fmt(med(fl, 'rps'))} | ${fmt(med(fl, 'p50'))} | ${fmt(med(fl, 'p99'))} | ${fmt(pairedRatio(s, fl, 'rps'), 2)} | ${fmt(pairedRatio(s, fl, 'p50'), 2)} | ${fmt(pairedRatio(s, fl, 'p99'), 2)} |`,
    );
  }
  const rps16 = pairedRatio(r.read.server[16]!, r.read.floor[16]!, 'rps');
  const lat16 = pairedRatio(r.read.server[16]!, r.read.floor[16]!, 'p50');
  lines.push(
    `\nTarget at concurrency 16: p50 ≤ 2× floor (${fmt(lat16, 2)}×: ${mark(lat16 <= 2)}), req/s ≥ 0.5× floor (${fmt(rps16, 2)}×: ${mark(rps16 >= 0.5)}).`,
  );
  reportContenders(r, lines);
  if (onlyPage) return;

  lines.push('\n### 2. Scale (concurrency 1, 100 users a page)');
  lines.push('| users | first page req/s | first page p50 ms | deep page req/s | deep page p50 ms | deep/first p50 |');
  lines.push('|---:|---:|---:|---:|---:|---:|');
  const small = f.customers[0]!.size;
  const large = f.customers.at(-1)!.size;
  for (const c of f.customers) {
    const first = r.scale[`${c.size}:first`]!;
    const deep = r.scale[`${c.size}:deep`]!;
    lines.push(
      `| ${c.size} | ${fmt(med(first, 'rps'))} | ${fmt(med(first, 'p50'))} | ${fmt(med(deep, 'rps'))} | ${fmt(med(deep, 'p50'))} | ${fmt(pairedRatio(deep, first, 'p50'), 2)} |`,
    );
  }
  // Mean latency from req/s at concurrency 1 (1000 / req/s) is finer than autocannon's whole-millisecond p50.
  const meanMs = (k: string) => r.scale[k]!.map((l) => 1000 / l.rps);
  const ratio = (a: number[], b: number[]) => median(a.map((x, i) => x / b[i]!));
  const scaleFirst = ratio(meanMs(`${large}:first`), meanMs(`${small}:first`));
  const scaleDeep = ratio(meanMs(`${large}:deep`), meanMs(`${small}:first`));
  const deepWorst = Math.max(...f.customers.map((c) => ratio(meanMs(`${c.size}:deep`), meanMs(`${c.size}:first`))));
  lines.push(
    `\nMean latency ratio ${large}/${small} users: first page ${fmt(scaleFirst, 2)}, deep page ${fmt(scaleDeep, 2)} (target ≤ 1.3: ${mark(Math.max(scaleFirst, scaleDeep) <= 1.3)}); worst deep/first ${fmt(deepWorst, 2)} (target ≤ 1.3: ${mark(deepWorst <= 1.3)}).`,
  );

  lines.push('\n### 3. SQL statements per request');
  lines.push(`| users page | ${f.customers.map((c) => `${c.size} users: first / deep`).join(' | ')} |`);
  lines.push(`|---:|${f.customers.map(() => '---:').join('|')}|`);
  for (const first of PAGE_SIZES) {
    lines.push(
      `| first: ${first} | ${f.customers.map((c) => `${r.statements[`${c.size}:${first}`]} / ${r.statements[`${c.size}:${first}:deep`]}`).join(' | ')} |`,
    );
  }
  const counts = new Set(Object.values(r.statements));
  const maxCount = Math.max(...counts);
  lines.push(`\nConstant: ${mark(counts.size === 1)}; ≤ 6: ${mark(maxCount <= 6)} (${[...counts].join(', ')}).`);
}

/** Issue 13: ours against PostGraphile and the floor, with what each costs in CPU, its own and the database's. */
function reportContenders(r: Results, lines: string[]) {
  if (!withPostgraphile) return;
  const { server: s, floor: fl, postgraphile: pg } = r.read;
  lines.push('\n### 1b. The same page: server vs PostGraphile 5 (amber, no authorization) vs floor');
  lines.push(
    '| concurrency | server req/s | PostGraphile req/s | floor req/s | server ÷ PostGraphile | server ÷ floor | server p99 ms | PostGraphile p99 ms | floor p99 ms |',
  );
  lines.push('|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const c of CONCURRENCY) {
    lines.push(
      `| ${c} | ${fmt(med(s[c]!, 'rps'))} | ${fmt(med(pg[c]!, 'rps'))} | ${fmt(med(fl[c]!, 'rps'))} | ${fmt(pairedRatio(s[c]!, pg[c]!, 'rps'), 2)} | ${fmt(pairedRatio(s[c]!, fl[c]!, 'rps'), 2)} | ${fmt(med(s[c]!, 'p99'))} | ${fmt(med(pg[c]!, 'p99'))} | ${fmt(med(fl[c]!, 'p99'))} |`,
    );
  }
  lines.push(
    '\nCPU ms per request (utime + stime from /proc, per request sent). postgres: all `postgres` processes (other ' +
      "users' backends too, if any are busy) / only the backends connected to the bench database:",
  );
  lines.push(
    '| concurrency | server | PostGraphile | floor | postgres, for the server | postgres, for PostGraphile | postgres, for the floor |',
  );
  lines.push('|---:|---:|---:|---:|---:|---:|---:|');
  const cpu = (loads: ReadLoad[], key: 'cpuMs' | 'dbCpuMs' | 'benchDbCpuMs') =>
    fmt(median(loads.map((l) => l[key])), 2);
  const db = (loads: ReadLoad[]) => `${cpu(loads, 'dbCpuMs')} / ${cpu(loads, 'benchDbCpuMs')}`;
  for (const c of CONCURRENCY) {
    lines.push(
      `| ${c} | ${cpu(s[c]!, 'cpuMs')} | ${cpu(pg[c]!, 'cpuMs')} | ${cpu(fl[c]!, 'cpuMs')} | ${db(s[c]!)} | ${db(pg[c]!)} | ${db(fl[c]!)} |`,
    );
  }
  // As the req/s ratios (and as issue 13 sets the target): each round's server against the floor of the same round,
  // a minute apart, then the median, so that the machine's drift between rounds cancels; the ratio of the medians
  // beside it.
  const ratios = CONCURRENCY.map((c) => fmt(median(s[c]!.map((l, i) => l.cpuMs / fl[c]![i]!.cpuMs)), 2));
  const ofMedians = CONCURRENCY.map((c) =>
    fmt(median(s[c]!.map((l) => l.cpuMs)) / median(fl[c]!.map((l) => l.cpuMs)), 2),
  );
  lines.push(`
Server CPU ÷ floor CPU at c=${CONCURRENCY.join('/')}: ${ratios.join(' / ')} (target ≤ 2; medians of the rounds' ratios; the ratio of the medians: ${ofMedians.join(' / ')}).`);
  if (r.readRss.length) lines.push(`Server peak RSS (VmHWM) over the rounds: ${fmt(Math.max(...r.readRss), 0)} MB.`);
}

function reportWrites(r: Results, lines: string[]) {
  lines.push('\n### 4. Write path: createUser (with a licence) at concurrency 16');
  /** The runs' median createUser rate as a share of the hash rate measured around each. */
  const ratioOf = (ws: WriteRun[]) => median(ws.map((w) => w.mutations / w.hashes));
  const writeRatio = ratioOf(r.writes);
  lines.push(
    '| | createUser/s | p50 ms | p99 ms | argon2id hashes/s (all cores) | ratio | CPU ms a createUser: event loop / other threads / postgres / harness |',
  );
  lines.push('|---|---:|---:|---:|---:|---:|---|');
  for (const [label, ws] of [
    ['server', r.writes],
    ['floor', r.floorWrites],
  ] as const) {
    if (!ws.length) continue;
    const cpu = (k: keyof WriteRun['cpu']) => fmt(median(ws.map((w) => w.cpu[k])), 2);
    lines.push(
      `| ${label} | ${fmt(median(ws.map((w) => w.mutations)))} | ${fmt(median(ws.map((w) => w.p50)))} | ${fmt(median(ws.map((w) => w.p99)))} | ${fmt(median(ws.map((w) => w.hashes)))} | ${fmt(ratioOf(ws), 2)} | ${cpu('main')} / ${cpu('others')} / ${cpu('postgres')} / ${cpu('harness')} |`,
    );
  }
  lines.push(`\nTarget ≥ 0.85 of the hash rate (issue 13): ${mark(writeRatio >= 0.85)}.`);
  // What the machine allows: with both cores busy, a creation costs its hash (the other threads' CPU) plus everything
  // else (event loop, PostgreSQL, load generator), where the hash rate measured alone costs only the hash. So the
  // hash's share of a creation's CPU is about the most of the hash rate a process can reach; the floor's is that of
  // a creation with nothing but its two statements and its HTTP round trip.
  const restOf = (w: WriteRun) => w.cpu.main + w.cpu.postgres + w.cpu.harness;
  const rest = (ws: WriteRun[]) => median(ws.map(restOf));
  const hashShare = (ws: WriteRun[]) => median(ws.map((w) => w.cpu.others / (w.cpu.others + restOf(w))));
  if (r.floorWrites.length) {
    lines.push(
      `CPU ms a creation besides its hash (event loop + postgres + harness): server ${fmt(rest(r.writes), 2)}, floor ${fmt(rest(r.floorWrites), 2)}; ` +
        `the hash's share of a creation's CPU (about the most of the hash rate two busy cores allow): server ${fmt(hashShare(r.writes), 2)}, floor ${fmt(hashShare(r.floorWrites), 2)}. ` +
        `Server ÷ floor, each against its own hash rate: ${fmt(writeRatio / ratioOf(r.floorWrites), 2)}.`,
    );
  }

  lines.push('\n### 5. Server peak RSS (VmHWM)');
  const readRss = r.readRss.length ? Math.max(...r.readRss) : NaN;
  lines.push(`| during run 1 (read path, c=64) | during run 4 (createUser) |`);
  lines.push('|---:|---:|');
  lines.push(`| ${fmt(readRss, 0)} MB | ${fmt(r.writeRss, 0)} MB |`);
  lines.push(`\nTarget ≤ 250 MB: ${mark(Math.max(r.writeRss, Number.isNaN(readRss) ? 0 : readRss) <= 250)}.`);
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
