import { grantsFor, requireAdminAgent } from '../../services/authorization.js';
import { licenseHolders, listLicenses } from '../../services/customers.js';
import { getGdapRelationship, listCustomerRelationships } from '../../services/gdap.js';
import { getSecurityGroup } from '../../services/security-groups.js';
import { readCustomer } from '../../services/tasks.js';
import { getUserByUpn, listDeletedUsers, listUsers, type UserOrderField } from '../../services/users/read.js';
import { builder, requiresRole } from '../builder.js';
import { nodeFieldNames, nodeSubfieldNames, selectsOnNodes } from '../selection.js';
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
import { userColumnsFor } from './user.js';

const UserFilter = builder.inputType('UserFilter', {
  description: 'Users matching every given condition.',
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

const UserOrderFieldEnum = builder.enumType('UserOrderField', {
  description: 'What users can be sorted by (each with an index behind its keyset).',
  values: {
    USER_PRINCIPAL_NAME: { description: 'The user principal name, case-insensitively.' },
    DISPLAY_NAME: { description: 'The display name.' },
    CREATED_AT: { description: 'When the user was created.' },
  } satisfies Record<UserOrderField, unknown>,
});
const OrderDirectionEnum = builder.enumType('OrderDirection', {
  description: 'A sort direction.',
  values: { ASC: { description: 'Smallest first.' }, DESC: { description: 'Largest first.' } },
});
const UserOrder = builder.inputType('UserOrder', {
  description: 'A sort of users: pages follow it, and a cursor is valid only with the sort it came from.',
  fields: (t) => ({
    field: t.field({ type: UserOrderFieldEnum, required: true, description: 'What to sort by.' }),
    direction: t.field({
      type: OrderDirectionEnum,
      required: false,
      defaultValue: 'ASC',
      description: 'ASC when not given.',
    }),
  }),
});

const USER_DETAILS: ReadonlySet<string> = new Set(['roles', 'licenses']);

builder.node(CustomerRef, {
  id: { resolve: (c) => c.id },
  description: 'A tenant the partner serves.',
  fields: (t) => ({
    name: t.exposeString('name', { description: "The tenant's name, as the partner entered it." }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When the partner added the customer.' }),
    domains: t.field({
      type: [DomainRef],
      description: "The tenant's domains, the default one first: users' UPNs use them.",
      resolve: (c, _, ctx) => ctx.loaders.customerDomains.load(c.id),
    }),
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
      args: {
        filter: t.arg({
          type: UserFilter,
          required: false,
          description: 'Narrows the list; all active users when not given.',
        }),
        orderBy: t.arg({
          type: UserOrder,
          required: false,
          description: 'The sort (user principal name, ascending, when not given); not with filter.updatedSince.',
        }),
      },
      // Roles and licences asked for: the page's statement brings them (User's fields then answer synchronously),
      // with only the columns the selected fields read.
      resolve: (c, args, ctx, info) => {
        const details = selectsOnNodes(info, USER_DETAILS);
        return listUsers(ctx.svc, c.id, args, {
          details,
          columns: userColumnsFor(nodeFieldNames(info)),
          assignedAt: nodeSubfieldNames(info, 'licenses').has('assignedAt'),
        });
      },
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
      description: 'An active user by its user principal name (NOT_FOUND when there is none).',
      directives: requiresRole(getUserByUpn),
      args: { userPrincipalName: t.arg.string({ required: true, description: 'Case-insensitive.' }) },
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
      description: "The partner's GDAP relationships with this customer, in every state, newest first.",
      directives: requiresRole(listCustomerRelationships),
      resolve: (c, _, ctx) => listCustomerRelationships(ctx.svc, c.id),
    }),
  }),
});

DomainRef.implement({
  description: "A domain of the tenant: a user principal name's part after @.",
  fields: (t) => ({
    name: t.exposeString('name', { description: 'The domain name, lowercase.' }),
    isDefault: t.exposeBoolean('isDefault', { description: 'The one new users get when no domain is named.' }),
    verified: t.exposeBoolean('verified', { description: 'Only verified domains take users (DOMAIN_NOT_VERIFIED).' }),
  }),
});

builder.node(SkuRef, {
  id: { resolve: (s) => s.id },
  description: 'A product licences are sold for.',
  fields: (t) => ({
    partNumber: t.exposeString('partNumber', { description: "Microsoft's string id of the product (SPE_E3)." }),
    name: t.exposeString('name', { description: 'The product name (Microsoft 365 E3).' }),
  }),
});

LicenseRef.implement({
  description: "A customer's subscription to a SKU: its seat pool.",
  fields: (t) => ({
    sku: t.field({ type: SkuRef, description: 'The product.', resolve: (l) => l.sku }),
    totalSeats: t.int({ description: 'Seats bought.', resolve: (l) => l.subscription.totalSeats }),
    consumedSeats: t.int({
      description: 'Seats held by active users (a deleted user frees its seat).',
      resolve: (l) => l.subscription.consumedSeats,
    }),
    availableSeats: t.int({
      description: 'Seats left to assign: never below 0 (assignments beyond it are refused, NO_SEATS).',
      resolve: (l) => l.subscription.totalSeats - l.subscription.consumedSeats,
    }),
    users: t.connection({
      type: UserRef,
      description: 'Active users holding a seat, in user principal name order.',
      directives: requiresRole(licenseHolders),
      resolve: (l, args, ctx) => licenseHolders(ctx.svc, l.subscription.customerId, l.sku.id, args),
    }),
  }),
});

const GrantViaEnum = builder.enumType('GrantVia', {
  description: 'How a security group membership gives the role.',
  values: {
    PERMANENT: { description: 'An ACTIVE membership: the role applies while the relationship is active.' },
    ACTIVATION: { description: 'An ELIGIBLE membership, activated (just in time) until activeUntil.' },
  },
});

RoleGrantRef.implement({
  description: 'A directory role and where it comes from.',
  fields: (t) => ({
    role: t.field({ type: DirectoryRoleEnum, description: 'The directory role held.', resolve: (g) => g.role }),
    relationshipName: t.exposeString('relationshipName', { description: 'The GDAP relationship that grants it.' }),
    groupName: t.exposeString('groupName', { description: 'The security group it is assigned to.' }),
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
      description: 'The GDAP relationship that grants it.',
      resolve: (g, _, ctx) => getGdapRelationship(ctx.svc, g.customerId, g.relationshipId),
    }),
    group: t.field({
      type: SecurityGroupRef,
      description: 'The security group it is assigned to.',
      resolve: (g, _, ctx) => getSecurityGroup(ctx.svc, g.groupId),
    }),
  }),
});
