// The job runner: claims an unfinished job from the database (FOR UPDATE SKIP LOCKED, with a lease), hashes a batch
// of passwords with bounded parallelism while the previous batch commits, and commits each row's outcome in the same
// transaction as the user it created: a batch's rows in one statement, or row by row when the directory refuses one. A runner that stops or dies leaves its lease to expire; any runner then
// resumes the job from its PENDING rows, so no row is created twice.
import { randomUUID } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { and, asc, eq, gt, inArray, isNull, lt, or, sql } from 'drizzle-orm';
import pLimit from 'p-limit';
import { generateTemporaryPassword, hashPassword } from '../../auth/passwords.js';
import type { DirectoryRole } from '../../auth/roles.js';
import type { Clock } from '../../clock.js';
import { type Db, pgErrorCode } from '../../db/client.js';
import { textArray, uuidArray } from '../../db/prepared.js';
import { agents, bulkJobRows, bulkJobs } from '../../db/schema.js';
import { encodeGlobalID, scopedId } from '../../graphql/ids.js';
import { logError } from '../../log.js';
import { msg } from '../../messages/index.js';
import { type AuditInput, auditWith } from '../audit.js';
import { authorizeCustomerTask } from '../authorization.js';
import { inTransaction, partnerCaller, type ServiceContext, serviceContext } from '../context.js';
import { DomainError } from '../errors.js';
import { lockSeats } from '../seats.js';
import { type SkuRow, skusByPartNumber } from '../skus.js';
import { insertUser, insertUsers, SeatsRefused } from '../users/create.js';
import { requirePart } from '../users/parts.js';
import { wakeableSleep } from '../wakeable-sleep.js';
import { emitWebhookEvent } from '../webhooks.js';
import { ColumnMap, type RowValues, readRow } from './columns.js';
import { credentialAad, encryptCredential, eraseExpiredCredentials } from './credentials.js';
import { IMPORT_TASK, type ImportPart, refusalMessage } from './import.js';
import { type BulkJobRow, finalStatus, onJobQueued } from './jobs.js';

export interface JobRunnerOptions {
  credentialsKey: Buffer;
  /** How often an idle runner looks for work (other instances' jobs, expired leases, credentials to erase). */
  pollMs?: number;
  /**
   * Rows per transaction (50). One statement creates them, with ~30 parameters a row: PostgreSQL takes at most 65 535
   * parameters a statement, so a batch stays well under 2 000 rows.
   */
  batchSize?: number;
  /** A job's passwords queued for hashing at once (passwords.ts hashSlots runs one a core at a time). */
  concurrency?: number;
  /** How long a claim holds without renewal; renewed with every batch. */
  leaseMs?: number;
}

export interface JobRunner {
  readonly workerId: string;
  /**
   * Stops at once, as a crash would: the batch in flight is rolled back and the lease is left to expire, after which
   * any runner resumes the job. `releaseLease` (a graceful shutdown) gives the job back at once instead.
   */
  stop(options?: { releaseLease?: boolean }): Promise<void>;
}

export const LEASE_MS = 60_000;

class Halted extends Error {}
class LeaseLost extends Error {}

type PendingRow = { rowNumber: number; cells: string[] };
type Secret = { password: string; hash: string };

/**
 * Offboarding stops a job as it stops the agent's own requests: a disabled or deleted agent, or one whose password an
 * access administrator reset (a suspect account), imports nothing more.
 */
function offboardedReason(agent: { status: string; mustChangePassword: boolean }): DomainError | null {
  if (agent.status !== 'ENABLED') {
    return new DomainError(
      'FORBIDDEN',
      msg('bulk.agentOffboarded', { status: agent.status === 'DELETED' ? 'DELETED' : 'DISABLED' }),
    );
  }
  if (agent.mustChangePassword) {
    return new DomainError('FORBIDDEN', msg('bulk.agentPasswordReset'));
  }
  return null;
}

/** A created row's audit event: the same whether its batch was created in one statement or row by row. */
function createdRowEvent(job: BulkJobRow, rowNumber: number, values: RowValues, userId: string): AuditInput {
  return {
    customerId: job.customerId,
    action: 'CREATE_USER',
    outcome: 'SUCCESS',
    targetUserId: userId,
    targetName: values.userPrincipalName!,
    details: {
      ...values.info,
      userPrincipalName: values.userPrincipalName!,
      roles: values.roles,
      licenses: values.licenses,
      bulkJobId: job.id,
      row: rowNumber,
    },
  };
}

export function startJobRunner(db: Db, clock: Clock, options: JobRunnerOptions): JobRunner {
  const workerId = randomUUID();
  const pollMs = options.pollMs ?? 1_000;
  const batchSize = options.batchSize ?? 50;
  // A job's rows hashed a few at a time (their turns in passwords.ts hashSlots), so that a sign-in or a createUser
  // arriving meanwhile waits behind at most these, not behind a whole batch.
  const hashesAtOnce = pLimit(options.concurrency ?? availableParallelism());
  const leaseMs = options.leaseMs ?? LEASE_MS;
  let halted = false;
  let wake: (() => void) | null = null;
  const unsubscribe = onJobQueued(() => wake?.());
  const checkHalted = () => {
    if (halted) throw new Halted();
  };
  const leaseUntil = () => new Date(clock.now().getTime() + leaseMs);

  async function claim(): Promise<BulkJobRow | undefined> {
    const now = clock.now();
    return db.transaction(async (tx) => {
      const [candidate] = await tx
        .select({ customerId: bulkJobs.customerId, id: bulkJobs.id })
        .from(bulkJobs)
        .where(
          and(
            inArray(bulkJobs.status, ['QUEUED', 'RUNNING']),
            or(isNull(bulkJobs.lockedUntil), lt(bulkJobs.lockedUntil, now), eq(bulkJobs.lockedBy, workerId)),
          ),
        )
        .orderBy(asc(bulkJobs.createdAt))
        .limit(1)
        .for('update', { skipLocked: true });
      if (!candidate) return undefined;
      const [job] = await tx
        .update(bulkJobs)
        .set({
          status: 'RUNNING',
          lockedBy: workerId,
          lockedUntil: leaseUntil(),
          startedAt: sql`coalesce(${bulkJobs.startedAt}, ${now.toISOString()}::timestamptz)`,
        })
        .where(and(eq(bulkJobs.customerId, candidate.customerId), eq(bulkJobs.id, candidate.id)))
        .returning();
      return job;
    });
  }

  /** The agent who started the job, as a caller: the job acts for them and is refused if their access ended. */
  async function actingAgent(job: BulkJobRow): Promise<ServiceContext> {
    const [agent] = await db.select().from(agents).where(eq(agents.id, job.createdByAgentId));
    const offboarded = offboardedReason(agent!);
    if (offboarded) throw offboarded;
    // No request and no token: the runner acts with the agent's current partner roles and GDAP grants.
    const ctx = serviceContext(
      db,
      clock,
      partnerCaller({ ...agent!, displayName: job.createdByName, mustChangePassword: false }, ''),
    );
    const access = await authorizeCustomerTask(ctx, IMPORT_TASK.create, job.customerId);
    for (const part of job.parts)
      requirePart(access, part as ImportPart, part === IMPORT_TASK.roles ? 'roles' : 'licenses');
    return ctx;
  }

  const pendingRows = (job: BulkJobRow, after: number): Promise<PendingRow[]> =>
    db
      .select({ rowNumber: bulkJobRows.rowNumber, cells: bulkJobRows.cells })
      .from(bulkJobRows)
      .where(
        and(
          eq(bulkJobRows.customerId, job.customerId),
          eq(bulkJobRows.jobId, job.id),
          eq(bulkJobRows.outcome, 'PENDING'),
          gt(bulkJobRows.rowNumber, after),
        ),
      )
      .orderBy(asc(bulkJobRows.rowNumber))
      .limit(batchSize);

  const hashAll = (rows: PendingRow[]) =>
    Promise.all(
      rows.map(() =>
        hashesAtOnce(async (): Promise<Secret> => {
          const password = generateTemporaryPassword();
          return { password, hash: await hashPassword(password) };
        }),
      ),
    );

  /** Locks the job row if this runner still holds it; otherwise another runner took over after our lease. */
  async function holdLease(tx: Db, job: BulkJobRow) {
    const [held] = await tx
      .select({ id: bulkJobs.id })
      .from(bulkJobs)
      .where(and(eq(bulkJobs.customerId, job.customerId), eq(bulkJobs.id, job.id), eq(bulkJobs.lockedBy, workerId)))
      .for('update');
    if (!held) throw new LeaseLost();
  }

  async function commitBatch(
    ctx: ServiceContext,
    job: BulkJobRow,
    columns: ColumnMap,
    rows: PendingRow[],
    secrets: Secret[],
  ) {
    const partNumbers = [...new Set(rows.flatMap((r) => readRow(columns, r.cells).licenses))];
    const catalogue = await skusByPartNumber(db, partNumbers);
    // The acting agent's context, whose db is the runner's: the batch's transaction, and each row's savepoint, are
    // contexts too, so the audit events are written in them.
    await inTransaction(ctx, async (tx) => {
      await holdLease(tx.db, job);
      // Judged again inside the batch, under a share lock: disabling the agent (which locks its row) waits for this
      // batch, or this batch sees it and commits nothing.
      const [agent] = await tx.db
        .select({ status: agents.status, mustChangePassword: agents.mustChangePassword })
        .from(agents)
        .where(eq(agents.id, job.createdByAgentId))
        .for('share');
      const offboarded = offboardedReason(agent!);
      if (offboarded) throw offboarded;
      // The batch holds the seats it takes until it commits: it locks them all first, in the one order every seat
      // taker uses, so it queues behind (or ahead of) a createUser or another runner instead of deadlocking.
      await lockSeats(
        tx.db,
        job.customerId,
        [...catalogue.values()].map((s) => s.id),
      );
      const now = clock.now();
      // Every row in one statement, as nearly always; if the directory refuses one of them now, the rows one by one.
      if (await createTogether(tx, job, columns, rows, secrets, catalogue, now)) {
        checkHalted();
        await countBatch(tx, job, rows.length, 0);
        return;
      }
      let succeeded = 0;
      let failed = 0;
      for (const [i, row] of rows.entries()) {
        checkHalted();
        const values = readRow(columns, row.cells);
        const upn = values.userPrincipalName!;
        const where = and(
          eq(bulkJobRows.customerId, job.customerId),
          eq(bulkJobRows.jobId, job.id),
          eq(bulkJobRows.rowNumber, row.rowNumber),
          eq(bulkJobRows.outcome, 'PENDING'),
        );
        try {
          // Row by row (the batch in one statement was refused), a savepoint per row: a row the directory refuses now
          // (its Email taken meanwhile, no seat left) fails alone, and its outcome is still committed with the batch. The user, its seats and licences, the row's
          // outcome and the audit event are one statement in it.
          await inTransaction(tx, (sp) =>
            insertUser(
              sp.db,
              job.customerId,
              {
                userPrincipalName: upn,
                info: values.info,
                roles: values.roles as DirectoryRole[],
                skus: values.licenses.map((p) => catalogue.get(p)!),
              },
              secrets[i]!.hash,
              now,
              (user) => {
                const outcome = sp.db.$with('bulk_row', {}).as(
                  sp.db
                    .update(bulkJobRows)
                    .set({
                      outcome: 'CREATED',
                      message: 'Created',
                      userId: user.id,
                      credential: encryptCredential(
                        options.credentialsKey,
                        secrets[i]!.password,
                        credentialAad(job.customerId, job.id, row.rowNumber),
                      ),
                      processedAt: now,
                    })
                    .where(where)
                    .returning({ rowNumber: bulkJobRows.rowNumber })
                    .getSQL(),
                );
                return {
                  ctes: [outcome, ...auditWith(sp, createdRowEvent(job, row.rowNumber, values, user.id))],
                  // The row no longer PENDING: another runner has the job; this batch rolls back.
                  require: { holds: sql`exists (select 1 from ${outcome})`, unmet: () => new LeaseLost() },
                };
              },
            ),
          );
          succeeded++;
        } catch (thrown) {
          // No seat of one of its SKUs: which one is read now that the row's savepoint is rolled back.
          const caught = thrown instanceof SeatsRefused ? await thrown.diagnose(tx.db) : thrown;
          // A row the database refuses for its data (a value out of range, a constraint) fails alone, as
          // INTERNAL, instead of failing its batch again at every retry; anything else (the connection, the lease)
          // still rolls the batch back to be retried.
          let e: DomainError;
          if (caught instanceof DomainError) e = caught;
          else if (/^2[23]/.test(pgErrorCode(caught) ?? '')) {
            logError(`bulk job ${job.id} row ${row.rowNumber}`, caught);
            e = new DomainError('INTERNAL', msg('bulk.rowNotStored'));
          } else throw caught;
          const column =
            e.code === 'UPN_TAKEN'
              ? columns.name('userPrincipalName')
              : e.code === 'NO_SEATS' || e.code === 'NOT_SUBSCRIBED'
                ? columns.name('licenses')
                : null;
          const errors = [{ column, code: e.code, message: e.message, text: e.text }];
          await tx.db
            .update(bulkJobRows)
            .set({ outcome: 'FAILED', message: refusalMessage(errors), errors, processedAt: now })
            .where(where);
          failed++;
        }
      }
      checkHalted();
      await countBatch(tx, job, succeeded, failed);
    });
  }

  /** The batch's outcomes added to the job's counts, and the lease renewed. */
  async function countBatch(tx: ServiceContext, job: BulkJobRow, succeeded: number, failed: number) {
    await tx.db
      .update(bulkJobs)
      .set({
        succeeded: sql`${bulkJobs.succeeded} + ${succeeded}`,
        failed: sql`${bulkJobs.failed} + ${failed}`,
        lockedUntil: leaseUntil(),
      })
      .where(and(eq(bulkJobs.customerId, job.customerId), eq(bulkJobs.id, job.id)));
  }

  /**
   * Creates every row of the batch in one statement (users/create.ts insertUsers), with each row's outcome, its
   * encrypted credential and its audit event, in a savepoint: false, with nothing written, when the directory refuses
   * any row of it (then each row is created alone, and fails alone).
   */
  async function createTogether(
    tx: ServiceContext,
    job: BulkJobRow,
    columns: ColumnMap,
    rows: PendingRow[],
    secrets: Secret[],
    catalogue: Map<string, SkuRow>,
    now: Date,
  ): Promise<boolean> {
    const batch = rows.map((row, i) => {
      const values = readRow(columns, row.cells);
      return { row, values, id: randomUUID(), secret: secrets[i]! };
    });
    try {
      await inTransaction(tx, (sp) =>
        insertUsers(
          sp.db,
          job.customerId,
          batch.map(({ values, id, secret }) => ({
            id,
            userPrincipalName: values.userPrincipalName!,
            info: values.info,
            roles: values.roles as DirectoryRole[],
            skus: values.licenses.map((p) => catalogue.get(p)!),
            passwordHash: secret.hash,
          })),
          now,
          () => {
            const credentials = batch.map(({ row, secret }) =>
              encryptCredential(
                options.credentialsKey,
                secret.password,
                credentialAad(job.customerId, job.id, row.rowNumber),
              ),
            );
            const outcomes = sp.db.$with('bulk_rows', {}).as(
              sql`update ${bulkJobRows} set outcome = 'CREATED', message = 'Created', user_id = v.user_id,
                  credential = v.credential, processed_at = ${now.toISOString()}::timestamptz
                from unnest(${`{${batch.map((b) => b.row.rowNumber).join(',')}}`}::int[],
                  ${uuidArray(batch.map((b) => b.id))}::uuid[], ${textArray(credentials)}::text[])
                  as v(row_number, user_id, credential)
                where ${bulkJobRows.customerId} = ${job.customerId} and ${bulkJobRows.jobId} = ${job.id}
                  and ${bulkJobRows.rowNumber} = v.row_number and ${bulkJobRows.outcome} = 'PENDING'
                returning ${bulkJobRows.rowNumber}`,
            );
            return {
              ctes: [
                outcomes,
                ...auditWith(
                  sp,
                  batch.map(({ row, values, id }) => createdRowEvent(job, row.rowNumber, values, id)),
                ),
              ],
              // A row no longer PENDING: another runner has the job; this batch rolls back.
              require: {
                holds: sql`(select count(*) from ${outcomes}) = ${batch.length}`,
                unmet: () => new LeaseLost(),
              },
            };
          },
        ),
      );
      return true;
    } catch (e) {
      // The directory refusing a row's data (class 22 or 23: an Email taken, a seat or a subscription missing, a
      // value out of range) or a deadlock broken by failing this statement: the rows one by one, to fail only theirs.
      // Anything else (the connection, the lease, a halt) ends the batch, to be retried.
      if (/^(2[23]|40P01)/.test(pgErrorCode(e) ?? '')) return false;
      throw e;
    }
  }

  /** Every row still pending fails with the same reason (the agent's access ended). */
  async function failPending(job: BulkJobRow, reason: DomainError) {
    await db.transaction(async (tx) => {
      await holdLease(tx, job);
      const errors = [{ column: null, code: reason.code, message: reason.message, text: reason.text }];
      const failed = await tx
        .update(bulkJobRows)
        .set({ outcome: 'FAILED', message: refusalMessage(errors), errors, processedAt: clock.now() })
        .where(
          and(
            eq(bulkJobRows.customerId, job.customerId),
            eq(bulkJobRows.jobId, job.id),
            eq(bulkJobRows.outcome, 'PENDING'),
          ),
        )
        .returning({ rowNumber: bulkJobRows.rowNumber });
      await tx
        .update(bulkJobs)
        .set({ failed: sql`${bulkJobs.failed} + ${failed.length}`, error: reason.message })
        .where(and(eq(bulkJobs.customerId, job.customerId), eq(bulkJobs.id, job.id)));
    });
  }

  async function finish(job: BulkJobRow) {
    await db.transaction(async (tx) => {
      await holdLease(tx, job);
      const [counts] = await tx
        .select({ succeeded: bulkJobs.succeeded, failed: bulkJobs.failed })
        .from(bulkJobs)
        .where(and(eq(bulkJobs.customerId, job.customerId), eq(bulkJobs.id, job.id)));
      const status = finalStatus(counts!.succeeded, counts!.failed);
      await tx
        .update(bulkJobs)
        .set({ status, finishedAt: clock.now(), lockedBy: null, lockedUntil: null })
        .where(and(eq(bulkJobs.customerId, job.customerId), eq(bulkJobs.id, job.id)));
      await emitWebhookEvent(serviceContext(tx, clock), job.customerId, 'bulk_job.finished', {
        bulkJobId: encodeGlobalID('BulkJob', scopedId(job.customerId, job.id)),
        status,
        succeeded: counts!.succeeded,
        failed: counts!.failed,
      });
    });
  }

  async function run(job: BulkJobRow) {
    const columns = new ColumnMap(job.header);
    let rows = await pendingRows(job, 0);
    let hashing = hashAll(rows);
    while (rows.length) {
      checkHalted();
      // The agent's access is judged again for every batch: a relationship that ends (or a group left, a partner
      // role removed) during a long import stops it there, as it would stop the agent's own requests.
      let ctx: ServiceContext;
      try {
        ctx = await actingAgent(job);
      } catch (e) {
        if (!(e instanceof DomainError)) throw e;
        hashing.catch(() => {});
        await failPending(job, e);
        return finish(job);
      }
      const secrets = await hashing;
      const next = await pendingRows(job, rows.at(-1)!.rowNumber);
      // The next batch hashes while this one commits: the cores stay busy with argon2, the database with inserts.
      hashing = hashAll(next);
      // If this commit throws, the prefetched hashes are never awaited: their failure must not crash the process.
      hashing.catch(() => {});
      try {
        await commitBatch(ctx, job, columns, rows, secrets);
      } catch (e) {
        if (!(e instanceof DomainError && e.code === 'FORBIDDEN')) throw e;
        await failPending(job, e);
        return finish(job);
      }
      rows = next;
    }
    await finish(job);
  }

  async function loop() {
    let failures = 0;
    while (!halted) {
      // After a finished job, look for the next one at once; when idle, wait for the poll; after errors in a row
      // (the database away), wait longer each time, up to a minute.
      let finished = false;
      try {
        const job = await claim();
        if (job) {
          await run(job);
          finished = true;
        } else await eraseExpiredCredentials(db, clock);
        failures = 0;
      } catch (e) {
        if (!(e instanceof Halted) && !(e instanceof LeaseLost)) {
          failures++;
          logError('bulk job runner', e);
        }
      }
      if (!finished && !halted) {
        const wait = failures ? Math.min(pollMs * 2 ** failures, 60_000) : pollMs;
        const pause = wakeableSleep(wait);
        wake = pause.wake;
        await pause.done;
        wake = null;
      }
    }
  }

  const done = loop();
  return {
    workerId,
    async stop(options = {}) {
      halted = true;
      unsubscribe();
      wake?.();
      await done;
      if (options.releaseLease) {
        await db.update(bulkJobs).set({ lockedBy: null, lockedUntil: null }).where(eq(bulkJobs.lockedBy, workerId));
      }
    },
  };
}
