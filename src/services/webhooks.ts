// Webhooks (Standard Webhooks): an ACCESS_ADMINISTRATOR subscribes a URL to event types; each event is written to
// the outbox (webhook_deliveries) in the transaction of the change, so a rolled-back change sends nothing; a worker
// claims due deliveries with a lease (FOR UPDATE SKIP LOCKED: several instances, one sender per delivery at a time),
// signs them with the `standardwebhooks` package (webhook-id, webhook-timestamp, webhook-signature; during a secret
// rotation both secrets sign) and retries failures with backoff for 24 hours, then marks them FAILED. Payloads carry
// what the audit log carries: never a password or a secret.
import { randomBytes, randomUUID } from 'node:crypto';
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP } from 'node:net';
import { and, asc, eq, inArray, isNull, lte, or, type SQL, sql } from 'drizzle-orm';
import { Webhook } from 'standardwebhooks';
import { Agent, fetch as undiciFetch } from 'undici';
import type { Clock } from '../clock.js';
import type { Db } from '../db/client.js';
import {
  customers,
  gdapRelationships,
  WEBHOOK_EVENT_TYPES,
  webhookDeliveries,
  webhookSubscriptions,
} from '../db/schema.js';
import { encodeGlobalID, scopedId } from '../graphql/ids.js';
import { logError } from '../log.js';
import { type Message, msg } from '../messages/index.js';
import { requirePartnerTask } from './authorization.js';
import { decryptCredential, encryptCredential } from './bulk/credentials.js';
import { type ServiceContext, serviceContext } from './context.js';
import { type DomainError, invalid, notFound, ValidationErrors, violated } from './errors.js';
import { type KeysetOrder, type Page, type PageArgs, tablePage } from './pagination.js';
import { authorizePartnerChange, commitPartnerChange } from './partner-audit.js';
import { partnerTask } from './tasks.js';
import { textViolation } from './validation.js';
import { wakeableSleep } from './wakeable-sleep.js';

const TASK = 'MANAGE_WEBHOOKS' as const;

export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];
export type WebhookSubscriptionRow = Omit<typeof webhookSubscriptions.$inferSelect, 'secret' | 'previousSecret'>;
export type WebhookDeliveryRow = typeof webhookDeliveries.$inferSelect;

/** How long a delivery is retried, and how long the previous secret keeps signing after a rotation. */
export const WEBHOOK_RETRY_MS = 24 * 3_600_000;
export const PREVIOUS_SECRET_MS = 24 * 3_600_000;
/** Waits after the 1st, 2nd… failed attempt; the last one repeats until the 24 hours are over. */
export const BACKOFF_MS = [5_000, 30_000, 120_000, 600_000, 1_800_000, 3_600_000, 7_200_000, 14_400_000, 28_800_000];
const LEASE_MS = 30_000;
const BATCH = 10;
const TIMEOUT_MS = 10_000;

export interface WebhookOptions {
  /** Seals the signing secrets (the credentials key). */
  key: Buffer;
  /** Lets a subscription use http:// and private, loopback or link-local addresses (development and tests only). */
  allowPrivate: boolean;
}

const subscriptionColumns = {
  partnerId: webhookSubscriptions.partnerId,
  id: webhookSubscriptions.id,
  url: webhookSubscriptions.url,
  description: webhookSubscriptions.description,
  eventTypes: webhookSubscriptions.eventTypes,
  customerIds: webhookSubscriptions.customerIds,
  previousExpiresAt: webhookSubscriptions.previousExpiresAt,
  enabled: webhookSubscriptions.enabled,
  createdAt: webhookSubscriptions.createdAt,
};

const aad = (subscriptionId: string) => `webhook:${subscriptionId}`;
const newSecret = () => `whsec_${randomBytes(32).toString('base64')}`;

/** Private, loopback, link-local and other non-public ranges: no webhook goes there unless allowPrivate. */
const PRIVATE = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 3],
] as const)
  PRIVATE.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [
  ['::', 127],
  ['fc00::', 7],
  ['fe80::', 10],
  ['::ffff:0:0', 96],
  // Translations that reach IPv4 addresses through IPv6: NAT64, 6to4, Teredo.
  ['64:ff9b::', 96],
  ['2002::', 16],
  ['2001::', 32],
] as const)
  PRIVATE.addSubnet(net, prefix, 'ipv6');

/**
 * Connections for webhooks that check every address a name resolves to, at connect time, and connect to the checked
 * one: a name cannot pass a check and then resolve to a private address (DNS rebinding).
 */
const publicOnly = new Agent({
  connect: {
    lookup: (hostname, options, callback) => {
      dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
        if (error) return callback(error, '', 4);
        const list = addresses as LookupAddress[];
        const bad = list.find((a) => isPrivate(a.address));
        if (bad) return callback(new Error(`${hostname} resolves to a private address`), '', 4);
        if ((options as { all?: boolean }).all) return (callback as (e: null, a: LookupAddress[]) => void)(null, list);
        return callback(null, list[0]!.address, list[0]!.family);
      });
    },
  },
});

const isPrivate = (address: string) => PRIVATE.check(address, isIP(address) === 6 ? 'ipv6' : 'ipv4');

/** What is wrong with a webhook URL ("The URL must use https."), or null. */
function urlViolation(raw: string, allowPrivate: boolean): Message | null {
  if (raw.length > 2048) return msg('field.violation', { subject: 'url', rule: 'tooLong', max: 2048 });
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return msg('partner.webhookUrlNotAbsolute');
  }
  if (url.protocol !== 'https:' && !(allowPrivate && url.protocol === 'http:'))
    return msg('partner.webhookUrlNotHttps');
  if (url.username || url.password) return msg('partner.webhookUrlCredentials');
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (!allowPrivate && (host === 'localhost' || (isIP(host) && isPrivate(host))))
    return msg('partner.webhookUrlNotPublic');
  return null;
}

/** What is wrong with the chosen event types ("Choose at least one event type."), or null. */
function eventTypesViolation(types: readonly string[]): Message | null {
  if (!types.length) return msg('partner.eventTypesRequired');
  const unknown = types.find((t) => !(WEBHOOK_EVENT_TYPES as readonly string[]).includes(t));
  return unknown ? msg('partner.unknownEventType', { eventType: unknown }) : null;
}

/** A new subscription; its signing secret is returned once. */
export const createWebhookSubscription = partnerTask(
  TASK,
  async function createWebhookSubscription(
    ctx: ServiceContext,
    input: { url: string; eventTypes: string[]; customerIds?: string[] | null; description?: string | null },
    options: WebhookOptions,
  ): Promise<{ subscription: WebhookSubscriptionRow; secret: string }> {
    const admin = await authorizePartnerChange(ctx, TASK, 'CREATE_WEBHOOK_SUBSCRIPTION');
    const errors: DomainError[] = [];
    const url = input.url.trim();
    const urlProblem = urlViolation(url, options.allowPrivate);
    if (urlProblem) errors.push(invalid(['url'], urlProblem));
    const types = [...new Set(input.eventTypes)];
    const typeProblem = eventTypesViolation(types);
    if (typeProblem) errors.push(invalid(['eventTypes'], typeProblem));
    const description = input.description?.trim() || url;
    const descriptionProblem = textViolation(description, 2048, true);
    if (descriptionProblem) errors.push(violated(['description'], 'description', descriptionProblem));
    if (errors.length) throw errors.length === 1 ? errors[0]! : new ValidationErrors(errors);
    const customerIds = input.customerIds?.length ? [...new Set(input.customerIds)] : null;
    return commitPartnerChange(ctx, admin, 'CREATE_WEBHOOK_SUBSCRIPTION', async (tx) => {
      if (customerIds) {
        const own = await tx.db
          .select({ id: customers.id })
          .from(customers)
          .where(and(eq(customers.partnerId, admin.partnerId), inArray(customers.id, customerIds)));
        if (own.length !== customerIds.length) throw notFound('customer');
      }
      const id = randomUUID();
      const secret = newSecret();
      const [row] = await tx.db
        .insert(webhookSubscriptions)
        .values({
          partnerId: admin.partnerId,
          id,
          url,
          description,
          eventTypes: types,
          customerIds,
          secret: encryptCredential(options.key, secret, aad(id)),
          createdAt: ctx.clock.now(),
        })
        .returning(subscriptionColumns);
      return {
        result: { subscription: row!, secret },
        event: { targetType: 'WEBHOOK_SUBSCRIPTION', targetId: id, targetName: url, details: { eventTypes: types } },
      };
    });
  },
);

async function ownSubscription(tx: ServiceContext, partnerId: string, id: string) {
  const [row] = await tx.db
    .select()
    .from(webhookSubscriptions)
    .where(and(eq(webhookSubscriptions.partnerId, partnerId), eq(webhookSubscriptions.id, id)))
    .for('update');
  if (!row) throw notFound('webhook subscription');
  return row;
}

/** A new signing secret, returned once; the previous one signs too for 24 hours, so receivers can switch. */
export const rotateWebhookSecret = partnerTask(
  TASK,
  async function rotateWebhookSecret(
    ctx: ServiceContext,
    subscriptionId: string,
    options: WebhookOptions,
  ): Promise<{ subscription: WebhookSubscriptionRow; secret: string }> {
    const admin = await authorizePartnerChange(ctx, TASK, 'ROTATE_WEBHOOK_SECRET');
    return commitPartnerChange(
      ctx,
      admin,
      'ROTATE_WEBHOOK_SECRET',
      async (tx) => {
        const current = await ownSubscription(tx, admin.partnerId, subscriptionId);
        const secret = newSecret();
        const now = ctx.clock.now();
        const [row] = await tx.db
          .update(webhookSubscriptions)
          .set({
            secret: encryptCredential(options.key, secret, aad(current.id)),
            previousSecret: current.secret,
            previousExpiresAt: new Date(now.getTime() + PREVIOUS_SECRET_MS),
          })
          .where(and(eq(webhookSubscriptions.partnerId, admin.partnerId), eq(webhookSubscriptions.id, current.id)))
          .returning(subscriptionColumns);
        return {
          result: { subscription: row!, secret },
          event: { targetType: 'WEBHOOK_SUBSCRIPTION', targetId: current.id, targetName: current.url },
        };
      },
      { targetType: 'WEBHOOK_SUBSCRIPTION', targetId: subscriptionId },
    );
  },
);

/** Deletes a subscription; its pending deliveries are dropped with it. */
export const deleteWebhookSubscription = partnerTask(
  TASK,
  async function deleteWebhookSubscription(
    ctx: ServiceContext,
    subscriptionId: string,
  ): Promise<WebhookSubscriptionRow> {
    const admin = await authorizePartnerChange(ctx, TASK, 'DELETE_WEBHOOK_SUBSCRIPTION');
    return commitPartnerChange(
      ctx,
      admin,
      'DELETE_WEBHOOK_SUBSCRIPTION',
      async (tx) => {
        const current = await ownSubscription(tx, admin.partnerId, subscriptionId);
        await tx.db
          .delete(webhookDeliveries)
          .where(
            and(eq(webhookDeliveries.partnerId, admin.partnerId), eq(webhookDeliveries.subscriptionId, current.id)),
          );
        const [row] = await tx.db
          .delete(webhookSubscriptions)
          .where(and(eq(webhookSubscriptions.partnerId, admin.partnerId), eq(webhookSubscriptions.id, current.id)))
          .returning(subscriptionColumns);
        return {
          result: row!,
          event: { targetType: 'WEBHOOK_SUBSCRIPTION', targetId: current.id, targetName: current.url },
        };
      },
      { targetType: 'WEBHOOK_SUBSCRIPTION', targetId: subscriptionId },
    );
  },
);

export const listWebhookSubscriptions = partnerTask(
  TASK,
  async function listWebhookSubscriptions(ctx: ServiceContext): Promise<WebhookSubscriptionRow[]> {
    const caller = requirePartnerTask(ctx, TASK);
    return ctx.db
      .select(subscriptionColumns)
      .from(webhookSubscriptions)
      .where(eq(webhookSubscriptions.partnerId, caller.partnerId))
      .orderBy(webhookSubscriptions.createdAt, webhookSubscriptions.id);
  },
);

const NEWEST_FIRST: KeysetOrder<WebhookDeliveryRow> = {
  direction: 'desc',
  keys: [
    { column: webhookDeliveries.createdAt, field: 'createdAt' },
    { column: webhookDeliveries.id, field: 'id' },
  ],
};

/** The delivery log of a subscription, newest first. */
export const listWebhookDeliveries = partnerTask(
  TASK,
  async function listWebhookDeliveries(
    ctx: ServiceContext,
    subscriptionId: string,
    args: PageArgs,
  ): Promise<Page<WebhookDeliveryRow>> {
    const caller = requirePartnerTask(ctx, TASK);
    const where = and(
      eq(webhookDeliveries.partnerId, caller.partnerId),
      eq(webhookDeliveries.subscriptionId, subscriptionId),
    );
    return tablePage(ctx.db, webhookDeliveries, args, NEWEST_FIRST, where);
  },
);

/** Sends a delivery again (same webhook-id, so receivers can deduplicate), retried for another 24 hours. */
export const redeliverWebhook = partnerTask(
  TASK,
  async function redeliverWebhook(ctx: ServiceContext, deliveryId: string): Promise<WebhookDeliveryRow> {
    const admin = await authorizePartnerChange(ctx, TASK, 'REDELIVER_WEBHOOK');
    return commitPartnerChange(
      ctx,
      admin,
      'REDELIVER_WEBHOOK',
      async (tx) => {
        const now = ctx.clock.now();
        const [row] = await tx.db
          .update(webhookDeliveries)
          .set({
            status: 'PENDING',
            nextAttemptAt: now,
            retryUntil: new Date(now.getTime() + WEBHOOK_RETRY_MS),
            deliveredAt: null,
          })
          .where(and(eq(webhookDeliveries.partnerId, admin.partnerId), eq(webhookDeliveries.id, deliveryId)))
          .returning();
        if (!row) throw notFound('webhook delivery');
        return {
          result: row,
          event: { targetType: 'WEBHOOK_SUBSCRIPTION', targetId: row.subscriptionId, details: { deliveryId } },
        };
      },
      { targetType: 'WEBHOOK_SUBSCRIPTION', details: { deliveryId } },
    );
  },
);

/**
 * Writes the event into the outbox of every enabled subscription of the customer's partner that wants it, through
 * `tx.db`: part of the change's transaction. One statement, whatever the number of subscriptions (none: no row).
 * Customer data goes out only while the partner holds an active GDAP relationship with the customer (as reading it
 * needs one); the relationship's own events always do.
 */
export async function emitWebhookEvent(
  tx: ServiceContext,
  customerId: string,
  type: WebhookEventType,
  data: Record<string, unknown>,
): Promise<void> {
  await tx.db.execute(webhookOutbox(tx.clock.now(), customerId, [type], data));
}

/**
 * The outbox rows of a customer's events (one per subscription that wants each type), as one INSERT … SELECT to run
 * alone or after a CTE (audit.ts writes its events' outbox rows the same way, from webhookOutboxValues, in the audit
 * event's statement). Customer data goes out only while the partner holds an active relationship with the customer
 * (relationship events excepted).
 */
export function webhookOutbox(
  now: Date,
  customerId: string,
  types: readonly WebhookEventType[],
  data: Record<string, unknown>,
): SQL {
  return webhookOutboxInsert(
    webhookOutboxValues(
      now,
      customerId,
      types.map((type) => ({ type, data })),
    ),
  );
}

/** What webhookOutboxInsert writes: each event's type and payload (JSON text), and the instants of its rows. */
export interface OutboxValues {
  [key: string]: string | { type: string; payload: string }[];
  now: string;
  retryUntil: string;
  customerId: string;
  events: { type: string; payload: string }[];
}

export function webhookOutboxValues(
  now: Date,
  customerId: string,
  events: readonly { type: WebhookEventType; data: Record<string, unknown> }[],
): OutboxValues {
  const customer = encodeGlobalID('Customer', customerId);
  return {
    now: now.toISOString(),
    retryUntil: new Date(now.getTime() + WEBHOOK_RETRY_MS).toISOString(),
    customerId,
    events: events.map(({ type, data }) => ({
      type,
      payload: JSON.stringify({ type, timestamp: now.toISOString(), data: { customerId: customer, ...data } }),
    })),
  };
}

/**
 * The outbox insert of `v`, whose values may be placeholders (a statement built once: db/prepared.ts
 * templateStatement): its text depends only on how many events there are.
 */
export function webhookOutboxInsert(v: OutboxValues): SQL {
  const nowSql = sql`${v.now}::timestamptz`;
  const values = v.events.map(({ type, payload }) => sql`(${type}::text, ${payload}::jsonb)`);
  const underGdap = sql`(e.type like 'relationship.%' or exists (select 1 from ${gdapRelationships} r
    where r.customer_id = c.id and r.partner_id = s.partner_id and r.status = 'ACTIVE'
      and (r.ends_at > ${nowSql} or r.auto_extend)))`;
  return sql`insert into ${webhookDeliveries} (partner_id, id, subscription_id, event_type, payload, next_attempt_at, created_at, retry_until)
    select s.partner_id, gen_random_uuid(), s.id, e.type, e.payload, ${nowSql}, ${nowSql}, ${v.retryUntil}::timestamptz
    from (values ${sql.join(values, sql`, `)}) as e(type, payload)
    join ${webhookSubscriptions} s on e.type = any(s.event_types)
    join ${customers} c on c.partner_id = s.partner_id
    where c.id = ${v.customerId} and s.enabled
      and (s.customer_ids is null or ${v.customerId}::uuid = any(s.customer_ids)) and ${underGdap}`;
}

/** The webhook events an audited customer change sends (none for refusals, nor for an update that changed nothing). */
export function webhookEventsOf(action: string, details: Record<string, unknown>): WebhookEventType[] {
  switch (action) {
    case 'CREATE_USER':
      return ['user.created'];
    case 'UPDATE_USER': {
      const changes = Array.isArray(details.changes) ? (details.changes as { field?: string }[]) : [];
      if (!changes.length) return [];
      return changes.some((c) => c.field === 'licenses') ? ['user.updated', 'user.licenses_changed'] : ['user.updated'];
    }
    case 'DELETE_USER':
      return ['user.deleted'];
    case 'RESTORE_USER':
      return ['user.restored'];
    case 'RESET_PASSWORD':
      return ['user.password_reset'];
    case 'APPROVE_GDAP_RELATIONSHIP':
      return ['relationship.approved'];
    case 'TERMINATE_GDAP_RELATIONSHIP':
      return ['relationship.terminated'];
    default:
      return [];
  }
}

export const userGlobalId = (customerId: string, userId: string) =>
  encodeGlobalID('User', scopedId(customerId, userId));

export interface WebhookWorker {
  /** Sends what is due now; returns how many deliveries it attempted. */
  runOnce(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * The sender. Each round claims up to BATCH due deliveries with a lease, sends them, and records the outcome; an
 * instance that dies mid-round leaves its lease to expire, and another instance sends the delivery then.
 */
export function startWebhookWorker(
  db: Db,
  clock: Clock,
  options: WebhookOptions & { pollMs?: number; autoStart?: boolean },
): WebhookWorker {
  const workerId = randomUUID();
  let halted = false;
  let wake: (() => void) | null = null;

  async function claim(): Promise<WebhookDeliveryRow[]> {
    const now = clock.now();
    return db.transaction(async (tx) => {
      const due = await tx
        .select({ id: webhookDeliveries.id })
        .from(webhookDeliveries)
        .where(
          and(
            eq(webhookDeliveries.status, 'PENDING'),
            lte(webhookDeliveries.nextAttemptAt, now),
            or(isNull(webhookDeliveries.lockedUntil), lte(webhookDeliveries.lockedUntil, now)),
          ),
        )
        .orderBy(asc(webhookDeliveries.nextAttemptAt))
        .limit(BATCH)
        .for('update', { skipLocked: true });
      if (!due.length) return [];
      return tx
        .update(webhookDeliveries)
        .set({ lockedBy: workerId, lockedUntil: new Date(now.getTime() + LEASE_MS) })
        .where(
          inArray(
            webhookDeliveries.id,
            due.map((d) => d.id),
          ),
        )
        .returning();
    });
  }

  async function secretsOf(subscriptionId: string, partnerId: string) {
    const [s] = await db
      .select()
      .from(webhookSubscriptions)
      .where(and(eq(webhookSubscriptions.partnerId, partnerId), eq(webhookSubscriptions.id, subscriptionId)));
    if (!s) return null;
    const now = clock.now();
    const secrets = [decryptCredential(options.key, s.secret, aad(s.id))];
    if (s.previousSecret && s.previousExpiresAt && s.previousExpiresAt > now)
      secrets.push(decryptCredential(options.key, s.previousSecret, aad(s.id)));
    return { url: s.url, secrets };
  }

  /** A literal address is connected to without a lookup: checked here (names are checked by publicOnly). */
  function destinationProblem(url: string): string | null {
    if (options.allowPrivate) return null;
    const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
    return isIP(host) && isPrivate(host) ? `${host} is a private address` : null;
  }

  async function send(delivery: WebhookDeliveryRow): Promise<void> {
    const target = await secretsOf(delivery.subscriptionId, delivery.partnerId);
    let statusCode: number | null = null;
    let error: string | null = null;
    if (!target) error = 'the subscription is gone';
    else {
      try {
        error = destinationProblem(target.url);
        if (!error) {
          const body = JSON.stringify(delivery.payload);
          // The signature's timestamp is the wall clock's: receivers check it against theirs.
          const at = new Date();
          const signature = target.secrets.map((s) => new Webhook(s).sign(delivery.id, at, body)).join(' ');
          const res = await undiciFetch(target.url, {
            dispatcher: options.allowPrivate ? undefined : publicOnly,
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              'user-agent': 'partner-users-api-webhooks/1',
              'webhook-id': delivery.id,
              'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
              'webhook-signature': signature,
            },
            body,
            redirect: 'manual',
            signal: AbortSignal.timeout(TIMEOUT_MS),
          });
          statusCode = res.status;
          await res.body?.cancel();
          if (res.status < 200 || res.status >= 300) error = `HTTP ${res.status}`;
        }
      } catch (e) {
        // fetch says "fetch failed"; the reason (refused, timed out, a private address) is its cause.
        const cause = e instanceof Error && e.cause instanceof Error ? e.cause : e;
        error = cause instanceof Error ? cause.message.slice(0, 500) : 'send failed';
      }
    }
    const now = clock.now();
    const attempts = delivery.attempts + 1;
    const next = new Date(now.getTime() + BACKOFF_MS[Math.min(attempts - 1, BACKOFF_MS.length - 1)]!);
    const outcome = !error
      ? { status: 'SUCCEEDED' as const, deliveredAt: now }
      : next > delivery.retryUntil || !target
        ? { status: 'FAILED' as const }
        : { status: 'PENDING' as const, nextAttemptAt: next };
    await db
      .update(webhookDeliveries)
      .set({
        ...outcome,
        attempts,
        lastAttemptAt: now,
        lastStatusCode: statusCode,
        lastError: error,
        lockedBy: null,
        lockedUntil: null,
      })
      .where(
        and(
          eq(webhookDeliveries.partnerId, delivery.partnerId),
          eq(webhookDeliveries.id, delivery.id),
          eq(webhookDeliveries.lockedBy, workerId),
        ),
      );
  }

  /**
   * Expiry is judged by the clock at each request (services/gdap.ts), so no change writes it: this scan announces
   * each relationship that has ended, once (the row is marked in the same transaction as its outbox rows).
   */
  async function announceExpiries(): Promise<void> {
    const now = clock.now();
    await db.transaction(async (tx) => {
      const ended = await tx
        .update(gdapRelationships)
        .set({ expiryAnnouncedAt: now })
        .where(
          and(
            eq(gdapRelationships.status, 'ACTIVE'),
            eq(gdapRelationships.autoExtend, false),
            isNull(gdapRelationships.expiryAnnouncedAt),
            lte(gdapRelationships.endsAt, now),
          ),
        )
        .returning();
      const ctx = serviceContext(tx, clock);
      for (const r of ended) {
        await emitWebhookEvent(ctx, r.customerId, 'relationship.expired', {
          relationshipId: encodeGlobalID('GdapRelationship', scopedId(r.customerId, r.id)),
          displayName: r.displayName,
          endedAt: r.endsAt?.toISOString() ?? null,
        });
      }
    });
  }

  async function runOnce(): Promise<number> {
    await announceExpiries();
    const due = await claim();
    await Promise.all(due.map(send));
    return due.length;
  }

  async function loop() {
    let failures = 0;
    while (!halted) {
      let sent = 0;
      try {
        sent = await runOnce();
        failures = 0;
      } catch (e) {
        failures++;
        logError('webhook worker', e);
      }
      if (sent || halted) continue;
      const wait = failures ? Math.min((options.pollMs ?? 1000) * 2 ** failures, 60_000) : (options.pollMs ?? 1000);
      const pause = wakeableSleep(wait);
      wake = pause.wake;
      await pause.done;
      wake = null;
    }
  }

  const done = options.autoStart === false ? Promise.resolve() : loop();
  return {
    runOnce,
    async stop() {
      halted = true;
      wake?.();
      await done;
    },
  };
}
