// The benchmark harness (issue 5). `npm run bench` for the numbers of BENCHMARKS.md, `npm run bench -- --quick` for
// a one-minute smoke run. Everything is measured side by side in one run and quoted as medians of the repetitions,
// because the machine is shared: only ratios taken in the same run mean much.
//
// Options: --quick · --pglite (embedded database instead of PostgreSQL at DATABASE_URL) · --runs N · --seconds S
//          --sizes 1000,10000,100000 · --keep (keep the generated database) · --profile (node --cpu-prof the server)
//          --write-only (only the createUser run and its memory: for profiling the write path)

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashPassword } from '../src/auth/passwords.js';
import { openDatabase } from '../src/db/client.js';
import { type BenchCustomer, DEFAULT_SIZES, type Fixtures, generate } from './generate.js';
import { type Child, createPostgresDatabase, flag, type Load, load, median, option, post, startChild } from './lib.js';

const args = process.argv.slice(2);
const quick = flag(args, '--quick');
const pglite = flag(args, '--pglite');
const runs = Number(option(args, '--runs') ?? (quick ? 1 : 3));
const seconds = Number(option(args, '--seconds') ?? (quick ? 1 : 8));
const scaleSeconds = Number(option(args, '--seconds') ?? (quick ? 1 : 5));
const sizes = (option(args, '--sizes') ?? (pglite ? '1000,10000' : DEFAULT_SIZES.join(','))).split(',').map(Number);
const writeOnly = flag(args, '--write-only');
const profileDir = flag(args, '--profile') ? mkdtempSync(join(tmpdir(), 'bench-profile-')) : null;
const CONCURRENCY = [1, 16, 64];
const PAGE_SIZES = [10, 100, 500];

const READ_QUERY = `query($id: ID!, $first: Int, $after: String) { customer(id: $id) { users(first: $first, after: $after) {
  edges { node { userPrincipalName displayName state roles licenses { sku { name } } } } } } }`;
const CREATE_USER = `mutation($i: CreateUserInput!) { createUser(input: $i) { user { id } userErrors { code message } } }`;

const readBody = (c: BenchCustomer, first = 100, deep = false) =>
  JSON.stringify({ query: READ_QUERY, variables: { id: c.globalId, first, ...(deep ? { after: c.deepCursor } : {}) } });

const log = (line: string) => console.log(line);
const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : '–');

async function withChild<T>(entry: 'server' | 'floor', url: string, fn: (child: Child) => Promise<T>): Promise<T> {
  // The V8 flag of `npm start` (a young generation of 8 MiB semi-spaces instead of 16: ~20 MB less peak RSS under
  // load, no measurable throughput cost here), for the floor as well so that both run alike.
  const flags = [
    '--max-semi-space-size=8',
    ...(entry === 'server' && profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []),
  ];
  // NODE_ENV=production as in a deployment: graphql-js then skips its development-only instanceof checks.
  // dist/ is built by `npm run bench` (the same bundle `npm start` runs).
  const child = await startChild(`dist/bench/${entry}.js`, { BENCH_DATABASE_URL: url, NODE_ENV: 'production' }, flags);
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
 * they must not be counted in the next run. The server reports its requests in flight; the floor answers in
 * milliseconds, so a pause does.
 */
async function settle(child: Child, entry: 'server' | 'floor') {
  for (let waited = 0; waited < 10_000; waited += 50) {
    if (entry === 'server') {
      const { inFlight } = (await (await fetch(`${child.url}/__bench/statements`)).json()) as { inFlight: number };
      if (inFlight === 0) return;
    } else if (waited >= 300) return;
    await new Promise((r) => setTimeout(r, 50));
  }
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

/** argon2id hashes per second with the server's own parameters, all cores busy (libuv runs hashes in its pool). */
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

interface Results {
  read: Record<'server' | 'floor', Record<number, Load[]>>;
  readRss: number[];
  scale: Record<string, Load[]>;
  statements: Record<string, number>;
  writes: { mutations: number; hashes: number; p50: number; p99: number }[];
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
    `# benchmark: ${quick ? 'quick' : 'full'} run on ${pglite ? 'PGlite' : 'PostgreSQL'}, ${runs} repetition(s), ${seconds} s a run`,
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
    log(`total time ${fmt((performance.now() - started) / 1000)} s`);
  }
}

async function measure(dbUrl: string, f: Fixtures, generateSeconds: number): Promise<Results> {
  const results: Results = {
    read: { server: {}, floor: {} },
    readRss: [],
    scale: {},
    statements: {},
    writes: [],
    writeRss: NaN,
    generateSeconds,
  };
  if (!writeOnly) await measureReads(dbUrl, f, results);
  await measureWrites(dbUrl, f, results);
  return results;
}

async function measureReads(dbUrl: string, f: Fixtures, results: Results): Promise<void> {
  const page = f.customers.find((c) => c.size === 10_000) ?? f.customers.at(-1)!;
  let headers: Record<string, string> = {};
  log(
    `\n## 1. read path: server vs floor (${page.size}-user customer, first 100), concurrency ${CONCURRENCY.join('/')}`,
  );
  let serverAnswers: string[] = [];
  for (let rep = 1; rep <= runs; rep++) {
    // The server and the floor run one after the other, never at once: a PGlite folder takes one process only.
    await withChild('server', dbUrl, async (server) => {
      if (!headers.authorization) headers = { authorization: `Bearer ${await signIn(server.url, f)}` };
      if (rep === 1) serverAnswers = await answers(`${server.url}/graphql`, headers, page);
      await warm(`${server.url}/graphql`, headers, readBody(page));
      for (const c of CONCURRENCY) {
        await settle(server, 'server');
        const r = await load({ url: `${server.url}/graphql`, connections: c, seconds, headers, body: readBody(page) });
        (results.read.server[c] ??= []).push(r);
        log(`  run ${rep} server c=${c}: ${fmt(r.rps)} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms`);
      }
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
      await warm(floor.url, headers, readBody(page));
      for (const c of CONCURRENCY) {
        await settle(floor, 'floor');
        const r = await load({ url: floor.url, connections: c, seconds, headers, body: readBody(page) });
        (results.read.floor[c] ??= []).push(r);
        log(`  run ${rep} floor  c=${c}: ${fmt(r.rps)} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms`);
      }
    });
  }

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

async function measureWrites(dbUrl: string, f: Fixtures, results: Results): Promise<void> {
  const headers = { authorization: '' };
  log(`\n## 4. write path: createUser at concurrency 16 vs argon2id hashes/s on ${availableParallelism()} cores`);
  await withChild('server', dbUrl, async (server) => {
    const gql = `${server.url}/graphql`;
    headers.authorization = `Bearer ${await signIn(server.url, f)}`;
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
    await load({ url: gql, connections: 16, seconds: 1, headers, body: createBody });
    for (let rep = 1; rep <= runs; rep++) {
      await settle(server, 'server');
      const hashes = await argon2Rate(seconds);
      const r = await load({ url: gql, connections: 16, seconds, headers, body: createBody });
      results.writes.push({ mutations: r.rps, hashes, p50: r.p50, p99: r.p99 });
      log(
        `  run ${rep}: createUser ${fmt(r.rps)}/s (p50 ${r.p50} ms, p99 ${r.p99} ms), argon2id ${fmt(hashes)} hashes/s, ratio ${fmt(r.rps / hashes, 2)}`,
      );
    }
    results.writeRss = server.peakRssMb();
  });
}

function report(r: Results, f: Fixtures) {
  const lines: string[] = [];
  lines.push(`\n# Results (medians of ${runs} run(s); ratios are medians of the per-run ratios)`);
  lines.push(`\nGenerated ${f.customers.map((c) => c.size).join(', ')}-user customers in ${fmt(r.generateSeconds)} s.`);
  if (!writeOnly) reportReads(r, f, lines);
  reportWrites(r, lines);
  log(lines.join('\n'));
  // Also kept on disk (bench/results is not committed): BENCHMARKS.md quotes these.
  const file = `bench/results/${pglite ? 'pglite' : 'postgres'}-${quick ? 'quick' : 'full'}${writeOnly ? '-write' : ''}-${new Date().toISOString().replace(/[:.]/g, '-')}.md`;
  mkdirSync('bench/results', { recursive: true });
  writeFileSync(file, `${lines.join('\n')}\n`);
  log(`\nwritten to ${file}`);
}

const med = (loads: Load[], key: keyof Load) => median(loads.map((l) => l[key]));
const pairedRatio = (a: Load[], b: Load[], key: keyof Load) => median(a.map((l, i) => l[key] / b[i]![key]));
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

function reportWrites(r: Results, lines: string[]) {
  lines.push('\n### 4. Write path: createUser (with a licence) at concurrency 16');
  const mutations = median(r.writes.map((w) => w.mutations));
  const hashes = median(r.writes.map((w) => w.hashes));
  const writeRatio = median(r.writes.map((w) => w.mutations / w.hashes));
  lines.push('| createUser/s | p50 ms | p99 ms | argon2id hashes/s (all cores) | ratio |');
  lines.push('|---:|---:|---:|---:|---:|');
  lines.push(
    `| ${fmt(mutations)} | ${fmt(median(r.writes.map((w) => w.p50)))} | ${fmt(median(r.writes.map((w) => w.p99)))} | ${fmt(hashes)} | ${fmt(writeRatio, 2)} |`,
  );
  lines.push(`\nTarget ≥ 0.80 of the hash rate: ${mark(writeRatio >= 0.8)}.`);

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
