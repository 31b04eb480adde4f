// The statements of the hot read path (every authenticated request, every users page) are built once per database
// handle and sent as prepared statements: Drizzle stops rebuilding their SQL text on each request, and PostgreSQL
// parses and plans them once per connection. Their text must not depend on the values, so lists travel as one array
// parameter (`= any($1::uuid[])`).
// The unfiltered users page is prepared too: its generic plan range-scans (customer_id, upn_lower). (Until migration
// 0002 a sign-in index on upn_lower alone lured the generic plan into reading every customer's users.)
import type { Db } from './client.js';

const statements = new WeakMap<Db, Map<string, unknown>>();

export function preparedStatement<T>(name: string, build: (db: Db, name: string) => T): (db: Db) => T {
  return (db) => {
    let byName = statements.get(db);
    if (!byName) statements.set(db, (byName = new Map()));
    let statement = byName.get(name) as T | undefined;
    if (statement === undefined) byName.set(name, (statement = build(db, name)));
    return statement;
  };
}

/** A Postgres array literal of uuids, for `= any(…::uuid[])`: both drivers pass it as one text parameter. */
export function uuidArray(ids: readonly string[]): string {
  return `{${ids.join(',')}}`;
}
