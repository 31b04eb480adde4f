import { and, eq, gte, inArray, lt, type SQL, sql, type WithSubquery } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { auditEvents } from '../db/schema.js';
import { encodeGlobalID } from '../graphql/ids.js';
import { authorizeCustomerTask, requireAdminAgent, visibleCustomerCondition } from './authorization.js';
import type { ServiceContext } from './context.js';
import { type KeysetOrder, type Page, type PageArgs, tablePage } from './pagination.js';
import { customerTask, readCustomer } from './tasks.js';
import {
  type OutboxValues,
  userGlobalId,
  webhookEventsOf,
  webhookOutboxInsert,
  webhookOutboxValues,
} from './webhooks.js';

export interface AuditInput {
  customerId: string;
  action: string;
  outcome: 'SUCCESS' | 'DENIED' | 'FAILED';
  targetUserId?: string | null;
  targetName?: string | null;
  /** What changed: field names and values, never a password. */
  details?: Record<string, unknown>;
}

/** Written through `ctx.db`: inside inTransaction, part of the transaction (and rolled back with it). */
export async function recordAudit(ctx: ServiceContext, event: AuditInput): Promise<void> {
  const { insert, outbox } = auditSql(ctx.db, auditValues(ctx, [event]));
  // With webhook events, written by the same statement as the audit event: one round trip for both.
  await ctx.db.execute(outbox ? sql`with audit as (${insert}) ${outbox}` : insert);
}

/**
 * The audit event (and its webhook outbox rows) as CTEs of another statement, named `audit` and `audit_outbox`:
 * written by that statement, and not at all if it fails (a bulk row's user, a customer). With several events
 * (all of one customer: a bulk batch's creations), one insert of them all.
 */
export function auditWith(ctx: ServiceContext, event: AuditInput | readonly AuditInput[]): WithSubquery[] {
  return auditTemplate(ctx.db, auditValues(ctx, Array.isArray(event) ? event : [event as AuditInput]));
}

/** What an audit write writes: the events' rows (all at `at`, the first one's) and their webhook outbox rows. */
export interface AuditValues {
  [key: string]: string | AuditRow[] | OutboxValues;
  /** The instant (ISO) of the first event; the next ones a microsecond apart each. */
  at: string;
  rows: AuditRow[];
  /** The webhook events they send (none: no outbox insert). */
  outbox: OutboxValues;
}

/** An audit event's row as auditSql writes it: its details as JSON text (a value, where an object would be values). */
type AuditRow = { [key: string]: string | Date | null } & Omit<typeof auditEvents.$inferInsert, 'id' | 'details'> & {
    details: string;
  };

export function auditValues(ctx: ServiceContext, events: readonly AuditInput[]): AuditValues {
  const caller = ctx.caller;
  const now = ctx.clock.now();
  const actor: Pick<AuditRow, 'actorKind' | 'actorAgentId' | 'actorUserId' | 'actorName' | 'actorEmail'> = {
    actorKind: caller ? (caller.kind === 'agent' ? caller.principal : 'USER') : 'SYSTEM',
    actorAgentId: caller?.kind === 'agent' ? caller.agentId : null,
    actorUserId: caller?.kind === 'user' ? caller.userId : null,
    actorName: caller ? (caller.kind === 'agent' ? caller.name : caller.userPrincipalName) : 'system',
    actorEmail: caller ? (caller.kind === 'agent' ? caller.email : caller.userPrincipalName) : null,
  };
  if (new Set(events.map((e) => e.customerId)).size !== 1) {
    throw new Error('auditWith: one statement writes the events of one customer');
  }
  const rows = events.map(
    (event): AuditRow => ({
      customerId: event.customerId,
      at: now,
      ...actor,
      action: event.action,
      outcome: event.outcome,
      targetUserId: event.targetUserId ?? null,
      targetName: event.targetName ?? null,
      details: JSON.stringify(event.details ?? {}),
    }),
  );
  const webhookActor = caller
    ? caller.kind === 'agent'
      ? {
          kind: caller.principal,
          id: encodeGlobalID(caller.principal === 'AGENT' ? 'Agent' : 'Application', caller.agentId),
          name: caller.name,
        }
      : { kind: 'USER', id: userGlobalId(caller.customerId, caller.userId), name: caller.userPrincipalName }
    : { kind: 'SYSTEM', id: null, name: 'system' };
  // The webhook events of the change, in its transaction (the outbox): a rolled-back change sends nothing.
  const sent = events.flatMap((event) =>
    (event.outcome === 'SUCCESS' ? webhookEventsOf(event.action, event.details ?? {}) : []).map((type) => ({
      type,
      data: {
        ...(event.targetUserId ? { userId: userGlobalId(event.customerId, event.targetUserId) } : {}),
        ...(event.targetName ? { targetName: event.targetName } : {}),
        actor: webhookActor,
        details: event.details ?? {},
      },
    })),
  );
  return {
    at: now.toISOString(),
    rows,
    outbox: webhookOutboxValues(now, events[0]!.customerId, sent),
  };
}

/**
 * The audit events' insert, and the insert of the webhook events they send (null when they send none): the
 * statements of `v`, whose values may be placeholders (a statement built once: db/prepared.ts
 * templateStatement): their text depends only on how many events and webhook events there are.
 */
function auditSql(db: Db, v: AuditValues): { insert: SQL; outbox: SQL | null } {
  const insert = db
    .insert(auditEvents)
    .values(
      v.rows.map((row, i) => ({
        ...row,
        // Several events of one statement (a bulk batch's rows) a microsecond apart, in their order: the audit
        // trail, newest first, lists them as it would have listed them written one by one.
        at: i === 0 ? row.at : sql`${v.at}::timestamptz + ${i} * interval '1 microsecond'`,
        details: sql`${row.details}::jsonb`,
      })),
    )
    .getSQL();
  // Whether there is an outbox is the number of its events (a list's length, the same in a template), never a value.
  return { insert, outbox: v.outbox.events.length ? webhookOutboxInsert(v.outbox) : null };
}

/**
 * The CTEs of the audit values `v` (auditWith's), whose values may be the placeholders of a statement built once
 * (db/prepared.ts templateStatement: createUser's, which fills them from auditValues).
 */
export function auditTemplate(db: Db, v: AuditValues): WithSubquery[] {
  const { insert, outbox } = auditSql(db, v);
  const audit = db.$with('audit', {}).as(insert);
  return outbox ? [audit, db.$with('audit_outbox', {}).as(outbox)] : [audit];
}

export type AuditEventRow = typeof auditEvents.$inferSelect;

const NEWEST_FIRST: KeysetOrder<AuditEventRow> = {
  direction: 'desc',
  keys: [
    { column: auditEvents.at, field: 'at' },
    { column: auditEvents.id, field: 'id' },
  ],
};

export interface AuditFilter {
  /** From this instant (inclusive). */
  since?: Date | null;
  /** Before this instant. */
  until?: Date | null;
  actions?: readonly string[] | null;
  outcomes?: readonly ('SUCCESS' | 'DENIED' | 'FAILED')[] | null;
  targetUserId?: string | null;
}

function filterConditions(filter: AuditFilter | null | undefined): (SQL | undefined)[] {
  if (!filter) return [];
  return [
    filter.since ? gte(auditEvents.at, filter.since) : undefined,
    filter.until ? lt(auditEvents.at, filter.until) : undefined,
    filter.actions?.length ? inArray(auditEvents.action, [...filter.actions]) : undefined,
    filter.outcomes?.length ? inArray(auditEvents.outcome, [...filter.outcomes]) : undefined,
    filter.targetUserId ? eq(auditEvents.targetUserId, filter.targetUserId) : undefined,
  ];
}

/** Newest first. */
export const listAuditEvents = customerTask(
  readCustomer.tasks,
  async function listAuditEvents(
    ctx: ServiceContext,
    customerId: string,
    args: PageArgs,
    filter?: AuditFilter | null,
  ): Promise<Page<AuditEventRow>> {
    await authorizeCustomerTask(ctx, readCustomer.tasks[0], customerId);
    const where = and(eq(auditEvents.customerId, customerId), ...filterConditions(filter));
    return tablePage(ctx.db, auditEvents, args, NEWEST_FIRST, where);
  },
);

/**
 * The partner-wide feed: the events of every customer where the caller holds a GDAP role now (or of `customerIds`
 * among them), newest first. For an application serving many customers: one cursor instead of one per customer.
 */
export const listPartnerFeed = customerTask(
  readCustomer.tasks,
  async function listPartnerFeed(
    ctx: ServiceContext,
    args: PageArgs,
    filter?: (AuditFilter & { customerIds?: readonly string[] | null }) | null,
  ): Promise<Page<AuditEventRow>> {
    const agent = requireAdminAgent(ctx, readCustomer.tasks[0]);
    const where = and(
      filter?.customerIds?.length ? inArray(auditEvents.customerId, [...filter.customerIds]) : undefined,
      visibleCustomerCondition(ctx, agent, auditEvents.customerId),
      ...filterConditions(filter),
    );
    return tablePage(ctx.db, auditEvents, args, NEWEST_FIRST, where);
  },
);
