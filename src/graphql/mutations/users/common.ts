// What the user mutations share: info fields, payloads, the many-users call's input and answer.
import { type Message, msg, render } from '../../../messages/index.js';
import { DomainError } from '../../../services/errors.js';
import type { SkuRow } from '../../../services/skus.js';
import type { UserRow } from '../../../services/users/row.js';
import { builder } from '../../builder.js';
import { userErrorsOf } from '../../errors.js';
import { decodeScopedId } from '../../ids.js';
import { USER_ERRORS_DESCRIPTION, UserErrorRef } from '../../types/common.js';
import { SkuRef, UserRef } from '../../types/refs.js';

type FieldBuilder = Parameters<Parameters<typeof builder.inputType>[1]['fields']>[0];

/** An optional text field of a user's info, with its maximum length (services/users/input.ts checks it). */
const text = (t: FieldBuilder, what: string, max: number) =>
  t.string({ required: false, description: `${what}, up to ${max} characters.` });

export function infoFields(t: FieldBuilder) {
  return {
    firstName: text(t, 'First (given) name', 64),
    lastName: text(t, 'Last name (surname)', 64),
    usageLocation: t.string({ required: false, description: 'ISO 3166 alpha-2 (e.g. FR); required for licences.' }),
    jobTitle: text(t, 'Job title', 128),
    department: text(t, 'Department', 64),
    office: text(t, 'Office location', 128),
    officePhone: text(t, 'Office phone number', 64),
    mobilePhone: text(t, 'Mobile phone number', 64),
    streetAddress: text(t, 'Street address', 1024),
    city: text(t, 'City', 128),
    stateOrProvince: text(t, 'State or province', 128),
    postalCode: text(t, 'Postal code', 40),
    countryOrRegion: text(t, 'Country or region', 128),
    alternateEmail: t.string({
      required: false,
      description: 'Another email of the user (name@example.com), up to 254 characters.',
    }),
  };
}

export const UserWithPasswordPayload = (name: string, description: string) =>
  builder.simpleObject(name, {
    description,
    fields: (t) => ({
      user: t.field({ type: UserRef, nullable: true, description: 'The user.' }),
      temporaryPassword: t.string({ nullable: true, description: 'Shown once, never stored in clear.' }),
      userErrors: t.field({ type: [UserErrorRef], description: USER_ERRORS_DESCRIPTION }),
    }),
  });
export const userIdInput = (name: string, description: string) =>
  builder.inputType(name, {
    description,
    fields: (t) => ({ userId: t.id({ required: true, description: 'A User id.' }) }),
  });
export const UserIdsInput = builder.inputType('UserIdsInput', {
  description: 'The users of a bulk mutation.',
  fields: (t) => ({ userIds: t.idList({ required: true, description: 'Up to 1 000 users of one customer.' }) }),
});
export const UserPayload = builder.simpleObject('UserPayload', {
  description: 'The outcome of a change to a user.',
  fields: (t) => ({
    user: t.field({ type: UserRef, nullable: true, description: 'The user after the change.' }),
    userErrors: t.field({ type: [UserErrorRef], description: USER_ERRORS_DESCRIPTION }),
  }),
});

/** `message` is English; `text`, when the service gives it, is rendered in the request's language. */
export interface LicenseWarningShape {
  sku: SkuRow;
  message: string;
  text?: Message;
}

export const LicenseWarningRef = builder.objectRef<LicenseWarningShape>('LicenseWarning').implement({
  description: 'A licence that could not be given back on restore (no free seat): the user was restored without it.',
  fields: (t) => ({
    sku: t.field({ type: SkuRef, description: 'The product of the licence.', resolve: (w) => w.sku }),
    message: t.string({
      description: 'What happened, for a person to read, in the language of the Accept-Language header.',
      resolve: (w, _, ctx) => (w.text ? render(w.text, ctx.locale) : w.message),
    }),
    params: t.field({
      type: 'JSONObject',
      description: 'The values the message is made of, for a UI that writes its own text.',
      resolve: (w) => w.text?.params ?? {},
    }),
  }),
});
const UserResultRef = builder.simpleObject('UserResult', {
  description: 'The outcome for one id of a bulk mutation.',
  fields: (t) => ({
    userId: t.id({ description: 'The id, as given.' }),
    user: t.field({ type: UserRef, nullable: true, description: 'The user after the change (null when refused).' }),
    licenseWarnings: t.field({
      type: [LicenseWarningRef],
      description: 'For a restore: the licences not given back.',
    }),
    userErrors: t.field({ type: [UserErrorRef], description: 'Why this id was refused; empty on success.' }),
  }),
});
export const BulkUsersPayload = builder.simpleObject('BulkUsersPayload', {
  description: 'The outcome of a bulk mutation: one result per id, each done or refused on its own.',
  fields: (t) => ({
    results: t.field({ type: [UserResultRef], description: 'One per id, in the order given.' }),
    succeeded: t.int({ description: 'Ids done.' }),
    failed: t.int({ description: 'Ids refused.' }),
    userErrors: t.field({
      type: [UserErrorRef],
      description: 'Why the whole call was refused (then results is empty); each id reports its own in results.',
    }),
  }),
});

/** All ids of a bulk call must belong to one customer (the one authorized for the whole call). */
export function sameCustomer(ids: readonly string[]): { customerId: string; userIds: string[] } {
  const decoded = ids.map((id, i) => decodeScopedId(id, 'User', ['userIds', String(i)]));
  const customerId = decoded[0]?.customerId;
  if (!customerId) throw new DomainError('REQUIRED', msg('bulk.noUserIds'), { field: ['userIds'] });
  if (decoded.some((d) => d.customerId !== customerId)) {
    throw new DomainError('INVALID', msg('bulk.mixedCustomers'), { field: ['userIds'] });
  }
  return { customerId, userIds: decoded.map((d) => d.id) };
}

/** Per-id outcomes, in the order of the ids given. */
export const bulkPayload = (
  ids: readonly string[],
  results: { user?: UserRow; licenseWarnings?: LicenseWarningShape[]; error?: DomainError }[],
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
