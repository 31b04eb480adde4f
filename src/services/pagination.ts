// Keyset pagination: a cursor is the sort key of the last row, made opaque; never OFFSET.
import { pgErrorCode } from '../db/client.js';
import { DomainError } from './errors.js';

export const MAX_PAGE_SIZE = 500;
export const DEFAULT_PAGE_SIZE = 50;

export interface PageArgs {
  first?: number | null;
  after?: string | null;
  /** Relay's backward arguments: the schema has them on every connection, keyset pages here only go forward. */
  last?: number | null;
  before?: string | null;
}

export interface Page<T> {
  rows: T[];
  cursors: string[];
  hasNextPage: boolean;
}

export function encodeCursor(values: unknown[]): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

export function decodeCursor(cursor: string, size: number): string[] {
  try {
    const values = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(values) && values.length === size && values.every((v) => typeof v === 'string')) {
      return values as string[];
    }
  } catch {
    // fall through to the error below
  }
  throw badCursor();
}

const badCursor = () =>
  new DomainError('INVALID', 'The cursor `after` is not one this connection gave out.', { field: ['after'] });

export function pageSize(first: number | null | undefined): number {
  const n = first ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(n) || n < 0 || n > MAX_PAGE_SIZE) {
    throw new DomainError('INVALID', `first must be between 0 and ${MAX_PAGE_SIZE}.`, { field: ['first'] });
  }
  return n;
}

/** Fetches one row more than asked to learn whether a next page exists. */
export async function keysetPage<T extends Record<string, unknown>>(
  args: PageArgs,
  keys: (keyof T & string)[],
  fetch: (after: string[] | null, limit: number) => Promise<T[]>,
): Promise<Page<T>> {
  if (args.last != null || args.before != null) {
    throw new DomainError('INVALID', 'Connections page forward only: use first and after.', {
      field: [args.last != null ? 'last' : 'before'],
    });
  }
  const size = pageSize(args.first);
  const after = args.after ? decodeCursor(args.after, keys.length) : null;
  const rows =
    size === 0
      ? []
      : await Promise.resolve()
          .then(() => fetch(after, size + 1))
          .catch((e: unknown) => {
            // A cursor is opaque but not signed: a forged one whose values are not of their column's type fails in
            // PostgreSQL with a data exception (class 22: an id that is no uuid), or before it when a time is no
            // time (RangeError). That is the caller's bad input, not a server error.
            if (after && (e instanceof RangeError || pgErrorCode(e)?.startsWith('22'))) throw badCursor();
            throw e;
          });
  const hasNextPage = rows.length > size;
  const page = rows.slice(0, size);
  return {
    rows: page,
    hasNextPage,
    cursors: page.map((row) => encodeCursor(keys.map((k) => cursorValue(row[k])))),
  };
}

function cursorValue(v: unknown): string {
  return v instanceof Date ? v.toISOString() : String(v);
}
