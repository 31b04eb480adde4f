// DESIGN.md's access tables written out a second time, on purpose: the tests compare the code (src/auth/roles.ts)
// with this copy, so a rule changed in one place and not the other fails a test instead of passing silently.
import type { DirectoryRole, Task } from '../../src/auth/roles.js';

const PWD = 'PASSWORD_ADMINISTRATOR',
  HD = 'HELPDESK_ADMINISTRATOR',
  AUTH = 'AUTHENTICATION_ADMINISTRATOR';
const UA = 'USER_ADMINISTRATOR',
  PAA = 'PRIVILEGED_AUTHENTICATION_ADMINISTRATOR',
  GA = 'GLOBAL_ADMINISTRATOR';
const DW = 'DIRECTORY_WRITERS',
  LA = 'LICENSE_ADMINISTRATOR',
  PRA = 'PRIVILEGED_ROLE_ADMINISTRATOR';
const ANY_RESETTER: string[] = [PWD, HD, AUTH, UA, PAA, GA];

/** DESIGN.md's task table: the directory roles that allow each task (GLOBAL_ADMINISTRATOR allows every task). */
export const TASK_ROLES: Record<Exclude<Task, 'READ_CUSTOMER'>, string[]> = {
  CREATE_USER: [DW, UA, GA],
  DELETE_USER: [UA, GA],
  RESTORE_USER: [DW, UA, GA],
  EDIT_USER_INFO: [DW, UA, GA],
  EDIT_USER_LICENSES: [LA, UA, DW, GA],
  EDIT_USER_ROLES: [PRA, GA],
  RESET_PASSWORD: ANY_RESETTER,
};

/** DESIGN.md's who-can-reset table: target role → caller roles that may reset it. Unlisted roles: PAA and GA. */
const WHO_CAN_RESET: Record<string, string[]> = {
  DIRECTORY_READERS: ANY_RESETTER,
  GUEST_INVITER: ANY_RESETTER,
  PASSWORD_ADMINISTRATOR: ANY_RESETTER,
  MESSAGE_CENTER_READER: [HD, AUTH, UA, PAA, GA],
  REPORTS_READER: [HD, AUTH, UA, PAA, GA],
  USAGE_SUMMARY_REPORTS_READER: [HD, AUTH, UA, PAA, GA],
  HELPDESK_ADMINISTRATOR: [HD, UA, PAA, GA],
  GROUPS_ADMINISTRATOR: [UA, PAA, GA],
  USER_ADMINISTRATOR: [UA, PAA, GA],
  AUTHENTICATION_ADMINISTRATOR: [AUTH, PAA, GA],
};

/** Whether a caller holding `caller` may reset a user holding `target`: a role that may reset every one of them. */
function mayReset(caller: readonly string[], target: readonly string[]): boolean {
  return caller.some((c) => target.every((t) => (WHO_CAN_RESET[t] ?? [PAA, GA]).includes(c)));
}

export type Outcome = 'ALLOWED' | 'FORBIDDEN_TASK' | 'FORBIDDEN_TARGET';

/** What DESIGN.md says of a task done by a caller holding `caller` on a user holding `target` (null: no target). */
export function expected(
  task: Task,
  caller: readonly DirectoryRole[],
  target: readonly DirectoryRole[] | null,
): Outcome {
  if (task === 'READ_CUSTOMER') return caller.length ? 'ALLOWED' : 'FORBIDDEN_TASK';
  if (!caller.some((c) => TASK_ROLES[task].includes(c))) return 'FORBIDDEN_TASK';
  if (target === null || caller.includes(GA)) return 'ALLOWED';
  if (task === 'RESET_PASSWORD') return mayReset(caller, target) ? 'ALLOWED' : 'FORBIDDEN_TARGET';
  if (task === 'DELETE_USER' || task === 'RESTORE_USER' || task === 'EDIT_USER_INFO') {
    // A target more protected than an ordinary user needs a role that could reset it.
    const ordinary = ANY_RESETTER.every((r) => mayReset([r], target));
    return ordinary || mayReset(caller, target) ? 'ALLOWED' : 'FORBIDDEN_TARGET';
  }
  return 'ALLOWED';
}
