import { randomUUID } from 'node:crypto';
import { generateTemporaryPassword, hashPassword } from '../../auth/passwords.js';
import type { DirectoryRole } from '../../auth/roles.js';
import { type Db, pgErrorCode, UNIQUE_VIOLATION } from '../../db/client.js';
import { licenseAssignments, userRoles, users } from '../../db/schema.js';
import { msg } from '../../messages/index.js';
import { recordAudit } from '../audit.js';
import { authorizeCustomerTask } from '../authorization.js';
import { inTransaction, type ServiceContext } from '../context.js';
import { DomainError, invalid, ValidationErrors } from '../errors.js';
import { noSeatError, seatTaken } from '../seats.js';
import { type SkuRow, skusByIds } from '../skus.js';
import { customerTask } from '../tasks.js';
import { activeUserWithUpn, INFO_FIELDS, infoErrors, roleErrors, type UserInfo, upnErrors, upnTaken } from './input.js';
import { denyAudited, requirePart } from './parts.js';
import { type UserRow, userColumns } from './row.js';

export interface CreateUserInput extends UserInfo {
  customerId: string;
  userPrincipalName: string;
  displayName: string;
  roles?: DirectoryRole[] | null;
  licenseSkuIds?: string[] | null;
}

export interface CreatedUser {
  user: UserRow;
  temporaryPassword: string;
}

/**
 * Inserts a user with its roles and seated licences inside the caller's transaction (or savepoint).
 *
 * The user's id is made here, so nothing after the user's row waits for it: the row, its roles, its seats, its
 * licences and the caller's `alongside` statements (an audit event) are sent together and postgres.js pipelines them
 * on the transaction's connection — one round trip instead of one per statement. If any fails the caller's
 * transaction rolls back, and the error reported is the first in statement order (a UPN already taken, before the
 * "transaction aborted" errors of the statements after it).
 */
export async function insertUser(
  tx: Db,
  customerId: string,
  values: { userPrincipalName: string; info: UserInfo; roles: readonly DirectoryRole[]; skus: readonly SkuRow[] },
  passwordHash: string,
  now: Date,
  alongside: (user: { id: string; userPrincipalName: string }) => PromiseLike<unknown>[] = () => [],
): Promise<UserRow> {
  const userId = randomUUID();
  // Seats are taken in one order (by SKU id) in every transaction: two creations wanting the same seats queue, never
  // deadlock.
  const skus = [...values.skus].sort((a, b) => (a.id < b.id ? -1 : 1));
  const [inserted, , seats] = await pipeline([
    tx
      .insert(users)
      .values({
        ...values.info,
        id: userId,
        displayName: values.info.displayName ?? values.userPrincipalName,
        customerId,
        userPrincipalName: values.userPrincipalName,
        passwordHash,
        mustChangePassword: true,
        createdAt: now,
        updatedAt: now,
      })
      .returning(userColumns)
      .catch((e: unknown) => {
        if (pgErrorCode(e) === UNIQUE_VIOLATION)
          throw upnTaken(values.userPrincipalName, undefined, ['userPrincipalName']);
        throw e;
      }),
    values.roles.length
      ? tx
          .insert(userRoles)
          .values(values.roles.map((role) => ({ customerId, userId, role })))
          .execute()
      : null,
    Promise.all(skus.map((sku) => seatTaken(tx, customerId, sku))),
    skus.length
      ? tx
          .insert(licenseAssignments)
          .values(skus.map((sku) => ({ customerId, userId, skuId: sku.id, createdAt: now })))
          .execute()
      : null,
    ...alongside({ id: userId, userPrincipalName: values.userPrincipalName }),
  ] as const);
  const missing = skus.find((_, i) => !seats[i]);
  if (missing) throw await noSeatError(tx, customerId, missing, ['licenseSkuIds']);
  return inserted[0]!;
}

/** Awaits statements sent together; throws the first failure in their order once all have answered. */
async function pipeline<T extends readonly unknown[]>(
  statements: T,
): Promise<{ -readonly [K in keyof T]: Awaited<T[K]> }> {
  const settled = await Promise.allSettled(statements);
  const failed = settled.find((r) => r.status === 'rejected');
  if (failed) throw (failed as PromiseRejectedResult).reason;
  return settled.map((r) => (r as PromiseFulfilledResult<unknown>).value) as {
    -readonly [K in keyof T]: Awaited<T[K]>;
  };
}

const TASK = 'CREATE_USER' as const;

/** Creates a user with a generated temporary password, its roles and licences, in one transaction. */
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
      ...(await upnErrors(ctx.db, input.customerId, upn, ['userPrincipalName'])),
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
    const now = ctx.clock.now();
    // No look-up before the insert: the unique index decides (also between racing requests), and only then do we
    // find the holder to name it.
    const user = await inTransaction(ctx, (tx) =>
      insertUser(
        tx.db,
        input.customerId,
        { userPrincipalName: upn, info, roles, skus: found.skus },
        passwordHash,
        now,
        (created) => [
          recordAudit(tx, {
            customerId: input.customerId,
            action: 'CREATE_USER',
            outcome: 'SUCCESS',
            targetUserId: created.id,
            targetName: created.userPrincipalName,
            details: { ...info, userPrincipalName: upn, roles, licenses: found.skus.map((s) => s.partNumber) },
          }),
        ],
      ),
    ).catch(async (e: unknown) => {
      if (e instanceof DomainError && e.code === 'UPN_TAKEN') {
        throw upnTaken(upn, await activeUserWithUpn(ctx.db, input.customerId, upn), ['userPrincipalName']);
      }
      throw e;
    });
    return { user, temporaryPassword };
  },
);
