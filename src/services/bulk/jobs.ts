// Reading bulk jobs: the job and its counters, its rows page by page, the partner's file with `Status update`
// filled, and a progress stream for the subscription.

import { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { stringify } from 'csv-stringify/sync';
import { and, asc, eq, gt } from 'drizzle-orm';
import { type BULK_ROW_OUTCOMES, bulkJobRows, bulkJobs, users } from '../../db/schema.js';
import { MESSAGES } from '../../messages/catalogue.js';
import { type Locale, type Message, render } from '../../messages/index.js';
import { authorizeCustomerTask } from '../authorization.js';
import type { ServiceContext } from '../context.js';
import { notFound } from '../errors.js';
import { countWhere, type KeysetOrder, keysetPage, type Page, type PageArgs } from '../pagination.js';
import { recheckCaller } from '../sessions.js';
import { customerTask, readCustomer } from '../tasks.js';
import { type UserRow, userColumns } from '../users/row.js';
import { ColumnMap } from './columns.js';
import { neutralizeFormula } from './csv.js';

export type BulkJobRow = typeof bulkJobs.$inferSelect;
export type BulkJobStatus = BulkJobRow['status'];
export type BulkRowOutcome = (typeof BULK_ROW_OUTCOMES)[number];

/** A row error as stored: `text` is missing from rows written before messages were translated. */
export type StoredRowError = BulkJobRowRecord['errors'][number];
type BulkJobRowRecord = typeof bulkJobRows.$inferSelect;

/**
 * A row error's message in `locale`, from its stored catalogue key and params; the stored English for rows written
 * before those were, or whose key the catalogue no longer has.
 */
export function rowErrorMessage(error: StoredRowError, locale: Locale): string {
  const text = error.text;
  if (!text || !Object.hasOwn(MESSAGES, text.key)) return error.message;
  try {
    return render(text as Message, locale);
  } catch {
    // An entry whose params changed since the row was written: its English as stored.
    return error.message;
  }
}

export interface BulkJobRowView {
  rowNumber: number;
  outcome: BulkRowOutcome;
  message: string | null;
  errors: StoredRowError[];
  userPrincipalName: string | null;
  user: UserRow | null;
}

export const FINISHED: readonly BulkJobStatus[] = ['SUCCEEDED', 'PARTIAL', 'FAILED'];

/** SUCCEEDED when nothing failed, FAILED when nothing was created but something failed, PARTIAL in between. */
export function finalStatus(succeeded: number, failed: number): BulkJobStatus {
  if (failed === 0) return 'SUCCEEDED';
  return succeeded === 0 ? 'FAILED' : 'PARTIAL';
}

export const processedOf = (job: BulkJobRow) => job.succeeded + job.failed + job.skipped;

// Runners in this process wake up as soon as a job is queued; other instances find it at their next poll.
const queued = new EventEmitter();
queued.setMaxListeners(0);
export function notifyJobQueued(): void {
  queued.emit('queued');
}
export function onJobQueued(listener: () => void): () => void {
  queued.on('queued', listener);
  return () => queued.off('queued', listener);
}

export async function getBulkJob(ctx: ServiceContext, customerId: string, jobId: string): Promise<BulkJobRow> {
  await authorizeCustomerTask(ctx, readCustomer.tasks[0], customerId);
  const [job] = await ctx.db
    .select()
    .from(bulkJobs)
    .where(and(eq(bulkJobs.customerId, customerId), eq(bulkJobs.id, jobId)));
  if (!job) throw notFound('bulk job');
  return job;
}

const IN_FILE_ORDER: KeysetOrder<BulkJobRowView> = {
  direction: 'asc',
  keys: [{ column: bulkJobRows.rowNumber, field: 'rowNumber' }],
};

/** The rows in file order, with the user each created. */
export const listBulkJobRows = customerTask(
  readCustomer.tasks,
  async function listBulkJobRows(
    ctx: ServiceContext,
    job: BulkJobRow,
    args: PageArgs & { outcome?: BulkRowOutcome | null },
  ): Promise<Page<BulkJobRowView>> {
    await authorizeCustomerTask(ctx, readCustomer.tasks[0], job.customerId);
    const columns = new ColumnMap(job.header);
    const where = and(
      eq(bulkJobRows.customerId, job.customerId),
      eq(bulkJobRows.jobId, job.id),
      args.outcome ? eq(bulkJobRows.outcome, args.outcome) : undefined,
    );
    return keysetPage(
      args,
      IN_FILE_ORDER,
      async (page) => {
        const rows = await ctx.db
          .select({ row: bulkJobRows, user: userColumns })
          .from(bulkJobRows)
          .leftJoin(users, and(eq(users.customerId, bulkJobRows.customerId), eq(users.id, bulkJobRows.userId)))
          .where(and(where, page.where))
          .orderBy(...page.orderBy)
          .limit(page.limit);
        return rows.map(({ row, user }) => ({
          rowNumber: row.rowNumber,
          outcome: row.outcome,
          message: statusUpdate(row),
          errors: row.errors,
          userPrincipalName: columns.cell(row.cells, 'userPrincipalName') ?? null,
          user,
        }));
      },
      () => countWhere(ctx.db, bulkJobRows, where),
    );
  },
);

function statusUpdate(row: { outcome: BulkRowOutcome; message: string | null }): string {
  return row.message ?? (row.outcome === 'PENDING' ? 'Pending' : row.outcome);
}

const RESULT_PAGE = 1_000;

/** The partner's own file (its header, delimiter and BOM) with every row's `Status update` filled. */
export const bulkJobResultCsv = customerTask(
  readCustomer.tasks,
  async function bulkJobResultCsv(ctx: ServiceContext, job: BulkJobRow): Promise<string> {
    await authorizeCustomerTask(ctx, readCustomer.tasks[0], job.customerId);
    const columns = new ColumnMap(job.header);
    const statusAt = columns.statusIndex();
    const header = statusAt === undefined ? [...job.header, 'Status update'] : job.header;
    const options = { delimiter: job.delimiter, record_delimiter: 'windows' as const };
    // Cells a spreadsheet would run as formulas are neutralised as the export does (an import takes the mark off).
    const parts = [
      (job.bom ? '\uFEFF' : '') + stringify([header.map((h) => neutralizeFormula(h.replace(/^\uFEFF/, '')))], options),
    ];
    let after = 0;
    for (;;) {
      const rows = await ctx.db
        .select({
          rowNumber: bulkJobRows.rowNumber,
          cells: bulkJobRows.cells,
          outcome: bulkJobRows.outcome,
          message: bulkJobRows.message,
        })
        .from(bulkJobRows)
        .where(
          and(
            eq(bulkJobRows.customerId, job.customerId),
            eq(bulkJobRows.jobId, job.id),
            gt(bulkJobRows.rowNumber, after),
          ),
        )
        .orderBy(asc(bulkJobRows.rowNumber))
        .limit(RESULT_PAGE);
      if (!rows.length) break;
      parts.push(
        stringify(
          rows.map((r) => {
            const cells = [...r.cells];
            if (statusAt === undefined) cells.push(statusUpdate(r));
            else cells[statusAt] = statusUpdate(r);
            return cells.map(neutralizeFormula);
          }),
          options,
        ),
      );
      after = rows.at(-1)!.rowNumber;
    }
    return parts.join('');
  },
);

/** Yields the job whenever its status or counters change, until it is finished. Polls the database (any instance). */
export const watchBulkJob = customerTask(
  readCustomer.tasks,
  async function* watchBulkJob(
    ctx: ServiceContext,
    customerId: string,
    jobId: string,
    intervalMs: number,
  ): AsyncGenerator<BulkJobRow> {
    let last = '';
    for (;;) {
      // Access is judged at every poll, not only when the subscription starts: the session, then the grants.
      await recheckCaller(ctx);
      ctx.grantCache.clear();
      const job = await getBulkJob(ctx, customerId, jobId);
      const key = `${job.status}:${processedOf(job)}`;
      if (key !== last) {
        last = key;
        yield job;
      }
      if (FINISHED.includes(job.status)) return;
      await sleep(intervalMs);
    }
  },
);
