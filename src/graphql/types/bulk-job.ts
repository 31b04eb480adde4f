// Bulk jobs: the job node with its counters and rows, its result file, the progress subscription, and the export.
import type { BULK_JOB_STATUSES, BULK_ROW_OUTCOMES } from '../../db/schema.js';
import { exportUsers } from '../../services/bulk/export.js';
import {
  type BulkJobRow,
  type BulkJobRowView,
  bulkJobResultCsv,
  listBulkJobRows,
  processedOf,
  rowErrorMessage,
  type StoredRowError,
  watchBulkJob,
} from '../../services/bulk/jobs.js';
import { builder, requiresRole } from '../builder.js';
import { decodeId, decodeScopedId, scopedId } from '../ids.js';
import { CustomerRef, UserRef } from './refs.js';

export const BulkJobRef = builder.objectRef<BulkJobRow>('BulkJob');
const BulkJobRowRef = builder.objectRef<BulkJobRowView>('BulkJobRow');
export const BulkRowErrorRef = builder.objectRef<StoredRowError>('BulkRowError');

export const BulkJobStatusEnum = builder.enumType('BulkJobStatus', {
  description: 'Where a bulk import stands; SUCCEEDED, PARTIAL and FAILED are final.',
  values: {
    QUEUED: { description: 'Validated and waiting for a runner.' },
    RUNNING: { description: 'A runner is creating the users.' },
    SUCCEEDED: { description: 'Every row was created (or skipped).' },
    PARTIAL: { description: 'Some rows were created, some failed.' },
    FAILED: { description: 'No row was created.' },
  } satisfies Record<(typeof BULK_JOB_STATUSES)[number], unknown>,
});

const BulkRowOutcomeEnum = builder.enumType('BulkRowOutcome', {
  description: 'What became of one row of an import file.',
  values: {
    PENDING: { description: 'Not processed yet.' },
    CREATED: { description: 'The user was created.' },
    FAILED: { description: 'Not created: see errors.' },
    SKIPPED: { description: 'State INACTIVE in the file (a deleted user of an export): not created.' },
  } satisfies Record<(typeof BULK_ROW_OUTCOMES)[number], unknown>,
});

BulkRowErrorRef.implement({
  description: 'Why a row of a bulk file was refused: the column at fault (as named in the file) and the reason.',
  fields: (t) => ({
    column: t.exposeString('column', {
      nullable: true,
      description: "The column at fault, as named in the file's header; null for the row as a whole.",
    }),
    code: t.exposeString('code', {
      description: 'A UserErrorCode; FORBIDDEN or NOT_FOUND when your access ended before the job ran.',
    }),
    message: t.string({
      description:
        'What is wrong, for a person to read, in the language of the Accept-Language header (English or French; English for rows of jobs queued before messages were translated).',
      resolve: (e, _, ctx) => rowErrorMessage(e, ctx.locale),
    }),
    params: t.field({
      type: 'JSONObject',
      description: 'The values the message is made of, for a UI that writes its own text from `code`.',
      resolve: (e) => e.text?.params ?? {},
    }),
  }),
});

BulkJobRowRef.implement({
  description: 'One row of the imported file and its outcome.',
  fields: (t) => ({
    rowNumber: t.exposeInt('rowNumber', {
      description: 'The line of the file where the row starts (the header is line 1).',
    }),
    outcome: t.field({ type: BulkRowOutcomeEnum, description: 'What became of the row.', resolve: (r) => r.outcome }),
    statusUpdate: t.exposeString('message', {
      nullable: true,
      description: 'What the result file shows in `Status update`.',
    }),
    errors: t.field({
      type: [BulkRowErrorRef],
      description: 'Why the row was not created (empty unless FAILED).',
      resolve: (r) => r.errors,
    }),
    userPrincipalName: t.exposeString('userPrincipalName', {
      nullable: true,
      description: 'The user principal name the row gives (null when it gives none).',
    }),
    user: t.field({
      type: UserRef,
      nullable: true,
      description: 'The user created (null unless CREATED, or once the user is purged).',
      resolve: (r) => r.user,
    }),
  }),
});

builder.node(BulkJobRef, {
  id: { resolve: (j) => scopedId(j.customerId, j.id) },
  description:
    'A CSV import of users, processed in the background. Poll it through node(id) or subscribe to bulkJobProgress.',
  fields: (t) => ({
    status: t.field({ type: BulkJobStatusEnum, description: 'Where the job stands.', resolve: (j) => j.status }),
    fileName: t.exposeString('fileName', {
      nullable: true,
      description: 'The name of the uploaded file (null for CSV text).',
    }),
    total: t.exposeInt('total', { description: 'Rows in the file.' }),
    processed: t.int({
      description: 'Rows with an outcome: succeeded + failed + skipped.',
      resolve: (j) => processedOf(j),
    }),
    succeeded: t.exposeInt('succeeded', { description: 'Rows whose user was created.' }),
    failed: t.exposeInt('failed', {
      description: 'Rows not created: refused by validation, or by the directory when their turn came.',
    }),
    skipped: t.exposeInt('skipped', { description: 'Rows with State INACTIVE, not created.' }),
    error: t.exposeString('error', { nullable: true, description: 'Why the whole job stopped early, if it did.' }),
    createdBy: t.exposeString('createdByName', { description: 'The agent who started the import.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When the import was queued.' }),
    startedAt: t.expose('startedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When a runner took it up (null while QUEUED).',
    }),
    finishedAt: t.expose('finishedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When it reached a final status (null until then).',
    }),
    customer: t.field({
      type: CustomerRef,
      description: 'The customer the users are imported into.',
      resolve: async (j, _, ctx) => (await ctx.loaders.customers.load(j.customerId))!,
    }),
    rows: t.connection({
      type: BulkJobRowRef,
      description: 'The rows in file order, with their outcome.',
      directives: requiresRole(listBulkJobRows),
      args: {
        outcome: t.arg({ type: BulkRowOutcomeEnum, required: false, description: 'Only the rows with this outcome.' }),
      },
      resolve: (j, args, ctx) => listBulkJobRows(ctx.svc, j, args),
    }),
    resultCsv: t.string({
      description:
        "The partner's file as uploaded (same header, delimiter and BOM) with `Status update` filled for every row.",
      directives: requiresRole(bulkJobResultCsv),
      resolve: (j, _, ctx) => bulkJobResultCsv(ctx.svc, j),
    }),
  }),
});

const UsersExportRef = builder.simpleObject('UsersExport', {
  description: "A customer's users as a CSV file in the import format.",
  fields: (t) => ({
    csv: t.string({
      description: 'The import columns plus State; re-imports into another customer once the Email domain is changed.',
    }),
    userCount: t.int({ description: 'The users in the file (its rows).' }),
  }),
});

builder.queryFields((t) => ({
  exportUsers: t.field({
    type: UsersExportRef,
    description: "The customer's users as a CSV in the import format.",
    directives: requiresRole(exportUsers),
    args: {
      customerId: t.arg.id({ required: true, description: 'A Customer id.' }),
      includeDeleted: t.arg.boolean({
        required: false,
        defaultValue: false,
        description: 'Add the deleted (INACTIVE) users, with State INACTIVE.',
      }),
    },
    resolve: (_, args, ctx) =>
      exportUsers(ctx.svc, decodeId(args.customerId, 'Customer', ['customerId']), args.includeDeleted ?? false),
  }),
}));

builder.subscriptionType({
  description: 'Live updates over Server-Sent Events (Accept: text/event-stream).',
});
builder.subscriptionFields((t) => ({
  bulkJobProgress: t.field({
    type: BulkJobRef,
    description:
      'The job whenever its status or counters change, until it is finished (over SSE: Accept: text/event-stream).',
    directives: requiresRole(watchBulkJob),
    args: { id: t.arg.id({ required: true, description: 'A BulkJob id (importUsers returns the job).' }) },
    subscribe: (_, args, ctx) => {
      const j = decodeScopedId(args.id, 'BulkJob', ['id']);
      return watchBulkJob(ctx.svc, j.customerId, j.id, ctx.config.progressPollMs);
    },
    resolve: (job) => job,
  }),
}));
