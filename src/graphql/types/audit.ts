// The customer audit log as the API shows it: each event with typed details (a union by kind of event, instead of a
// JSON string), filters, and the partner-wide feed across customers.
import type { DirectoryRole, PartnerRole } from '../../auth/roles.js';
import { type AuditEventRow, type AuditFilter, listAuditEvents, listPartnerFeed } from '../../services/audit.js';
import { builder, requiresRole } from '../builder.js';
import { decodeId, decodeScopedId, encodeGlobalID, scopedId } from '../ids.js';
import { DirectoryRoleEnum, PartnerRoleEnum } from './common.js';
import { AuditEventRef, CustomerRef } from './refs.js';

type Details = Record<string, unknown>;
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
const text = (v: unknown): string | null => (v == null ? null : typeof v === 'string' ? v : JSON.stringify(v));
const int = (v: unknown): number => (typeof v === 'number' ? v : 0);
const jobId = (e: AuditEventRow) =>
  typeof e.details.bulkJobId === 'string'
    ? encodeGlobalID('BulkJob', scopedId(e.customerId, e.details.bulkJobId))
    : null;

const AuditFieldChange = builder.simpleObject('AuditFieldChange', {
  description: "One field's change: values as text (a licence by its part number, a role by its name).",
  fields: (t) => ({
    field: t.string({ description: 'The field changed, e.g. displayName, roles, licenses.' }),
    from: t.string({ nullable: true, description: 'The value before (null when unset).' }),
    to: t.string({ nullable: true, description: 'The value after (null when cleared).' }),
  }),
});

const UserCreatedDetails = builder.objectRef<AuditEventRow>('UserCreatedDetails').implement({
  description: 'CREATE_USER: the user as created (by createUser, or by a bulk import row).',
  fields: (t) => ({
    userPrincipalName: t.string({
      description: 'Its user principal name at creation.',
      resolve: (e) => text(e.details.userPrincipalName) ?? '',
    }),
    displayName: t.string({
      nullable: true,
      description: 'Its display name at creation.',
      resolve: (e) => text(e.details.displayName),
    }),
    roles: t.field({
      type: [DirectoryRoleEnum],
      description: 'The admin roles it was given.',
      resolve: (e) => strings(e.details.roles) as DirectoryRole[],
    }),
    licenses: t.stringList({ description: 'Part numbers.', resolve: (e) => strings(e.details.licenses) }),
    bulkJobId: t.id({ nullable: true, description: 'The import it came from.', resolve: jobId }),
    row: t.int({
      nullable: true,
      description: "The import file's line.",
      resolve: (e) => (e.details.row as number) ?? null,
    }),
  }),
});

const UserUpdatedDetails = builder.objectRef<AuditEventRow>('UserUpdatedDetails').implement({
  description: 'UPDATE_USER: what changed (an empty list when the request changed nothing).',
  fields: (t) => ({
    changes: t.field({
      type: [AuditFieldChange],
      description: 'One entry per field changed.',
      resolve: (e) =>
        (Array.isArray(e.details.changes) ? (e.details.changes as Details[]) : []).map((c) => ({
          field: text(c.field) ?? '',
          from: text(c.from),
          to: text(c.to),
        })),
    }),
  }),
});

const UserDeletedDetails = builder.objectRef<AuditEventRow>('UserDeletedDetails').implement({
  description: 'DELETE_USER: the user is inactive (restorable for 30 days); its licences freed their seats.',
  fields: (t) => ({
    seatsFreed: t.int({
      description: 'Licence seats given back to the pools.',
      resolve: (e) => int(e.details.seatsFreed),
    }),
  }),
});

const UserRestoredDetails = builder.objectRef<AuditEventRow>('UserRestoredDetails').implement({
  description: 'RESTORE_USER: the user is active again, with the licences that still had seats.',
  fields: (t) => ({
    userPrincipalName: t.string({
      description: 'Its user principal name once restored (a new one when the old was taken).',
      resolve: (e) => text(e.details.userPrincipalName) ?? '',
    }),
    licensesNotRestored: t.stringList({
      description: 'Part numbers with no seat left.',
      resolve: (e) => strings(e.details.licensesNotRestored),
    }),
  }),
});

const UsersImportedDetails = builder.objectRef<AuditEventRow>('UsersImportedDetails').implement({
  description: 'IMPORT_USERS: a CSV import queued.',
  fields: (t) => ({
    bulkJobId: t.id({ nullable: true, description: 'The BulkJob id of the import.', resolve: jobId }),
    fileName: t.string({
      nullable: true,
      description: 'The name of the uploaded file (null for CSV text).',
      resolve: (e) => text(e.details.fileName),
    }),
    rows: t.int({ description: 'Rows in the file.', resolve: (e) => int(e.details.rows) }),
    invalidRows: t.int({ description: 'Rows refused by validation.', resolve: (e) => int(e.details.invalidRows) }),
    skippedRows: t.int({ description: 'Rows with State INACTIVE.', resolve: (e) => int(e.details.skippedRows) }),
  }),
});

const ImportCredentialsFetchedDetails = builder.objectRef<AuditEventRow>('ImportCredentialsFetchedDetails').implement({
  description: "FETCH_IMPORT_CREDENTIALS: an import's temporary passwords handed out (never in the log).",
  fields: (t) => ({
    bulkJobId: t.id({ nullable: true, description: 'The BulkJob id of the import.', resolve: jobId }),
    passwords: t.int({ description: 'How many passwords were handed out.', resolve: (e) => int(e.details.passwords) }),
  }),
});

const AccessDeniedDetails = builder.objectRef<AuditEventRow>('AccessDeniedDetails').implement({
  description: 'Any refused action (outcome DENIED): why, and the roles that would have allowed it.',
  fields: (t) => ({
    reason: t.string({
      description: 'Why it was refused, as the caller was told.',
      resolve: (e) => text(e.details.reason) ?? '',
    }),
    requiredRoles: t.field({
      type: [DirectoryRoleEnum],
      description:
        'The directory roles, any one of which would have allowed it (empty when a partner role was missing).',
      resolve: (e) => strings(e.details.requiredRoles) as DirectoryRole[],
    }),
    requiredPartnerRoles: t.field({
      type: [PartnerRoleEnum],
      description: 'The partner roles it needed, when one was missing (customer work needs ADMIN_AGENT).',
      resolve: (e) => strings(e.details.requiredPartnerRoles) as PartnerRole[],
    }),
  }),
});

const OtherAuditDetails = builder.objectRef<AuditEventRow>('OtherAuditDetails').implement({
  description: 'The other actions (GDAP relationships and assignments, domains, subscriptions): the details as JSON.',
  fields: (t) => ({
    json: t.string({ description: 'The details as a JSON object.', resolve: (e) => JSON.stringify(e.details) }),
  }),
});

const BY_ACTION: Record<string, { name: string }> = {
  CREATE_USER: UserCreatedDetails,
  UPDATE_USER: UserUpdatedDetails,
  DELETE_USER: UserDeletedDetails,
  RESTORE_USER: UserRestoredDetails,
  IMPORT_USERS: UsersImportedDetails,
  FETCH_IMPORT_CREDENTIALS: ImportCredentialsFetchedDetails,
};

const AuditDetails = builder.unionType('AuditDetails', {
  description: 'What an event records, typed by its kind. RESET_PASSWORD records nothing more (its details are null).',
  types: [
    UserCreatedDetails,
    UserUpdatedDetails,
    UserDeletedDetails,
    UserRestoredDetails,
    UsersImportedDetails,
    ImportCredentialsFetchedDetails,
    AccessDeniedDetails,
    OtherAuditDetails,
  ],
  resolveType: (e) => (e.outcome === 'DENIED' ? AccessDeniedDetails : (BY_ACTION[e.action] ?? OtherAuditDetails)).name,
});

AuditEventRef.implement({
  description: 'One thing done (or refused) in a customer, written in the same transaction as the change.',
  fields: (t) => ({
    id: t.exposeID('id', { description: "The event's id, unique in the log." }),
    at: t.expose('at', { type: 'DateTime', description: 'When it happened.' }),
    customerId: t.id({
      description: "The customer's global id.",
      resolve: (e) => encodeGlobalID('Customer', e.customerId),
    }),
    actor: t.exposeString('actorName', {
      description: "The actor's display name (an agent's or an application's) or user principal name.",
    }),
    actorKind: t.exposeString('actorKind', { description: 'AGENT, APPLICATION, USER or SYSTEM.' }),
    actorId: t.string({
      nullable: true,
      description:
        "The actor's global id: an Agent's, an Application's, or a User's of this customer (null for the system).",
      resolve: (e) =>
        e.actorAgentId
          ? encodeGlobalID(e.actorKind === 'APPLICATION' ? 'Application' : 'Agent', e.actorAgentId)
          : e.actorUserId
            ? encodeGlobalID('User', scopedId(e.customerId, e.actorUserId))
            : null,
    }),
    actorEmail: t.exposeString('actorEmail', {
      nullable: true,
      description: "The agent's email or the user's UPN when it acted (null for an application).",
    }),
    action: t.exposeString('action', {
      description:
        'CREATE_USER, UPDATE_USER, DELETE_USER, RESTORE_USER, RESET_PASSWORD, IMPORT_USERS, FETCH_IMPORT_CREDENTIALS, or a GDAP or customer action.',
    }),
    outcome: t.exposeString('outcome', { description: 'SUCCESS, DENIED or FAILED.' }),
    targetUserId: t.id({
      nullable: true,
      description: "The target user's global id (it stays after the user is purged, then resolving to nothing).",
      resolve: (e) => (e.targetUserId ? encodeGlobalID('User', scopedId(e.customerId, e.targetUserId)) : null),
    }),
    targetName: t.exposeString('targetName', {
      nullable: true,
      description: "The target's name when it was done (a user's UPN, a relationship's or a domain's name).",
    }),
    typedDetails: t.field({
      type: AuditDetails,
      nullable: true,
      description: 'The details, typed by kind of event (never a password).',
      resolve: (e) => (e.outcome !== 'DENIED' && !Object.keys(e.details).length ? null : e),
    }),
    details: t.string({
      description: 'The change, as JSON (never a password).',
      deprecationReason: 'Use typedDetails.',
      resolve: (e) => JSON.stringify(e.details),
    }),
  }),
});

const AuditOutcomeEnum = builder.enumType('AuditOutcome', {
  description: 'How an audited action ended.',
  values: {
    SUCCESS: { description: 'Done.' },
    DENIED: { description: 'Refused for lack of a role.' },
    FAILED: { description: 'Attempted and failed.' },
  },
});

/** The conditions both audit filters have. */
type Types = typeof builder extends PothosSchemaTypes.SchemaBuilder<infer T> ? T : never;
const timeAndKind = (t: PothosSchemaTypes.InputFieldBuilder<Types, 'InputObject'>) => ({
  since: t.field({ type: 'DateTime', required: false, description: 'From this instant (inclusive).' }),
  until: t.field({ type: 'DateTime', required: false, description: 'Before this instant.' }),
  actions: t.stringList({ required: false, description: 'Any of these actions (CREATE_USER, DELETE_USER…).' }),
  outcomes: t.field({ type: [AuditOutcomeEnum], required: false, description: 'Any of these outcomes.' }),
});

const AuditEventFilter = builder.inputType('AuditEventFilter', {
  description: 'Events matching every given condition.',
  fields: (t) => ({
    ...timeAndKind(t),
    targetUserId: t.id({ required: false, description: 'Events about this user (a User id).' }),
  }),
});

const PartnerFeedFilter = builder.inputType('AuditFeedFilter', {
  description: 'AuditEventFilter, plus the customers to read (all those you hold a role in when not given).',
  fields: (t) => ({
    ...timeAndKind(t),
    customerIds: t.idList({ required: false, description: 'Only these customers (Customer ids).' }),
  }),
});

type FilterArgs = {
  since?: Date | null;
  until?: Date | null;
  actions?: string[] | null;
  outcomes?: ('SUCCESS' | 'DENIED' | 'FAILED')[] | null;
};
const baseFilter = (f: FilterArgs): AuditFilter => ({
  since: f.since,
  until: f.until,
  actions: f.actions,
  outcomes: f.outcomes,
});

builder.objectField(CustomerRef, 'auditEvents', (t) =>
  t.connection({
    type: AuditEventRef,
    description: 'What was done in this customer, newest first.',
    directives: requiresRole(listAuditEvents),
    args: { filter: t.arg({ type: AuditEventFilter, required: false, description: 'Only the events matching it.' }) },
    resolve: (c, { filter, ...args }, ctx) => {
      const target = filter?.targetUserId
        ? decodeScopedId(filter.targetUserId, 'User', ['filter', 'targetUserId'])
        : null;
      return listAuditEvents(ctx.svc, c.id, args, {
        ...(filter ? baseFilter(filter) : {}),
        // Another customer's user matches nothing here.
        targetUserId: target ? (target.customerId === c.id ? target.id : '00000000-0000-0000-0000-000000000000') : null,
      });
    },
  }),
);

builder.queryField('auditEvents', (t) =>
  t.connection({
    type: AuditEventRef,
    description:
      'The partner-wide feed: events of every customer you hold a GDAP role in now, newest first (for an integration that serves many customers).',
    directives: requiresRole(listPartnerFeed),
    args: { filter: t.arg({ type: PartnerFeedFilter, required: false, description: 'Only the events matching it.' }) },
    resolve: (_, { filter, ...args }, ctx) =>
      listPartnerFeed(ctx.svc, args, {
        ...(filter ? baseFilter(filter) : {}),
        customerIds: filter?.customerIds?.map((id, i) =>
          decodeId(String(id), 'Customer', ['filter', 'customerIds', String(i)]),
        ),
      }),
  }),
);
