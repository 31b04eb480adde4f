// A real server on a random port over a fresh database: PGlite in memory by default, or a new PostgreSQL database
// per test file when TEST_DATABASE_URL is set (so files and runs never see each other's data).
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import postgres from 'postgres';
import { inject, onTestFinished } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { type Config, loadConfig } from '../../src/config.js';
import { type Database, openDatabase } from '../../src/db/client.js';
import { createApp, listen } from '../../src/server.js';
import { ensureSkuCatalogue } from '../../src/services/skus.js';

export interface GqlResult<T = any> {
  data?: T;
  errors?: { message: string; path?: string[]; extensions?: Record<string, any> }[];
}

export interface TestServer {
  url: string;
  clock: ManualClock;
  config: Config;
  /** Moves the clock forward for the rest of the running test only: it comes back when the test ends. */
  travel(ms: number): void;
  database: Database;
  gql<T = any>(query: string, variables?: Record<string, unknown>, token?: string): Promise<GqlResult<T>>;
  /** Like gql, but fails the test on any top-level error and returns data. */
  ok<T = any>(query: string, variables?: Record<string, unknown>, token?: string): Promise<T>;
  close(): Promise<void>;
}

/** What global-setup.ts provided, or nothing outside vitest (bench/import.ts starts its server with this module). */
const provided = <K extends 'pgliteTemplate' | 'templateDatabase'>(key: K) =>
  process.env.VITEST ? inject(key) : undefined;

/** A new database: PGlite in memory, or on PostgreSQL a copy of the run's migrated template (global-setup.ts). */
async function freshDatabase(): Promise<{ url: string; migrated: boolean; dump?: Blob; drop: () => Promise<void> }> {
  const base = process.env.TEST_DATABASE_URL;
  if (!base) {
    const template = provided('pgliteTemplate');
    const dump = template ? new Blob([readFileSync(template)]) : undefined;
    return { url: 'memory://', migrated: Boolean(dump), dump, drop: async () => {} };
  }
  const name = `t_${Date.now()}_${randomBytes(4).toString('hex')}`;
  const template = provided('templateDatabase');
  const admin = postgres(base, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}${template ? ` template ${template}` : ''}`);
  const url = new URL(base);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    migrated: Boolean(template),
    drop: async () => {
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}

export async function startServer(env: Record<string, string> = {}): Promise<TestServer> {
  const fresh = await freshDatabase();
  const database = await openDatabase({ url: fresh.url, poolSize: 20, loadDataDir: fresh.dump });
  if (!fresh.migrated) {
    await database.migrate();
    await ensureSkuCatalogue(database.db);
  }
  const clock = new ManualClock(new Date('2026-06-01T09:00:00Z'));
  const config = loadConfig({ DATABASE_URL: fresh.url, SEED_DEMO: '0', ...env });
  const app = createApp({ config, database, clock });
  const server: Server = await listen(app, 0, '127.0.0.1');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  const gql = async (query: string, variables?: Record<string, unknown>, token?: string) => {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    return (await res.json()) as GqlResult;
  };
  return {
    url,
    clock,
    config,
    travel(ms) {
      clock.advance(ms);
      onTestFinished(() => clock.advance(-ms));
    },
    database,
    gql,
    async ok(query, variables, token) {
      const r = await gql(query, variables, token);
      if (r.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(r.errors)}`);
      return r.data;
    },
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections?.();
      await database.close();
      await fresh.drop();
    },
  };
}
