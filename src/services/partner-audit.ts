// The partner's audit log, and the one way a partner-side change is made: authorized from the task table, done in
// one transaction together with its SUCCESS event, and a refusal (missing role, four-eyes rule, last access
// administrator) recorded as a DENIED event after the change was rolled back.
import { and, eq, gte, lt, type SQL } from 'drizzle-orm';
import type { PartnerTask } from '../auth/roles.js';
import { partnerAuditEvents } from '../db/schema.js';
import type { Message } from '../messages/index.js';
import { type AgentCaller, requirePartnerTask } from './authorization.js';
import { type Caller, inTransaction, type ServiceContext } from './context.js';
import { DomainError, notFound } from './errors.js';
import { type KeysetOrder, type Page, type PageArgs, tablePage } from './pagination.js';
import { partnerTask } from './tasks.js';

export type PartnerAuditEventRow = typeof partnerAuditEvents.$inferSelect;

/** What an event says about its target and the change (never a password or a secret). */
export interface PartnerEvent {
  targetType?:
    | 'AGENT'
    | 'APPLICATION'
    | 'APPLICATION_SECRET'
    | 'WEBHOOK_SUBSCRIPTION'
    | 'SECURITY_GROUP'
    | 'MEMBERSHIP'
    | 'GDAP_RELATIONSHIP'
    | 'ACCESS_ASSIGNMENT'
    | 'CUSTOMER'
    | 'SESSION';
  targetId?: string | null;
  targetName?: string | null;
  customerId?: string | null;
  details?: Record<string, unknown>;
}

interface Actor {
  actorKind: 'AGENT' | 'APPLICATION' | 'USER' | 'SYSTEM' | 'ANONYMOUS';
  actorId: string | null;
  actorEmail: string | null;
  actorName: string;
}

function actorOf(caller: Caller | null): Actor {
  if (!caller) return { actorKind: 'SYSTEM', actorId: null, actorEmail: null, actorName: 'system' };
  if (caller.kind === 'agent') {
    return { actorKind: caller.principal, actorId: caller.agentId, actorEmail: caller.email, actorName: caller.name };
  }
  return {
    actorKind: 'USER',
    actorId: caller.userId,
    actorEmail: caller.userPrincipalName,
    actorName: caller.userPrincipalName,
  };
}

/** Written through `ctx.db`: inside inTransaction, part of the transaction (and rolled back with it). */
export async function recordPartnerEvent(
  ctx: ServiceContext,
  partnerId: string,
  action: string,
  outcome: 'SUCCESS' | 'DENIED' | 'FAILED',
  event: PartnerEvent,
  actor: Actor = actorOf(ctx.caller),
): Promise<void> {
  await ctx.db.insert(partnerAuditEvents).values({
    partnerId,
    at: ctx.clock.now(),
    ...actor,
    action,
    outcome,
    targetType: event.targetType ?? null,
    targetId: event.targetId ?? null,
    targetName: event.targetName ?? null,
    customerId: event.customerId ?? null,
    details: event.details ?? {},
  });
}

/** A sign-in refused for an agent's email: the actor is who tried, not who was signed in. */
export async function recordSignInEvent(
  ctx: ServiceContext,
  agent: { id: string; partnerId: string; email: string; displayName: string },
  action: 'SIGN_IN_FAILED' | 'SIGN_IN_LOCKED_OUT' | 'SIGN_IN_DISABLED',
  details: Record<string, unknown>,
): Promise<void> {
  await recordPartnerEvent(
    ctx,
    agent.partnerId,
    action,
    'DENIED',
    { targetType: 'AGENT', targetId: agent.id, targetName: agent.email, details },
    {
      actorKind: 'ANONYMOUS',
      actorId: null,
      actorEmail: agent.email,
      actorName: 'sign-in attempt',
    },
  );
}

/** Called with the request's own context, outside any transaction: the refusal outlives the rolled-back change. */
async function recordRefusal(
  ctx: ServiceContext,
  action: string,
  e: DomainError,
  event: PartnerEvent = {},
): Promise<void> {
  const caller = ctx.caller;
  if (caller?.kind !== 'agent') return;
  const { field: _field, ...why } = e.details;
  await recordPartnerEvent(ctx, caller.partnerId, action, 'DENIED', {
    ...event,
    details: { ...event.details, reason: e.message, ...why },
  });
}

/** The partner task check for a change; a refusal is recorded as a DENIED event of `action`. */
export async function authorizePartnerChange(
  ctx: ServiceContext,
  task: PartnerTask,
  action: string,
): Promise<AgentCaller> {
  try {
    return requirePartnerTask(ctx, task);
  } catch (e) {
    if (e instanceof DomainError && e.code === 'FORBIDDEN') await recordRefusal(ctx, action, e);
    throw e;
  }
}

/** Refusals of a change by a rule (as opposed to bad input), recorded as DENIED. */
const REFUSALS = new Set<string>(['FORBIDDEN', 'LAST_ACCESS_ADMINISTRATOR']);

/**
 * Runs a partner-side change in one transaction with its audit event: `body` does the change and says what the event
 * records. A FORBIDDEN thrown by `body` (a rule such as four eyes) rolls the change back and is recorded as DENIED.
 */
export async function commitPartnerChange<T>(
  ctx: ServiceContext,
  actor: AgentCaller,
  action: string,
  body: (tx: ServiceContext) => Promise<{ result: T; event: PartnerEvent }>,
  refusedEvent: PartnerEvent = {},
): Promise<T> {
  try {
    return await inTransaction(ctx, async (tx) => {
      const { result, event } = await body(tx);
      await recordPartnerEvent(tx, actor.partnerId, action, 'SUCCESS', event);
      return result;
    });
  } catch (e) {
    // `ctx`, not the rolled-back `tx`: the refusal is written after the rollback, outside the transaction.
    if (e instanceof DomainError && REFUSALS.has(e.code)) await recordRefusal(ctx, action, e, refusedEvent);
    throw e;
  }
}

/**
 * The four-eyes refusal: FORBIDDEN naming the rule (recorded by commitPartnerChange). `message` is the whole refusal,
 * a `partner.fourEyes…` entry ("Four-eyes rule: … Another access administrator must do it.").
 */
export function fourEyes(message: Message): DomainError {
  return new DomainError('FORBIDDEN', message, { rule: 'FOUR_EYES' });
}

export interface PartnerAuditFilter {
  action?: string | null;
  actorId?: string | null;
  since?: Date | null;
  until?: Date | null;
}

const TASK = 'READ_PARTNER_AUDIT' as const;

const NEWEST_FIRST: KeysetOrder<PartnerAuditEventRow> = {
  direction: 'desc',
  keys: [{ column: partnerAuditEvents.seq, field: 'seq' }],
};

/** The partner's log, newest first, for ACCESS_ADMINISTRATOR. */
export const listPartnerAuditEvents = partnerTask(
  TASK,
  async function listPartnerAuditEvents(
    ctx: ServiceContext,
    partnerId: string,
    args: PageArgs & { filter?: PartnerAuditFilter | null },
  ): Promise<Page<PartnerAuditEventRow>> {
    const agent = requirePartnerTask(ctx, TASK);
    if (agent.partnerId !== partnerId) throw notFound('partner');
    const f = args.filter ?? {};
    const conditions: (SQL | undefined)[] = [
      eq(partnerAuditEvents.partnerId, partnerId),
      f.action ? eq(partnerAuditEvents.action, f.action) : undefined,
      f.actorId ? eq(partnerAuditEvents.actorId, f.actorId) : undefined,
      f.since ? gte(partnerAuditEvents.at, f.since) : undefined,
      f.until ? lt(partnerAuditEvents.at, f.until) : undefined,
    ];
    return tablePage(ctx.db, partnerAuditEvents, args, NEWEST_FIRST, and(...conditions));
  },
);
