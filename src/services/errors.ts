// Errors are values: services throw DomainError with a code from this list; the GraphQL layer maps them in one
// place (graphql/errors.ts) to top-level errors (the access codes) or to a payload's userErrors (everything else).
import type { DirectoryRole, PartnerRole } from '../auth/roles.js';

export const ACCESS_ERROR_CODES = ['UNAUTHENTICATED', 'FORBIDDEN', 'NOT_FOUND', 'PASSWORD_CHANGE_REQUIRED'] as const;

export const USER_ERROR_CODES = [
  'INVALID_ID',
  'INVALID',
  'REQUIRED',
  'TOO_LONG',
  'INVALID_CREDENTIALS',
  'ACCOUNT_DISABLED',
  'TOO_MANY_ATTEMPTS',
  'WEAK_PASSWORD',
  'INVALID_UPN',
  'DOMAIN_NOT_VERIFIED',
  'UPN_TAKEN',
  'DOMAIN_TAKEN',
  'EMAIL_TAKEN',
  'NAME_TAKEN',
  'USAGE_LOCATION_REQUIRED',
  'UNKNOWN_SKU',
  'NOT_SUBSCRIBED',
  'NO_SEATS',
  'UNKNOWN_ROLE',
  'INVALID_STATE',
  'LAST_ACCESS_ADMINISTRATOR',
  'RESTORE_WINDOW_PASSED',
  'LIMIT_EXCEEDED',
  'INVALID_FILE',
  'DUPLICATE_IN_FILE',
  'INTERNAL',
] as const;

/**
 * The codes a payload's userErrors can carry: the business codes, and the access codes too, which a bulk mutation
 * reports per id (one user FORBIDDEN or NOT_FOUND among others done).
 */
export const USER_ERROR_ENUM = [...USER_ERROR_CODES, ...ACCESS_ERROR_CODES] as const;

export type AccessErrorCode = (typeof ACCESS_ERROR_CODES)[number];
export type UserErrorCode = (typeof USER_ERROR_CODES)[number];
export type ErrorCode = AccessErrorCode | UserErrorCode;

export interface ErrorDetails {
  /** Path of the input field at fault, e.g. ['userPrincipalName']. */
  field?: string[];
  /** For FORBIDDEN: the directory roles, any one of which would allow the task. */
  requiredRoles?: readonly DirectoryRole[];
  /** For FORBIDDEN: the partner roles, any one of which would allow the task. */
  requiredPartnerRoles?: readonly PartnerRole[];
  task?: string;
  [key: string]: unknown;
}

export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: ErrorDetails = {},
  ) {
    super(message);
    this.name = 'DomainError';
  }

  get isAccessError(): boolean {
    return (ACCESS_ERROR_CODES as readonly string[]).includes(this.code);
  }
}

export const notFound = (what = 'object') => new DomainError('NOT_FOUND', `No such ${what}.`);

export const invalid = (field: string[], message: string, code: UserErrorCode = 'INVALID') =>
  new DomainError(code, message, { field });

/** Several field errors found at once (validation reports every bad field, not only the first). */
export class ValidationErrors extends Error {
  constructor(readonly errors: DomainError[]) {
    super(errors.map((e) => e.message).join('; '));
    this.name = 'ValidationErrors';
  }
}
