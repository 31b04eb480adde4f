import { and, eq, gt, gte, ilike, inArray, or, type SQL, sql } from 'drizzle-orm';
import type { DirectoryRole } from '../../auth/roles.js';
import { DAY_MS } from '../../clock.js';
import type { Db } from '../../db/client.js';
import { driverJsonRows, preparedStatement, uuidArray } from '../../db/prepared.js';
import { licenseAssignments, userRoles, users } from '../../db/schema.js';
import { msg } from '../../messages/index.js';
import { authorizeCustomerTask } from '../authorization.js';
import type { ServiceContext } from '../context.js';
import { invalid, notFound } from '../errors.js';
import {
  countWhere,
  type KeysetOrder,
  type KeysetQuery,
  keyset,
  keysetPage,
  type Page,
  type PageArgs,
} from '../pagination.js';
import { type SkuRow, skuCatalogue, skuRank } from '../skus.js';
import { customerTask, readCustomer } from '../tasks.js';
import { escapeLike } from '../validation.js';
import {
  RESTORE_WINDOW_DAYS,
  setDetails,
  type UserDetails,
  type UserLicense,
  type UserNode,
  type UserRow,
  userColumns,
} from './row.js';

export type { UserDetails, UserLicense };

export interface UserFilter {
  search?: string | null;
  roleIn?: DirectoryRole[] | null;
  hasLicense?: boolean | null;
  /** Users changed at or after this instant, deleted ones included, oldest change first. */
  updatedSince?: Date | null;
}

const likePattern = (search: string) => `%${escapeLike(search)}%`;

const BY_UPN: KeysetOrder<UserRow> = { direction: 'asc', keys: [{ column: users.upnLower, field: 'upnLower' }] };

export type UserOrderField = 'USER_PRINCIPAL_NAME' | 'DISPLAY_NAME' | 'CREATED_AT';

/** The keyset of each sort of active users; each has an index (users_active_upn_key, users_active_name_idx, …). */
const USER_ORDERS: Record<UserOrderField, KeysetOrder<UserRow>['keys']> = {
  USER_PRINCIPAL_NAME: BY_UPN.keys,
  DISPLAY_NAME: [
    { column: users.displayName, field: 'displayName' },
    { column: users.id, field: 'id' },
  ],
  CREATED_AT: [
    { column: users.createdAt, field: 'createdAt' },
    { column: users.id, field: 'id' },
  ],
};

/**
 * Active users in UPN order (the unique index users_active_upn_key serves the keyset). With `details` (the query asks
 * for roles or licences), the plain page reads each user's roles and licences in its own statement and attaches them
 * to the rows (row.ts setDetails); other pages leave them to the DataLoader (graphql/user-details.ts).
 */
export const listUsers = customerTask(
  readCustomer.tasks,
  async function listUsers(
    ctx: ServiceContext,
    customerId: string,
    args: PageArgs & {
      filter?: UserFilter | null;
      orderBy?: { field: UserOrderField; direction?: 'ASC' | 'DESC' | null } | null;
    },
    /**
     * `details`: the query asks for roles or licences; `columns`: the row columns its fields read (null or absent:
     * all). The plain page then reads only those (and the keys: id, upnLower; the customer is `customerId`).
     * `assignedAt: false`: it asks for no licence's assignedAt, which the page then does not read.
     */
    options: { details?: boolean; columns?: readonly (keyof UserRow)[] | null; assignedAt?: boolean } = {},
  ): Promise<Page<UserNode>> {
    await authorizeCustomerTask(ctx, readCustomer.tasks[0], customerId);
    const f = args.filter ?? {};
    const search = f.search?.trim();
    const since = f.updatedSince;
    if (since && args.orderBy) {
      throw invalid(['orderBy'], msg('users.syncWithOrderBy'));
    }
    const order: KeysetOrder<UserRow> = since
      ? BY_UPDATE
      : args.orderBy
        ? { direction: args.orderBy.direction === 'DESC' ? 'desc' : 'asc', keys: USER_ORDERS[args.orderBy.field] }
        : BY_UPN;
    const unfiltered = !search && !f.roleIn?.length && f.hasLicense == null && !since && order === BY_UPN;
    // A sync (updatedSince): every user changed since then, deleted ones included, oldest change first. Built only
    // when used: the plain page runs prepared statements.
    const filters = () =>
      and(
        eq(users.customerId, customerId),
        since ? gte(users.updatedAt, since) : eq(users.state, 'ACTIVE'),
        search
          ? or(ilike(users.userPrincipalName, likePattern(search)), ilike(users.displayName, likePattern(search)))
          : undefined,
        f.roleIn?.length
          ? sql`exists (select 1 from ${userRoles} where ${userRoles.customerId} = ${users.customerId}
            and ${userRoles.userId} = ${users.id} and ${inArray(userRoles.role, f.roleIn)})`
          : undefined,
        f.hasLicense === true || f.hasLicense === false
          ? sql`${sql.raw(f.hasLicense ? '' : 'not ')}exists (select 1 from ${licenseAssignments}
            where ${licenseAssignments.customerId} = ${users.customerId} and ${licenseAssignments.userId} = ${users.id})`
          : undefined,
      );
    return keysetPage(
      args,
      order,
      (page) => {
        // The hot path, forward without a filter, runs prepared; backward paging and filters build their query.
        if (!unfiltered || page.inverted || page.before) return filteredPage(page);
        const withDetails = options.details
          ? pageWithDetails(options.columns ?? null, options.assignedAt ?? true, Boolean(page.after))(ctx.db)
          : undefined;
        if (withDetails) {
          const values = { customerId, after: page.after?.[0] ?? null, limit: page.limit };
          // Rows of the columns the query's fields read, typed whole: the columns left out are never asked for. Their
          // customer is the one the statement read them from (not read: one string for the page, not one a row).
          return withDetails(values).then((rows) => {
            for (const row of rows) row.customerId = customerId;
            return attachDetails(ctx.db, rows as (UserRow & Details)[]);
          });
        }
        return page.after
          ? usersPageAfter(ctx.db).execute({ customerId, after: page.after[0]!, limit: page.limit })
          : usersFirstPage(ctx.db).execute({ customerId, limit: page.limit });
      },
      () => countWhere(ctx.db, users, filters()),
    );
    function filteredPage(page: KeysetQuery) {
      return ctx.db
        .select(userColumns)
        .from(users)
        .where(and(filters(), page.where))
        .orderBy(...page.orderBy)
        .limit(page.limit);
    }
  },
);

const BY_UPDATE: KeysetOrder<UserRow> = {
  direction: 'asc',
  keys: [
    { column: users.updatedAt, field: 'updatedAt' },
    { column: users.id, field: 'id' },
  ],
};

/**
 * WHERE and ORDER BY of the plain users page (no filter), the read path every front end starts with: active users in
 * UPN order, from the start or after the `after` placeholder. It range-scans users_active_upn_key (customer_id,
 * upn_lower), which is also PostgreSQL's generic plan for its prepared statements below.
 */
function plainPage(after: boolean) {
  const page = keyset(BY_UPN, after ? { after: [sql.placeholder('after')] } : {});
  return {
    where: and(eq(users.customerId, sql.placeholder('customerId')), eq(users.state, 'ACTIVE'), page.where),
    orderBy: page.orderBy,
  };
}

const plainPageOfRows = (after: boolean) =>
  preparedStatement(after ? 'users_page_after' : 'users_first_page', (db, name) => {
    const page = plainPage(after);
    return db
      .select(userColumns)
      .from(users)
      .where(page.where)
      .orderBy(...page.orderBy)
      .limit(sql.placeholder('limit'))
      .prepare(name);
  });
const usersFirstPage = plainPageOfRows(false);
const usersPageAfter = plainPageOfRows(true);

const BY_DELETION: KeysetOrder<UserRow> = {
  direction: 'desc',
  keys: [
    { column: users.deletedAt, field: 'deletedAt' },
    { column: users.id, field: 'id' },
  ],
};

/** Deleted (inactive) users, most recently deleted first. */
export const listDeletedUsers = customerTask(
  readCustomer.tasks,
  async function listDeletedUsers(ctx: ServiceContext, customerId: string, args: PageArgs): Promise<Page<UserRow>> {
    await authorizeCustomerTask(ctx, readCustomer.tasks[0], customerId);
    const where = and(
      eq(users.customerId, customerId),
      eq(users.state, 'INACTIVE'),
      // Restorable ones only: from 30 days on, restore refuses and the purge takes them (services/users/purge.ts).
      gt(users.deletedAt, new Date(ctx.clock.now().getTime() - RESTORE_WINDOW_DAYS * DAY_MS)),
    );
    return keysetPage(
      args,
      BY_DELETION,
      (page) =>
        ctx.db
          .select(userColumns)
          .from(users)
          .where(and(where, page.where))
          .orderBy(...page.orderBy)
          .limit(page.limit),
      () => countWhere(ctx.db, users, where),
    );
  },
);

export const getUserByUpn = customerTask(
  readCustomer.tasks,
  async function getUserByUpn(ctx: ServiceContext, customerId: string, upn: string): Promise<UserRow> {
    await authorizeCustomerTask(ctx, readCustomer.tasks[0], customerId);
    const [row] = await ctx.db
      .select(userColumns)
      .from(users)
      .where(and(eq(users.customerId, customerId), eq(users.upnLower, upn.toLowerCase()), eq(users.state, 'ACTIVE')));
    if (!row) throw notFound('user');
    return row;
  },
);

/** A user, active or deleted, by id. */
export async function getUser(ctx: ServiceContext, customerId: string, userId: string): Promise<UserRow> {
  await authorizeCustomerTask(ctx, readCustomer.tasks[0], customerId);
  const [row] = await ctx.db
    .select(userColumns)
    .from(users)
    .where(and(eq(users.customerId, customerId), eq(users.id, userId)));
  if (!row) throw notFound('user');
  return row;
}

export interface UserKey {
  customerId: string;
  userId: string;
}

/**
 * A licence as the details subquery gives it: the SKU by id (resolved from the in-memory catalogue); without its
 * assignment time when the page's query does not ask for it (leanDetailFields).
 */
export interface LicenseJson {
  skuId: string;
  seated: boolean;
  assignedAt?: string;
}

// Roles and licences of the row of `users` a statement reads: correlated subqueries, each on its (customer_id,
// user_id) index. Licences come as SKU ids, resolved from the in-memory SKU catalogue, so SKU columns do not travel
// once per assignment. Written out with table names: in the select list of a one-table select Drizzle leaves columns
// unqualified, and inside a subquery those would bind to the subquery's own table.
const ROW_LICENCES = sql.raw(
  'license_assignments la where la.customer_id = "users"."customer_id" and la.user_id = "users"."id"',
);
const detailFields = {
  roles: rolesOf(sql.raw('user_roles r where r.customer_id = "users"."customer_id" and r.user_id = "users"."id"')),
  licenses: licencesOf(ROW_LICENCES),
};

/**
 * The details of a page whose query asks for no licence's assignedAt: a third less JSON a licence to send and parse
 * (the users page as the bench asks for it).
 */
const leanDetailFields = {
  roles: detailFields.roles,
  licenses: licencesOf(ROW_LICENCES, false),
};

/** A user's roles as a statement aggregates them, from `from` (rows with a `role`), by name. */
export function rolesOf(from: SQL) {
  return sql<string[]>`array(select role from ${from} order by role)`;
}

/**
 * A user's licences as a statement aggregates them, from `from` (rows with sku_id, seated and created_at), in SKU id
 * order (toDetails then orders them by name), as JSON; with `assignedAt` unless told not to.
 */
export function licencesOf(from: SQL, assignedAt = true) {
  return sql<LicenseJson[]>`coalesce((select json_agg(json_build_object('skuId', sku_id, 'seated', seated${
    assignedAt ? sql`, 'assignedAt', created_at` : sql``
  }) order by sku_id) from ${from}), '[]'::json)`;
}

/** A licence as a statement read it: its assignment time is parsed when read (a users page seldom asks for it). */
class ReadLicense implements UserLicense {
  #assignedAt: Date | undefined;
  constructor(
    readonly sku: SkuRow,
    readonly seated: boolean,
    private readonly assignedAtText: string | undefined,
  ) {}
  get assignedAt(): Date {
    // Not read: the statement was chosen for a query that does not ask for it (a bug if this is reached).
    if (this.assignedAtText === undefined) throw new Error('a licence read without its assignment time');
    this.#assignedAt ??= new Date(this.assignedAtText);
    return this.#assignedAt;
  }
}

/**
 * The SKU catalogue, knowing every SKU the rows' licences name; none read when they name none (a new customer's
 * Global Administrator, inside its creation's transaction).
 */
const catalogueFor = (db: Db, rows: readonly { licenses: LicenseJson[] }[]) =>
  rows.some((r) => r.licenses.length)
    ? skuCatalogue(db, (known) => rows.every((r) => r.licenses.every((l) => known.has(l.skuId))))
    : Promise.resolve(NO_SKUS);
const NO_SKUS = new Map<string, SkuRow>();

/** One user's details from the subqueries' values; licences by SKU name (the catalogue's order: skuRank). */
function toDetails(roles: string[], licenses: LicenseJson[], catalogue: Map<string, SkuRow>): UserDetails {
  // Made at its size (map), then put in order by an insertion sort: a user holds a few licences, and both a growing
  // array and Array.prototype.sort would allocate more than the licences themselves.
  const sorted = licenses.map((l): UserLicense => new ReadLicense(catalogue.get(l.skuId)!, l.seated, l.assignedAt));
  for (let j = 1; j < sorted.length; j++) {
    const item = sorted[j]!;
    const rank = skuRank(catalogue, item.sku.id);
    let i = j;
    for (; i > 0 && skuRank(catalogue, sorted[i - 1]!.sku.id) > rank; i--) sorted[i] = sorted[i - 1]!;
    sorted[i] = item;
  }
  return { roles: roles as DirectoryRole[], licenses: sorted };
}

// The plain users page with each user's details, for a query that asks for roles or licences: one statement for the
// page, sent through the driver (db/prepared.ts driverJsonRows; undefined in a transaction, which takes the
// Drizzle statements above and the DataLoader). Same where, order and limit as usersFirstPage and usersPageAfter.
/** The details subqueries' raw values, as a statement reading them (or a creation writing them) returns them. */
export type Details = { roles: string[]; licenses: LicenseJson[] };
type PageWithDetailsValues = { customerId: string; after: string | null; limit: number };
type UserColumn = keyof typeof userColumns;
type PageFields = Partial<typeof userColumns> & (typeof detailFields | typeof leanDetailFields);

/**
 * The plain page with details, of `fields`: the first page, or the page after a cursor. Its rows come as one JSON
 * value (db/prepared.ts driverJsonRows): a page of 100 users is one value for the driver to parse instead of 100
 * rows of columns to decode (and each row's licences, JSON already, parsed on its own).
 */
function pageWithDetailsStatements(key: string, fields: PageFields) {
  const statement = (after: boolean) =>
    driverJsonRows<PageFields, PageWithDetailsValues>(
      `users_${after ? 'page_after' : 'first_page'}_details_${key}`,
      fields,
      ['upnLower'],
      (_db, selectList) => {
        const page = plainPage(after);
        return sql`select ${selectList} from ${users} where ${page.where}
          order by ${sql.join(page.orderBy, sql`, `)} limit ${sql.placeholder('limit')}`;
      },
    );
  return { first: statement(false), after: statement(true) };
}

/** What every page reads whatever the query selects: the row's key in its customer and its cursor. */
const PAGE_KEYS: readonly UserColumn[] = ['id', 'upnLower'];
/** Column sets seen (a query's selection decides one): a few in practice; past this many, new ones read every column. */
const MAX_COLUMN_SETS = 64;
const { customerId: _customerId, ...columnsButCustomer } = userColumns;
const ALL_COLUMNS = pageWithDetailsStatements('all', { ...columnsButCustomer, ...detailFields });
const byColumns = new Map<string, typeof ALL_COLUMNS>();

/**
 * The statement of a plain page with details that reads `columns` (null: all), built once per column set: the
 * fewer columns, the less PostgreSQL sends and the less the driver decodes (a page of 100 users as the bench asks
 * for it reads 5 of 23 columns).
 */
function pageWithDetails(columns: readonly UserColumn[] | null, assignedAt: boolean, after: boolean) {
  let statements = ALL_COLUMNS;
  if (columns) {
    const wanted = new Set([...PAGE_KEYS, ...columns]);
    const chosen = (Object.keys(userColumns) as UserColumn[]).filter((c) => wanted.has(c) && c !== 'customerId');
    const key = `${chosen.join(',')}${assignedAt ? '' : ';lean'}`;
    const known = byColumns.get(key);
    if (known) statements = known;
    else if (byColumns.size < MAX_COLUMN_SETS) {
      const fields: PageFields = { ...(assignedAt ? detailFields : leanDetailFields) };
      for (const c of chosen) Object.assign(fields, { [c]: userColumns[c] });
      statements = pageWithDetailsStatements(String(byColumns.size), fields);
      byColumns.set(key, statements);
    }
  }
  return after ? statements.after : statements.first;
}

/** The page's rows with their details attached (in place of the subqueries' raw roles and licences). */
async function attachDetails(db: Db, rows: (UserRow & Details)[]): Promise<UserNode[]> {
  const catalogue = await catalogueFor(db, rows);
  return rows.map((row) => setDetails(row, toDetails(row.roles, row.licenses, catalogue)));
}

/** A row that came with its roles and licences (as the details subqueries give them), with its details attached. */
export async function withDetails(db: Db, row: UserRow & Details): Promise<UserNode> {
  return (await attachDetails(db, [row]))[0]!;
}

const detailsOfUsers = preparedStatement('details_of_users', (db, name) =>
  db
    .select({ userId: users.id, ...detailFields })
    .from(users)
    .where(
      and(
        eq(users.customerId, sql.placeholder('customerId')),
        sql`${users.id} = any(${sql.placeholder('userIds')}::uuid[])`,
      ),
    )
    .prepare(name),
);

/** Each user's roles (by name) and licences (by SKU name): the DataLoader batch, one statement per customer. */
export async function detailsForUsers(db: Db, keys: readonly UserKey[]): Promise<UserDetails[]> {
  const idsByCustomer = new Map<string, string[]>();
  for (const k of keys) {
    const ids = idsByCustomer.get(k.customerId);
    if (ids) ids.push(k.userId);
    else idsByCustomer.set(k.customerId, [k.userId]);
  }
  const rows: { customerId: string; userId: string; roles: string[]; licenses: LicenseJson[] }[] = [];
  for (const [customerId, ids] of idsByCustomer) {
    for (const row of await detailsOfUsers(db).execute({ customerId, userIds: uuidArray(ids) }))
      rows.push({ customerId, ...row });
  }
  const catalogue = await catalogueFor(db, rows);
  const found = new Map<string, UserDetails>();
  for (const row of rows) {
    found.set(`${row.customerId}:${row.userId}`, toDetails(row.roles, row.licenses, catalogue));
  }
  return keys.map((k) => found.get(`${k.customerId}:${k.userId}`) ?? { roles: [], licenses: [] });
}
