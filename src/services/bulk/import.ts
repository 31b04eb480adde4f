// importUsers: the whole file is validated first (every row, then the seats of the whole file); a dry run stops there.
// Otherwise the job and its rows are written in one transaction — all of it or nothing — and runners create the users.
import { randomUUID } from 'node:crypto';
import { setImmediate } from 'node:timers/promises';
import type { Db } from '../../db/client.js';
import { bulkJobRows, bulkJobs } from '../../db/schema.js';
import { msg } from '../../messages/index.js';
import { recordAudit } from '../audit.js';
import { authorizeCustomerTask, requireAgent } from '../authorization.js';
import { inTransaction, type ServiceContext } from '../context.js';
import { DomainError, ValidationErrors } from '../errors.js';
import { customerTask } from '../tasks.js';
import { denyAudited, requirePart } from '../users/parts.js';
import { ColumnMap } from './columns.js';
import { type CsvFile, fileError, openCsv } from './csv.js';
import { type BulkJobRow, finalStatus, notifyJobQueued } from './jobs.js';
import { type CheckedRow, type RowError, RowValidator, type SeatDemand } from './validate.js';

export const MAX_ROWS = 50_000;
/** How many records the import reads between two yields to the event loop. */
const YIELD_EVERY = 256;
/** Rows validated (and written) together: one directory query and one insert per chunk. */
const CHUNK = 500;
/** The report lists this many row errors; errorCount has them all, and a job's rows keep every one. */
export const REPORT_ERROR_LIMIT = 1_000;

export type ImportSource =
  | { kind: 'file'; name: string | null; chunks: AsyncIterable<Uint8Array> }
  | { kind: 'text'; text: string };

export interface ImportUsersInput {
  customerId: string;
  source: ImportSource;
  dryRun: boolean;
  maxBytes: number;
}

export interface ReportedError extends RowError {
  line: number;
}

export interface ImportReport {
  rows: number;
  validRows: number;
  invalidRows: number;
  skippedRows: number;
  errorCount: number;
  errors: ReportedError[];
  seats: SeatDemand[];
}

export interface ImportResult {
  report: ImportReport;
  job: BulkJobRow | null;
}

/**
 * Creating the users, and the parts of the task a file may carry (licences, roles), in the order the field's directives
 * print them. The runner checks them again when the job runs.
 */
export const IMPORT_TASK = { create: 'CREATE_USER', licenses: 'EDIT_USER_LICENSES', roles: 'EDIT_USER_ROLES' } as const;
export type ImportPart = typeof IMPORT_TASK.licenses | typeof IMPORT_TASK.roles;

async function* textChunks(text: string): AsyncGenerator<string> {
  yield text;
}

/** Text of the row's `Status update` when validation refused it. */
export function refusalMessage(errors: readonly RowError[]): string {
  return `Not created: ${errors.map((e) => e.message).join(' ')}`;
}

export const importUsers = customerTask(
  [IMPORT_TASK.create, IMPORT_TASK.licenses, IMPORT_TASK.roles],
  async function importUsers(ctx: ServiceContext, input: ImportUsersInput): Promise<ImportResult> {
    const { customerId } = input;
    const access = await denyAudited(ctx, customerId, 'IMPORT_USERS', null, () =>
      authorizeCustomerTask(ctx, IMPORT_TASK.create, customerId),
    );
    const field = input.source.kind === 'file' ? ['file'] : ['csv'];
    const chunks = input.source.kind === 'file' ? input.source.chunks : textChunks(input.source.text);
    const fileName = input.source.kind === 'file' ? input.source.name : null;

    const validateInto = async (db: Db, jobId: string | null) => {
      let csv: CsvFile;
      try {
        csv = await openCsv(chunks, input.maxBytes);
      } catch (e) {
        throw relabel(e, field);
      }
      const columns = (() => {
        try {
          return new ColumnMap(csv.header);
        } catch (e) {
          throw relabel(e, field);
        }
      })();
      const validator = await RowValidator.create(db, customerId, columns);
      const report: ImportReport = {
        rows: 0,
        validRows: 0,
        invalidRows: 0,
        skippedRows: 0,
        errorCount: 0,
        errors: [],
        seats: [],
      };
      const parts = new Set<ImportPart>();
      let chunk: { line: number; cells: string[] }[] = [];

      const flush = async () => {
        const checked = await validator.checkChunk(db, chunk);
        chunk = [];
        for (const row of checked) tally(report, row);
        if (jobId) await writeRows(db, customerId, jobId, checked, ctx.clock.now());
      };
      let blank = 0;
      let seen = 0;
      try {
        for await (const record of csv.records) {
          // Records come from the parser's buffer without a pause: yield to other requests now and then.
          if (++seen % YIELD_EVERY === 0) await setImmediate();
          // Blank rows are skipped but counted: a file of nothing but blank rows must not be parsed without end.
          const isBlank = record.cells.every((c) => c.trim() === '');
          if (report.rows + chunk.length + blank + 1 > MAX_ROWS) {
            throw new DomainError('LIMIT_EXCEEDED', msg('bulk.tooManyRows', { max: MAX_ROWS }), { field });
          }
          if (isBlank) {
            blank++;
            continue;
          }
          chunk.push(record);
          // Rows of deleted users (an export's State INACTIVE) are skipped: what they list needs no role.
          if (columns.cell(record.cells, 'state')?.trim().toUpperCase() !== 'INACTIVE') {
            if (columns.cell(record.cells, 'licenses')) parts.add(IMPORT_TASK.licenses);
            if (columns.cell(record.cells, 'roles')) parts.add(IMPORT_TASK.roles);
          }
          if (chunk.length === CHUNK) await flush();
        }
      } catch (e) {
        throw relabel(e, field);
      }
      if (chunk.length) await flush();
      if (report.rows === 0) throw fileError(msg('bulk.noRows'), field);
      // The file asks for licences or roles: the agent needs those parts of the task too, as with createUser.
      if (parts.has(IMPORT_TASK.licenses)) requirePart(access, IMPORT_TASK.licenses, 'licenses');
      if (parts.has(IMPORT_TASK.roles)) requirePart(access, IMPORT_TASK.roles, 'roles');
      report.seats = validator.seatDemand();
      return { report, csv, parts: [...parts] };
    };

    if (input.dryRun) {
      const { report } = await denyAudited(ctx, customerId, 'IMPORT_USERS', null, () => validateInto(ctx.db, null));
      return { report, job: null };
    }

    const agent = requireAgent(ctx);
    const jobId = randomUUID();
    return denyAudited(ctx, customerId, 'IMPORT_USERS', null, () =>
      inTransaction(ctx, async (tx) => {
        const { report, csv, parts } = await validateInto(tx.db, jobId);
        const short = report.seats.filter((s) => s.requested > s.available);
        if (short.length) {
          throw new ValidationErrors(
            short.map(
              (s) =>
                new DomainError(
                  'NO_SEATS',
                  msg('bulk.noSeats', {
                    requested: s.requested,
                    skuName: s.sku.name,
                    partNumber: s.sku.partNumber,
                    available: s.available,
                  }),
                  { field, skuPartNumber: s.sku.partNumber },
                ),
            ),
          );
        }
        const now = ctx.clock.now();
        const pending = report.validRows;
        const [job] = await tx.db
          .insert(bulkJobs)
          .values({
            customerId,
            id: jobId,
            status: pending ? 'QUEUED' : finalStatus(0, report.invalidRows),
            createdByAgentId: agent.agentId,
            createdByName: agent.name,
            fileName,
            header: csv.header,
            delimiter: csv.delimiter,
            bom: csv.bom,
            parts,
            total: report.rows,
            failed: report.invalidRows,
            skipped: report.skippedRows,
            createdAt: now,
            finishedAt: pending ? null : now,
          })
          .returning();
        await recordAudit(tx, {
          customerId,
          action: 'IMPORT_USERS',
          outcome: 'SUCCESS',
          details: {
            bulkJobId: jobId,
            fileName,
            rows: report.rows,
            invalidRows: report.invalidRows,
            skippedRows: report.skippedRows,
          },
        });
        return { report, job: job! };
      }),
    ).then((result) => {
      notifyJobQueued();
      return result;
    });
  },
);

function tally(report: ImportReport, row: CheckedRow): void {
  report.rows++;
  if (row.skipped) report.skippedRows++;
  else if (row.errors.length) {
    report.invalidRows++;
    report.errorCount += row.errors.length;
    for (const e of row.errors)
      if (report.errors.length < REPORT_ERROR_LIMIT) report.errors.push({ line: row.line, ...e });
  } else report.validRows++;
}

async function writeRows(db: Db, customerId: string, jobId: string, rows: CheckedRow[], now: Date): Promise<void> {
  if (!rows.length) return;
  await db.insert(bulkJobRows).values(
    rows.map((r) => ({
      customerId,
      jobId,
      rowNumber: r.line,
      cells: r.cells,
      outcome: r.skipped ? ('SKIPPED' as const) : r.errors.length ? ('FAILED' as const) : ('PENDING' as const),
      message: r.skipped
        ? 'Skipped: State is INACTIVE (a deleted user).'
        : r.errors.length
          ? refusalMessage(r.errors)
          : null,
      errors: r.errors,
      processedAt: r.skipped || r.errors.length ? now : null,
    })),
  );
}

/** File errors name the input that carried the file (`file` or `csv`). */
function relabel(e: unknown, field: string[]): unknown {
  if (e instanceof DomainError && e.details.field?.[0] === 'file') e.details.field = field;
  return e;
}
