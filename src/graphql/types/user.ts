import { purgeAt } from '../../services/users/row.js';
import { builder } from '../builder.js';
import { scopedId } from '../ids.js';
import { DirectoryRoleEnum, UserStateEnum } from './common.js';
import { CustomerRef, SkuRef, UserLicenseRef, UserRef } from './refs.js';

builder.node(UserRef, {
  id: { resolve: (u) => scopedId(u.customerId, u.id) },
  description: "A customer's directory user.",
  fields: (t) => ({
    userPrincipalName: t.exposeString('userPrincipalName'),
    firstName: t.exposeString('firstName', { nullable: true }),
    lastName: t.exposeString('lastName', { nullable: true }),
    displayName: t.exposeString('displayName'),
    usageLocation: t.exposeString('usageLocation', {
      nullable: true,
      description: 'ISO 3166 alpha-2; needed for licences.',
    }),
    jobTitle: t.exposeString('jobTitle', { nullable: true }),
    department: t.exposeString('department', { nullable: true }),
    office: t.exposeString('office', { nullable: true }),
    officePhone: t.exposeString('officePhone', { nullable: true }),
    mobilePhone: t.exposeString('mobilePhone', { nullable: true }),
    streetAddress: t.exposeString('streetAddress', { nullable: true }),
    city: t.exposeString('city', { nullable: true }),
    stateOrProvince: t.exposeString('stateOrProvince', { nullable: true }),
    postalCode: t.exposeString('postalCode', { nullable: true }),
    countryOrRegion: t.exposeString('countryOrRegion', { nullable: true }),
    alternateEmail: t.exposeString('alternateEmail', { nullable: true }),
    state: t.field({ type: UserStateEnum, resolve: (u) => u.state }),
    mustChangePassword: t.exposeBoolean('mustChangePassword'),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
    deletedAt: t.expose('deletedAt', { type: 'DateTime', nullable: true }),
    purgeAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When a deleted user is removed for good (30 days after deletion).',
      resolve: (u) => purgeAt(u.deletedAt),
    }),
    roles: t.field({
      type: [DirectoryRoleEnum],
      description: 'The admin roles the user holds in its own tenant.',
      resolve: async (u, _, ctx) =>
        (await ctx.loaders.userDetails.load({ customerId: u.customerId, userId: u.id })).roles,
    }),
    licenses: t.field({
      type: [UserLicenseRef],
      description: 'Licence assignments. A deleted user keeps them unseated, for restore.',
      resolve: async (u, _, ctx) =>
        (await ctx.loaders.userDetails.load({ customerId: u.customerId, userId: u.id })).licenses,
    }),
    customer: t.field({
      type: CustomerRef,
      resolve: async (u, _, ctx) => (await ctx.loaders.customers.load(u.customerId))!,
    }),
  }),
});

UserLicenseRef.implement({
  fields: (t) => ({
    sku: t.field({ type: SkuRef, resolve: (l) => l.sku }),
    seated: t.exposeBoolean('seated', { description: 'Whether it holds a seat (false while the user is deleted).' }),
    assignedAt: t.expose('assignedAt', { type: 'DateTime' }),
  }),
});
