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
import { render } from '../../messages/index.js';
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
  description: "Whether a customer's user is working or deleted.",
  values: {
    ACTIVE: { description: 'A working account.' },
    INACTIVE: { description: 'Deleted: restorable for 30 days, then purged.' },
  },
});

const ACCESS_ERROR_DESCRIPTIONS: Record<(typeof ACCESS_ERROR_CODES)[number], string> = {
  UNAUTHENTICATED: 'No bearer token, or one that is invalid, expired or revoked: sign in (again).',
  FORBIDDEN:
    'Signed in, but without a role the task needs (extensions.requiredRoles or requiredPartnerRoles name them).',
  NOT_FOUND: 'No such object, or one you may not see (the two read the same).',
  PASSWORD_CHANGE_REQUIRED: 'The password is temporary: call changePassword before anything else.',
};

const USER_ERROR_DESCRIPTIONS: Record<(typeof USER_ERROR_ENUM)[number], string> = {
  INVALID_ID: 'Not an id this API gave out, or the id of another type of object.',
  INVALID: 'A value out of its range or of the wrong form (the message says which).',
  REQUIRED: 'A value that must be given is missing or blank.',
  TOO_LONG: 'A text longer than its field allows.',
  INVALID_CREDENTIALS: 'The email (or user principal name) or the password is incorrect.',
  ACCOUNT_DISABLED: 'The password is right but the agent is disabled.',
  TOO_MANY_ATTEMPTS:
    'Too many failed sign-ins: try again after the wait the message gives. Also a second password check in one request.',
  WEAK_PASSWORD: 'The new password breaks the password policy, or repeats the current one.',
  INVALID_UPN: 'The user principal name is not of the form alias@domain.',
  DOMAIN_NOT_VERIFIED: 'The domain of the user principal name is not a verified domain of the customer.',
  UPN_TAKEN: 'Another active user of the customer holds this user principal name.',
  DOMAIN_TAKEN:
    "The domain is not available: another tenant has it, or agents sign in with it (or, for an agent's email, it is a customer's).",
  EMAIL_TAKEN: 'Another agent has this email.',
  NAME_TAKEN: 'Another security group or GDAP relationship has this name.',
  USAGE_LOCATION_REQUIRED: 'A licence needs the usage location of the user.',
  UNKNOWN_SKU: 'No product of the catalogue has this SKU id (or part number, in a file).',
  NOT_SUBSCRIBED: 'The customer has no subscription for this product.',
  NO_SEATS: 'The subscription has no free seat left.',
  UNKNOWN_ROLE: 'Not a directory role (or, for agents and applications, not a partner role).',
  INVALID_STATE:
    'Not possible in the current state (deleting a deleted user, activating a permanent membership, deciding a decided activation…).',
  LAST_ACCESS_ADMINISTRATOR:
    'The change would leave the partner without an enabled ACCESS_ADMINISTRATOR: give the role to another agent first.',
  RESTORE_WINDOW_PASSED: 'The user was deleted more than 30 days ago and can no longer be restored.',
  LIMIT_EXCEEDED:
    'Over a maximum: ids of one bulk call, rows of an import file, or live secrets of an application (the message says which).',
  INVALID_FILE: 'The import file is not a CSV this API reads (header, encoding, size).',
  DUPLICATE_IN_FILE: 'The import file has this user principal name on an earlier line.',
  INTERNAL: 'An unexpected server error stopped this item; nothing was changed for it.',
  ...ACCESS_ERROR_DESCRIPTIONS,
};

export const UserErrorCodeEnum = builder.enumType('UserErrorCode', {
  description:
    'Why an input was refused. The access codes (FORBIDDEN, NOT_FOUND, …) appear here only per id of a bulk mutation.',
  values: described(USER_ERROR_ENUM, (c) => USER_ERROR_DESCRIPTIONS[c]),
});

builder.enumType('AccessErrorCode', {
  description: 'The extensions.code of top-level errors when access is refused.',
  values: described(ACCESS_ERROR_CODES, (c) => ACCESS_ERROR_DESCRIPTIONS[c]),
});

/** The description of every payload's userErrors field. */
export const USER_ERRORS_DESCRIPTION =
  'Why the input was refused (then nothing was changed, and the other fields are null or empty); empty on success.';

export const UserErrorRef = builder.objectRef<UserErrorShape>('UserError').implement({
  description: 'A business rule the input broke; nothing was changed.',
  fields: (t) => ({
    field: t.exposeStringList('field', { nullable: true, description: 'Path of the input field at fault.' }),
    code: t.field({
      type: UserErrorCodeEnum,
      description: 'What kind of refusal, for code to act on.',
      resolve: (e) => e.code as (typeof USER_ERROR_ENUM)[number],
    }),
    message: t.string({
      description:
        'What is wrong and how to fix it, for a person to read, in the language of the Accept-Language header (English or French).',
      resolve: (e, _, ctx) => (e.text ? render(e.text, ctx.locale) : e.message),
    }),
    params: t.field({
      type: 'JSONObject',
      description:
        'The values the message is made of (a limit, a conflicting name, a number of seconds), for a UI that writes its own text from `code`.',
      resolve: (e) => e.text?.params ?? {},
    }),
  }),
});
