// The role catalogue and the task → roles table of DESIGN.md. Enforcement (services/authorization.ts), the
// @requiresRole directives of the SDL and the authorization tests all read this module, so they cannot drift.

export const PARTNER_ROLES = ['ADMIN_AGENT', 'ACCESS_ADMINISTRATOR', 'SALES_AGENT', 'HELPDESK_AGENT'] as const;
export type PartnerRole = (typeof PARTNER_ROLES)[number];

/**
 * Partner-side tasks and the partner roles that allow them (any one of). Customer work stays with ADMIN_AGENT (plus
 * GDAP roles, below); granting access is ACCESS_ADMINISTRATOR's, so no agent both holds and hands out access.
 */
export const PARTNER_TASKS = {
  READ_PARTNER: {
    description: "read the partner's agents, security groups and GDAP relationships",
    anyOf: ['ADMIN_AGENT', 'ACCESS_ADMINISTRATOR'],
  },
  MANAGE_CUSTOMERS: { description: 'add customers, domains and subscriptions', anyOf: ['ADMIN_AGENT'] },
  MANAGE_RELATIONSHIPS: { description: 'request and terminate GDAP relationships', anyOf: ['ADMIN_AGENT'] },
  MANAGE_AGENTS: {
    description:
      "create, disable, enable and delete agents and applications, change their partner roles, reset agents' passwords and manage applications' client secrets",
    anyOf: ['ACCESS_ADMINISTRATOR'],
  },
  MANAGE_GROUPS: {
    description: 'create and delete security groups and manage their members',
    anyOf: ['ACCESS_ADMINISTRATOR'],
  },
  ASSIGN_GDAP_ACCESS: {
    description: 'assign GDAP roles to security groups or remove them',
    anyOf: ['ACCESS_ADMINISTRATOR'],
  },
  READ_PARTNER_AUDIT: { description: "read the partner's audit log", anyOf: ['ACCESS_ADMINISTRATOR'] },
  APPROVE_ACTIVATIONS: {
    description: 'approve or deny just-in-time activations of eligible group memberships',
    anyOf: ['ACCESS_ADMINISTRATOR'],
  },
  MANAGE_WEBHOOKS: {
    description: "subscribe URLs to the partner's events, rotate their secrets, read and redeliver deliveries",
    anyOf: ['ACCESS_ADMINISTRATOR'],
  },
} as const satisfies Record<string, { description: string; anyOf: readonly PartnerRole[] }>;
export type PartnerTask = keyof typeof PARTNER_TASKS;

export const DIRECTORY_ROLES = [
  'GLOBAL_ADMINISTRATOR',
  'USER_ADMINISTRATOR',
  'DIRECTORY_WRITERS',
  'LICENSE_ADMINISTRATOR',
  'PRIVILEGED_ROLE_ADMINISTRATOR',
  'PRIVILEGED_AUTHENTICATION_ADMINISTRATOR',
  'PASSWORD_ADMINISTRATOR',
  'HELPDESK_ADMINISTRATOR',
  'AUTHENTICATION_ADMINISTRATOR',
  'GROUPS_ADMINISTRATOR',
  'DIRECTORY_READERS',
  'GUEST_INVITER',
  'MESSAGE_CENTER_READER',
  'REPORTS_READER',
  'USAGE_SUMMARY_REPORTS_READER',
  'GLOBAL_READER',
  'SECURITY_ADMINISTRATOR',
] as const;
export type DirectoryRole = (typeof DIRECTORY_ROLES)[number];

/** The partner role every customer task needs on top of its directory roles. */
export const CUSTOMER_TASK_PARTNER_ROLE: PartnerRole = 'ADMIN_AGENT';

type TaskSpec = { description: string; anyOf: readonly DirectoryRole[] };

const GA = 'GLOBAL_ADMINISTRATOR' as const;

export const RESET_PASSWORD_ROLES = [
  'PASSWORD_ADMINISTRATOR',
  'HELPDESK_ADMINISTRATOR',
  'AUTHENTICATION_ADMINISTRATOR',
  'USER_ADMINISTRATOR',
  'PRIVILEGED_AUTHENTICATION_ADMINISTRATOR',
  GA,
] as const satisfies readonly DirectoryRole[];

export const TASKS = {
  READ_CUSTOMER: { description: 'read the customer, its users, licenses and audit', anyOf: DIRECTORY_ROLES },
  CREATE_USER: { description: 'create users', anyOf: ['DIRECTORY_WRITERS', 'USER_ADMINISTRATOR', GA] },
  DELETE_USER: { description: 'delete users', anyOf: ['USER_ADMINISTRATOR', GA] },
  RESTORE_USER: { description: 'restore deleted users', anyOf: ['DIRECTORY_WRITERS', 'USER_ADMINISTRATOR', GA] },
  EDIT_USER_INFO: { description: 'edit user info', anyOf: ['DIRECTORY_WRITERS', 'USER_ADMINISTRATOR', GA] },
  EDIT_USER_LICENSES: {
    description: 'assign or remove licenses',
    anyOf: ['LICENSE_ADMINISTRATOR', 'USER_ADMINISTRATOR', 'DIRECTORY_WRITERS', GA],
  },
  EDIT_USER_ROLES: { description: 'assign or remove admin roles', anyOf: ['PRIVILEGED_ROLE_ADMINISTRATOR', GA] },
  RESET_PASSWORD: { description: 'reset passwords', anyOf: RESET_PASSWORD_ROLES },
} as const satisfies Record<string, TaskSpec>;
export type Task = keyof typeof TASKS;

// Entra's who-can-reset table: for each kind of target, the caller roles that may reset its password.
const ANY_RESETTER: readonly DirectoryRole[] = RESET_PASSWORD_ROLES;
const RESET_BY_TARGET_ROLE: Partial<Record<DirectoryRole, readonly DirectoryRole[]>> = {
  DIRECTORY_READERS: ANY_RESETTER,
  GUEST_INVITER: ANY_RESETTER,
  PASSWORD_ADMINISTRATOR: ANY_RESETTER,
  MESSAGE_CENTER_READER: ANY_RESETTER.filter((r) => r !== 'PASSWORD_ADMINISTRATOR'),
  REPORTS_READER: ANY_RESETTER.filter((r) => r !== 'PASSWORD_ADMINISTRATOR'),
  USAGE_SUMMARY_REPORTS_READER: ANY_RESETTER.filter((r) => r !== 'PASSWORD_ADMINISTRATOR'),
  HELPDESK_ADMINISTRATOR: [
    'HELPDESK_ADMINISTRATOR',
    'USER_ADMINISTRATOR',
    'PRIVILEGED_AUTHENTICATION_ADMINISTRATOR',
    GA,
  ],
  GROUPS_ADMINISTRATOR: ['USER_ADMINISTRATOR', 'PRIVILEGED_AUTHENTICATION_ADMINISTRATOR', GA],
  USER_ADMINISTRATOR: ['USER_ADMINISTRATOR', 'PRIVILEGED_AUTHENTICATION_ADMINISTRATOR', GA],
  AUTHENTICATION_ADMINISTRATOR: ['AUTHENTICATION_ADMINISTRATOR', 'PRIVILEGED_AUTHENTICATION_ADMINISTRATOR', GA],
};
const MOST_PROTECTED: readonly DirectoryRole[] = ['PRIVILEGED_AUTHENTICATION_ADMINISTRATOR', GA];

/** Caller roles allowed to reset the password of a user holding `targetRoles` (judged by its most protected role). */
export function rolesThatMayReset(targetRoles: readonly DirectoryRole[]): DirectoryRole[] {
  let allowed: readonly DirectoryRole[] = ANY_RESETTER;
  for (const role of targetRoles) {
    const forRole = RESET_BY_TARGET_ROLE[role] ?? MOST_PROTECTED;
    allowed = allowed.filter((r) => forRole.includes(r));
  }
  return [...allowed];
}

/** The target role that decides who may reset (the most protected one), or null for an ordinary user. */
export function decisiveTargetRole(targetRoles: readonly DirectoryRole[]): DirectoryRole | null {
  let best: DirectoryRole | null = null;
  let bestSize = ANY_RESETTER.length;
  for (const role of targetRoles) {
    const size = (RESET_BY_TARGET_ROLE[role] ?? MOST_PROTECTED).length;
    if (size < bestSize) {
      best = role;
      bestSize = size;
    }
  }
  return best;
}

/** True when the target is more protected than an ordinary user (DESIGN.md: delete/restore/edit follow reset). */
export function isProtectedTarget(targetRoles: readonly DirectoryRole[]): boolean {
  return rolesThatMayReset(targetRoles).length < ANY_RESETTER.length;
}

export function holdsAny(held: ReadonlySet<DirectoryRole>, anyOf: readonly DirectoryRole[]): boolean {
  return anyOf.some((r) => held.has(r));
}

/** The tasks on a user that the who-can-reset table also governs (DESIGN.md); the others have no target rule. */
export const TARGET_RULE_TASKS: readonly Task[] = ['RESET_PASSWORD', 'DELETE_USER', 'RESTORE_USER', 'EDIT_USER_INFO'];

/** Whether roles held in a customer allow a task at all (any one of its roles). */
export function allowsTask(held: ReadonlySet<DirectoryRole>, task: Task): boolean {
  return holdsAny(held, TASKS[task].anyOf);
}

/**
 * The rule on a target user, for a caller the task allows: reset follows the who-can-reset table; delete, restore
 * and edit-info of a user more protected than an ordinary one need a role that could reset it; GLOBAL_ADMINISTRATOR
 * may do everything.
 */
export function allowsOnTarget(
  held: ReadonlySet<DirectoryRole>,
  task: Task,
  targetRoles: readonly DirectoryRole[],
): boolean {
  if (!TARGET_RULE_TASKS.includes(task) || held.has(GA)) return true;
  if (task !== 'RESET_PASSWORD' && !isProtectedTarget(targetRoles)) return true;
  return holdsAny(held, rolesThatMayReset(targetRoles));
}

/** The whole decision for a task in a customer, on a target user when there is one. */
export function allows(held: ReadonlySet<DirectoryRole>, task: Task, targetRoles?: readonly DirectoryRole[]): boolean {
  return allowsTask(held, task) && (targetRoles === undefined || allowsOnTarget(held, task, targetRoles));
}

/** What each directory role is, as Entra names and describes it: the catalogue the API serves (directoryRoles). */
export const DIRECTORY_ROLE_INFO: Record<DirectoryRole, { displayName: string; description: string }> = {
  GLOBAL_ADMINISTRATOR: {
    displayName: 'Global Administrator',
    description: 'Can manage all aspects of the directory and the services that use it.',
  },
  USER_ADMINISTRATOR: {
    displayName: 'User Administrator',
    description: 'Can manage all aspects of users, including resetting passwords of limited administrators.',
  },
  DIRECTORY_WRITERS: {
    displayName: 'Directory Writers',
    description: 'Can read and write basic directory information.',
  },
  LICENSE_ADMINISTRATOR: {
    displayName: 'License Administrator',
    description: 'Can assign and remove product licences on users.',
  },
  PRIVILEGED_ROLE_ADMINISTRATOR: {
    displayName: 'Privileged Role Administrator',
    description: 'Can manage admin role assignments, including Global Administrator.',
  },
  PRIVILEGED_AUTHENTICATION_ADMINISTRATOR: {
    displayName: 'Privileged Authentication Administrator',
    description: 'Can reset the password of any user, administrators included.',
  },
  PASSWORD_ADMINISTRATOR: {
    displayName: 'Password Administrator',
    description: 'Can reset passwords of users without an admin role and of other Password Administrators.',
  },
  HELPDESK_ADMINISTRATOR: {
    displayName: 'Helpdesk Administrator',
    description: 'Can reset passwords of users without an admin role, of readers and of other Helpdesk Administrators.',
  },
  AUTHENTICATION_ADMINISTRATOR: {
    displayName: 'Authentication Administrator',
    description:
      'Can reset passwords of users without an admin role, of readers and of other Authentication Administrators.',
  },
  GROUPS_ADMINISTRATOR: { displayName: 'Groups Administrator', description: 'Can create and manage groups.' },
  DIRECTORY_READERS: { displayName: 'Directory Readers', description: 'Can read basic directory information.' },
  GUEST_INVITER: { displayName: 'Guest Inviter', description: 'Can invite guest users.' },
  MESSAGE_CENTER_READER: {
    displayName: 'Message Center Reader',
    description: "Can read the organization's messages and updates in Message Center.",
  },
  REPORTS_READER: { displayName: 'Reports Reader', description: 'Can read sign-in and audit reports.' },
  USAGE_SUMMARY_REPORTS_READER: {
    displayName: 'Usage Summary Reports Reader',
    description: 'Can read tenant-level aggregates of usage reports only.',
  },
  GLOBAL_READER: {
    displayName: 'Global Reader',
    description: 'Can read everything a Global Administrator can, and change nothing.',
  },
  SECURITY_ADMINISTRATOR: {
    displayName: 'Security Administrator',
    description: 'Can read security information and reports and manage security configuration.',
  },
};

/** What each partner role is (Partner Center's agent roles, plus the access administrator of DESIGN.md). */
export const PARTNER_ROLE_INFO: Record<PartnerRole, { displayName: string; description: string }> = {
  ADMIN_AGENT: {
    displayName: 'Admin agent',
    description:
      'Works in customers (with the GDAP roles its groups hold there), adds customers and requests relationships.',
  },
  ACCESS_ADMINISTRATOR: {
    displayName: 'Access administrator',
    description:
      'Grants access: agents, security groups and members, GDAP assignments, activations; reads the audit log.',
  },
  SALES_AGENT: { displayName: 'Sales agent', description: 'No user management.' },
  HELPDESK_AGENT: { displayName: 'Helpdesk agent', description: 'No user management.' },
};

/** The customer tasks a directory role allows on its own (from the task table). */
export function tasksOfDirectoryRole(role: DirectoryRole): Task[] {
  return (Object.keys(TASKS) as Task[]).filter((task) => allowsTask(new Set([role]), task));
}

/** The partner-side tasks a partner role allows (from the partner task table). */
export function tasksOfPartnerRole(role: PartnerRole): PartnerTask[] {
  return (Object.keys(PARTNER_TASKS) as PartnerTask[]).filter((task) =>
    (PARTNER_TASKS[task].anyOf as readonly PartnerRole[]).includes(role),
  );
}
