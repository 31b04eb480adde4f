import type { DirectoryRole } from '../../auth/roles.js';
import { allowsTask, TASKS, type Task } from '../../auth/roles.js';
import { msg } from '../../messages/index.js';
import type { UserPart } from '../../messages/users.js';
import { recordAudit } from '../audit.js';
import { authorizeOnTarget, type CustomerAccess, grantsFor } from '../authorization.js';
import type { ServiceContext } from '../context.js';
import { DomainError } from '../errors.js';

/**
 * One part of a mutation (roles, licences, info) needs its own task's roles; the refusal names the part in words and
 * the input field that asked for it (`field`, an input path a form can highlight).
 */
export function requirePart(access: CustomerAccess, task: Task, part: UserPart, field: string[] = [part]): void {
  const anyOf = TASKS[task].anyOf;
  if (allowsTask(access.roles, task)) return;
  throw new DomainError('FORBIDDEN', msg('users.partForbidden', { part, task, requiredRoles: anyOf }), {
    task,
    part,
    requiredRoles: anyOf,
    field,
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
    if (e instanceof DomainError && e.code === 'FORBIDDEN' && (await seesCustomer(ctx, e, customerId))) {
      await recordAudit(ctx, {
        customerId,
        action,
        outcome: 'DENIED',
        targetUserId: (e.details.targetUserId as string | undefined) ?? null,
        targetName: (e.details.targetName as string | undefined) ?? targetName,
        details: {
          reason: e.message,
          requiredRoles: e.details.requiredRoles ?? [],
          requiredPartnerRoles: e.details.requiredPartnerRoles ?? [],
        },
      });
    }
    throw e;
  }
}

/**
 * Whether a refusal happened inside a customer the caller can see, so recording it tells nobody anything new: a
 * missing directory role is only reported there; a missing partner role (ADMIN_AGENT) is reported before the GDAP
 * check, so it counts when the agent holds roles in the customer through GDAP.
 */
async function seesCustomer(ctx: ServiceContext, e: DomainError, customerId: string): Promise<boolean> {
  if (e.details.requiredRoles) return true;
  if (!e.details.requiredPartnerRoles || ctx.caller?.kind !== 'agent') return false;
  return (await grantsFor(ctx, ctx.caller, customerId)).length > 0;
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
    if (e instanceof DomainError)
      Object.assign(e.details, { targetUserId: user.id, targetName: user.userPrincipalName });
    throw e;
  }
}
