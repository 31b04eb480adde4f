// The role catalogue: what each directory role and partner role is and which tasks it allows, read from the tables
// enforcement reads (auth/roles.ts), so a front end explains a role without a copy of the rules.
import {
  DIRECTORY_ROLE_INFO,
  DIRECTORY_ROLES,
  type DirectoryRole,
  PARTNER_ROLE_INFO,
  PARTNER_ROLES,
  type PartnerRole,
  type PartnerTask,
  type Task,
  tasksOfDirectoryRole,
  tasksOfPartnerRole,
} from '../auth/roles.js';
import { requireSignedIn } from './authorization.js';
import type { ServiceContext } from './context.js';

export interface RoleInfo<R, T> {
  role: R;
  displayName: string;
  description: string;
  tasks: T[];
}

/** Every directory role, for anyone signed in (the catalogue is the same for every partner). */
export function listDirectoryRoles(ctx: ServiceContext): RoleInfo<DirectoryRole, Task>[] {
  requireSignedIn(ctx);
  return DIRECTORY_ROLES.map((role) => ({ role, ...DIRECTORY_ROLE_INFO[role], tasks: tasksOfDirectoryRole(role) }));
}

/** Every partner role, for anyone signed in. */
export function listPartnerRoles(ctx: ServiceContext): RoleInfo<PartnerRole, PartnerTask>[] {
  requireSignedIn(ctx);
  return PARTNER_ROLES.map((role) => ({ role, ...PARTNER_ROLE_INFO[role], tasks: tasksOfPartnerRole(role) }));
}
