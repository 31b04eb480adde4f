import { randomUUID } from 'node:crypto';
import { type SQL, sql, type WithSubquery } from 'drizzle-orm';
import { generateTemporaryPassword, hashPassword } from '../../auth/passwords.js';
import type { DirectoryRole } from '../../auth/roles.js';
import {
  againIfDeadlocked,
  CHECK_VIOLATION,
  type Db,
  NOT_NULL_VIOLATION,
  pgErrorCode,
  pgErrorNames,
  UNIQUE_VIOLATION,
} from '../../db/client.js';
import { templateStatement, textArray, uuidArray } from '../../db/prepared.js';
import { licenseAssignments, subscriptions, userRoles, users } from '../../db/schema.js';
import { msg } from '../../messages/index.js';
import { type AuditInput, type AuditValues, auditTemplate, auditValues } from '../audit.js';
import { authorizeCustomerTask } from '../authorization.js';
import type { ServiceContext } from '../context.js';
import { DomainError, invalid, ValidationErrors } from '../errors.js';
import { seatsError } from '../seats.js';
import { type SkuRow, skusByIds } from '../skus.js';
import { customerTask } from '../tasks.js';
import {
  activeUserWithUpn,
  INFO_FIELDS,
  type InfoField,
  infoErrors,
  roleErrors,
  type UserInfo,
  upnErrors,
  upnTaken,
} from './input.js';
import { denyAudited, requirePart } from './parts.js';
import { type Details, licencesOf, rolesOf, withDetails } from './read.js';
import { type UserNode, type UserRow, userColumns } from './row.js';

export interface CreateUserInput extends UserInfo {
  customerId: string;
  userPrincipalName: string;
  displayName: string;
  roles?: DirectoryRole[] | null;
  licenseSkuIds?: string[] | null;
}

export interface CreatedUser {
  user: UserNode;
  temporaryPassword: string;
}

/** The user being created, as the writes made with it (its audit event, a bulk row's outcome) name it. */
export interface NewUser {
  id: string;
  userPrincipalName: string;
}

/** What a caller writes in the user's statement, beside the user. */
export interface WrittenWith {
  /** CTEs (`db.$with(…).as(…)`): an audit event (audit.ts auditWith), a bulk row's outcome. */
  ctes: WithSubquery[];
  /**
   * A condition on them, evaluated by the statement (that an update found its row). Unmet, `unmet()` is thrown after
   * the statement: the caller's transaction (or savepoint) must then roll back what it wrote.
   */
  require?: { holds: SQL; unmet: () => Error };
}

/**
 * Seats could not be taken: one of the SKUs has no subscription, or no seat left. Nothing was written; `diagnose`
 * names the SKU, with a handle that can still be read (not the transaction or savepoint the statement failed in).
 */
export class SeatsRefused extends Error {
  constructor(
    readonly customerId: string,
    readonly skus: readonly SkuRow[],
  ) {
    super('no seat could be taken');
  }

  diagnose(db: Db): Promise<DomainError> {
    return seatsError(db, this.customerId, this.skus, ['licenseSkuIds']);
  }
}

/** A user to create (insertUser, createUser). */
export interface NewUserValues {
  userPrincipalName: string;
  info: UserInfo;
  roles: readonly DirectoryRole[];
  skus: readonly SkuRow[];
}

/**
 * Creates a user with its roles, a seat and a licence of each SKU, and the caller's writes (`alongside`), in ONE
 * statement (data-modifying CTEs): atomic by itself, so it needs no transaction of its own, and one round trip.
 * Lists travel as array parameters, so the statement's text (and its prepared plan) is the same for every user.
 *
 * Fails as a whole with upnTaken (the UPN is held by an active user: the unique index decides, also between racing
 * requests) or SeatsRefused.
 */
export async function insertUser(
  db: Db,
  customerId: string,
  values: NewUserValues,
  passwordHash: string,
  now: Date,
  alongside: (user: NewUser) => WrittenWith = () => ({ ctes: [] }),
): Promise<UserRow & Details> {
  const v = creationValues(customerId, values, passwordHash, now);
  const also = alongside({ id: v.userId, userPrincipalName: values.userPrincipalName });
  // Sent as a prepared statement: its text is the same for every user of a kind of caller (lists travel as arrays),
  // so PostgreSQL parses and plans it once per connection instead of at every creation. (createUser's is also built
  // once: createUserStatement.)
  const [row] = await creationQuery(db, v, also.ctes)
    .where(also.require?.holds)
    .prepare('insert_user')
    .execute()
    .catch(creationFailed(customerId, values));
  // The user's row is always returned, unless the caller's condition filtered it out.
  if (!row) throw also.require!.unmet();
  return row;
}

/** What the creation statement writes, as values (creationQuery builds it from them, or from their placeholders). */
interface CreationValues {
  [key: string]: string | ReturnType<typeof newUserRow>;
  userId: string;
  customerId: string;
  /** The instant (ISO) of the licences. */
  now: string;
  /** Array literals (db/prepared.ts textArray, uuidArray). */
  roles: string;
  skuIds: string;
  user: ReturnType<typeof newUserRow>;
}

function creationValues(customerId: string, values: NewUserValues, passwordHash: string, now: Date): CreationValues {
  const userId = randomUUID();
  return {
    userId,
    customerId,
    now: now.toISOString(),
    roles: textArray(values.roles),
    skuIds: uuidArray(values.skus.map((s) => s.id)),
    user: newUserRow(customerId, { id: userId, ...values, passwordHash }, now),
  };
}

/**
 * The creation statement of `v`, whose values may be placeholders (createUser's statement is built once: db/prepared.ts
 * templateStatement), with the caller's CTEs `also`: the user's row with the roles and licences it wrote.
 */
function creationQuery(db: Db, v: CreationValues, also: WithSubquery[]) {
  const customer = sql`${v.customerId}::uuid`;
  const user = sql`${v.userId}::uuid`;
  const created = db.$with('new_user', userColumns).as(db.insert(users).values(v.user).returning(userColumns).getSQL());
  const roles = db.$with('new_roles', {}).as(
    sql`insert into ${userRoles} (customer_id, user_id, role)
      select ${customer}, ${user}, unnest(${v.roles}::text[]) returning role`,
  );
  // A seat of each SKU. The subscriptions are locked in SKU id order, as every seat taker locks them (seats.ts
  // lockSeats), so creations, updates and bulk batches wanting the same seats queue instead of deadlocking over
  // them. (The user's row is inserted before: a bulk batch holding these seats that inserts the same UPN at the same
  // moment can still deadlock with this statement; PostgreSQL then fails one of the two, and createUser tries its
  // statement once more.) A full subscription fails
  // the update (subscriptions_seats_check), and the statement with it.
  const seats = db.$with('new_seats', {}).as(
    sql`update ${subscriptions} set consumed_seats = consumed_seats + 1
      where customer_id = ${customer} and id in (select s.id from ${subscriptions} s
        where s.customer_id = ${customer} and s.sku_id = any(${v.skuIds}::uuid[]) order by s.sku_id for update)
      returning sku_id`,
  );
  // Each licence takes its SKU from the seat taken: a SKU without a subscription took none, and the NULL it leaves
  // fails the statement (license_assignments.sku_id is NOT NULL).
  const licences = db.$with('new_licences', {}).as(
    sql`insert into ${licenseAssignments} (customer_id, user_id, sku_id, created_at)
      select ${customer}, ${user}, taken.sku_id, ${v.now}::timestamptz
      from unnest(${v.skuIds}::uuid[]) as wanted(sku_id) left join ${seats} taken on taken.sku_id = wanted.sku_id
      returning sku_id, seated, created_at`,
  );
  // The user's row is read first: a UPN already taken is the error reported, before any about seats.
  // The roles and licences written come back with the row, as the read path reads them (read.ts detailFields, in the
  // same order), so the answer needs no statement of its own to show them.
  return db
    .with(created, roles, seats, licences, ...also)
    .select({
      ...pick(created),
      roles: rolesOf(sql`${roles}`),
      licenses: licencesOf(sql`${licences}`),
    })
    .from(created);
}

/** The creation statement's failures as insertUser reports them. */
const creationFailed =
  (customerId: string, values: NewUserValues) =>
  (e: unknown): never => {
    const code = pgErrorCode(e);
    const { table, column, constraint } = pgErrorNames(e);
    if (code === UNIQUE_VIOLATION && constraint === 'users_active_upn_key')
      throw upnTaken(values.userPrincipalName, undefined, ['userPrincipalName']);
    if (
      (code === CHECK_VIOLATION && constraint === 'subscriptions_seats_check') ||
      (code === NOT_NULL_VIOLATION && table === 'license_assignments' && column === 'sku_id')
    )
      throw new SeatsRefused(customerId, values.skus);
    throw e;
  };

/**
 * createUser's statement: insertUser's with its audit event (and webhook outbox rows), built once per handle with
 * placeholders and filled at each creation (db/prepared.ts templateStatement).
 */
const createUserStatement = templateStatement(
  'create_user',
  (db, p: { creation: CreationValues; audit: AuditValues }, name) =>
    creationQuery(db, p.creation, auditTemplate(db, p.audit)).prepare(name),
);

/**
 * insertUser for createUser, whose statement is built once (createUserStatement): the user with its audit event
 * `event` (its target set to the user created).
 */
async function insertUserAudited(
  ctx: ServiceContext,
  customerId: string,
  values: NewUserValues,
  passwordHash: string,
  event: AuditInput,
): Promise<UserRow & Details> {
  const creation = creationValues(customerId, values, passwordHash, ctx.clock.now());
  const audit = auditValues(ctx, [{ ...event, targetUserId: creation.userId, targetName: values.userPrincipalName }]);
  const [row] = await createUserStatement(ctx.db, { creation, audit }).catch(creationFailed(customerId, values));
  return row!;
}

/**
 * A new user's row, with a temporary password to change at first sign-in. Every field given (null if unset) rather
 * than left to its default: the same statement text for every user.
 */
function newUserRow(
  customerId: string,
  user: { id: string; userPrincipalName: string; info: UserInfo; passwordHash: string },
  now: Date,
) {
  return {
    ...(Object.fromEntries(INFO_FIELDS.map((f) => [f, user.info[f] ?? null])) as Record<InfoField, string | null>),
    id: user.id,
    displayName: user.info.displayName ?? user.userPrincipalName,
    customerId,
    userPrincipalName: user.userPrincipalName,
    passwordHash: user.passwordHash,
    mustChangePassword: true,
    createdAt: now,
    updatedAt: now,
  };
}

/** A user to create in a batch (insertUsers): its id chosen beforehand, its password already hashed. */
export interface NewUserEntry {
  id: string;
  userPrincipalName: string;
  info: UserInfo;
  roles: readonly DirectoryRole[];
  skus: readonly SkuRow[];
  passwordHash: string;
}

/**
 * Creates users (a bulk batch's rows, all of one customer) with their roles, seats and licences, and the caller's
 * writes (`alongside`), in ONE statement: insertUser's statement for many rows at once, so that a batch costs one
 * round trip instead of one per row. It fails as a whole on anything one row would fail on (a UPN taken meanwhile, a
 * SKU without a free seat or without a subscription): the caller then creates the rows one by one to find out which.
 * Returns how many users it created (all of them).
 */
export async function insertUsers(
  db: Db,
  customerId: string,
  entries: readonly NewUserEntry[],
  now: Date,
  alongside: (created: readonly NewUser[]) => WrittenWith,
): Promise<number> {
  if (!entries.length) return 0;
  const customer = sql`${customerId}::uuid`;
  const created = db.$with('new_users', { id: users.id }).as(
    db
      .insert(users)
      .values(entries.map((e) => newUserRow(customerId, e, now)))
      .returning({ id: users.id })
      .getSQL(),
  );
  // Pairs (user, role) and (user, SKU) as parallel arrays.
  const roleOwners = entries.flatMap((e) => e.roles.map(() => e.id));
  const roleNames = entries.flatMap((e) => e.roles);
  const licenceOwners = entries.flatMap((e) => e.skus.map(() => e.id));
  const licenceSkus = entries.flatMap((e) => e.skus.map((k) => k.id));
  const roles = db.$with('new_roles', {}).as(
    sql`insert into ${userRoles} (customer_id, user_id, role)
      select ${customer}, w.user_id, w.role
      from unnest(${uuidArray(roleOwners)}::uuid[], ${textArray(roleNames)}::text[]) as w(user_id, role)`,
  );
  // As many seats of each SKU as the batch has licences of it, on subscriptions the caller locked beforehand in SKU
  // id order (seats.ts lockSeats); a full subscription fails the update (subscriptions_seats_check).
  const seats = db.$with('new_seats', {}).as(
    sql`update ${subscriptions} set consumed_seats = consumed_seats + wanted.n
      from (select sku_id, count(*)::int as n from unnest(${uuidArray(licenceSkus)}::uuid[]) as l(sku_id)
        group by sku_id) as wanted
      where ${subscriptions.customerId} = ${customer} and ${subscriptions.skuId} = wanted.sku_id
      returning ${subscriptions.skuId} as sku_id`,
  );
  // A SKU without a subscription took no seat: the NULL it leaves fails the statement (sku_id is NOT NULL).
  const licences = db.$with('new_licences', {}).as(
    sql`insert into ${licenseAssignments} (customer_id, user_id, sku_id, created_at)
      select ${customer}, l.user_id, taken.sku_id, ${now.toISOString()}::timestamptz
      from unnest(${uuidArray(licenceOwners)}::uuid[], ${uuidArray(licenceSkus)}::uuid[]) as l(user_id, sku_id)
        left join ${seats} taken on taken.sku_id = l.sku_id`,
  );
  const also = alongside(entries.map((e) => ({ id: e.id, userPrincipalName: e.userPrincipalName })));
  const [row] = await db
    .with(created, roles, seats, licences, ...also.ctes)
    .select({ n: sql<number>`(select count(*)::int from ${created})` })
    .from(sql`(select 1) as one`)
    .where(also.require?.holds);
  if (!row) throw also.require!.unmet();
  return row.n;
}

/** The user's columns of `from` (a CTE returning them), by the same names, for a select list. */
const pick = <T extends Record<keyof typeof userColumns, unknown>>(from: T) =>
  Object.fromEntries(Object.keys(userColumns).map((k) => [k, from[k as keyof T]])) as Pick<T, keyof typeof userColumns>;

const TASK = 'CREATE_USER' as const;

/** Creates a user with a generated temporary password, its roles and licences, in one statement. */
export const createUser = customerTask(
  [TASK],
  async function createUser(ctx: ServiceContext, input: CreateUserInput): Promise<CreatedUser> {
    const roles = [...new Set(input.roles ?? [])];
    const skuIds = input.licenseSkuIds ?? [];
    await denyAudited(ctx, input.customerId, 'CREATE_USER', input.userPrincipalName, async () => {
      const a = await authorizeCustomerTask(ctx, TASK, input.customerId);
      if (roles.length) requirePart(a, 'EDIT_USER_ROLES', 'roles');
      if (skuIds.length) requirePart(a, 'EDIT_USER_LICENSES', 'licenseSkuIds');
    });
    const upn = input.userPrincipalName.trim();
    const info: UserInfo = {};
    for (const key of INFO_FIELDS) if (input[key] !== undefined) info[key] = input[key];
    const found = await skusByIds(ctx.db, skuIds, ['licenseSkuIds']);
    const errors = [
      ...(await upnErrors(ctx, input.customerId, upn, ['userPrincipalName'])),
      ...infoErrors({ ...info, displayName: info.displayName ?? null }),
      ...roleErrors(roles, ['roles']),
      ...found.errors,
    ];
    if (skuIds.length && !info.usageLocation) {
      errors.push(invalid(['usageLocation'], msg('users.usageLocationBeforeLicenses'), 'USAGE_LOCATION_REQUIRED'));
    }
    if (errors.length) throw new ValidationErrors(errors);

    const temporaryPassword = generateTemporaryPassword();
    const passwordHash = await hashPassword(temporaryPassword);
    // No look-up before the insert: the unique index decides (also between racing requests), and only then do we
    // find the holder to name it. One statement, no transaction: the user and its audit event are written together
    // or not at all. Sent again if PostgreSQL broke a deadlock by failing it (a bulk batch holding these seats and
    // inserting the same UPN at the same moment: see insertUser).
    const user = await againIfDeadlocked(() =>
      insertUserAudited(
        ctx,
        input.customerId,
        { userPrincipalName: upn, info, roles, skus: found.skus },
        passwordHash,
        {
          customerId: input.customerId,
          action: 'CREATE_USER',
          outcome: 'SUCCESS',
          details: { ...info, userPrincipalName: upn, roles, licenses: found.skus.map((s) => s.partNumber) },
        },
      ),
    ).catch(async (e: unknown) => {
      if (e instanceof DomainError && e.code === 'UPN_TAKEN') {
        throw upnTaken(upn, await activeUserWithUpn(ctx.db, input.customerId, upn), ['userPrincipalName']);
      }
      if (e instanceof SeatsRefused) throw await e.diagnose(ctx.db);
      throw e;
    });
    // The answer shows the roles and licences the statement wrote (as a read would show them): no statement for them.
    return { user: await withDetails(ctx.db, user), temporaryPassword };
  },
);
