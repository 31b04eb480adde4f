import type { ObjectRef } from '@pothos/core';
import { purgeAt, type UserDetails, type UserRow } from '../../services/users/row.js';
import { builder } from '../builder.js';
import { scopedId } from '../ids.js';
import { DirectoryRoleEnum, UserStateEnum } from './common.js';
import { CustomerRef, SkuRef, UserLicenseRef, UserRef } from './refs.js';

/**
 * The row columns each User field reads: a users page reads only those of the fields its query selects
 * (services/users/read.ts listUsers `columns`). A field missing here (viewerCan, one added later) makes the page read
 * every column: when adding a field that reads the row, list what it reads.
 */
const USER_FIELD_COLUMNS: Record<string, readonly (keyof UserRow)[]> = {
  __typename: [],
  id: ['customerId', 'id'],
  userPrincipalName: ['userPrincipalName'],
  firstName: ['firstName'],
  lastName: ['lastName'],
  displayName: ['displayName'],
  usageLocation: ['usageLocation'],
  jobTitle: ['jobTitle'],
  department: ['department'],
  office: ['office'],
  officePhone: ['officePhone'],
  mobilePhone: ['mobilePhone'],
  streetAddress: ['streetAddress'],
  city: ['city'],
  stateOrProvince: ['stateOrProvince'],
  postalCode: ['postalCode'],
  countryOrRegion: ['countryOrRegion'],
  alternateEmail: ['alternateEmail'],
  state: ['state'],
  mustChangePassword: ['mustChangePassword'],
  createdAt: ['createdAt'],
  updatedAt: ['updatedAt'],
  deletedAt: ['deletedAt'],
  purgeAt: ['deletedAt'],
  roles: ['customerId', 'id'],
  licenses: ['customerId', 'id'],
  customer: ['customerId'],
};

/** The columns the selected User fields read, or null (every column) when one of them is not in the list above. */
export function userColumnsFor(fields: ReadonlySet<string>): (keyof UserRow)[] | null {
  const columns = new Set<keyof UserRow>();
  for (const field of fields) {
    const read = USER_FIELD_COLUMNS[field];
    if (!read) return null;
    for (const c of read) columns.add(c);
  }
  return [...columns];
}

builder.node(UserRef, {
  id: { resolve: (u) => scopedId(u.customerId, u.id) },
  description: "A customer's directory user.",
  fields: (t) => ({
    userPrincipalName: t.exposeString('userPrincipalName', {
      description: 'The sign-in name, name@domain (a verified domain of the customer); unique among active users.',
    }),
    firstName: t.exposeString('firstName', { nullable: true, description: 'Given name (up to 64 characters).' }),
    lastName: t.exposeString('lastName', { nullable: true, description: 'Surname (up to 64 characters).' }),
    displayName: t.exposeString('displayName', { description: 'The name shown everywhere (up to 256 characters).' }),
    usageLocation: t.exposeString('usageLocation', {
      nullable: true,
      description: 'ISO 3166 alpha-2; needed for licences.',
    }),
    jobTitle: t.exposeString('jobTitle', { nullable: true, description: 'Job title.' }),
    department: t.exposeString('department', { nullable: true, description: 'Department.' }),
    office: t.exposeString('office', { nullable: true, description: 'Office location.' }),
    officePhone: t.exposeString('officePhone', { nullable: true, description: 'Office phone number.' }),
    mobilePhone: t.exposeString('mobilePhone', { nullable: true, description: 'Mobile phone number.' }),
    streetAddress: t.exposeString('streetAddress', { nullable: true, description: 'Street address.' }),
    city: t.exposeString('city', { nullable: true, description: 'City.' }),
    stateOrProvince: t.exposeString('stateOrProvince', { nullable: true, description: 'State or province.' }),
    postalCode: t.exposeString('postalCode', { nullable: true, description: 'Postal code.' }),
    countryOrRegion: t.exposeString('countryOrRegion', { nullable: true, description: 'Country or region.' }),
    alternateEmail: t.exposeString('alternateEmail', {
      nullable: true,
      description: 'An email outside the tenant, for recovery.',
    }),
    // Exposed, not resolved: graphql-jit reads an exposed field inline, and builds a resolve info (an object and its
    // path) for every resolver it calls, once per user of a page.
    state: t.expose('state', {
      type: UserStateEnum,
      description: 'ACTIVE, or INACTIVE once deleted (restorable for 30 days).',
    }),
    mustChangePassword: t.exposeBoolean('mustChangePassword', {
      description: 'True while the user signs in with a temporary password (created or reset) it must change.',
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When the user was created.' }),
    updatedAt: t.expose('updatedAt', {
      type: 'DateTime',
      description:
        'Its last change (info, roles, licences, password reset, deletion, restore): what updatedSince reads.',
    }),
    deletedAt: t.expose('deletedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When it was deleted; null if active.',
    }),
    purgeAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When a deleted user is removed for good (30 days after deletion).',
      resolve: (u) => purgeAt(u.deletedAt),
    }),
    customer: t.field({
      type: CustomerRef,
      description: 'The tenant the user belongs to.',
      resolve: async (u, _, ctx) => (await ctx.loaders.customers.load(u.customerId))!,
    }),
  }),
});

/**
 * User's roles and licenses, read inline (no resolver, so graphql-jit builds no resolve info for them, twice a user of
 * a page): every field that can return users attaches them first (graphql/user-details.ts), so as these fields see a
 * user it has them.
 */
type Types = typeof builder extends PothosSchemaTypes.SchemaBuilder<infer T> ? T : never;
const UserWithDetailsRef = UserRef as unknown as ObjectRef<Types, UserRow & UserDetails>;
builder.objectFields(UserWithDetailsRef, (t) => ({
  roles: t.expose('roles', {
    type: [DirectoryRoleEnum],
    description: 'The admin roles the user holds in its own tenant.',
  }),
  licenses: t.expose('licenses', {
    type: [UserLicenseRef],
    description: 'Licence assignments. A deleted user keeps them unseated, for restore.',
  }),
}));

UserLicenseRef.implement({
  description: 'A licence assigned to a user.',
  fields: (t) => ({
    sku: t.expose('sku', { type: SkuRef, description: 'The product licensed.' }),
    seated: t.exposeBoolean('seated', { description: 'Whether it holds a seat (false while the user is deleted).' }),
    assignedAt: t.expose('assignedAt', { type: 'DateTime', description: 'When it was assigned.' }),
  }),
});
