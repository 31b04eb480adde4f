import { and, eq } from 'drizzle-orm';
import { auditEvents } from '../db/schema.js';
import { authorizeCustomerTask } from './authorization.js';
import type { ServiceContext } from './context.js';
import { type KeysetOrder, keysetPage, type Page, type PageArgs } from './pagination.js';
import { customerTask, readCustomer } from './tasks.js';

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
  const caller = ctx.caller;
  await ctx.db.insert(auditEvents).values({
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
  });
}

export type AuditEventRow = typeof auditEvents.$inferSelect;

const NEWEST_FIRST: KeysetOrder<AuditEventRow> = {
  direction: 'desc',
  keys: [
    { column: auditEvents.at, field: 'at' },
    { column: auditEvents.id, field: 'id' },
  ],
};

/** Newest first. */
export const listAuditEvents = customerTask(
  readCustomer.tasks,
  async function listAuditEvents(
    ctx: ServiceContext,
    customerId: string,
    args: PageArgs,
  ): Promise<Page<AuditEventRow>> {
    await authorizeCustomerTask(ctx, readCustomer.tasks[0], customerId);
    return keysetPage(args, NEWEST_FIRST, async (page) =>
      ctx.db
        .select()
        .from(auditEvents)
        .where(and(eq(auditEvents.customerId, customerId), page.where))
        .orderBy(...page.orderBy)
        .limit(page.limit),
    );
  },
);
