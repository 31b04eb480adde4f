// The rules of a user's input: info fields, user principal name (shape, verified domain, uniqueness) and roles.
import { and, eq } from 'drizzle-orm';
import { DIRECTORY_ROLES, type DirectoryRole } from '../../auth/roles.js';
import type { Db } from '../../db/client.js';
import { domains, users } from '../../db/schema.js';
import { msg } from '../../messages/index.js';
import type { ServiceContext } from '../context.js';
import { DomainError, invalid, type UserErrorCode, violated } from '../errors.js';
import { textViolation, upnDomain, upnViolation, usageLocationViolation, type Violation } from '../validation.js';
import { type UserRow, userColumns } from './row.js';

export const PROFILE_FIELDS = [
  'jobTitle',
  'department',
  'office',
  'officePhone',
  'mobilePhone',
  'streetAddress',
  'city',
  'stateOrProvince',
  'postalCode',
  'countryOrRegion',
  'alternateEmail',
] as const;
export type ProfileField = (typeof PROFILE_FIELDS)[number];

export const INFO_FIELDS = ['firstName', 'lastName', 'displayName', 'usageLocation', ...PROFILE_FIELDS] as const;
export type InfoField = (typeof INFO_FIELDS)[number];
export type UserInfo = { [K in InfoField]?: string | null };

const MAX_LENGTH: Record<InfoField, number> = {
  firstName: 64,
  lastName: 64,
  displayName: 256,
  usageLocation: 2,
  jobTitle: 128,
  department: 64,
  office: 128,
  officePhone: 64,
  mobilePhone: 64,
  streetAddress: 1024,
  city: 128,
  stateOrProvince: 128,
  postalCode: 40,
  countryOrRegion: 128,
  alternateEmail: 254,
};

/** The code of a text rule broken: the two a form tells apart, INVALID for the rest. */
const VIOLATION_CODES: Partial<Record<Violation['rule'], UserErrorCode>> = {
  required: 'REQUIRED',
  tooLong: 'TOO_LONG',
};

/** Every problem of the info fields present in `info` (all reported at once). */
export function infoErrors(info: UserInfo, path: string[] = []): DomainError[] {
  const errors: DomainError[] = [];
  for (const field of INFO_FIELDS) {
    const value = info[field];
    if (value === undefined) continue;
    if (value === null) {
      if (field === 'displayName') errors.push(violated([...path, field], field, { rule: 'required' }, 'REQUIRED'));
      continue;
    }
    const problem = textViolation(value, MAX_LENGTH[field], field === 'displayName');
    if (problem) {
      errors.push(violated([...path, field], field, problem, VIOLATION_CODES[problem.rule] ?? 'INVALID'));
      continue;
    }
    if (field === 'usageLocation') {
      const bad = usageLocationViolation(value);
      if (bad) errors.push(violated([...path, field], field, bad));
    }
    if (field === 'alternateEmail' && value !== '' && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(value)) {
      errors.push(invalid([...path, field], msg('users.alternateEmailShape')));
    }
  }
  return errors;
}

/** UPN shape and a verified domain of the customer. */
export async function upnErrors(
  ctx: ServiceContext,
  customerId: string,
  upn: string,
  field: string[],
): Promise<DomainError[]> {
  const shape = upnViolation(upn);
  if (shape) return [violated(field, 'userPrincipalName', shape, 'INVALID_UPN')];
  const domain = upnDomain(upn);
  const verified = await domainVerified(ctx, customerId, domain);
  if (!verified) {
    return [invalid(field, msg('users.domainNotVerified', { domain }), 'DOMAIN_NOT_VERIFIED')];
  }
  return [];
}

/** Whether the customer has verified the domain: from the domains read ahead with the session, or read now. */
async function domainVerified(ctx: ServiceContext, customerId: string, domain: string): Promise<boolean> {
  const known = ctx.verifiedDomains.get(customerId);
  if (known) return known.has(domain);
  const [row] = await ctx.db
    .select({ verified: domains.verified })
    .from(domains)
    .where(and(eq(domains.customerId, customerId), eq(domains.name, domain)));
  return row?.verified ?? false;
}

export async function activeUserWithUpn(db: Db, customerId: string, upn: string): Promise<UserRow | undefined> {
  const [row] = await db
    .select(userColumns)
    .from(users)
    .where(and(eq(users.customerId, customerId), eq(users.upnLower, upn.toLowerCase()), eq(users.state, 'ACTIVE')));
  return row;
}

export function upnTaken(upn: string, holder: UserRow | undefined, field: string[]): DomainError {
  return new DomainError(
    'UPN_TAKEN',
    holder
      ? msg('users.upnHeld', {
          userPrincipalName: upn,
          conflictingDisplayName: holder.displayName,
          conflictingUserPrincipalName: holder.userPrincipalName,
        })
      : msg('users.upnTaken', { userPrincipalName: upn }),
    { field, conflictingUserId: holder?.id },
  );
}

export function roleErrors(roles: readonly string[], field: string[]): DomainError[] {
  return roles
    .filter((r) => !DIRECTORY_ROLES.includes(r as DirectoryRole))
    .map((role) => invalid(field, msg('users.unknownRole', { role }), 'UNKNOWN_ROLE'));
}
