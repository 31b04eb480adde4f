// Errors are values: services throw DomainError with a code from this list; the GraphQL layer maps them in one
// place (graphql/errors.ts) to top-level errors (the access codes) or to a payload's userErrors (everything else).
import type { DirectoryRole, PartnerRole } from '../auth/roles.js';
import { type Message, msg, render } from '../messages/index.js';
import type { Subject, Thing } from '../messages/terms.js';
import type { Violation } from './validation.js';

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
  /**
   * `text` is what to tell a person, rendered in the request's language at the GraphQL boundary (`message` is its
   * English rendering, for logs and for code that reads errors in-process).
   */
  constructor(
    readonly code: ErrorCode,
    readonly text: Message,
    readonly details: ErrorDetails = {},
  ) {
    super(render(text));
    this.name = 'DomainError';
  }

  /** The values the message is made of, for a UI that writes its own text (`params` / `extensions.params`). */
  get params(): Readonly<Record<string, unknown>> {
    return this.text.params;
  }

  get isAccessError(): boolean {
    return (ACCESS_ERROR_CODES as readonly string[]).includes(this.code);
  }
}

export const notFound = (what: Thing = 'object') => new DomainError('NOT_FOUND', msg('common.notFound', { what }));

export const invalid = (field: string[], message: Message, code: UserErrorCode = 'INVALID') =>
  new DomainError(code, message, { field });

/** A field's input rule broken (validation.ts): "The display name is required." in the request's language. */
export const violated = (field: string[], subject: Subject, violation: Violation, code: UserErrorCode = 'INVALID') =>
  invalid(field, msg('field.violation', { subject, ...violation }), code);

/** Several field errors found at once (validation reports every bad field, not only the first). */
export class ValidationErrors extends Error {
  constructor(readonly errors: DomainError[]) {
    super(errors.map((e) => e.message).join('; '));
    this.name = 'ValidationErrors';
  }
}
