// Application management (ACCESS_ADMINISTRATOR): create, update, disable, enable, delete, client secrets.
import type { PartnerRole } from '../../auth/roles.js';
import {
  addApplicationSecret,
  createApplication,
  DEFAULT_SECRET_DAYS,
  deleteApplication,
  disableApplication,
  enableApplication,
  MAX_LIVE_SECRETS,
  MAX_SECRET_DAYS,
  removeApplicationSecret,
  updateApplication,
} from '../../services/applications.js';
import { DomainError } from '../../services/errors.js';
import { builder, requiresPartnerTask } from '../builder.js';
import { runMutation } from '../errors.js';
import { decodeId } from '../ids.js';
import { PartnerRoleEnum, UserErrorRef } from '../types/common.js';
import { ApplicationRef, ApplicationSecretRef } from '../types/refs.js';

const CreateApplicationInput = builder.inputType('CreateApplicationInput', {
  fields: (t) => ({
    displayName: t.string({ required: true, description: 'Up to 256 characters.' }),
    roles: t.field({
      type: [PartnerRoleEnum],
      required: true,
      description: 'Its partner roles; customer tasks also need GDAP roles, through security groups.',
    }),
  }),
});
const UpdateApplicationInput = builder.inputType('UpdateApplicationInput', {
  fields: (t) => ({
    applicationId: t.id({ required: true }),
    displayName: t.string({ required: false }),
    roles: t.field({ type: [PartnerRoleEnum], required: false, description: 'The full new set of partner roles.' }),
  }),
});
const ApplicationIdInput = builder.inputType('ApplicationIdInput', {
  fields: (t) => ({ applicationId: t.id({ required: true }) }),
});
const AddApplicationSecretInput = builder.inputType('AddApplicationSecretInput', {
  fields: (t) => ({
    applicationId: t.id({ required: true }),
    description: t.string({ required: false, description: 'What or where it is for (up to 100 characters).' }),
    expiresInDays: t.int({
      required: false,
      description: `Its lifetime: ${DEFAULT_SECRET_DAYS} days unless given, ${MAX_SECRET_DAYS} at most.`,
    }),
  }),
});
const RemoveApplicationSecretInput = builder.inputType('RemoveApplicationSecretInput', {
  fields: (t) => ({
    applicationId: t.id({ required: true }),
    keyId: t.string({ required: true, description: "The secret's keyId." }),
  }),
});
const ApplicationPayload = builder.simpleObject('ApplicationPayload', {
  fields: (t) => ({
    application: t.field({ type: ApplicationRef, nullable: true }),
    userErrors: t.field({ type: [UserErrorRef] }),
  }),
});
const AddApplicationSecretPayload = builder.simpleObject('AddApplicationSecretPayload', {
  fields: (t) => ({
    secret: t.field({ type: ApplicationSecretRef, nullable: true }),
    secretText: t.string({
      nullable: true,
      description: 'The client_secret for POST /oauth/token: shown once, never again (only its hash is kept).',
    }),
    userErrors: t.field({ type: [UserErrorRef] }),
  }),
});

const applicationId = (input: { applicationId: string }) =>
  decodeId(input.applicationId, 'Application', ['applicationId']);

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

builder.mutationFields((t) => ({
  createApplication: t.field({
    type: ApplicationPayload,
    description: 'Creates an application with no secret yet: add one with addApplicationSecret.',
    directives: requiresPartnerTask(createApplication),
    args: { input: t.arg({ type: CreateApplicationInput, required: true }) },
    resolve: (_, { input }, ctx) =>
      runMutation(async () => ({
        application: await createApplication(ctx.svc, { ...input, roles: input.roles as PartnerRole[] }),
      })),
  }),
  updateApplication: t.field({
    type: ApplicationPayload,
    description: "Changes an application's display name or partner roles (never your own roles).",
    directives: requiresPartnerTask(updateApplication),
    args: { input: t.arg({ type: UpdateApplicationInput, required: true }) },
    resolve: (_, { input }, ctx) =>
      runMutation(async () => ({
        application: await updateApplication(ctx.svc, {
          applicationId: applicationId(input),
          displayName: input.displayName,
          roles: input.roles as PartnerRole[] | null | undefined,
        }),
      })),
  }),
  disableApplication: t.field({
    type: ApplicationPayload,
    description: 'Refuses its tokens from the next request on and gives it no new one, until enableApplication.',
    directives: requiresPartnerTask(disableApplication),
    args: { input: t.arg({ type: ApplicationIdInput, required: true }) },
    resolve: (_, { input }, ctx) =>
      runMutation(async () => ({ application: await disableApplication(ctx.svc, applicationId(input)) })),
  }),
  enableApplication: t.field({
    type: ApplicationPayload,
    description: 'Lets a disabled application get tokens again with its live secrets.',
    directives: requiresPartnerTask(enableApplication),
    args: { input: t.arg({ type: ApplicationIdInput, required: true }) },
    resolve: (_, { input }, ctx) =>
      runMutation(async () => ({ application: await enableApplication(ctx.svc, applicationId(input)) })),
  }),
  deleteApplication: t.field({
    type: ApplicationPayload,
    description: 'For good: its group memberships end, its secrets and tokens are revoked. Kept for the audit trail.',
    directives: requiresPartnerTask(deleteApplication),
    args: { input: t.arg({ type: ApplicationIdInput, required: true }) },
    resolve: (_, { input }, ctx) =>
      runMutation(async () => ({ application: await deleteApplication(ctx.svc, applicationId(input)) })),
  }),
  addApplicationSecret: t.field({
    type: AddApplicationSecretPayload,
    description: `A new client secret, shown once. At most ${MAX_LIVE_SECRETS} live at once: to rotate, add the new one, move the script to it, then remove the old one. Never for yourself (four eyes).`,
    directives: requiresPartnerTask(addApplicationSecret),
    args: { input: t.arg({ type: AddApplicationSecretInput, required: true }) },
    resolve: (_, { input }, ctx) =>
      runMutation(() =>
        addApplicationSecret(ctx.svc, {
          applicationId: applicationId(input),
          description: input.description,
          expiresInDays: input.expiresInDays,
        }),
      ),
  }),
  removeApplicationSecret: t.field({
    type: ApplicationPayload,
    description: 'Revokes a client secret at once, and every token issued for it.',
    directives: requiresPartnerTask(removeApplicationSecret),
    args: { input: t.arg({ type: RemoveApplicationSecretInput, required: true }) },
    resolve: (_, { input }, ctx) =>
      runMutation(async () => {
        if (!UUID_RE.test(input.keyId)) {
          throw new DomainError('INVALID_ID', 'keyId is not a valid key id.', { field: ['keyId'] });
        }
        return {
          application: await removeApplicationSecret(ctx.svc, {
            applicationId: applicationId(input),
            secretId: input.keyId.toLowerCase(),
          }),
        };
      }),
  }),
}));
