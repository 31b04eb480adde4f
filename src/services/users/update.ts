import { and, eq, inArray } from 'drizzle-orm';
import type { DirectoryRole } from '../../auth/roles.js';
import { pgErrorCode, UNIQUE_VIOLATION } from '../../db/client.js';
import { licenseAssignments, userRoles, users } from '../../db/schema.js';
import { msg } from '../../messages/index.js';
import { recordAudit } from '../audit.js';
import { authorizeCustomerTask } from '../authorization.js';
import { inTransaction, type ServiceContext } from '../context.js';
import { type DomainError, invalid, notFound, ValidationErrors } from '../errors.js';
import { freeSeats, lockSeats, takeSeat } from '../seats.js';
import { skusByIds } from '../skus.js';
import { customerTask, readCustomer } from '../tasks.js';
import { activeUserWithUpn, INFO_FIELDS, infoErrors, roleErrors, type UserInfo, upnErrors, upnTaken } from './input.js';
import { authorizeOnUser, denyAudited, requirePart } from './parts.js';
import { detailsForUsers, type UserDetails, type UserLicense } from './read.js';
import { licensesOfUser, lockUser, rolesOfUser, type UserRow, userColumns } from './row.js';

export interface UpdateUserInput extends UserInfo {
  userPrincipalName?: string | null;
  addRoles?: DirectoryRole[] | null;
  removeRoles?: DirectoryRole[] | null;
  addLicenseSkuIds?: string[] | null;
  removeLicenseSkuIds?: string[] | null;
  dryRun?: boolean | null;
}

export interface Change {
  field: string;
  from: string | null;
  to: string | null;
}

export interface UpdateResult {
  user: UserRow;
  /** Roles and licences as they are (or, for a dry run, would be) after the update. */
  roles: DirectoryRole[];
  licenses: UserLicense[];
  changes: Change[];
  dryRun: boolean;
}

/** The parts of an update, each its own task, in the order the field's directives print them. */
const EDIT = { info: 'EDIT_USER_INFO', roles: 'EDIT_USER_ROLES', licenses: 'EDIT_USER_LICENSES' } as const;

class DryRunRollback extends Error {
  constructor(readonly result: UpdateResult) {
    super('dry run');
  }
}

/**
 * Info, roles and licences in one transaction. Each part needs its own task's roles. A dry run does the whole
 * update, reads the result and rolls back, so the preview is exactly what saving would do.
 */
export const updateUser = customerTask(
  [EDIT.info, EDIT.roles, EDIT.licenses],
  async function updateUser(
    ctx: ServiceContext,
    customerId: string,
    userId: string,
    input: UpdateUserInput,
  ): Promise<UpdateResult> {
    const info: UserInfo = {};
    for (const key of INFO_FIELDS) if (input[key] !== undefined) info[key] = input[key];
    const newUpn = input.userPrincipalName?.trim();
    const addRoles = [...new Set(input.addRoles ?? [])];
    const removeRoles = [...new Set(input.removeRoles ?? [])];
    const addSkuIds = input.addLicenseSkuIds ?? [];
    const removeSkuIds = input.removeLicenseSkuIds ?? [];
    const editsInfo = Object.keys(info).length > 0 || newUpn !== undefined;

    const access = await denyAudited(ctx, customerId, 'UPDATE_USER', null, async () => {
      const a = await authorizeCustomerTask(ctx, readCustomer.tasks[0], customerId);
      // Each refusal names the first input field of its part.
      if (editsInfo) requirePart(a, EDIT.info, 'user info', [Object.keys(info)[0] ?? 'userPrincipalName']);
      if (addRoles.length || removeRoles.length)
        requirePart(a, EDIT.roles, 'admin roles', [addRoles.length ? 'addRoles' : 'removeRoles']);
      if (addSkuIds.length || removeSkuIds.length)
        requirePart(a, EDIT.licenses, 'licenses', [addSkuIds.length ? 'addLicenseSkuIds' : 'removeLicenseSkuIds']);
      return a;
    });

    const adding = await skusByIds(ctx.db, addSkuIds, ['addLicenseSkuIds']);
    const removing = await skusByIds(ctx.db, removeSkuIds, ['removeLicenseSkuIds']);
    const errors: DomainError[] = [
      ...infoErrors(info),
      ...roleErrors(addRoles, ['addRoles']),
      ...roleErrors(removeRoles, ['removeRoles']),
      ...adding.errors,
      ...removing.errors,
      ...(newUpn !== undefined ? await upnErrors(ctx, customerId, newUpn, ['userPrincipalName']) : []),
    ];
    const both = adding.skus.filter((s) => removing.skus.some((r) => r.id === s.id));
    if (both.length) {
      errors.push(
        invalid(['addLicenseSkuIds'], msg('users.licenseAddedAndRemoved', { partNumber: both[0]!.partNumber })),
      );
    }
    if (errors.length) throw new ValidationErrors(errors);

    try {
      return await denyAudited(ctx, customerId, 'UPDATE_USER', null, () =>
        inTransaction(ctx, async (tx) => {
          const before = await lockUser(tx.db, customerId, userId);
          if (!before) throw notFound('user');
          if (before.state !== 'ACTIVE')
            throw invalid(
              ['userId'],
              msg('users.deletedRestoreFirst', { userPrincipalName: before.userPrincipalName }),
              'INVALID_STATE',
            );
          const rolesBefore = await rolesOfUser(tx.db, customerId, userId);
          if (editsInfo) authorizeOnUser(access, EDIT.info, before, rolesBefore);
          const changes: Change[] = [];

          const set: Partial<UserRow> = {};
          for (const key of INFO_FIELDS) {
            if (info[key] === undefined || (info[key] ?? null) === (before[key] ?? null)) continue;
            set[key] = info[key] as never;
            changes.push({ field: key, from: before[key] ?? null, to: info[key] ?? null });
          }
          if (newUpn !== undefined && newUpn !== before.userPrincipalName) {
            if (newUpn.toLowerCase() !== before.upnLower) {
              const holder = await activeUserWithUpn(tx.db, customerId, newUpn);
              if (holder) throw upnTaken(newUpn, holder, ['userPrincipalName']);
            }
            set.userPrincipalName = newUpn;
            changes.push({ field: 'userPrincipalName', from: before.userPrincipalName, to: newUpn });
          }

          const licensesBefore = await licensesOfUser(tx.db, customerId, userId);
          const held = new Set(licensesBefore.map((l) => l.sku.id));
          const willHaveLicence =
            adding.skus.length > 0 || licensesBefore.some((l) => !removing.skus.some((r) => r.id === l.sku.id));
          const usageLocation = info.usageLocation !== undefined ? info.usageLocation : before.usageLocation;
          if (willHaveLicence && !usageLocation && (adding.skus.length > 0 || info.usageLocation !== undefined)) {
            throw invalid(['usageLocation'], msg('users.usageLocationWhileLicensed'), 'USAGE_LOCATION_REQUIRED');
          }

          if (Object.keys(set).length) {
            await tx.db
              .update(users)
              .set({ ...set, updatedAt: ctx.clock.now() })
              .where(and(eq(users.customerId, customerId), eq(users.id, userId)));
          }

          const rolesToAdd = addRoles.filter((r) => !rolesBefore.includes(r));
          const rolesToRemove = removeRoles.filter((r) => rolesBefore.includes(r));
          if (rolesToAdd.length)
            await tx.db.insert(userRoles).values(rolesToAdd.map((role) => ({ customerId, userId, role })));
          if (rolesToRemove.length) {
            await tx.db
              .delete(userRoles)
              .where(
                and(
                  eq(userRoles.customerId, customerId),
                  eq(userRoles.userId, userId),
                  inArray(userRoles.role, rolesToRemove),
                ),
              );
          }
          if (rolesToAdd.length || rolesToRemove.length) {
            const after = [...rolesBefore.filter((r) => !rolesToRemove.includes(r)), ...rolesToAdd].sort();
            changes.push({ field: 'roles', from: rolesBefore.join(', ') || null, to: after.join(', ') || null });
          }

          const skusToAdd = adding.skus.filter((s) => !held.has(s.id));
          const skusToRemove = removing.skus.filter((s) => held.has(s.id));
          await lockSeats(
            tx.db,
            customerId,
            [...skusToAdd, ...skusToRemove].map((s) => s.id),
          );
          for (const sku of skusToAdd) {
            await takeSeat(tx.db, customerId, sku, ['addLicenseSkuIds']);
            await tx.db
              .insert(licenseAssignments)
              .values({ customerId, userId, skuId: sku.id, createdAt: ctx.clock.now() });
            changes.push({ field: 'licenses', from: null, to: sku.partNumber });
          }
          if (skusToRemove.length) {
            const ids = skusToRemove.map((s) => s.id);
            await tx.db
              .delete(licenseAssignments)
              .where(
                and(
                  eq(licenseAssignments.customerId, customerId),
                  eq(licenseAssignments.userId, userId),
                  inArray(licenseAssignments.skuId, ids),
                ),
              );
            await freeSeats(tx.db, customerId, ids);
            for (const sku of skusToRemove) changes.push({ field: 'licenses', from: sku.partNumber, to: null });
          }
          // A change of roles or licences alone is a change of the user too (users(filter: {updatedSince}) finds it).
          if (changes.length && !Object.keys(set).length) {
            await tx.db
              .update(users)
              .set({ updatedAt: ctx.clock.now() })
              .where(and(eq(users.customerId, customerId), eq(users.id, userId)));
          }

          const [after] = await tx.db
            .select(userColumns)
            .from(users)
            .where(and(eq(users.customerId, customerId), eq(users.id, userId)));
          const key = [{ customerId, userId }];
          const [{ roles, licenses }] = (await detailsForUsers(tx.db, key)) as [UserDetails];
          const result: UpdateResult = { user: after!, roles, licenses, changes, dryRun: !!input.dryRun };
          if (input.dryRun) throw new DryRunRollback(result);
          // Recorded even when nothing changed: the agent did act on the user.
          await recordAudit(tx, {
            customerId,
            action: 'UPDATE_USER',
            outcome: 'SUCCESS',
            targetUserId: userId,
            targetName: after!.userPrincipalName,
            details: { changes },
          });
          return result;
        }),
      );
    } catch (e) {
      if (e instanceof DryRunRollback) return e.result;
      if (pgErrorCode(e) === UNIQUE_VIOLATION && newUpn) {
        throw upnTaken(newUpn, await activeUserWithUpn(ctx.db, customerId, newUpn), ['userPrincipalName']);
      }
      throw e;
    }
  },
);
