// What the user mutations share: info fields, payloads, the many-users call's input and answer.
import { DomainError } from '../../../services/errors.js';
import type { UserRow } from '../../../services/users/row.js';
import { builder } from '../../builder.js';
import { userErrorsOf } from '../../errors.js';
import { decodeScopedId } from '../../ids.js';
import { UserErrorRef } from '../../types/common.js';
import { SkuRef, UserRef } from '../../types/refs.js';

type FieldBuilder = Parameters<Parameters<typeof builder.inputType>[1]['fields']>[0];

export function infoFields(t: FieldBuilder) {
  return {
    firstName: t.string({ required: false }),
    lastName: t.string({ required: false }),
    usageLocation: t.string({ required: false, description: 'ISO 3166 alpha-2 (e.g. FR); required for licences.' }),
    jobTitle: t.string({ required: false }),
    department: t.string({ required: false }),
    office: t.string({ required: false }),
    officePhone: t.string({ required: false }),
    mobilePhone: t.string({ required: false }),
    streetAddress: t.string({ required: false }),
    city: t.string({ required: false }),
    stateOrProvince: t.string({ required: false }),
    postalCode: t.string({ required: false }),
    countryOrRegion: t.string({ required: false }),
    alternateEmail: t.string({ required: false }),
  };
}

export const UserWithPasswordPayload = (name: string) =>
  builder.simpleObject(name, {
    fields: (t) => ({
      user: t.field({ type: UserRef, nullable: true }),
      temporaryPassword: t.string({ nullable: true, description: 'Shown once, never stored in clear.' }),
      userErrors: t.field({ type: [UserErrorRef] }),
    }),
  });
export const userIdInput = (name: string) =>
  builder.inputType(name, { fields: (t) => ({ userId: t.id({ required: true }) }) });
export const UserIdsInput = builder.inputType('UserIdsInput', {
  fields: (t) => ({ userIds: t.idList({ required: true, description: 'Up to 1 000 users of one customer.' }) }),
});
export const UserPayload = builder.simpleObject('UserPayload', {
  fields: (t) => ({ user: t.field({ type: UserRef, nullable: true }), userErrors: t.field({ type: [UserErrorRef] }) }),
});

export const LicenseWarningRef = builder.simpleObject('LicenseWarning', {
  description: 'A licence that could not be given back on restore (no free seat): the user was restored without it.',
  fields: (t) => ({ sku: t.field({ type: SkuRef }), message: t.string() }),
});
const UserResultRef = builder.simpleObject('UserResult', {
  description: 'The outcome for one id of a bulk mutation.',
  fields: (t) => ({
    userId: t.id(),
    user: t.field({ type: UserRef, nullable: true }),
    licenseWarnings: t.field({ type: [LicenseWarningRef] }),
    userErrors: t.field({ type: [UserErrorRef] }),
  }),
});
export const BulkUsersPayload = builder.simpleObject('BulkUsersPayload', {
  fields: (t) => ({
    results: t.field({ type: [UserResultRef] }),
    succeeded: t.int(),
    failed: t.int(),
    userErrors: t.field({ type: [UserErrorRef] }),
  }),
});

/** All ids of a bulk call must belong to one customer (the one authorized for the whole call). */
export function sameCustomer(ids: readonly string[]): { customerId: string; userIds: string[] } {
  const decoded = ids.map((id, i) => decodeScopedId(id, 'User', ['userIds', String(i)]));
  const customerId = decoded[0]?.customerId;
  if (!customerId) throw new DomainError('REQUIRED', 'Give at least one user id.', { field: ['userIds'] });
  if (decoded.some((d) => d.customerId !== customerId)) {
    throw new DomainError('INVALID', 'All users of one call must belong to the same customer.', { field: ['userIds'] });
  }
  return { customerId, userIds: decoded.map((d) => d.id) };
}

/** Per-id outcomes, in the order of the ids given. */
export const bulkPayload = (
  ids: readonly string[],
  results: { user?: UserRow; licenseWarnings?: (typeof LicenseWarningRef)['$inferType'][]; error?: DomainError }[],
) => ({
  results: results.map((r, i) => ({
    userId: ids[i]!,
    user: r.user ?? null,
    licenseWarnings: r.licenseWarnings ?? [],
    userErrors: r.error ? userErrorsOf(r.error) : [],
  })),
  succeeded: results.filter((r) => !r.error).length,
  failed: results.filter((r) => r.error).length,
});

export const emptyBulk = { results: [], succeeded: 0, failed: 0 };
