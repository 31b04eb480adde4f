import { and, eq, gte, inArray, lt, type SQL, sql, type WithSubquery } from 'drizzle-orm';
import { auditEvents } from '../db/schema.js';
import { encodeGlobalID } from '../graphql/ids.js';
import { authorizeCustomerTask, requireAdminAgent, visibleCustomerCondition } from './authorization.js';
import type { ServiceContext } from './context.js';
import { type KeysetOrder, type Page, type PageArgs, tablePage } from './pagination.js';
import { customerTask, readCustomer } from './tasks.js';
import { userGlobalId, webhookEventsOf, webhookOutbox } from './webhooks.js';

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
  const { insert, outbox } = auditWrites(ctx, event);
  // With webhook events, written by the same statement as the audit event: one round trip for both.
  await ctx.db.execute(outbox ? sql`with audit as (${insert}) ${outbox}` : insert);
}

/**
 * The audit event (and its webhook outbox rows) as CTEs of another statement, named `audit` and `audit_outbox`:
 * written by that statement, and not at all if it fails (a user's creation: users/create.ts).
 */
export function auditWith(ctx: ServiceContext, event: AuditInput): WithSubquery[] {
  const { insert, outbox } = auditWrites(ctx, event);
  const audit = ctx.db.$with('audit', {}).as(insert);
  return outbox ? [audit, ctx.db.$with('audit_outbox', {}).as(outbox)] : [audit];
}

/** The audit event's insert, and the insert of the webhook events it sends (null when it sends none). */
function auditWrites(ctx: ServiceContext, event: AuditInput): { insert: SQL; outbox: SQL | null } {
  const caller = ctx.caller;
  const insert = ctx.db
    .insert(auditEvents)
    .values({
      customerId: event.customerId,
      at: ctx.clock.now(),
      actorKind: caller ? (caller.kind === 'agent' ? caller.principal : 'USER') : 'SYSTEM',
      actorAgentId: caller?.kind === 'agent' ? caller.agentId : null,
      actorUserId: caller?.kind === 'user' ? caller.userId : null,
      actorName: caller ? (caller.kind === 'agent' ? caller.name : caller.userPrincipalName) : 'system',
      actorEmail: caller ? (caller.kind === 'agent' ? caller.email : caller.userPrincipalName) : null,
      action: event.action,
      outcome: event.outcome,
      targetUserId: event.targetUserId ?? null,
      targetName: event.targetName ?? null,
      details: event.details ?? {},
    })
    .getSQL();
  const types = event.outcome === 'SUCCESS' ? webhookEventsOf(event.action, event.details ?? {}) : [];
  if (!types.length) return { insert, outbox: null };
  // The webhook events of the change, in its transaction (the outbox): a rolled-back change sends nothing.
  const outbox = webhookOutbox(ctx.clock.now(), event.customerId, types, {
    ...(event.targetUserId ? { userId: userGlobalId(event.customerId, event.targetUserId) } : {}),
    ...(event.targetName ? { targetName: event.targetName } : {}),
    actor: caller
      ? caller.kind === 'agent'
        ? {
            kind: caller.principal,
            id: encodeGlobalID(caller.principal === 'AGENT' ? 'Agent' : 'Application', caller.agentId),
            name: caller.name,
          }
        : { kind: 'USER', id: userGlobalId(caller.customerId, caller.userId), name: caller.userPrincipalName }
      : { kind: 'SYSTEM', id: null, name: 'system' },
    details: event.details ?? {},
  });
  return { insert, outbox };
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
