import { join } from 'node:path';
import { PGlite, types } from '@electric-sql/pglite';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { PROJECT_ROOT } from '../paths.js';
import { holdDataFolder, makePrivate } from './data-folder.js';
import * as schema from './schema.js';

/** The common base of both drivers' database and transaction types (a union would break Drizzle's overloads). */
export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;

export const MIGRATIONS_FOLDER = join(PROJECT_ROOT, 'migrations');

export interface Database {
  db: Db;
  kind: 'pglite' | 'postgres';
  /** SQL statements sent since start: the query-count tests and the benchmark read it. */
  statements: { count: number };
  migrate(): Promise<void>;
  /** PGlite only: the whole cluster as a tarball, which `loadDataDir` starts from. */
  dump?: () => Promise<Blob>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** postgres://… for PostgreSQL; otherwise a PGlite data folder, or `memory://` for a throw-away database. */
  url: string;
  poolSize?: number;
  /** For `memory://`: start from this dump (PGlite's dumpDataDir) instead of an empty cluster; the tests' template. */
  loadDataDir?: Blob;
}

/**
 * A statement sent through the driver itself, bypassing Drizzle's generic row mapping: its rows as arrays of the
 * driver's values, parsed as Drizzle's own sessions parse them (timestamps as text, for the columns' decoders). Prepared
 * on PostgreSQL (postgres.js names and caches it per connection by its text). Counted like Drizzle's statements.
 */
export type DriverQuery = (text: string, params: readonly unknown[]) => Promise<unknown[][]>;

const driverQueries = new WeakMap<Db, DriverQuery>();

/** The driver of a database handle opened here; undefined for a transaction's handle (its connection is its own). */
export function driverQuery(db: Db): DriverQuery | undefined {
  return driverQueries.get(db);
}

// What Drizzle's PGlite session leaves as text for its column decoders (drizzle-orm/pglite/session.js).
const PGLITE_AS_TEXT = [types.TIMESTAMP, types.TIMESTAMPTZ, types.INTERVAL, types.DATE, 1231, 1115, 1185, 1187, 1182];
const pgliteArrays = {
  rowMode: 'array' as const,
  parsers: Object.fromEntries(PGLITE_AS_TEXT.map((t) => [t, (value: string) => value])),
};

export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//.test(url);
}

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  const statements = { count: 0 };
  const logger = { logQuery: () => void statements.count++ };
  if (isPostgresUrl(options.url)) {
    const client = postgres(options.url, { max: options.poolSize ?? 10, onnotice: () => {} });
    const db = drizzlePostgres({ client, schema, logger }) as unknown as Db;
    // After drizzle(): it sets the client's parsers (timestamps as text) that the decoders expect.
    driverQueries.set(db, async (text, params) => {
      statements.count++;
      const result = await client.unsafe(text, params as postgres.ParameterOrJSON<never>[], { prepare: true }).values();
      // The rows move to an array of ours and postgres.js's result is emptied: its query object keeps the result
      // and stores closures over itself in its fields (resolve, reject), which V8's minor GC does not let die young
      // with their scope, so every answer's rows were promoted to the old generation (see pagination.ts, Edge).
      const rows = result.slice();
      result.length = 0;
      return rows;
    });
    return {
      db,
      kind: 'postgres',
      statements,
      async migrate() {
        // Several instances may start at once: one applies the migrations, the others wait for it.
        const single = postgres(options.url, { max: 1, onnotice: () => {} });
        try {
          await single`select pg_advisory_lock(7243001)`;
          await migratePostgres(drizzlePostgres({ client: single }), { migrationsFolder: MIGRATIONS_FOLDER });
          await single`select pg_advisory_unlock(7243001)`;
        } finally {
          await single.end({ timeout: 5 });
        }
      },
      close: () => client.end({ timeout: 5 }),
    };
  }
  const dataDir = options.url === 'memory://' ? undefined : options.url;
  const release = dataDir ? await holdDataFolder(dataDir) : async () => {};
  const client = await (dataDir ? PGlite.create(dataDir) : PGlite.create({ loadDataDir: options.loadDataDir })).catch(
    async (e: unknown) => {
      await release();
      throw e;
    },
  );
  if (dataDir) makePrivate(dataDir);
  const db = drizzlePglite({ client, schema, logger }) as unknown as Db;
  driverQueries.set(db, async (text, params) => {
    statements.count++;
    return (await client.query<unknown[]>(text, params as unknown[], pgliteArrays)).rows;
  });
  return {
    db,
    kind: 'pglite',
    statements,
    dump: async () => client.dumpDataDir('none'),
    migrate: () => migratePglite(drizzlePglite({ client }), { migrationsFolder: MIGRATIONS_FOLDER }),
    close: async () => {
      await client.close();
      if (dataDir) makePrivate(dataDir);
      await release();
    },
  };
}

/** The driver's error inside a database error (Drizzle wraps it in `cause`): the first with a SQLSTATE `code`. */
function driverError(error: unknown): Record<string, unknown> | undefined {
  let e: unknown = error;
  for (let depth = 0; e && depth < 4; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return e as Record<string, unknown>;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/** The SQLSTATE of a database error, whichever driver raised it. */
export function pgErrorCode(error: unknown): string | undefined {
  return driverError(error)?.code as string | undefined;
}

/** The table, column and constraint (or unique index) a database error names, whichever driver raised it. */
export function pgErrorNames(error: unknown): { table?: string; column?: string; constraint?: string } {
  // postgres.js spells the fields out (constraint_name); PGlite's errors are node-postgres's (constraint).
  const f = (driverError(error) ?? {}) as Record<string, string | undefined>;
  return {
    table: f.table_name ?? f.table,
    column: f.column_name ?? f.column,
    constraint: f.constraint_name ?? f.constraint,
  };
}

export const UNIQUE_VIOLATION = '23505';
export const NOT_NULL_VIOLATION = '23502';
export const CHECK_VIOLATION = '23514';
export const DEADLOCK_DETECTED = '40P01';

/**
 * Runs a statement that is a transaction of its own once more if PostgreSQL broke a deadlock by failing it (it then
 * wrote nothing): the other party has gone on, so the second try finds the way clear. Once: a second deadlock is an
 * error like any other.
 */
export async function againIfDeadlocked<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    if (pgErrorCode(e) !== DEADLOCK_DETECTED) throw e;
    return run();
  }
}
