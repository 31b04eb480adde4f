import type { DirectoryRole } from '../../auth/roles.js';
import { GDAP_STATUSES } from '../../db/schema.js';
import { visibleCustomer } from '../../services/customers.js';
import { accessAssignmentsOf, currentStatus, effectiveEnd, isExpiring } from '../../services/gdap.js';
import { builder } from '../builder.js';
import { scopedId } from '../ids.js';
import { DirectoryRoleEnum } from './common.js';
import { AccessAssignmentRef, CustomerRef, GdapRelationshipRef, SecurityGroupRef } from './refs.js';

export const GdapStatusEnum = builder.enumType('GdapStatus', { values: GDAP_STATUSES });

builder.node(GdapRelationshipRef, {
  id: { resolve: (r) => scopedId(r.customerId, r.id) },
  description: 'A time-bound grant of directory roles by a customer to the partner.',
  fields: (t) => ({
    displayName: t.exposeString('displayName'),
    status: t.field({
      type: GdapStatusEnum,
      description: 'Judged now: an ACTIVE relationship past its end reads EXPIRED.',
      resolve: (r, _, ctx) => currentStatus(r, ctx.svc.clock.now()),
    }),
    expiringSoon: t.boolean({
      description: 'Active with fewer than 30 days left.',
      resolve: (r, _, ctx) => isExpiring(r, ctx.svc.clock.now()),
    }),
    roles: t.field({ type: [DirectoryRoleEnum], resolve: (r) => r.roles as DirectoryRole[] }),
    durationDays: t.exposeInt('durationDays'),
    autoExtend: t.exposeBoolean('autoExtend'),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    activatedAt: t.expose('activatedAt', { type: 'DateTime', nullable: true }),
    endsAt: t.field({ type: 'DateTime', nullable: true, resolve: (r, _, ctx) => effectiveEnd(r, ctx.svc.clock.now()) }),
    terminatedAt: t.expose('terminatedAt', { type: 'DateTime', nullable: true }),
    customer: t.field({
      type: CustomerRef,
      nullable: true,
      description:
        'The customer, for an agent who holds a role in it now; null otherwise (a pending, expired or terminated relationship grants nothing).',
      resolve: (r, _, ctx) => visibleCustomer(ctx.svc, r.customerId),
    }),
    accessAssignments: t.field({
      type: [AccessAssignmentRef],
      resolve: (r, _, ctx) => accessAssignmentsOf(ctx.svc, r),
    }),
  }),
});

AccessAssignmentRef.implement({
  description: 'A security group granted some of the relationship roles.',
  fields: (t) => ({
    group: t.field({ type: SecurityGroupRef, resolve: (a) => a.group }),
    roles: t.field({ type: [DirectoryRoleEnum], resolve: (a) => a.assignment.roles as DirectoryRole[] }),
  }),
});
