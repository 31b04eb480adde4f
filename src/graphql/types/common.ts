import { DIRECTORY_ROLES, PARTNER_ROLES } from '../../auth/roles.js';
import { ACCESS_ERROR_CODES, USER_ERROR_ENUM } from '../../services/errors.js';
import { builder } from '../builder.js';
import type { UserErrorShape } from '../errors.js';

export const DirectoryRoleEnum = builder.enumType('DirectoryRole', {
  description: 'An Entra directory role, held by a customer user or granted to partner agents through GDAP.',
  values: DIRECTORY_ROLES,
});

export const PartnerRoleEnum = builder.enumType('PartnerRole', { values: PARTNER_ROLES });

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
