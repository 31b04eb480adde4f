// Webhook subscriptions, their delivery log, and the mutations that manage them (MANAGE_WEBHOOKS).
import { type WEBHOOK_DELIVERY_STATUSES, WEBHOOK_EVENT_TYPES } from '../../db/schema.js';
import { credentialsKey } from '../../services/bulk/credentials.js';
import {
  BACKOFF_MS,
  createWebhookSubscription,
  deleteWebhookSubscription,
  listWebhookDeliveries,
  listWebhookSubscriptions,
  redeliverWebhook,
  rotateWebhookSecret,
  type WebhookDeliveryRow,
  type WebhookOptions,
  type WebhookSubscriptionRow,
} from '../../services/webhooks.js';
import { builder, requiresPartnerTask } from '../builder.js';
import type { GraphQLContext } from '../context.js';
import { runMutation } from '../errors.js';
import { decodeId, encodeGlobalID } from '../ids.js';
import { USER_ERRORS_DESCRIPTION, UserErrorRef } from './common.js';
import { PartnerRef } from './refs.js';

const WebhookSubscriptionRef = builder.objectRef<WebhookSubscriptionRow>('WebhookSubscription');
const WebhookDeliveryRef = builder.objectRef<WebhookDeliveryRow>('WebhookDelivery');

const EVENT_DESCRIPTIONS: Record<(typeof WEBHOOK_EVENT_TYPES)[number], string> = {
  'user.created': 'A user was created (createUser, or a row of a bulk import).',
  'user.updated': "A user's info, roles or licences changed.",
  'user.deleted': 'A user was deleted (inactive, restorable for 30 days).',
  'user.restored': 'A deleted user was restored.',
  'user.purged': 'A user deleted 30 days ago was removed for good.',
  'user.password_reset': "A user's password was reset (the payload never carries it).",
  'user.licenses_changed': "A user's licences changed (also a user.updated).",
  'bulk_job.finished': 'A bulk import finished.',
  'relationship.approved': 'The customer approved a GDAP relationship.',
  'relationship.expired': 'A GDAP relationship reached its end (sent by the worker within seconds of it).',
  'relationship.terminated': 'A GDAP relationship was terminated.',
};

/** Event types as GraphQL enum values: user.created is USER_CREATED. */
const enumName = (type: string) => type.replace('.', '_').toUpperCase();
const WebhookEventTypeEnum = builder.enumType('WebhookEventType', {
  description: "An event a webhook can subscribe to; the payload's `type` is its dotted form (user.created).",
  values: Object.fromEntries(
    WEBHOOK_EVENT_TYPES.map((t) => [enumName(t), { value: t, description: `${t}: ${EVENT_DESCRIPTIONS[t]}` }]),
  ),
});
const WebhookDeliveryStatusEnum = builder.enumType('WebhookDeliveryStatus', {
  description: 'Where a delivery stands.',
  values: {
    PENDING: { description: 'Not delivered yet: waiting for its next attempt.' },
    SUCCEEDED: { description: 'The receiver answered 2xx.' },
    FAILED: { description: 'Still refused after 24 hours of retries (redeliverWebhook sends it again).' },
  } satisfies Record<(typeof WEBHOOK_DELIVERY_STATUSES)[number], unknown>,
});

WebhookSubscriptionRef.implement({
  description:
    "A URL that receives the partner's events, signed per the Standard Webhooks spec (headers webhook-id, webhook-timestamp, webhook-signature).",
  fields: (t) => ({
    id: t.id({
      description: 'Its global id (rotateWebhookSecret and deleteWebhookSubscription take it).',
      resolve: (s) => encodeGlobalID('WebhookSubscription', s.id),
    }),
    url: t.exposeString('url', { description: 'The https URL the events are POSTed to.' }),
    description: t.exposeString('description', { description: 'What it is for, as given (the URL when none was).' }),
    eventTypes: t.field({
      type: [WebhookEventTypeEnum],
      description: 'The events it receives.',
      resolve: (s) => s.eventTypes as never,
    }),
    customerIds: t.idList({
      nullable: true,
      description: "Only these customers' events; null for every customer of the partner.",
      resolve: (s) => s.customerIds?.map((id) => encodeGlobalID('Customer', id)) ?? null,
    }),
    previousSecretExpiresAt: t.expose('previousExpiresAt', {
      type: 'DateTime',
      nullable: true,
      description: 'After rotateWebhookSecret, the old secret signs too until then.',
    }),
    enabled: t.exposeBoolean('enabled', { description: 'Whether new events are written for it.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it was created.' }),
    deliveries: t.connection({
      type: WebhookDeliveryRef,
      description: 'The delivery log, newest first.',
      directives: requiresPartnerTask(listWebhookDeliveries),
      resolve: (s, args, ctx) => listWebhookDeliveries(ctx.svc, s.id, args),
    }),
  }),
});

WebhookDeliveryRef.implement({
  description: `One event sent to one subscription: retried after ${BACKOFF_MS.map((ms) => `${ms / 1000} s`).join(', ')}, then every ${BACKOFF_MS.at(-1)! / 3_600_000} h, for 24 hours.`,
  fields: (t) => ({
    id: t.id({
      description: 'Also the webhook-id header the receiver deduplicates on.',
      resolve: (d) => encodeGlobalID('WebhookDelivery', d.id),
    }),
    webhookId: t.string({ description: 'The webhook-id header value.', resolve: (d) => d.id }),
    eventType: t.field({
      type: WebhookEventTypeEnum,
      description: 'The event it carries.',
      resolve: (d) => d.eventType as never,
    }),
    payload: t.string({
      description: 'The JSON body sent (never a password).',
      resolve: (d) => JSON.stringify(d.payload),
    }),
    status: t.field({ type: WebhookDeliveryStatusEnum, description: 'Where it stands.', resolve: (d) => d.status }),
    attempts: t.exposeInt('attempts', { description: 'Sends tried so far.' }),
    nextAttemptAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When the next send is due (null unless PENDING).',
      resolve: (d) => (d.status === 'PENDING' ? d.nextAttemptAt : null),
    }),
    lastAttemptAt: t.expose('lastAttemptAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When it was last sent (null before the first attempt).',
    }),
    lastStatusCode: t.exposeInt('lastStatusCode', { nullable: true, description: "The receiver's HTTP status." }),
    lastError: t.exposeString('lastError', {
      nullable: true,
      description:
        'Why the last attempt failed (an HTTP status, a refused connection, a timeout…); null after a success.',
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When the event was written.' }),
    deliveredAt: t.expose('deliveredAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When the receiver accepted it (null unless SUCCEEDED).',
    }),
  }),
});

builder.objectField(PartnerRef, 'webhookSubscriptions', (t) =>
  t.field({
    type: [WebhookSubscriptionRef],
    description: "The partner's webhook subscriptions, oldest first.",
    directives: requiresPartnerTask(listWebhookSubscriptions),
    resolve: (_, __, ctx) => listWebhookSubscriptions(ctx.svc),
  }),
);

const options = (ctx: GraphQLContext): WebhookOptions => ({
  key: credentialsKey(ctx.config),
  allowPrivate: ctx.config.webhookAllowPrivate,
});

const CreateWebhookSubscriptionInput = builder.inputType('CreateWebhookSubscriptionInput', {
  description: 'A URL to send events to, and which events.',
  fields: (t) => ({
    url: t.string({ required: true, description: 'An https URL on a public address (up to 2048 characters).' }),
    eventTypes: t.field({
      type: [WebhookEventTypeEnum],
      required: true,
      description: 'The events to receive (at least one).',
    }),
    customerIds: t.idList({ required: false, description: "Only these customers' events (default: all)." }),
    description: t.string({
      required: false,
      description: 'What it is for (up to 2048 characters; default: the URL).',
    }),
  }),
});
const SubscriptionIdInput = builder.inputType('WebhookSubscriptionIdInput', {
  description: 'Which webhook subscription.',
  fields: (t) => ({ subscriptionId: t.id({ required: true, description: 'A WebhookSubscription id.' }) }),
});
const WebhookSecretPayload = builder.simpleObject('WebhookSecretPayload', {
  description: 'A subscription and its new signing secret.',
  fields: (t) => ({
    subscription: t.field({ type: WebhookSubscriptionRef, nullable: true, description: 'The subscription.' }),
    secret: t.string({
      nullable: true,
      description: 'The signing secret (whsec_…) for the receiver to verify with: shown once.',
    }),
    userErrors: t.field({ type: [UserErrorRef], description: USER_ERRORS_DESCRIPTION }),
  }),
});
const WebhookSubscriptionPayload = builder.simpleObject('WebhookSubscriptionPayload', {
  description: 'The outcome of a change to a webhook subscription.',
  fields: (t) => ({
    subscription: t.field({
      type: WebhookSubscriptionRef,
      nullable: true,
      description: 'The subscription as it was before deletion.',
    }),
    userErrors: t.field({ type: [UserErrorRef], description: USER_ERRORS_DESCRIPTION }),
  }),
});
const WebhookDeliveryPayload = builder.simpleObject('WebhookDeliveryPayload', {
  description: 'The outcome of redeliverWebhook.',
  fields: (t) => ({
    delivery: t.field({
      type: WebhookDeliveryRef,
      nullable: true,
      description: 'The delivery, PENDING again.',
    }),
    userErrors: t.field({ type: [UserErrorRef], description: USER_ERRORS_DESCRIPTION }),
  }),
});

const subscriptionId = (input: { subscriptionId: string }) =>
  decodeId(input.subscriptionId, 'WebhookSubscription', ['subscriptionId']);

builder.mutationFields((t) => ({
  createWebhookSubscription: t.field({
    type: WebhookSecretPayload,
    description: 'Subscribes a URL to event types. Events are written with the change and sent by a background worker.',
    directives: requiresPartnerTask(createWebhookSubscription),
    args: {
      input: t.arg({ type: CreateWebhookSubscriptionInput, required: true, description: 'The URL and its events.' }),
    },
    resolve: (_, { input }, ctx) =>
      runMutation(() =>
        createWebhookSubscription(
          ctx.svc,
          {
            url: input.url,
            eventTypes: input.eventTypes as string[],
            description: input.description,
            customerIds: input.customerIds?.map((id, i) =>
              decodeId(String(id), 'Customer', ['customerIds', String(i)]),
            ),
          },
          options(ctx),
        ),
      ),
  }),
  rotateWebhookSecret: t.field({
    type: WebhookSecretPayload,
    description: 'A new signing secret, shown once; the old one keeps signing (a second signature) for 24 hours.',
    directives: requiresPartnerTask(rotateWebhookSecret),
    args: {
      input: t.arg({
        type: SubscriptionIdInput,
        required: true,
        description: 'The subscription whose secret to rotate.',
      }),
    },
    resolve: (_, { input }, ctx) =>
      runMutation(() => rotateWebhookSecret(ctx.svc, subscriptionId(input), options(ctx))),
  }),
  deleteWebhookSubscription: t.field({
    type: WebhookSubscriptionPayload,
    description: 'Stops the deliveries for good (the pending ones are dropped).',
    directives: requiresPartnerTask(deleteWebhookSubscription),
    args: { input: t.arg({ type: SubscriptionIdInput, required: true, description: 'The subscription to delete.' }) },
    resolve: (_, { input }, ctx) =>
      runMutation(async () => ({ subscription: await deleteWebhookSubscription(ctx.svc, subscriptionId(input)) })),
  }),
  redeliverWebhook: t.field({
    type: WebhookDeliveryPayload,
    description: 'Sends a delivery again (same webhook-id), with another 24 hours of retries.',
    directives: requiresPartnerTask(redeliverWebhook),
    args: {
      input: t.arg({
        type: builder.inputType('RedeliverWebhookInput', {
          description: 'Which delivery to send again.',
          fields: (f) => ({ deliveryId: f.id({ required: true, description: 'A WebhookDelivery id.' }) }),
        }),
        required: true,
        description: 'The delivery to send again.',
      }),
    },
    resolve: (_, { input }, ctx) =>
      runMutation(async () => ({
        delivery: await redeliverWebhook(
          ctx.svc,
          decodeId(String(input.deliveryId), 'WebhookDelivery', ['deliveryId']),
        ),
      })),
  }),
}));
