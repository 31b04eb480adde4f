import {
  DIRECTORY_ROLE_INFO,
  DIRECTORY_ROLES,
  PARTNER_ROLE_INFO,
  PARTNER_ROLES,
  PARTNER_TASKS,
  type PartnerTask,
  TASKS,
  type Task,
} from '../../auth/roles.js';
import { ACCESS_ERROR_CODES, USER_ERROR_ENUM } from '../../services/errors.js';
import { builder } from '../builder.js';
import type { UserErrorShape } from '../errors.js';

/** Enum values, each with its description. */
function described<K extends string>(
  keys: readonly K[],
  describe: (key: K) => string,
): Record<K, { description: string }> {
  return Object.fromEntries(keys.map((key) => [key, { description: describe(key) }])) as Record<
    K,
    { description: string }
  >;
}

export const DirectoryRoleEnum = builder.enumType('DirectoryRole', {
  description: 'An Entra directory role, held by a customer user or granted to partner agents through GDAP.',
  values: described(
    DIRECTORY_ROLES,
    (r) => `${DIRECTORY_ROLE_INFO[r].displayName}: ${DIRECTORY_ROLE_INFO[r].description}`,
  ),
});

export const PartnerRoleEnum = builder.enumType('PartnerRole', {
  description: "An agent's role in its partner organization.",
  values: described(PARTNER_ROLES, (r) => `${PARTNER_ROLE_INFO[r].displayName}: ${PARTNER_ROLE_INFO[r].description}`),
});

export const CustomerTaskEnum = builder.enumType('CustomerTask', {
  description: 'A task in a customer, allowed by any one of its directory roles (with the partner role ADMIN_AGENT).',
  values: described(Object.keys(TASKS) as Task[], (t) => `To ${TASKS[t].description}.`),
});

export const PartnerTaskEnum = builder.enumType('PartnerTask', {
  description: 'A task on the partner side, allowed by any one of its partner roles.',
  values: described(Object.keys(PARTNER_TASKS) as PartnerTask[], (t) => `To ${PARTNER_TASKS[t].description}.`),
});

export const UserStateEnum = builder.enumType('UserState', {
  values: {
    ACTIVE: { description: 'A working account.' },
    INACTIVE: { description: 'Deleted: restorable for 30 days, then purged.' },
  },
});

export const UserErrorCodeEnum = builder.enumType('UserErrorCode', {
  description:
    'Why an input was refused. The access codes (FORBIDDEN, NOT_FOUND, …) appear here only per id of a bulk mutation.',
  values: USER_ERROR_ENUM,
});

builder.enumType('AccessErrorCode', {
  description: 'The extensions.code of top-level errors when access is refused.',
  values: ACCESS_ERROR_CODES,
});

export const UserErrorRef = builder.objectRef<UserErrorShape>('UserError').implement({
  description: 'A business rule the input broke; nothing was changed.',
  fields: (t) => ({
    field: t.exposeStringList('field', { nullable: true, description: 'Path of the input field at fault.' }),
    code: t.field({ type: UserErrorCodeEnum, resolve: (e) => e.code as (typeof USER_ERROR_ENUM)[number] }),
    message: t.exposeString('message'),
  }),
});
