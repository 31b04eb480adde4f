// The role catalogue: directoryRoles and partnerRoles, each with the tasks it allows.
import { listDirectoryRoles, listPartnerRoles } from '../../services/roles.js';
import { builder } from '../builder.js';
import { CustomerTaskEnum, DirectoryRoleEnum, PartnerRoleEnum, PartnerTaskEnum } from './common.js';

const DirectoryRoleInfo = builder.simpleObject('DirectoryRoleInfo', {
  description: 'A directory role and the customer tasks it allows on its own.',
  fields: (t) => ({
    role: t.field({ type: DirectoryRoleEnum, description: 'The role, as the API names it.' }),
    displayName: t.string({ description: 'Its name in Entra.' }),
    description: t.string({ description: 'What the role is for, in a sentence.' }),
    tasks: t.field({
      type: [CustomerTaskEnum],
      description: 'The tasks this role allows (with the partner role ADMIN_AGENT); per-target rules may still refuse.',
    }),
  }),
});

const PartnerRoleInfo = builder.simpleObject('PartnerRoleInfo', {
  description: 'A partner role and the partner-side tasks it allows.',
  fields: (t) => ({
    role: t.field({ type: PartnerRoleEnum, description: 'The role, as the API names it.' }),
    displayName: t.string({ description: 'Its name as people see it.' }),
    description: t.string({ description: 'What the role is for, in a sentence.' }),
    tasks: t.field({ type: [PartnerTaskEnum], description: 'The partner-side tasks this role allows.' }),
  }),
});

builder.queryFields((t) => ({
  directoryRoles: t.field({
    type: [DirectoryRoleInfo],
    description: 'Every directory role: its name, what it is, and the tasks it allows. For anyone signed in.',
    resolve: (_, __, ctx) => listDirectoryRoles(ctx.svc),
  }),
  partnerRoles: t.field({
    type: [PartnerRoleInfo],
    description: 'Every partner role and the partner-side tasks it allows. For anyone signed in.',
    resolve: (_, __, ctx) => listPartnerRoles(ctx.svc),
  }),
}));
