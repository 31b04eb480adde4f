import { and, eq } from 'drizzle-orm';
import { pgErrorCode, UNIQUE_VIOLATION } from '../../db/client.js';
import { licenseAssignments, skus, users } from '../../db/schema.js';
import { type Message, msg } from '../../messages/index.js';
import { recordAudit } from '../audit.js';
import { authorizeCustomerTask, type CustomerAccess } from '../authorization.js';
import { inTransaction, type ServiceContext } from '../context.js';
import { DomainError, invalid, notFound, ValidationErrors } from '../errors.js';
import { lockSeats, takeSeat } from '../seats.js';
import type { SkuRow } from '../skus.js';
import { customerTask } from '../tasks.js';
import { activeUserWithUpn, upnErrors, upnTaken } from './input.js';
import { checkManyUsers, settle } from './many.js';
import { authorizeOnUser, denyAudited } from './parts.js';
import { lockUser, purgeAt, RESTORE_WINDOW_DAYS, rolesOfUser, type UserRow, userColumns } from './row.js';

const TASK = 'RESTORE_USER' as const;

export interface LicenseWarning {
  sku: SkuRow;
  /** English (for logs and the audit); `text` is the same message for rendering in the request's language. */
  message: string;
  text: Message;
}

export interface RestoreResult {
  userId: string;
  user?: UserRow;
  licenseWarnings: LicenseWarning[];
  error?: DomainError;
}

async function restoreOne(
  ctx: ServiceContext,
  access: CustomerAccess,
  userId: string,
  newUserPrincipalName?: string | null,
): Promise<{ user: UserRow; licenseWarnings: LicenseWarning[] }> {
  const customerId = access.customerId;
  const now = ctx.clock.now();
  const newUpn = newUserPrincipalName?.trim();
  if (newUpn) {
    const errors = await upnErrors(ctx, customerId, newUpn, ['newUserPrincipalName']);
    if (errors.length) throw new ValidationErrors(errors);
  }
  try {
    return await denyAudited(ctx, customerId, 'RESTORE_USER', null, () =>
      inTransaction(ctx, async (tx) => {
        const user = await lockUser(tx.db, customerId, userId);
        if (!user) throw notFound('user');
        if (user.state !== 'INACTIVE')
          throw invalid(
            ['userId'],
            msg('users.notDeleted', { userPrincipalName: user.userPrincipalName }),
            'INVALID_STATE',
          );
        if (purgeAt(user.deletedAt)! <= now) {
          throw invalid(
            ['userId'],
            msg('users.restoreWindowPassed', { userPrincipalName: user.userPrincipalName, days: RESTORE_WINDOW_DAYS }),
            'RESTORE_WINDOW_PASSED',
          );
        }
        const roles = await rolesOfUser(tx.db, customerId, userId);
        authorizeOnUser(access, TASK, user, roles);
        const upn = newUpn ?? user.userPrincipalName;
        const holder = await activeUserWithUpn(tx.db, customerId, upn);
        if (holder) throw upnTaken(upn, holder, [newUpn ? 'newUserPrincipalName' : 'userPrincipalName']);
        const [restored] = await tx.db
          .update(users)
          .set({ state: 'ACTIVE', deletedAt: null, userPrincipalName: upn, updatedAt: now })
          .where(and(eq(users.customerId, customerId), eq(users.id, userId)))
          .returning(userColumns);
        // Licences come back where seats are free; the others are dropped and named (Partner Center's behaviour).
        const remembered = await tx.db
          .select({ sku: skus })
          .from(licenseAssignments)
          .innerJoin(skus, eq(skus.id, licenseAssignments.skuId))
          .where(and(eq(licenseAssignments.customerId, customerId), eq(licenseAssignments.userId, userId)));
        await lockSeats(
          tx.db,
          customerId,
          remembered.map((r) => r.sku.id),
        );
        const licenseWarnings: LicenseWarning[] = [];
        for (const { sku } of remembered) {
          const where = and(
            eq(licenseAssignments.customerId, customerId),
            eq(licenseAssignments.userId, userId),
            eq(licenseAssignments.skuId, sku.id),
          );
          try {
            await takeSeat(tx.db, customerId, sku, ['licenses']);
            await tx.db.update(licenseAssignments).set({ seated: true }).where(where);
          } catch (e) {
            if (!(e instanceof DomainError)) throw e;
            await tx.db.delete(licenseAssignments).where(where);
            licenseWarnings.push({ sku, message: e.message, text: e.text });
          }
        }
        await recordAudit(tx, {
          customerId,
          action: 'RESTORE_USER',
          outcome: 'SUCCESS',
          targetUserId: userId,
          targetName: upn,
          details: { userPrincipalName: upn, licensesNotRestored: licenseWarnings.map((w) => w.sku.partNumber) },
        });
        return { user: restored!, licenseWarnings };
      }),
    );
  } catch (e) {
    // A user created with the same UPN between our check and our update: the unique index refused it; name the
    // user who holds it now.
    if (pgErrorCode(e) === UNIQUE_VIOLATION) {
      const [user] = await ctx.db
        .select(userColumns)
        .from(users)
        .where(and(eq(users.customerId, customerId), eq(users.id, userId)));
      const upn = newUpn ?? user?.userPrincipalName ?? '';
      throw upnTaken(upn, await activeUserWithUpn(ctx.db, customerId, upn), [
        newUpn ? 'newUserPrincipalName' : 'userPrincipalName',
      ]);
    }
    throw e;
  }
}

export const restoreUser = customerTask(
  [TASK],
  async function restoreUser(
    ctx: ServiceContext,
    customerId: string,
    userId: string,
    newUserPrincipalName?: string | null,
  ) {
    const access = await denyAudited(ctx, customerId, 'RESTORE_USER', null, () =>
      authorizeCustomerTask(ctx, TASK, customerId),
    );
    return restoreOne(ctx, access, userId, newUserPrincipalName);
  },
);

export const restoreUsers = customerTask(
  [TASK],
  async function restoreUsers(ctx: ServiceContext, customerId: string, userIds: string[]): Promise<RestoreResult[]> {
    checkManyUsers(userIds);
    const access = await denyAudited(ctx, customerId, 'RESTORE_USER', null, () =>
      authorizeCustomerTask(ctx, TASK, customerId),
    );
    const results: RestoreResult[] = [];
    for (const userId of userIds) {
      const result = await settle(userId, async () => ({ userId, ...(await restoreOne(ctx, access, userId)) }));
      results.push({ licenseWarnings: [], ...result });
    }
    return results;
  },
);
