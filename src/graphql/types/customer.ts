import { grantsFor, requireAdminAgent } from '../../services/authorization.js';
import { licenseHolders, listLicenses } from '../../services/customers.js';
import { getGdapRelationship, listCustomerRelationships } from '../../services/gdap.js';
import { getSecurityGroup } from '../../services/security-groups.js';
import { readCustomer } from '../../services/tasks.js';
import { getUserByUpn, listDeletedUsers, listUsers } from '../../services/users/read.js';
import { builder, requiresRole } from '../builder.js';
import { DirectoryRoleEnum } from './common.js';
import {
  CustomerRef,
  DomainRef,
  GdapRelationshipRef,
  LicenseRef,
  RoleGrantRef,
  SecurityGroupRef,
  SkuRef,
  UserRef,
} from './refs.js';

const UserFilter = builder.inputType('UserFilter', {
  fields: (t) => ({
    search: t.string({ required: false, description: 'Part of the user principal name or display name.' }),
    roleIn: t.field({ type: [DirectoryRoleEnum], required: false, description: 'Holds any of these admin roles.' }),
    hasLicense: t.boolean({ required: false, description: 'Holds at least one licence (true) or none (false).' }),
    updatedSince: t.field({
      type: 'DateTime',
      required: false,
      description:
        'For a sync: the users changed at or after this instant (info, roles, licences, password reset, deletion, restore), deleted (INACTIVE) ones included, oldest change first instead of by name. Keep the last updatedAt you saw and ask from it next time; purges are in the audit feed (and webhooks).',
    }),
  }),
});

builder.node(CustomerRef, {
  id: { resolve: (c) => c.id },
  description: 'A tenant the partner serves.',
  fields: (t) => ({
    name: t.exposeString('name'),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    domains: t.field({ type: [DomainRef], resolve: (c, _, ctx) => ctx.loaders.customerDomains.load(c.id) }),
    myRoles: t.field({
      type: [RoleGrantRef],
      description: 'The directory roles you hold in this customer now, and the relationship and group each comes from.',
      resolve: (c, _, ctx) => grantsFor(ctx.svc, requireAdminAgent(ctx.svc, readCustomer.tasks[0]), c.id),
    }),
    users: t.connection({
      type: UserRef,
      description:
        'Active users, in user principal name order; with filter.updatedSince, every user changed since then (deleted ones too), oldest change first.',
      directives: requiresRole(listUsers),
      args: { filter: t.arg({ type: UserFilter, required: false }) },
      resolve: (c, args, ctx) => listUsers(ctx.svc, c.id, args),
    }),
    deletedUsers: t.connection({
      type: UserRef,
      description: 'Deleted (INACTIVE) users, restorable until their purgeAt; most recently deleted first.',
      directives: requiresRole(listDeletedUsers),
      resolve: (c, args, ctx) => listDeletedUsers(ctx.svc, c.id, args),
    }),
    user: t.field({
      type: UserRef,
      nullable: true,
      directives: requiresRole(getUserByUpn),
      args: { userPrincipalName: t.arg.string({ required: true }) },
      resolve: (c, args, ctx) => getUserByUpn(ctx.svc, c.id, args.userPrincipalName),
    }),
    licenses: t.field({
      type: [LicenseRef],
      description: 'Subscriptions: seats total, consumed and available.',
      directives: requiresRole(listLicenses),
      resolve: (c, _, ctx) => listLicenses(ctx.svc, c.id),
    }),
    gdapRelationships: t.field({
      type: [GdapRelationshipRef],
      directives: requiresRole(listCustomerRelationships),
      resolve: (c, _, ctx) => listCustomerRelationships(ctx.svc, c.id),
    }),
  }),
});

DomainRef.implement({
  fields: (t) => ({
    name: t.exposeString('name'),
    isDefault: t.exposeBoolean('isDefault'),
    verified: t.exposeBoolean('verified'),
  }),
});

builder.node(SkuRef, {
  id: { resolve: (s) => s.id },
  description: 'A product licences are sold for.',
  fields: (t) => ({
    partNumber: t.exposeString('partNumber'),
    name: t.exposeString('name'),
  }),
});

LicenseRef.implement({
  description: "A customer's subscription to a SKU: its seat pool.",
  fields: (t) => ({
    sku: t.field({ type: SkuRef, resolve: (l) => l.sku }),
    totalSeats: t.int({ resolve: (l) => l.subscription.totalSeats }),
    consumedSeats: t.int({ resolve: (l) => l.subscription.consumedSeats }),
    availableSeats: t.int({ resolve: (l) => l.subscription.totalSeats - l.subscription.consumedSeats }),
    users: t.connection({
      type: UserRef,
      description: 'Active users holding a seat, in user principal name order.',
      directives: requiresRole(licenseHolders),
      resolve: (l, args, ctx) => licenseHolders(ctx.svc, l.subscription.customerId, l.sku.id, args),
    }),
  }),
});

const GrantViaEnum = builder.enumType('GrantVia', { values: ['PERMANENT', 'ACTIVATION'] as const });

RoleGrantRef.implement({
  description: 'A directory role and where it comes from.',
  fields: (t) => ({
    role: t.field({ type: DirectoryRoleEnum, resolve: (g) => g.role }),
    relationshipName: t.exposeString('relationshipName'),
    groupName: t.exposeString('groupName'),
    via: t.field({
      type: GrantViaEnum,
      description:
        'PERMANENT: an active membership of the group; ACTIVATION: an eligible one, activated until activeUntil.',
      resolve: (g) => g.via,
    }),
    activeUntil: t.expose('activeUntil', {
      type: 'DateTime',
      nullable: true,
      description: 'For ACTIVATION: when this role stops applying.',
    }),
    relationship: t.field({
      type: GdapRelationshipRef,
      resolve: (g, _, ctx) => getGdapRelationship(ctx.svc, g.customerId, g.relationshipId),
    }),
    group: t.field({ type: SecurityGroupRef, resolve: (g, _, ctx) => getSecurityGroup(ctx.svc, g.groupId) }),
  }),
});
