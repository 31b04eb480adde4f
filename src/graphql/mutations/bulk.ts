// Bulk import: importUsers (multipart `file` or `csv` text) and the one-time fetch of the created users' passwords.

import { msg } from '../../messages/index.js';
import { credentialsKey, takeBulkJobCredentials } from '../../services/bulk/credentials.js';
import {
  type ImportSource,
  importUsers,
  MAX_ROWS,
  REPORT_ERROR_LIMIT,
  type ReportedError,
} from '../../services/bulk/import.js';
import { rowErrorMessage } from '../../services/bulk/jobs.js';
import { DomainError } from '../../services/errors.js';
import { builder, requiresRole } from '../builder.js';
import { runMutation } from '../errors.js';
import { decodeId, decodeScopedId } from '../ids.js';
import { BulkJobRef } from '../types/bulk-job.js';
import { USER_ERRORS_DESCRIPTION, UserErrorRef } from '../types/common.js';
import { SkuRef, UserRef } from '../types/refs.js';

builder.scalarType('Upload', {
  description: 'A file sent with the GraphQL multipart request (curl -F operations=… -F map=… -F 0=@users.csv).',
  serialize: () => {
    throw new TypeError('Upload is an input-only scalar.');
  },
  parseValue: (value) => {
    if (value && typeof value === 'object' && 'stream' in value) return value as never;
    throw new TypeError('Upload expects a file part of a multipart request.');
  },
});

/** 50000 as "50 000", as the descriptions write numbers. */
const thousands = (n: number) => n.toLocaleString('en-US').replaceAll(',', ' ');

const ImportUsersInput = builder.inputType('ImportUsersInput', {
  description: `A CSV of users to import into a customer, as a file or as text: at most ${thousands(MAX_ROWS)} rows.`,
  fields: (t) => ({
    customerId: t.id({ required: true, description: 'A Customer id.' }),
    file: t.field({
      type: 'Upload',
      required: false,
      description: 'The CSV, as a multipart upload (up to MAX_UPLOAD_BYTES, by default 32 MiB).',
    }),
    csv: t.string({
      required: false,
      description: 'The CSV as text, for scripts (the request body limit applies: MAX_BODY_BYTES, by default 1 MiB).',
    }),
    dryRun: t.boolean({ required: false, description: 'Only validate: return the report, create nothing.' }),
  }),
});

const ImportRowErrorRef = builder.objectRef<ReportedError>('ImportRowError').implement({
  description: 'A problem of one row: its line in the file, the column (as named in the file) and the reason.',
  fields: (t) => ({
    rowNumber: t.exposeInt('line', {
      description: 'The line of the file where the row starts (the header is line 1).',
    }),
    column: t.exposeString('column', {
      nullable: true,
      description: "The column at fault, as named in the file's header.",
    }),
    code: t.exposeString('code', { description: 'A UserErrorCode.' }),
    message: t.string({
      description:
        'What is wrong, for a person to read, in the language of the Accept-Language header (English or French).',
      resolve: (e, _, ctx) => rowErrorMessage(e, ctx.locale),
    }),
    params: t.field({
      type: 'JSONObject',
      description: 'The values the message is made of, for a UI that writes its own text from `code`.',
      resolve: (e) => e.text.params,
    }),
  }),
});
const SeatDemandRef = builder.simpleObject('SeatDemand', {
  description: 'The licence seats the import needs of one product, against those free.',
  fields: (t) => ({
    sku: t.field({ type: SkuRef, description: 'The product.' }),
    requested: t.int({ description: 'Seats the valid rows ask for.' }),
    available: t.int({ description: 'Seats free in the subscription now.' }),
  }),
});
const ImportReportRef = builder.simpleObject('ImportReport', {
  description: 'The validation of every row, before anything is created.',
  fields: (t) => ({
    rows: t.int({ description: 'Rows in the file (the header not counted).' }),
    validRows: t.int({ description: 'Rows that would create a user.' }),
    invalidRows: t.int({ description: 'Rows refused (see errors).' }),
    skippedRows: t.int({ description: 'Rows with State INACTIVE.' }),
    errorCount: t.int({ description: 'Problems found in all rows (a row may have several).' }),
    errors: t.field({
      type: [ImportRowErrorRef],
      description: `The first ${thousands(REPORT_ERROR_LIMIT)} row errors, in file order (errorCount counts them all).`,
    }),
    seats: t.field({ type: [SeatDemandRef], description: 'Per product, the seats the valid rows need.' }),
  }),
});
const ImportUsersPayload = builder.simpleObject('ImportUsersPayload', {
  description: 'The validation report and, unless a dry run, the job that creates the users.',
  fields: (t) => ({
    job: t.field({ type: BulkJobRef, nullable: true, description: 'The queued job (not for a dry run).' }),
    report: t.field({ type: ImportReportRef, nullable: true, description: 'The validation of every row.' }),
    userErrors: t.field({ type: [UserErrorRef], description: USER_ERRORS_DESCRIPTION }),
  }),
});

const BulkJobCredentialsInput = builder.inputType('BulkJobCredentialsInput', {
  description: 'Which bulk job.',
  fields: (t) => ({ jobId: t.id({ required: true, description: 'A BulkJob id.' }) }),
});
const CredentialRef = builder.simpleObject('ImportedUserCredential', {
  description: 'The temporary password of a user an import created.',
  fields: (t) => ({
    rowNumber: t.int({ description: 'The line of the file the user came from.' }),
    user: t.field({ type: UserRef, description: 'The user.' }),
    userPrincipalName: t.string({ description: 'Its user principal name.' }),
    displayName: t.string({ description: 'Its display name.' }),
    temporaryPassword: t.string({
      description: 'The password to hand over; the user must change it at first sign-in.',
    }),
  }),
});
const BulkJobCredentialsPayload = builder.simpleObject('BulkJobCredentialsPayload', {
  description: 'The passwords of the users a job created, not fetched before.',
  fields: (t) => ({
    credentials: t.field({
      type: [CredentialRef],
      description: 'Passwords not given before; each is given once, then erased.',
    }),
    userErrors: t.field({ type: [UserErrorRef], description: USER_ERRORS_DESCRIPTION }),
  }),
});

function sourceOf(input: {
  file?: { name: string; stream(): ReadableStream<Uint8Array> } | null;
  csv?: string | null;
}): ImportSource {
  if (input.file && input.csv != null) throw new DomainError('INVALID', msg('bulk.csvTwice'), { field: ['file'] });
  if (input.file) {
    const file = input.file;
    return {
      kind: 'file',
      name: file.name || null,
      chunks: (async function* () {
        const reader = file.stream().getReader();
        for (let r = await reader.read(); !r.done; r = await reader.read()) yield r.value;
      })(),
    };
  }
  if (input.csv != null) return { kind: 'text', text: input.csv };
  throw new DomainError('REQUIRED', msg('bulk.csvMissing'), { field: ['file'] });
}

builder.mutationFields((t) => ({
  importUsers: t.field({
    type: ImportUsersPayload,
    description:
      'Validates a CSV of users (Partner Center template plus our columns), then queues a job that creates them. Licences and roles in the file need their own roles, as with createUser.',
    directives: requiresRole(importUsers),
    args: { input: t.arg({ type: ImportUsersInput, required: true, description: 'The customer and the CSV.' }) },
    resolve: (_, { input }, ctx) =>
      runMutation(
        async () => {
          const customerId = decodeId(input.customerId, 'Customer', ['customerId']);
          const { report, job } = await importUsers(ctx.svc, {
            customerId,
            source: sourceOf(input),
            dryRun: input.dryRun ?? false,
            maxBytes: ctx.config.maxUploadBytes,
          });
          return { job, report };
        },
        { job: null },
      ),
  }),
  bulkJobCredentials: t.field({
    type: BulkJobCredentialsPayload,
    description:
      'The temporary passwords of the users a job created, for the agent who started it: each is returned once, then erased (unfetched ones are erased after 24 hours).',
    directives: requiresRole(takeBulkJobCredentials),
    args: {
      input: t.arg({ type: BulkJobCredentialsInput, required: true, description: 'The job whose passwords to fetch.' }),
    },
    resolve: (_, { input }, ctx) =>
      runMutation(
        async () => {
          const j = decodeScopedId(input.jobId, 'BulkJob', ['jobId']);
          return {
            credentials: await takeBulkJobCredentials(ctx.svc, credentialsKey(ctx.config), j.customerId, j.id),
          };
        },
        { credentials: [] },
      ),
  }),
}));
