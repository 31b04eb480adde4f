// The statements of the hot read path (every authenticated request, every users page) are built once per database
// handle and sent as prepared statements: Drizzle stops rebuilding their SQL text on each request, and PostgreSQL
// parses and plans them once per connection. Their text must not depend on the values, so lists travel as one array
// parameter (`= any($1::uuid[])`).
// The unfiltered users page is prepared too: its generic plan range-scans (customer_id, upn_lower). (Until migration
// 0002 a sign-in index on upn_lower alone lured the generic plan into reading every customer's users.)
import { Column, fillPlaceholders, is, SQL, sql } from 'drizzle-orm';
import { type PgColumn, type PgDialect, PgTimestamp } from 'drizzle-orm/pg-core';
import type { SelectResultFields } from 'drizzle-orm/query-builders/select.types';
import { type Db, driverQuery } from './client.js';

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

/** A Postgres array literal of text values (each quoted), for `unnest(…::text[])`: one text parameter. */
export function textArray(values: readonly string[]): string {
  return `{${values.map((v) => `"${v.replace(/[\\"]/g, '\\$&')}"`).join(',')}}`;
}

/** A Postgres array literal of uuids, for `= any(…::uuid[])`: both drivers pass it as one text parameter. */
export function uuidArray(ids: readonly string[]): string {
  return `{${ids.join(',')}}`;
}

/** What a driver statement selects: table columns (decoded by the column, as Drizzle would) and typed SQL. */
export type DriverFields = Record<string, PgColumn | SQL>;

/** A driver statement's row: what Drizzle's select of the same fields would give. */
export type DriverRow<F extends DriverFields> = SelectResultFields<F>;

/**
 * A hot statement through the driver (db/client.ts driverQuery), without Drizzle's generic row mapping: the text is
 * still Drizzle's (built once per handle from `build`, the select of `fields` with placeholders), each row is decoded
 * positionally, and only columns whose type has a decoder (timestamps) are touched. Undefined for a handle with no
 * driver of its own (a transaction's): the caller then takes its Drizzle path.
 */
export function driverStatement<F extends DriverFields, P extends Record<string, unknown>>(
  name: string,
  fields: F,
  build: (db: Db, fields: F) => { toSQL(): { sql: string; params: unknown[] } },
): (db: Db) => ((values: P) => Promise<DriverRow<F>[]>) | undefined {
  const keys = Object.keys(fields);
  const decoders = keys.map((k) => {
    const f = fields[k];
    return is(f, Column) && f.mapFromDriverValue !== Column.prototype.mapFromDriverValue ? f : null;
  });
  const decode = (row: unknown[]) => {
    const out: Record<string, unknown> = {};
    for (let i = 0; i < keys.length; i++) {
      const v = row[i];
      const d = decoders[i];
      out[keys[i]!] = d && v !== null ? d.mapFromDriverValue(v) : v;
    }
    return out as DriverRow<F>;
  };
  const statement = preparedStatement(name, (db) => {
    const query = driverQuery(db);
    if (!query) return null;
    const { sql: text, params } = build(db, fields).toSQL();
    return async (values: P) => (await query(text, fillPlaceholders(params, values))).map(decode);
  });
  return (db) => statement(db) ?? undefined;
}

/** What SQL decodes its value with (Drizzle's internal field; the same object for every SQL without mapWith). */
const decoderOf = (f: SQL) => (f as unknown as { decoder: unknown }).decoder;

/**
 * driverStatement for a page of rows that come back as ONE json value: an array of objects named by the keys of
 * `fields`, in the order of the `order` keys (ascending), which the driver parses with one JSON.parse where, row by
 * row, it would decode each column of each row and then copy each row into an object of our keys. The parsed objects
 * are the rows; their timestamps are made Dates as their columns' decoders make them (a column of another type with a
 * decoder of its own is refused when the statement is defined: its JSON form may not be what the decoder expects).
 * `build` gets the select list (each field named by its key) and returns the select of the rows.
 */
export function driverJsonRows<F extends DriverFields, P extends Record<string, unknown>>(
  name: string,
  fields: F,
  order: readonly (keyof F & string)[],
  build: (db: Db, selectList: SQL) => SQL,
): (db: Db) => ((values: P) => Promise<DriverRow<F>[]>) | undefined {
  const timestamps: [string, PgColumn][] = [];
  for (const [key, f] of Object.entries(fields)) {
    if (is(f, SQL) && decoderOf(f) !== decoderOf(sql``)) throw new Error(`${name}: ${key} has a decoder (mapWith)`);
    if (!is(f, Column) || f.mapFromDriverValue === Column.prototype.mapFromDriverValue) continue;
    if (!is(f, PgTimestamp)) throw new Error(`${name}: ${key} has a decoder its JSON form may not suit`);
    timestamps.push([key, f]);
  }
  const selectList = sql.join(
    Object.entries(fields).map(([key, f]) => sql`${f} as ${sql.identifier(key)}`),
    sql`, `,
  );
  const ordered = sql.join(
    order.map((key) => sql`r.${sql.identifier(key)}`),
    sql`, `,
  );
  const statement = preparedStatement(name, (db) => {
    const query = driverQuery(db);
    if (!query) return null;
    const rows = build(db, selectList);
    const { sql: text, params } = (db as unknown as { dialect: PgDialect }).dialect.sqlToQuery(
      sql`select coalesce(json_agg(r order by ${ordered}), '[]'::json) from (${rows}) r`,
    );
    return async (values: P) => {
      const [[page]] = (await query(text, fillPlaceholders(params, values))) as [[Record<string, unknown>[]]];
      for (const row of page) {
        for (const [key, column] of timestamps) {
          const v = row[key];
          if (v !== null) row[key] = column.mapFromDriverValue(v);
        }
      }
      return page as DriverRow<F>[];
    };
  });
  return (db) => statement(db) ?? undefined;
}

/** A value a templateStatement fills a placeholder with. */
type Leaf = string | number | boolean | bigint | null | Date;

/** Named values, nested in plain objects and arrays, whose leaves fill a templateStatement's placeholders. */
export type TemplateValues = { readonly [key: string]: Leaf | TemplateValues | readonly (Leaf | TemplateValues)[] };

const MAX_SHAPES = 8;

/**
 * A statement whose text depends only on the shape of its values (which keys, how many items in each list), built
 * once per database handle and shape with a placeholder for each leaf, and sent prepared: Drizzle builds its SQL once
 * instead of at every call (for a createUser, a fifth of the event loop's work besides the hash), and PostgreSQL
 * plans it once per connection. `build` gets the values with every leaf replaced by its placeholder — it never sees a
 * value, so the text cannot depend on one; it must not test a leaf either (a placeholder is truthy even for null):
 * what may be absent is a list, empty or not. Leaves must be driver-ready where they are not a column's value (an ISO
 * string for a timestamp in raw SQL, an array literal for `::uuid[]`); a column's value goes through the column's
 * encoder even when null, so a nullable column whose encoder cannot take null (jsonb, timestamp) must be written as
 * SQL around the leaf (`${leaf}::jsonb`), not as the column's value. Undefined is refused (a missing value would be a
 * different statement with a column default); SQL too (it would be replaced by a placeholder). Shapes beyond a few
 * are built at each call, never cached.
 */
export function templateStatement<V extends TemplateValues, R>(
  name: string,
  build: (db: Db, placeholders: V, name: string) => { execute(values: Record<string, unknown>): Promise<R> },
): (db: Db, values: V) => Promise<R> {
  const byDb = new WeakMap<Db, Map<string, { execute(values: Record<string, unknown>): Promise<R> }>>();
  return (db, values) => {
    // The leaves in the order of a walk of the values: the placeholders are named by their index in it.
    const leaves: unknown[] = [];
    const shape = flatten(values, 'the values', leaves);
    let byShape = byDb.get(db);
    if (!byShape) byDb.set(db, (byShape = new Map()));
    let statement = byShape.get(shape);
    if (!statement) {
      statement = build(db, placeholdersOf(values, { next: 0 }) as V, `${name}_${byShape.size}`);
      if (byShape.size < MAX_SHAPES) byShape.set(shape, statement);
    }
    // Drizzle fills placeholder `i` with values[i]: the array is the record.
    return statement.execute(leaves as unknown as Record<string, unknown>);
  };
}

const isLeaf = (v: unknown): v is Leaf => v === null || typeof v !== 'object' || v instanceof Date;

/**
 * Collects the leaves of `value` into `into` in walk order, and returns its shape: keys quoted, so that no two shapes
 * read the same. (Plain loops, not entries/map/join: this runs at every call.)
 */
function flatten(value: unknown, key: string, into: unknown[]): string {
  if (value === undefined) throw new Error(`templateStatement: ${key} is undefined`);
  if (isLeaf(value)) {
    into.push(value);
    return '';
  }
  let shape: string;
  if (Array.isArray(value)) {
    shape = '[';
    for (let i = 0; i < value.length; i++) shape += `${flatten(value[i], key, into)},`;
    return `${shape}]`;
  }
  if (Object.getPrototypeOf(value) !== Object.prototype) throw new Error(`templateStatement: ${key} is not a value`);
  shape = '{';
  const object = value as Record<string, unknown>;
  for (const k in object) shape += `${JSON.stringify(k)}:${flatten(object[k], k, into)},`;
  return `${shape}}`;
}

/** `value` with each leaf replaced by placeholder `i`, its index in flatten's walk (the same order). */
function placeholdersOf(value: unknown, counter: { next: number }): unknown {
  if (isLeaf(value)) return sql.placeholder(String(counter.next++));
  if (Array.isArray(value)) return value.map((v) => placeholdersOf(v, counter));
  const out: Record<string, unknown> = {};
  const object = value as Record<string, unknown>;
  for (const k in object) out[k] = placeholdersOf(object[k], counter);
  return out;
}
