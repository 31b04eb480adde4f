import { and, desc, eq, lt, or } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { auditEvents } from '../db/schema.js';
import { authorizeCustomerTask } from './authorization.js';
import type { ServiceContext } from './context.js';
import { keysetPage, type Page, type PageArgs } from './pagination.js';
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

export async function recordAudit(ctx: ServiceContext, event: AuditInput, db: Db = ctx.db): Promise<void> {
  const caller = ctx.caller;
  await db.insert(auditEvents).values({
    customerId: event.customerId,
    at: ctx.clock.now(),
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

/** Newest first. */
export const listAuditEvents = customerTask(
  readCustomer.tasks,
  async function listAuditEvents(
    ctx: ServiceContext,
    customerId: string,
    args: PageArgs,
  ): Promise<Page<AuditEventRow>> {
    await authorizeCustomerTask(ctx, readCustomer.tasks[0], customerId);
    return keysetPage(args, ['at', 'id'], async (after, limit) =>
      ctx.db
        .select()
        .from(auditEvents)
        .where(
          and(
            eq(auditEvents.customerId, customerId),
            after
              ? or(
                  lt(auditEvents.at, new Date(after[0]!)),
                  and(eq(auditEvents.at, new Date(after[0]!)), lt(auditEvents.id, after[1]!)),
                )
              : undefined,
          ),
        )
        .orderBy(desc(auditEvents.at), desc(auditEvents.id))
        .limit(limit),
    );
  },
);
