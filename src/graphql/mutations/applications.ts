// Application management (ACCESS_ADMINISTRATOR): create, update, disable, enable, delete, client secrets.
import type { PartnerRole } from '../../auth/roles.js';
import { msg } from '../../messages/index.js';
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
import { PartnerRoleEnum, USER_ERRORS_DESCRIPTION, UserErrorRef } from '../types/common.js';
import { ApplicationRef, ApplicationSecretRef } from '../types/refs.js';

const CreateApplicationInput = builder.inputType('CreateApplicationInput', {
  description: 'A new application (service principal) of your partner.',
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
  description: "An application's changes (the fields not given stay).",
  fields: (t) => ({
    applicationId: t.id({ required: true, description: 'An Application id.' }),
    displayName: t.string({ required: false, description: 'Its new display name (up to 256 characters).' }),
    roles: t.field({ type: [PartnerRoleEnum], required: false, description: 'The full new set of partner roles.' }),
  }),
});
const ApplicationIdInput = builder.inputType('ApplicationIdInput', {
  description: 'Which application.',
  fields: (t) => ({ applicationId: t.id({ required: true, description: 'An Application id.' }) }),
});
const AddApplicationSecretInput = builder.inputType('AddApplicationSecretInput', {
  description: 'A client secret to add to an application.',
  fields: (t) => ({
    applicationId: t.id({ required: true, description: 'An Application id.' }),
    description: t.string({ required: false, description: 'What or where it is for (up to 100 characters).' }),
    expiresInDays: t.int({
      required: false,
      description: `Its lifetime: ${DEFAULT_SECRET_DAYS} days unless given, ${MAX_SECRET_DAYS} at most.`,
    }),
  }),
});
const RemoveApplicationSecretInput = builder.inputType('RemoveApplicationSecretInput', {
  description: 'The client secret to revoke.',
  fields: (t) => ({
    applicationId: t.id({ required: true, description: 'An Application id.' }),
    keyId: t.string({ required: true, description: "The secret's keyId." }),
  }),
});
const ApplicationPayload = builder.simpleObject('ApplicationPayload', {
  description: 'The outcome of a change to an application.',
  fields: (t) => ({
    application: t.field({ type: ApplicationRef, nullable: true, description: 'The application after the change.' }),
    userErrors: t.field({ type: [UserErrorRef], description: USER_ERRORS_DESCRIPTION }),
  }),
});
const AddApplicationSecretPayload = builder.simpleObject('AddApplicationSecretPayload', {
  description: 'The new client secret: its record, and its text shown once.',
  fields: (t) => ({
    secret: t.field({ type: ApplicationSecretRef, nullable: true, description: 'The secret as listed from now on.' }),
    secretText: t.string({
      nullable: true,
      description: 'The client_secret for POST /oauth/token: shown once, never again (only its hash is kept).',
    }),
    userErrors: t.field({ type: [UserErrorRef], description: USER_ERRORS_DESCRIPTION }),
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
    args: { input: t.arg({ type: CreateApplicationInput, required: true, description: 'The application to create.' }) },
    resolve: (_, { input }, ctx) =>
      runMutation(async () => ({
        application: await createApplication(ctx.svc, { ...input, roles: input.roles as PartnerRole[] }),
      })),
  }),
  updateApplication: t.field({
    type: ApplicationPayload,
    description: "Changes an application's display name or partner roles (never your own roles).",
    directives: requiresPartnerTask(updateApplication),
    args: {
      input: t.arg({ type: UpdateApplicationInput, required: true, description: 'The application and its changes.' }),
    },
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
    args: { input: t.arg({ type: ApplicationIdInput, required: true, description: 'The application to disable.' }) },
    resolve: (_, { input }, ctx) =>
      runMutation(async () => ({ application: await disableApplication(ctx.svc, applicationId(input)) })),
  }),
  enableApplication: t.field({
    type: ApplicationPayload,
    description: 'Lets a disabled application get tokens again with its live secrets.',
    directives: requiresPartnerTask(enableApplication),
    args: { input: t.arg({ type: ApplicationIdInput, required: true, description: 'The application to enable.' }) },
    resolve: (_, { input }, ctx) =>
      runMutation(async () => ({ application: await enableApplication(ctx.svc, applicationId(input)) })),
  }),
  deleteApplication: t.field({
    type: ApplicationPayload,
    description: 'For good: its group memberships end, its secrets and tokens are revoked. Kept for the audit trail.',
    directives: requiresPartnerTask(deleteApplication),
    args: { input: t.arg({ type: ApplicationIdInput, required: true, description: 'The application to delete.' }) },
    resolve: (_, { input }, ctx) =>
      runMutation(async () => ({ application: await deleteApplication(ctx.svc, applicationId(input)) })),
  }),
  addApplicationSecret: t.field({
    type: AddApplicationSecretPayload,
    description: `A new client secret, shown once. At most ${MAX_LIVE_SECRETS} live at once: to rotate, add the new one, move the script to it, then remove the old one. Never for yourself (four eyes).`,
    directives: requiresPartnerTask(addApplicationSecret),
    args: {
      input: t.arg({ type: AddApplicationSecretInput, required: true, description: 'The application and the secret.' }),
    },
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
    args: {
      input: t.arg({
        type: RemoveApplicationSecretInput,
        required: true,
        description: 'The application and the keyId.',
      }),
    },
    resolve: (_, { input }, ctx) =>
      runMutation(async () => {
        if (!UUID_RE.test(input.keyId)) {
          throw new DomainError('INVALID_ID', msg('partner.invalidKeyId'), { field: ['keyId'] });
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
