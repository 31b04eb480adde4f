import { generateTemporaryPassword, hashPassword } from '../../auth/passwords.js';
import type { DirectoryRole } from '../../auth/roles.js';
import { pgErrorCode, UNIQUE_VIOLATION, type Db } from '../../db/client.js';
import { licenseAssignments, userRoles, users } from '../../db/schema.js';
import { recordAudit } from '../audit.js';
import { authorizeCustomerTask } from '../authorization.js';
import type { ServiceContext } from '../context.js';
import { DomainError, invalid, ValidationErrors } from '../errors.js';
import { denyAudited, requirePart } from './parts.js';
import {
  activeUserWithUpn,
  infoErrors,
  INFO_FIELDS,
  roleErrors,
  skusByIds,
  takeSeat,
  upnErrors,
  upnTaken,
  type SkuRow,
  type UserInfo,
  type UserRow,
} from './shared.js';

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

/** Inserts a user with its roles and seated licences inside the caller's transaction. */
export async function insertUser(
  tx: Db,
  customerId: string,
  values: { userPrincipalName: string; info: UserInfo; roles: readonly DirectoryRole[]; skus: readonly SkuRow[] },
  passwordHash: string,
  now: Date,
): Promise<UserRow> {
  let user: UserRow | undefined;
  try {
    [user] = await tx
      .insert(users)
      .values({
        ...values.info,
        displayName: values.info.displayName ?? values.userPrincipalName,
        customerId,
        userPrincipalName: values.userPrincipalName,
        passwordHash,
        mustChangePassword: true,
        createdAt: now,
        updatedAt: now,
      })
      .returning();
  } catch (e) {
    if (pgErrorCode(e) === UNIQUE_VIOLATION) throw upnTaken(values.userPrincipalName, undefined, ['userPrincipalName']);
    throw e;
  }
  if (values.roles.length) {
    await tx.insert(userRoles).values(values.roles.map((role) => ({ customerId, userId: user!.id, role })));
  }
  for (const sku of values.skus) await takeSeat(tx, customerId, sku, ['licenseSkuIds']);
  if (values.skus.length) {
    await tx
      .insert(licenseAssignments)
      .values(values.skus.map((sku) => ({ customerId, userId: user!.id, skuId: sku.id, createdAt: now })));
  }
  return user!;
}

/** Creates a user with a generated temporary password, its roles and licences, in one transaction. */
export async function createUser(ctx: ServiceContext, input: CreateUserInput): Promise<CreatedUser> {
  const roles = [...new Set(input.roles ?? [])];
  const skuIds = input.licenseSkuIds ?? [];
  await denyAudited(ctx, input.customerId, 'CREATE_USER', input.userPrincipalName, async () => {
    const a = await authorizeCustomerTask(ctx, 'CREATE_USER', input.customerId);
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
    errors.push(
      invalid(['usageLocation'], 'A usage location is required before licences can be assigned.', 'USAGE_LOCATION_REQUIRED'),
    );
  }
  if (errors.length) throw new ValidationErrors(errors);

  const temporaryPassword = generateTemporaryPassword();
  const passwordHash = await hashPassword(temporaryPassword);
  const now = ctx.clock.now();
  // No look-up before the insert: the unique index decides (also between racing requests), and only then do we
  // find the holder to name it.
  const user = await ctx.db.transaction(async (tx) => {
    const created = await insertUser(tx, input.customerId, { userPrincipalName: upn, info, roles, skus: found.skus }, passwordHash, now);
    await recordAudit(
      ctx,
      {
        customerId: input.customerId,
        action: 'CREATE_USER',
        outcome: 'SUCCESS',
        targetUserId: created.id,
        targetName: created.userPrincipalName,
        details: { ...info, userPrincipalName: upn, roles, licenses: found.skus.map((s) => s.partNumber) },
      },
      tx,
    );
    return created;
  }).catch(async (e: unknown) => {
    if (e instanceof DomainError && e.code === 'UPN_TAKEN') {
      throw upnTaken(upn, await activeUserWithUpn(ctx.db, input.customerId, upn), ['userPrincipalName']);
    }
    throw e;
  });
  return { user, temporaryPassword };
}
