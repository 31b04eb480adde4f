// What the caller may do in a customer and on a user, decided by the same pure functions the mutations apply
// (auth/roles.ts allows / allowsTask / allowsOnTarget), so a front end shows only the buttons that will work and says
// why the others are missing. The caller's roles come from the request's grant cache and a user's roles from the
// page's batched loader: no statement per row.
import { allows, DIRECTORY_ROLES, type DirectoryRole, type PartnerRole, type Task } from '../auth/roles.js';
import { type Message, msg } from '../messages/index.js';
import { grantsFor, requireAgent } from './authorization.js';
import type { ServiceContext } from './context.js';

export interface Capability {
  allowed: boolean;
  /** Why not, in a sentence (rendered in the request's language by the GraphQL field); null when allowed. */
  reason: Message | null;
  /** The directory roles any one of which would allow it here (on this user, for a user's capability). */
  requiredRoles: DirectoryRole[];
  /** The partner roles it needs, when the caller lacks them. */
  requiredPartnerRoles: PartnerRole[];
}

const ADMIN_AGENT: PartnerRole = 'ADMIN_AGENT';

/** The roles that would each, alone, allow the task (on the target): read off the same decision the mutations make. */
export function rolesThatAllow(task: Task, targetRoles?: readonly DirectoryRole[]): DirectoryRole[] {
  return DIRECTORY_ROLES.filter((r) => allows(new Set([r]), task, targetRoles));
}

/** The decision and its reason, from the caller's partner roles and directory roles in the customer. */
export function capability(
  partnerRoles: readonly PartnerRole[],
  held: ReadonlySet<DirectoryRole>,
  task: Task,
  target?: { roles: readonly DirectoryRole[]; name: string },
): Capability {
  if (!partnerRoles.includes(ADMIN_AGENT)) {
    return {
      allowed: false,
      reason: msg('users.canNeedPartnerRole', { partnerRole: ADMIN_AGENT }),
      requiredRoles: [],
      requiredPartnerRoles: [ADMIN_AGENT],
    };
  }
  if (allows(held, task, target?.roles)) {
    return { allowed: true, reason: null, requiredRoles: [], requiredPartnerRoles: [] };
  }
  const requiredRoles = rolesThatAllow(task, target?.roles);
  const onTarget = target && allows(held, task);
  return {
    allowed: false,
    reason: onTarget
      ? msg('users.canNeedRolesOnUser', { userPrincipalName: target.name, requiredRoles })
      : msg('users.canNeedRoles', { task, requiredRoles }),
    requiredRoles,
    requiredPartnerRoles: [],
  };
}

/** The caller's partner roles and directory roles in the customer (from the request's grant cache). */
export async function heldIn(
  ctx: ServiceContext,
  customerId: string,
): Promise<{ partnerRoles: readonly PartnerRole[]; held: ReadonlySet<DirectoryRole> }> {
  const agent = requireAgent(ctx);
  const grants = await grantsFor(ctx, agent, customerId);
  return { partnerRoles: agent.partnerRoles, held: new Set(grants.map((g) => g.role)) };
}

/** A state the mutation refuses whatever the roles (deleting a deleted user, restoring an active one). */
export function stateRefusal(reason: Message): Capability {
  return { allowed: false, reason, requiredRoles: [], requiredPartnerRoles: [] };
}
