// The user tasks of the seed page. Each resolver decodes ids, calls its service, returns the payload.

import { DomainError } from '../../services/errors.js';
import { createUser } from '../../services/users/create.js';
import { deleteUser, deleteUsers } from '../../services/users/delete.js';
import { resetUserPassword } from '../../services/users/reset-password.js';
import { restoreUser, restoreUsers } from '../../services/users/restore.js';
import type { UserRow } from '../../services/users/row.js';
import { updateUser } from '../../services/users/update.js';
import { builder, requiresRole } from '../builder.js';
import { runMutation, userErrorsOf } from '../errors.js';
import { decodeId, decodeScopedId } from '../ids.js';
import { DirectoryRoleEnum, UserErrorRef } from '../types/common.js';
import { SkuRef, UserRef } from '../types/refs.js';

type FieldBuilder = Parameters<Parameters<typeof builder.inputType>[1]['fields']>[0];

function infoFields(t: FieldBuilder) {
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

const CreateUserInput = builder.inputType('CreateUserInput', {
  fields: (t) => ({
    customerId: t.id({ required: true }),
    userPrincipalName: t.string({ required: true, description: 'alias@domain, on a verified domain of the customer.' }),
    displayName: t.string({ required: true }),
    ...infoFields(t),
    roles: t.field({
      type: [DirectoryRoleEnum],
      required: false,
      description: 'Admin roles (needs PRIVILEGED_ROLE_ADMINISTRATOR).',
    }),
    licenseSkuIds: t.idList({ required: false }),
  }),
});
const UserWithPasswordPayload = (name: string) =>
  builder.simpleObject(name, {
    fields: (t) => ({
      user: t.field({ type: UserRef, nullable: true }),
      temporaryPassword: t.string({ nullable: true, description: 'Shown once, never stored in clear.' }),
      userErrors: t.field({ type: [UserErrorRef] }),
    }),
  });
const CreateUserPayload = UserWithPasswordPayload('CreateUserPayload');
const ResetUserPasswordPayload = UserWithPasswordPayload('ResetUserPasswordPayload');

const userIdInput = (name: string) =>
  builder.inputType(name, { fields: (t) => ({ userId: t.id({ required: true }) }) });
const DeleteUserInput = userIdInput('DeleteUserInput');
const ResetUserPasswordInput = userIdInput('ResetUserPasswordInput');
const UserIdsInput = builder.inputType('UserIdsInput', {
  fields: (t) => ({ userIds: t.idList({ required: true, description: 'Up to 1 000 users of one customer.' }) }),
});
const UserPayload = builder.simpleObject('UserPayload', {
  fields: (t) => ({ user: t.field({ type: UserRef, nullable: true }), userErrors: t.field({ type: [UserErrorRef] }) }),
});

const LicenseWarningRef = builder.simpleObject('LicenseWarning', {
  description: 'A licence that could not be given back on restore (no free seat): the user was restored without it.',
  fields: (t) => ({ sku: t.field({ type: SkuRef }), message: t.string() }),
});
const RestoreUserInput = builder.inputType('RestoreUserInput', {
  fields: (t) => ({
    userId: t.id({ required: true }),
    newUserPrincipalName: t.string({ required: false, description: 'When another active user now holds the old one.' }),
  }),
});
const RestoreUserPayload = builder.simpleObject('RestoreUserPayload', {
  fields: (t) => ({
    user: t.field({ type: UserRef, nullable: true }),
    licenseWarnings: t.field({ type: [LicenseWarningRef] }),
    userErrors: t.field({ type: [UserErrorRef] }),
  }),
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
const BulkUsersPayload = builder.simpleObject('BulkUsersPayload', {
  fields: (t) => ({
    results: t.field({ type: [UserResultRef] }),
    succeeded: t.int(),
    failed: t.int(),
    userErrors: t.field({ type: [UserErrorRef] }),
  }),
});

const UpdateUserInput = builder.inputType('UpdateUserInput', {
  fields: (t) => ({
    userId: t.id({ required: true }),
    userPrincipalName: t.string({ required: false }),
    displayName: t.string({ required: false }),
    ...infoFields(t),
    addRoles: t.field({ type: [DirectoryRoleEnum], required: false }),
    removeRoles: t.field({ type: [DirectoryRoleEnum], required: false }),
    addLicenseSkuIds: t.idList({ required: false }),
    removeLicenseSkuIds: t.idList({ required: false }),
    dryRun: t.boolean({
      required: false,
      description: 'Return the user as it would be and the changes; save nothing.',
    }),
  }),
});
const ChangeRef = builder.simpleObject('UserChange', {
  fields: (t) => ({ field: t.string(), from: t.string({ nullable: true }), to: t.string({ nullable: true }) }),
});
const UpdateUserPayload = builder.simpleObject('UpdateUserPayload', {
  fields: (t) => ({
    user: t.field({ type: UserRef, nullable: true }),
    changes: t.field({ type: [ChangeRef], nullable: true }),
    dryRun: t.boolean({ nullable: true }),
    userErrors: t.field({ type: [UserErrorRef] }),
  }),
});

/** All ids of a bulk call must belong to one customer (the one authorized for the whole call). */
function sameCustomer(ids: readonly string[]): { customerId: string; userIds: string[] } {
  const decoded = ids.map((id, i) => decodeScopedId(id, 'User', ['userIds', String(i)]));
  const customerId = decoded[0]?.customerId;
  if (!customerId) throw new DomainError('REQUIRED', 'Give at least one user id.', { field: ['userIds'] });
  if (decoded.some((d) => d.customerId !== customerId)) {
    throw new DomainError('INVALID', 'All users of one call must belong to the same customer.', { field: ['userIds'] });
  }
  return { customerId, userIds: decoded.map((d) => d.id) };
}

/** Per-id outcomes, in the order of the ids given. */
const bulkPayload = (
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

const emptyBulk = { results: [], succeeded: 0, failed: 0 };

builder.mutationFields((t) => ({
  createUser: t.field({
    type: CreateUserPayload,
    description:
      'Creates a user with a temporary password (returned once); roles and licences in the same transaction.',
    directives: requiresRole(createUser),
    args: { input: t.arg({ type: CreateUserInput, required: true }) },
    resolve: (_, { input }, ctx) =>
      runMutation(() =>
        createUser(ctx.svc, {
          ...input,
          customerId: decodeId(input.customerId, 'Customer', ['customerId']),
          licenseSkuIds: input.licenseSkuIds?.map((id, i) => decodeId(id, 'Sku', ['licenseSkuIds', String(i)])),
        }),
      ),
  }),
  deleteUser: t.field({
    type: UserPayload,
    description: 'Soft delete: INACTIVE for 30 days (restorable), seats freed, sessions revoked.',
    directives: requiresRole(deleteUser),
    args: { input: t.arg({ type: DeleteUserInput, required: true }) },
    resolve: (_, { input }, ctx) =>
      runMutation(async () => {
        const u = decodeScopedId(input.userId, 'User', ['userId']);
        return { user: await deleteUser(ctx.svc, u.customerId, u.id) };
      }),
  }),
  deleteUsers: t.field({
    type: BulkUsersPayload,
    description: 'Deletes up to 1 000 users, each on its own: one failure does not undo the others.',
    directives: requiresRole(deleteUsers),
    args: { input: t.arg({ type: UserIdsInput, required: true }) },
    resolve: (_, { input }, ctx) =>
      runMutation(async () => {
        const { customerId, userIds } = sameCustomer(input.userIds);
        return bulkPayload(input.userIds, await deleteUsers(ctx.svc, customerId, userIds));
      }, emptyBulk),
  }),
  restoreUser: t.field({
    type: RestoreUserPayload,
    description:
      'Restores a user deleted less than 30 days ago, with its roles, and its licences where seats are free.',
    directives: requiresRole(restoreUser),
    args: { input: t.arg({ type: RestoreUserInput, required: true }) },
    resolve: (_, { input }, ctx) =>
      runMutation(
        async () => {
          const u = decodeScopedId(input.userId, 'User', ['userId']);
          return restoreUser(ctx.svc, u.customerId, u.id, input.newUserPrincipalName);
        },
        { licenseWarnings: [] },
      ),
  }),
  restoreUsers: t.field({
    type: BulkUsersPayload,
    directives: requiresRole(restoreUsers),
    args: { input: t.arg({ type: UserIdsInput, required: true }) },
    resolve: (_, { input }, ctx) =>
      runMutation(async () => {
        const { customerId, userIds } = sameCustomer(input.userIds);
        return bulkPayload(input.userIds, await restoreUsers(ctx.svc, customerId, userIds));
      }, emptyBulk),
  }),
  updateUser: t.field({
    type: UpdateUserPayload,
    description:
      'Edits info (EDIT_USER_INFO), admin roles (EDIT_USER_ROLES) and licences (EDIT_USER_LICENSES) in one transaction; each part needs its own roles.',
    directives: requiresRole(updateUser),
    args: { input: t.arg({ type: UpdateUserInput, required: true }) },
    resolve: (_, { input }, ctx) =>
      runMutation(async () => {
        const u = decodeScopedId(input.userId, 'User', ['userId']);
        const { userId: _id, ...rest } = input;
        const result = await updateUser(ctx.svc, u.customerId, u.id, {
          ...rest,
          addLicenseSkuIds: input.addLicenseSkuIds?.map((id, i) =>
            decodeId(id, 'Sku', ['addLicenseSkuIds', String(i)]),
          ),
          removeLicenseSkuIds: input.removeLicenseSkuIds?.map((id, i) =>
            decodeId(id, 'Sku', ['removeLicenseSkuIds', String(i)]),
          ),
        });
        // The user's roles and licences resolve through the loaders: give them the state the update produced (for
        // a dry run, the state that was rolled back).
        const key = { customerId: u.customerId, userId: u.id };
        ctx.loaders.userDetails.clear(key).prime(key, { roles: result.roles, licenses: result.licenses });
        return result;
      }),
  }),
  resetUserPassword: t.field({
    type: ResetUserPasswordPayload,
    description:
      "New temporary password (returned once); the user's sessions are revoked. Who may reset whom follows Entra's table.",
    directives: requiresRole(resetUserPassword),
    args: { input: t.arg({ type: ResetUserPasswordInput, required: true }) },
    resolve: (_, { input }, ctx) =>
      runMutation(async () => {
        const u = decodeScopedId(input.userId, 'User', ['userId']);
        return resetUserPassword(ctx.svc, u.customerId, u.id);
      }),
  }),
}));
