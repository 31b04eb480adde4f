import type { DirectoryRole } from '../../auth/roles.js';
import { GDAP_STATUSES } from '../../db/schema.js';
import { visibleCustomer } from '../../services/customers.js';
import { accessAssignmentsOf, currentStatus, effectiveEnd, isExpiring } from '../../services/gdap.js';
import { builder } from '../builder.js';
import { scopedId } from '../ids.js';
import { DirectoryRoleEnum } from './common.js';
import { AccessAssignmentRef, CustomerRef, GdapRelationshipRef, SecurityGroupRef } from './refs.js';

const GDAP_STATUS_DESCRIPTIONS: Record<(typeof GDAP_STATUSES)[number], string> = {
  APPROVAL_PENDING: "Requested by the partner; waiting for the customer's Global Administrator to approve it.",
  ACTIVE: 'Approved and not past its end: the roles assigned to security groups apply.',
  EXPIRED: 'Past its end (and not auto-extended): grants nothing.',
  TERMINATED: 'Ended early by the partner: grants nothing.',
};

export const GdapStatusEnum = builder.enumType('GdapStatus', {
  description: 'Where a GDAP relationship stands; only ACTIVE grants roles.',
  values: Object.fromEntries(GDAP_STATUSES.map((s) => [s, { description: GDAP_STATUS_DESCRIPTIONS[s] }])) as Record<
    (typeof GDAP_STATUSES)[number],
    { description: string }
  >,
});

builder.node(GdapRelationshipRef, {
  id: { resolve: (r) => scopedId(r.customerId, r.id) },
  description: 'A time-bound grant of directory roles by a customer to the partner.',
  fields: (t) => ({
    displayName: t.exposeString('displayName', { description: "Its name, unique among the partner's relationships." }),
    status: t.field({
      type: GdapStatusEnum,
      description: 'Judged now: an ACTIVE relationship past its end reads EXPIRED.',
      resolve: (r, _, ctx) => currentStatus(r, ctx.svc.clock.now()),
    }),
    expiringSoon: t.boolean({
      description: 'Active with fewer than 30 days left.',
      resolve: (r, _, ctx) => isExpiring(r, ctx.svc.clock.now()),
    }),
    roles: t.field({
      type: [DirectoryRoleEnum],
      description: 'The directory roles the customer grants the partner; accessAssignments share them out to groups.',
      resolve: (r) => r.roles as DirectoryRole[],
    }),
    durationDays: t.exposeInt('durationDays', {
      description: 'How long it lasts from approval, in days (1 to 730).',
    }),
    autoExtend: t.exposeBoolean('autoExtend', {
      description: 'At its end it extends by 180 days, again and again (never with GLOBAL_ADMINISTRATOR).',
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When the partner requested it.' }),
    activatedAt: t.expose('activatedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When the customer approved it (null while APPROVAL_PENDING).',
    }),
    endsAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When it ends, auto-extensions included (null until approved).',
      resolve: (r, _, ctx) => effectiveEnd(r, ctx.svc.clock.now()),
    }),
    terminatedAt: t.expose('terminatedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When the partner terminated it (null otherwise).',
    }),
    customer: t.field({
      type: CustomerRef,
      nullable: true,
      description:
        'The customer, for an agent who holds a role in it now; null otherwise (a pending, expired or terminated relationship grants nothing).',
      resolve: (r, _, ctx) => visibleCustomer(ctx.svc, r.customerId),
    }),
    accessAssignments: t.field({
      type: [AccessAssignmentRef],
      description: 'The security groups granted some of its roles, by group name (assignGdapAccess).',
      resolve: (r, _, ctx) => accessAssignmentsOf(ctx.svc, r),
    }),
  }),
});

AccessAssignmentRef.implement({
  description: 'A security group granted some of the relationship roles.',
  fields: (t) => ({
    group: t.field({ type: SecurityGroupRef, description: 'The group.', resolve: (a) => a.group }),
    roles: t.field({
      type: [DirectoryRoleEnum],
      description:
        'The roles its members get in the customer while the relationship is ACTIVE (a subset of its roles).',
      resolve: (a) => a.assignment.roles as DirectoryRole[],
    }),
  }),
});
