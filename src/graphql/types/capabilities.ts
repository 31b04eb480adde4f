// viewerCan on Customer and User: what the signed-in caller may do, computed by the decisions the mutations apply
// (services/capabilities.ts), each with the reason and the roles that would allow it when it may not.
import type { DirectoryRole, Task } from '../../auth/roles.js';
import { msg, render } from '../../messages/index.js';
import { type Capability, capability, heldIn, stateRefusal } from '../../services/capabilities.js';
import type { CustomerRow } from '../../services/customers.js';
import type { UserRow } from '../../services/users/row.js';
import { builder } from '../builder.js';
import type { GraphQLContext } from '../context.js';
import { DirectoryRoleEnum, PartnerRoleEnum } from './common.js';
import { CustomerRef, UserRef } from './refs.js';

const CapabilityRef = builder.objectRef<Capability>('Capability').implement({
  description: 'Whether the viewer may do something, and when not, why and with which roles it could.',
  fields: (t) => ({
    allowed: t.exposeBoolean('allowed', {
      description: 'True when the mutation would be allowed now (show the button).',
    }),
    reason: t.string({
      nullable: true,
      description: 'Why not, in a sentence a UI can show; null when allowed.',
      resolve: (c, _, ctx: GraphQLContext) => (c.reason ? render(c.reason, ctx.locale) : null),
    }),
    requiredRoles: t.field({
      type: [DirectoryRoleEnum],
      description: 'Directory roles any one of which would allow it here (empty when allowed or not a role matter).',
      resolve: (c) => c.requiredRoles,
    }),
    requiredPartnerRoles: t.field({
      type: [PartnerRoleEnum],
      description: 'The partner roles it needs, when the viewer lacks them.',
      resolve: (c) => c.requiredPartnerRoles,
    }),
  }),
});

type Held = Awaited<ReturnType<typeof heldIn>>;
const notAnAgent = stateRefusal(msg('users.canAgentsOnly'));

const CUSTOMER_TASKS = {
  createUser: ['CREATE_USER', 'createUser and createUsers'],
  importUsers: ['CREATE_USER', 'importUsers (a CSV of users)'],
  deleteUsers: ['DELETE_USER', 'deleteUser(s), for users without admin roles at least'],
  restoreUsers: ['RESTORE_USER', 'restoreUser(s), for users without admin roles at least'],
  editUserInfo: ['EDIT_USER_INFO', "updateUser's info fields, for users without admin roles at least"],
  editUserLicenses: ['EDIT_USER_LICENSES', "updateUser's licences"],
  editUserRoles: ['EDIT_USER_ROLES', "updateUser's admin roles"],
  resetPasswords: ['RESET_PASSWORD', 'resetUserPassword, for users without admin roles at least'],
  readAudit: ['READ_CUSTOMER', 'auditEvents'],
} as const satisfies Record<string, readonly [Task, string]>;

const CustomerCapabilitiesRef = builder.objectRef<Held | null>('CustomerCapabilities').implement({
  description:
    "What the viewer may do in this customer (its GDAP roles there, now). A user's own viewerCan adds the rules on that user.",
  fields: (t) =>
    Object.fromEntries(
      Object.entries(CUSTOMER_TASKS).map(([name, [task, what]]) => [
        name,
        t.field({
          type: CapabilityRef,
          description: `${what} (task ${task}).`,
          resolve: (h): Capability => (h ? capability(h.partnerRoles, h.held, task) : notAnAgent),
        }),
      ]),
    ),
});

builder.objectField(CustomerRef, 'viewerCan', (t) =>
  t.field({
    type: CustomerCapabilitiesRef,
    description: "The viewer's capabilities in this customer: show only the actions that will work.",
    resolve: async (c: CustomerRow, _, ctx) => (ctx.svc.caller?.kind === 'agent' ? heldIn(ctx.svc, c.id) : null),
  }),
);

interface UserView {
  user: UserRow;
  held: Held | null;
  roles: DirectoryRole[];
}

const onUser = (v: UserView, task: Task, state?: 'ACTIVE' | 'INACTIVE'): Capability => {
  if (!v.held) return notAnAgent;
  if (state && v.user.state !== state)
    return stateRefusal(msg(state === 'ACTIVE' ? 'users.canRestoreFirst' : 'users.canNotDeleted'));
  return capability(v.held.partnerRoles, v.held.held, task, { roles: v.roles, name: v.user.userPrincipalName });
};

/** Each capability on a user: its task, the state the mutation needs the user in, and what it stands for. */
const USER_TASKS = {
  update: ['EDIT_USER_INFO', 'ACTIVE', "updateUser's info fields (task EDIT_USER_INFO)."],
  editLicenses: ['EDIT_USER_LICENSES', 'ACTIVE', "updateUser's licences (task EDIT_USER_LICENSES)."],
  editRoles: ['EDIT_USER_ROLES', 'ACTIVE', "updateUser's admin roles (task EDIT_USER_ROLES)."],
  resetPassword: ['RESET_PASSWORD', 'ACTIVE', 'resetUserPassword (task RESET_PASSWORD, by the who-can-reset table).'],
  delete: ['DELETE_USER', 'ACTIVE', 'deleteUser (task DELETE_USER); false for a user already deleted.'],
  restore: ['RESTORE_USER', 'INACTIVE', 'restoreUser (task RESTORE_USER); false for a user that is not deleted.'],
} as const satisfies Record<string, readonly [Task, 'ACTIVE' | 'INACTIVE', string]>;

const UserCapabilitiesRef = builder.objectRef<UserView>('UserCapabilities').implement({
  description:
    'What the viewer may do to this user, with the rules on its admin roles (Entra: who may reset, delete or edit whom).',
  fields: (t) =>
    Object.fromEntries(
      Object.entries(USER_TASKS).map(([name, [task, state, description]]) => [
        name,
        t.field({ type: CapabilityRef, description, resolve: (v) => onUser(v, task, state) }),
      ]),
    ),
});

builder.objectField(UserRef, 'viewerCan', (t) =>
  t.field({
    type: UserCapabilitiesRef,
    description: "The viewer's capabilities on this user: its roles come with the page's batch, no query per user.",
    resolve: async (u: UserRow, _, ctx: GraphQLContext): Promise<UserView> => {
      if (ctx.svc.caller?.kind !== 'agent') return { user: u, held: null, roles: [] };
      const [held, details] = await Promise.all([
        heldIn(ctx.svc, u.customerId),
        ctx.loaders.userDetails.load({ customerId: u.customerId, userId: u.id }),
      ]);
      return { user: u, held, roles: details.roles as DirectoryRole[] };
    },
  }),
);
