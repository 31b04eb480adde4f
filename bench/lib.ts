// What the harness's pieces share: arguments, throw-away databases, child processes, load runs, statistics.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';
import postgres from 'postgres';

export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

export function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

export const flag = (args: string[], name: string) => args.includes(name);

/** A new, empty PostgreSQL database next to `base`; `drop` removes it (even with connections still open). */
export async function createPostgresDatabase(
  base = DEFAULT_DATABASE_URL,
): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `bench_${new Date().toISOString().replace(/\D/g, '').slice(0, 14)}_${process.pid}`;
  const admin = postgres(base, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(base);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const again = postgres(base, { max: 1, onnotice: () => {} });
      try {
        await again.unsafe(`drop database if exists ${name} with (force)`);
      } finally {
        await again.end();
      }
    },
  };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export interface Child {
  pid: number;
  url: string;
  /** Peak resident set size so far (VmHWM), in MB. */
  peakRssMb(): number;
  stop(): Promise<void>;
}

/**
 * Starts `node <entry>` (built JavaScript, as `npm start` runs the server; `.ts` entries go through tsx) and waits for the line `LISTENING <port>` on its stdout. The harness measures
 * the child's memory, so the server never shares a heap with the load generator.
 */
export async function startChild(entry: string, env: Record<string, string>, nodeFlags: string[] = []): Promise<Child> {
  const loader = entry.endsWith('.ts') ? ['--import', 'tsx'] : [];
  const child: ChildProcess = spawn(process.execPath, [...nodeFlags, ...loader, entry], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${entry} did not start within 60 s`)), 60_000);
    child.once('exit', (code) => reject(new Error(`${entry} exited with ${code} before listening`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const m = line.match(/^LISTENING (\d+)$/);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      } else console.log(`  [${entry}] ${line}`);
    });
  });
  const pid = child.pid!;
  return {
    pid,
    url: `http://127.0.0.1:${port}`,
    peakRssMb() {
      const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmHWM:\s+(\d+) kB/);
      return m ? Number(m[1]) / 1024 : NaN;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
        child.once('exit', () => {
          clearTimeout(kill);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}

export interface Load {
  rps: number;
  p50: number;
  p99: number;
  requests: number;
  /** Requests sent: with the ones still in flight when autocannon stopped, which the server answers all the same. */
  sent: number;
  /** With LoadOptions.window: the answers of the steady window. */
  window?: Window;
}

/** Clock ticks a second of /proc/<pid>/stat's utime and stime. */
const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** utime + stime of one process from /proc/<pid>/stat, in ms (NaN if it is gone). */
export function cpuMsOf(pid: number | string): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces: count the fields after its ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return NaN;
  }
}

/**
 * utime + stime of a process's threads in ms: its main thread (the event loop: the thread whose id is the pid) and
 * all the others (libuv's pool, where argon2 hashes, V8's GC and compiler threads).
 */
export function threadCpuMsOf(pid: number | string): { main: number; others: number } {
  let main = 0;
  let others = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    const ms = cpuMsOf(`${pid}/task/${tid}`);
    if (!Number.isFinite(ms)) continue;
    if (tid === String(pid)) main += ms;
    else others += ms;
  }
  return { main, others };
}

/** The CPU of each `postgres` process at one instant, and whether it is a backend of a given database. */
export type PostgresCpu = Map<string, { ms: number; ofDatabase: boolean }>;

/**
 * utime + stime of every process named `postgres` (the postmaster, its background workers and every backend,
 * whoever's), in ms; `ofDatabase` marks the backends connected to `database` (their title, /proc/<pid>/cmdline,
 * reads `postgres: <cluster>: <user> <database> <host>(<port>) <state>`).
 */
export function postgresCpu(database: string): PostgresCpu {
  const out: PostgresCpu = new Map();
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    let title: string;
    try {
      if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() !== 'postgres') continue;
      title = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
    } catch {
      continue;
    }
    const ms = cpuMsOf(pid);
    if (Number.isFinite(ms)) out.set(pid, { ms, ofDatabase: title.includes(` ${database} `) });
  }
  return out;
}

/**
 * The CPU the `postgres` processes spent since `before`, in ms: all of them, and the backends of the database only.
 * A process born since counts whole; one that exited since counts nothing (its time is gone with it): never a
 * negative, though an exit undercounts. The harness's children keep their pools open for the whole run.
 */
export function postgresCpuSince(before: PostgresCpu, database: string): { all: number; database: number } {
  let all = 0;
  let ofDatabase = 0;
  for (const [pid, now] of postgresCpu(database)) {
    const spent = now.ms - (before.get(pid)?.ms ?? 0);
    all += spent;
    if (now.ofDatabase) ofDatabase += spent;
  }
  return { all, database: ofDatabase };
}

export interface LoadOptions {
  url: string;
  connections: number;
  seconds: number;
  headers: Record<string, string>;
  /** One body for every request, or a function making each (e.g. a unique user name). */
  body: string | (() => string);
  /**
   * Count only the answers of a steady window: the load runs `skipS` seconds before it and `tailS` after it, and
   * `seconds` is the window's length. `onStart`/`onEnd` run at its edges (to read the CPU spent in it). For a load
   * whose answers take a large part of a second (createUser: ~250 ms at 16 connections), autocannon's per-second
   * average over the whole run also counts the first second, when the first answers are not back yet, and loses the
   * work on the requests still unanswered at the end.
   */
  window?: { skipS: number; tailS: number; onStart?: () => void; onEnd?: () => void };
  /** Send this many requests instead of loading for `seconds` (a warm-up counted in calls, as V8 counts them). */
  requests?: number;
}

/** The answers counted in a load's steady window, and the window's measured length. */
export interface Window {
  requests: number;
  seconds: number;
}

/** One autocannon run; fails on any error, non-2xx answer or GraphQL error, so a broken run is never a number. */
export async function load(o: LoadOptions): Promise<Load> {
  let bad = 0;
  let firstBad = '';
  const makeBody = typeof o.body === 'function' ? o.body : null;
  const w = o.window;
  const tracker = autocannon({
    url: o.url,
    connections: o.connections,
    ...(o.requests ? { amount: o.requests } : { duration: w ? w.skipS + o.seconds + w.tailS : o.seconds }),
    method: 'POST',
    headers: { 'content-type': 'application/json', ...o.headers },
    body: typeof o.body === 'string' ? o.body : undefined,
    requests: makeBody
      ? [{ setupRequest: (req: Record<string, unknown>) => ({ ...req, body: makeBody() }) }]
      : undefined,
    verifyBody: (body: string) => {
      const ok = !body.includes('"errors"') && !body.includes('"userErrors":[{');
      if (!ok && !firstBad) firstBad = body.slice(0, 500);
      if (!ok) bad++;
      return ok;
    },
  } as autocannon.Options);
  let window: Window | undefined;
  if (w) {
    let counting = false;
    let answers = 0;
    let started = 0;
    tracker.on('response', () => {
      if (counting) answers++;
    });
    setTimeout(() => {
      w.onStart?.();
      started = performance.now();
      counting = true;
      setTimeout(() => {
        counting = false;
        window = { requests: answers, seconds: (performance.now() - started) / 1000 };
        w.onEnd?.();
      }, o.seconds * 1000);
    }, w.skipS * 1000);
  }
  const result = await tracker;
  if (w && !window) throw new Error('the load ended before its window did');
  if (result.errors || result.timeouts || result.non2xx || bad) {
    throw new Error(
      `load run against ${o.url} failed: ${result.errors} errors, ${result.timeouts} timeouts, ${result.non2xx} non-2xx, ${bad} error bodies ${firstBad}`,
    );
  }
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    requests: result.requests.total,
    sent: result.requests.sent,
    window,
  };
}

export async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<any> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${url} answered ${res.status}: ${await res.text()}`);
  return res.json();
}
