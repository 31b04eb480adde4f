// Keyset pagination: a cursor is the sort key of a row, made opaque; never OFFSET. Both directions of the Relay
// Cursor Connections spec: first/after pages forward, last/before backward (fetched in reversed order, then turned
// back), through Pothos' resolveCursorConnection, which builds edges and pageInfo.
import { parseCursorConnectionArgs } from '@pothos/plugin-relay';
import { and, asc, count, desc, type SQL, sql } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import { type Db, pgErrorCode } from '../db/client.js';
import { msg } from '../messages/index.js';
import { DomainError } from './errors.js';

export const MAX_PAGE_SIZE = 500;
export const DEFAULT_PAGE_SIZE = 50;

export interface PageArgs {
  first?: number | null;
  after?: string | null;
  last?: number | null;
  before?: string | null;
}

/** A Relay connection (what Pothos' t.connection resolves to). */
export interface Page<T> {
  edges: { cursor: string; node: T }[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
  /** Every row the connection holds with its filters, whatever the page: counted only when asked for, once. */
  totalCount: () => Promise<number>;
}

/** How many rows of `table` match `where`: a connection's totalCount. */
export async function countWhere(db: Db, table: PgTable, where: SQL | undefined): Promise<number> {
  const [row] = await db.select({ n: count() }).from(table).where(where);
  return row?.n ?? 0;
}

/**
 * A connection over whole rows of one table: the page (keyset) and its count, both with `where`. Most connections
 * are this; the others (joins, chosen columns, prepared statements) call keysetPage themselves.
 */
export function tablePage<T extends PgTable>(
  db: Db,
  table: T,
  args: PageArgs,
  order: KeysetOrder<T['$inferSelect']>,
  where: SQL | undefined,
): Promise<Page<T['$inferSelect']>> {
  return keysetPage(
    args,
    order,
    (page) =>
      db
        .select()
        .from(table as PgTable)
        .where(and(where, page.where))
        .orderBy(...page.orderBy)
        .limit(page.limit) as unknown as Promise<T['$inferSelect'][]>,
    () => countWhere(db, table, where),
  );
}

/** A count, run on its first call only (a connection's totalCount, asked for or not). */
function once(count: () => Promise<number>): () => Promise<number> {
  let result: Promise<number> | undefined;
  return () => (result ??= count());
}

/**
 * The sort of a connection: its key columns, most significant first, all in one direction (so that one row-value
 * comparison is the keyset predicate), each with the property of a fetched row its cursor value is read from.
 */
export interface KeysetOrder<T> {
  direction: 'asc' | 'desc';
  keys: readonly { column: PgColumn; field: keyof T & string }[];
}

/** Where a page starts and ends: decoded cursor values (or placeholders of a prepared statement), and its direction. */
export interface KeysetBounds {
  after?: readonly unknown[] | null;
  before?: readonly unknown[] | null;
  /** Backward paging: the rows nearest `before` come first (ORDER BY reversed); the caller turns them back. */
  inverted?: boolean;
}

/**
 * The keyset helper: the predicate `(k1, k2, …) > (v1, v2, …)` (or `<`; both bounds when both are given), each
 * value cast to its column's type (timestamptz, uuid, text, bigint, …), and the ORDER BY, reversed when inverted.
 */
export function keyset<T>(order: KeysetOrder<T>, bounds: KeysetBounds): { where: SQL | undefined; orderBy: SQL[] } {
  const columns = order.keys.map((k) => k.column);
  const ascending = order.direction === 'asc';
  const row = sql`(${sql.join(columns, sql`, `)})`;
  const compare = (values: readonly unknown[], op: '>' | '<') => {
    if (values.length !== columns.length) throw new Error(`A keyset of ${columns.length} columns got ${values.length}`);
    const cast = values.map((v, i) => sql`${v}::${sql.raw(columns[i]!.getSQLType())}`);
    return sql`${row} ${sql.raw(op)} (${sql.join(cast, sql`, `)})`;
  };
  const predicates = [
    bounds.after ? compare(bounds.after, ascending ? '>' : '<') : undefined,
    bounds.before ? compare(bounds.before, ascending ? '<' : '>') : undefined,
  ].filter((p) => p !== undefined);
  const forward = ascending !== Boolean(bounds.inverted);
  return {
    where: predicates.length ? sql.join(predicates, sql` and `) : undefined,
    orderBy: columns.map((c) => (forward ? asc(c) : desc(c))),
  };
}

/** What keysetPage hands the query of a page: the keyset's SQL, the row count to fetch, and the decoded bounds. */
export interface KeysetQuery {
  where: SQL | undefined;
  orderBy: SQL[];
  /** One row more than the page, to learn whether more exist. */
  limit: number;
  after: string[] | null;
  before: string[] | null;
  inverted: boolean;
}

export function encodeCursor(values: unknown[]): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

type CursorArg = 'after' | 'before';

export function decodeCursor(cursor: string, size: number, field: CursorArg = 'after'): string[] {
  try {
    const values = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(values) && values.length === size && values.every((v) => typeof v === 'string')) {
      return values as string[];
    }
  } catch {
    // fall through to the error below
  }
  throw badCursor(field);
}

const badCursor = (field: CursorArg) =>
  new DomainError('INVALID', msg('paging.badCursor', { field }), { field: [field] });

export function pageSize(n: number | null | undefined, field: 'first' | 'last' = 'first'): number {
  const size = n ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(size) || size < 0 || size > MAX_PAGE_SIZE) {
    throw new DomainError('INVALID', msg('paging.size', { field, max: MAX_PAGE_SIZE }), { field: [field] });
  }
  return size;
}

/**
 * One page of a keyset connection. The sizes and cursors are checked here (INVALID naming the argument), then
 * resolveCursorConnection asks `fetch` for limit rows (one more than the page) in the order `query.orderBy` gives,
 * trims, reverses a backward page and builds edges and pageInfo.
 */
export async function keysetPage<T extends object>(
  args: PageArgs,
  order: KeysetOrder<T>,
  fetch: (query: KeysetQuery) => Promise<T[]>,
  count: () => Promise<number>,
): Promise<Page<T>> {
  if (args.first != null && args.last != null) {
    throw new DomainError('INVALID', msg('paging.bothDirections'), { field: ['last'] });
  }
  // Checked here, before Pothos, which would clamp a size over its maxSize rather than refuse it.
  const size = args.last != null ? pageSize(args.last, 'last') : pageSize(args.first, 'first');
  const after = args.after ? decodeCursor(args.after, order.keys.length, 'after') : null;
  const before = args.before ? decodeCursor(args.before, order.keys.length, 'before') : null;
  const { limit, inverted, expectedSize, hasPreviousPage, hasNextPage } = parseCursorConnectionArgs({
    args: { first: args.first, last: args.last, after: args.after, before: args.before },
    defaultSize: DEFAULT_PAGE_SIZE,
    maxSize: MAX_PAGE_SIZE,
  });
  let rows: T[] = [];
  if (size > 0) {
    try {
      rows = await fetch({ ...keyset(order, { after, before, inverted }), limit, after, before, inverted });
    } catch (e) {
      // A cursor is opaque but not signed: a forged one whose values are not of their column's type fails in
      // PostgreSQL with a data exception (class 22: an id that is no uuid, a time that is no time), or before it
      // (RangeError). That is the caller's bad input, not a server error.
      if ((after || before) && (e instanceof RangeError || pgErrorCode(e)?.startsWith('22'))) {
        throw badCursor(after ? 'after' : 'before');
      }
      throw e;
    }
  }
  // Pothos' resolveCursorConnection, except that a cursor is encoded only when read (edges { cursor }, pageInfo):
  // most pages ask for neither. No closure is made per page (see Edge).
  const trimmed = rows.slice(0, expectedSize);
  if (inverted) trimmed.reverse();
  const edges = trimmed.map((node) => new Edge(node, order));
  return {
    edges,
    pageInfo: new PageInfo(edges, hasNextPage(rows.length), hasPreviousPage(rows.length)),
    totalCount: once(count),
  };
}

// Edges and page info are class instances that encode their cursors in prototype getters, not objects holding a
// closure over the page: V8's minor GC kept every page whose objects held such closures (getters in a literal, a
// function stored in a field), so on the users page each page's rows were promoted to the old generation and only a
// full GC freed them (bench: the server's peak RSS and its GC time under load).

/** An edge whose cursor is encoded on first read. */
class Edge<T extends object> {
  #cursor: string | undefined;
  constructor(
    readonly node: T,
    private readonly order: KeysetOrder<T>,
  ) {}
  get cursor(): string {
    this.#cursor ??= encodeCursor(this.order.keys.map((k) => cursorValue(this.node[k.field])));
    return this.#cursor;
  }
}

/** A page's pageInfo: an empty page has no cursors (Pothos would repeat the request's cursor, or answer ''). */
class PageInfo {
  constructor(
    private readonly edges: readonly { readonly cursor: string }[],
    readonly hasNextPage: boolean,
    readonly hasPreviousPage: boolean,
  ) {}
  get startCursor(): string | null {
    return this.edges[0]?.cursor ?? null;
  }
  get endCursor(): string | null {
    return this.edges.at(-1)?.cursor ?? null;
  }
}

function cursorValue(v: unknown): string {
  return v instanceof Date ? v.toISOString() : String(v);
}
