import { holdsAny, TASKS, type Task } from '../../auth/roles.js';
import { recordAudit } from '../audit.js';
import { authorizeOnTarget, type CustomerAccess } from '../authorization.js';
import type { DirectoryRole } from '../../auth/roles.js';
import type { ServiceContext } from '../context.js';
import { DomainError } from '../errors.js';

/** One part of a mutation (roles, licences, info) needs its own task's roles; the refusal names the part. */
export function requirePart(access: CustomerAccess, task: Task, part: string): void {
  const anyOf = TASKS[task].anyOf;
  if (holdsAny(access.roles, anyOf)) return;
  throw new DomainError('FORBIDDEN', `Changing ${part} means to ${TASKS[task].description}: you need one of: ${anyOf.join(', ')}.`, {
    task,
    part,
    requiredRoles: anyOf,
    field: [part],
  });
}

/** Runs an authorization step; a refusal in a customer the caller can see is written to the audit log. */
export async function denyAudited<T>(
  ctx: ServiceContext,
  customerId: string,
  action: string,
  targetName: string | null,
  step: () => Promise<T>,
): Promise<T> {
  try {
    return await step();
  } catch (e) {
    if (e instanceof DomainError && e.code === 'FORBIDDEN' && e.details.requiredRoles) {
      await recordAudit(ctx, {
        customerId,
        action,
        outcome: 'DENIED',
        targetUserId: (e.details.targetUserId as string | undefined) ?? null,
        targetName: (e.details.targetName as string | undefined) ?? targetName,
        details: { reason: e.message, requiredRoles: e.details.requiredRoles ?? [] },
      });
    }
    throw e;
  }
}

/**
 * The who-can-reset rule on a target user. Runs inside transactions, so it only throws: the refusal carries the
 * target, and denyAudited (around the transaction) records it.
 */
export function authorizeOnUser(
  access: CustomerAccess,
  task: Task,
  user: { id: string; userPrincipalName: string },
  roles: readonly DirectoryRole[],
): void {
  try {
    authorizeOnTarget(access, task, roles);
  } catch (e) {
    if (e instanceof DomainError) Object.assign(e.details, { targetUserId: user.id, targetName: user.userPrincipalName });
    throw e;
  }
}
