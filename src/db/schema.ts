// Every customer-owned table carries customer_id and its keys and unique constraints include it, so the data can be
// distributed by customer (Citus) later. Partner-level tables (partners, agents, groups, skus) are small.
import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  check,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });
const id = () => uuid('id').notNull().default(sql`gen_random_uuid()`);

export const partners = pgTable('partners', {
  id: id().primaryKey(),
  name: text('name').notNull(),
  createdAt: ts('created_at').notNull().defaultNow(),
});

export const AGENT_STATUSES = ['ENABLED', 'DISABLED', 'DELETED'] as const;
export const PRINCIPAL_KINDS = ['AGENT', 'APPLICATION'] as const;
export const MEMBERSHIP_KINDS = ['ACTIVE', 'ELIGIBLE'] as const;

/**
 * The partner's principals: its agents (people, signing in with an email and a password) and its applications
 * (automation, signing in with client secrets at POST /oauth/token). Both hold partner roles, join security groups and
 * so get GDAP roles the same way, and act in the audit logs under their own name.
 */
export const agents = pgTable(
  'agents',
  {
    id: id().primaryKey(),
    partnerId: uuid('partner_id')
      .notNull()
      .references(() => partners.id),
    kind: text('kind', { enum: PRINCIPAL_KINDS }).notNull().default('AGENT'),
    /** An agent's sign-in name; null for an application. */
    email: text('email'),
    emailLower: text('email_lower').generatedAlwaysAs(sql`lower(email)`),
    displayName: text('display_name').notNull(),
    /** An agent's argon2id hash; null for an application (its secrets are in application_secrets). */
    passwordHash: text('password_hash'),
    roles: text('roles').array().notNull(),
    /** ENABLED signs in; DISABLED is refused (sessions revoked) until enabled; DELETED is kept for the audit trail. */
    status: text('status', { enum: AGENT_STATUSES }).notNull().default('ENABLED'),
    mustChangePassword: boolean('must_change_password').notNull().default(false),
    createdAt: ts('created_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('agents_email_lower_key').on(t.emailLower),
    index('agents_partner_idx').on(t.partnerId),
    check(
      'agents_kind_credentials_check',
      sql`(kind = 'AGENT' and email is not null and password_hash is not null) or (kind = 'APPLICATION' and email is null and password_hash is null)`,
    ),
  ],
);

/**
 * An application's client secrets: a 256-bit random value shown once, of which only the SHA-256 is kept (no slow hash
 * needed for a secret nobody chose). Two may be live at once, for rotation; removing one revokes the tokens it got.
 */
export const applicationSecrets = pgTable(
  'application_secrets',
  {
    partnerId: uuid('partner_id')
      .notNull()
      .references(() => partners.id),
    id: id(),
    applicationId: uuid('application_id')
      .notNull()
      .references(() => agents.id),
    description: text('description').notNull(),
    secretHash: text('secret_hash').notNull(),
    /** The secret's first characters, so a person can tell which one a script holds. */
    hint: text('hint').notNull(),
    createdAt: ts('created_at').notNull(),
    expiresAt: ts('expires_at').notNull(),
    revokedAt: ts('revoked_at'),
    lastUsedAt: ts('last_used_at'),
  },
  (t) => [
    primaryKey({ columns: [t.partnerId, t.id] }),
    index('application_secrets_app_idx').on(t.applicationId),
    uniqueIndex('application_secrets_hash_key').on(t.secretHash),
  ],
);

export const securityGroups = pgTable(
  'security_groups',
  {
    id: id().primaryKey(),
    partnerId: uuid('partner_id')
      .notNull()
      .references(() => partners.id),
    name: text('name').notNull(),
    /** Just-in-time: how long one activation of an eligible membership lasts at most. */
    maxActivationMinutes: integer('max_activation_minutes').notNull().default(480),
    /** Just-in-time: an activation waits for another ACCESS_ADMINISTRATOR's approval. */
    requiresApproval: boolean('requires_approval').notNull().default(false),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('security_groups_partner_name_key').on(t.partnerId, t.name)],
);

export const groupMembers = pgTable(
  'group_members',
  {
    groupId: uuid('group_id')
      .notNull()
      .references(() => securityGroups.id),
    agentId: uuid('agent_id')
      .notNull()
      .references(() => agents.id),
    /** ACTIVE grants the group's roles permanently; ELIGIBLE grants them only during an approved activation. */
    kind: text('kind', { enum: MEMBERSHIP_KINDS }).notNull().default('ACTIVE'),
  },
  (t) => [primaryKey({ columns: [t.groupId, t.agentId] }), index('group_members_agent_idx').on(t.agentId)],
);

export const ACTIVATION_STATUSES = ['PENDING_APPROVAL', 'APPROVED', 'DENIED', 'REVOKED'] as const;

/**
 * Activations of eligible memberships (PIM for groups). An APPROVED one grants the group's roles from startsAt to
 * endsAt, judged by the clock at request time like relationship expiry: no job ends it.
 */
export const groupActivations = pgTable(
  'group_activations',
  {
    partnerId: uuid('partner_id')
      .notNull()
      .references(() => partners.id),
    id: id(),
    groupId: uuid('group_id')
      .notNull()
      .references(() => securityGroups.id),
    agentId: uuid('agent_id')
      .notNull()
      .references(() => agents.id),
    justification: text('justification').notNull(),
    minutes: integer('minutes').notNull(),
    status: text('status', { enum: ACTIVATION_STATUSES }).notNull(),
    requestedAt: ts('requested_at').notNull(),
    decidedByAgentId: uuid('decided_by_agent_id'),
    decidedAt: ts('decided_at'),
    decisionReason: text('decision_reason'),
    startsAt: ts('starts_at'),
    endsAt: ts('ends_at'),
  },
  (t) => [
    primaryKey({ columns: [t.partnerId, t.id] }),
    index('group_activations_member_idx').on(t.groupId, t.agentId, t.endsAt),
    index('group_activations_pending_idx').on(t.partnerId, t.requestedAt).where(sql`status = 'PENDING_APPROVAL'`),
  ],
);

export const customers = pgTable(
  'customers',
  {
    id: id().primaryKey(),
    partnerId: uuid('partner_id')
      .notNull()
      .references(() => partners.id),
    name: text('name').notNull(),
    nameLower: text('name_lower').notNull().generatedAlwaysAs(sql`lower(name)`),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [index('customers_partner_name_idx').on(t.partnerId, t.nameLower, t.id)],
);

export const domains = pgTable(
  'domains',
  {
    customerId: uuid('customer_id')
      .notNull()
      .references(() => customers.id),
    name: text('name').notNull(),
    isDefault: boolean('is_default').notNull().default(false),
    verified: boolean('verified').notNull().default(true),
  },
  (t) => [
    primaryKey({ columns: [t.customerId, t.name] }),
    uniqueIndex('domains_one_default_key').on(t.customerId).where(sql`is_default`),
    // A verified domain belongs to one tenant (as in Entra); sign-in finds a user's tenant through it. The one
    // unique key without customer_id, on purpose: domain names are a global namespace, like DNS. On Citus this small
    // table is a reference table (replicated to every node), where such a key is allowed.
    uniqueIndex('domains_name_key').on(t.name),
  ],
);

export const skus = pgTable('skus', {
  id: id().primaryKey(),
  partNumber: text('part_number').notNull().unique(),
  name: text('name').notNull(),
});

export const subscriptions = pgTable(
  'subscriptions',
  {
    customerId: uuid('customer_id')
      .notNull()
      .references(() => customers.id),
    id: id(),
    skuId: uuid('sku_id')
      .notNull()
      .references(() => skus.id),
    totalSeats: integer('total_seats').notNull(),
    consumedSeats: integer('consumed_seats').notNull().default(0),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.customerId, t.id] }),
    uniqueIndex('subscriptions_customer_sku_key').on(t.customerId, t.skuId),
    // The last line of defence for "never more seats than the subscription has".
    check('subscriptions_seats_check', sql`consumed_seats >= 0 AND consumed_seats <= total_seats`),
  ],
);

export const users = pgTable(
  'users',
  {
    customerId: uuid('customer_id')
      .notNull()
      .references(() => customers.id),
    id: id(),
    userPrincipalName: text('user_principal_name').notNull(),
    upnLower: text('upn_lower').notNull().generatedAlwaysAs(sql`lower(user_principal_name)`),
    firstName: text('first_name'),
    lastName: text('last_name'),
    displayName: text('display_name').notNull(),
    usageLocation: text('usage_location'),
    jobTitle: text('job_title'),
    department: text('department'),
    office: text('office'),
    officePhone: text('office_phone'),
    mobilePhone: text('mobile_phone'),
    streetAddress: text('street_address'),
    city: text('city'),
    stateOrProvince: text('state_or_province'),
    postalCode: text('postal_code'),
    countryOrRegion: text('country_or_region'),
    alternateEmail: text('alternate_email'),
    state: text('state', { enum: ['ACTIVE', 'INACTIVE'] })
      .notNull()
      .default('ACTIVE'),
    deletedAt: ts('deleted_at'),
    passwordHash: text('password_hash').notNull(),
    mustChangePassword: boolean('must_change_password').notNull().default(true),
    createdAt: ts('created_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.customerId, t.id] }),
    // UPN unique among a customer's active users, case-insensitively; also the keyset order of `users`.
    uniqueIndex('users_active_upn_key').on(t.customerId, t.upnLower).where(sql`state = 'ACTIVE'`),
    index('users_deleted_idx').on(t.customerId, t.deletedAt, t.id).where(sql`state = 'INACTIVE'`),
    // users(orderBy: DISPLAY_NAME | CREATED_AT): the keysets of the other sorts of active users.
    index('users_active_name_idx').on(t.customerId, t.displayName, t.id).where(sql`state = 'ACTIVE'`),
    index('users_active_created_idx').on(t.customerId, t.createdAt, t.id).where(sql`state = 'ACTIVE'`),
    // users(filter: {updatedSince}): a sync's keyset.
    index('users_updated_idx').on(t.customerId, t.updatedAt, t.id),
  ],
);

export const userRoles = pgTable(
  'user_roles',
  {
    customerId: uuid('customer_id').notNull(),
    userId: uuid('user_id').notNull(),
    role: text('role').notNull(),
  },
  (t) => [primaryKey({ columns: [t.customerId, t.userId, t.role] })],
);

export const licenseAssignments = pgTable(
  'license_assignments',
  {
    customerId: uuid('customer_id').notNull(),
    userId: uuid('user_id').notNull(),
    skuId: uuid('sku_id')
      .notNull()
      .references(() => skus.id),
    // false while the user is deleted: the assignment is remembered for restore but holds no seat.
    seated: boolean('seated').notNull().default(true),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.customerId, t.userId, t.skuId] }),
    index('license_assignments_sku_idx').on(t.customerId, t.skuId, t.userId),
  ],
);

export const GDAP_STATUSES = ['APPROVAL_PENDING', 'ACTIVE', 'EXPIRED', 'TERMINATED'] as const;

export const gdapRelationships = pgTable(
  'gdap_relationships',
  {
    customerId: uuid('customer_id')
      .notNull()
      .references(() => customers.id),
    id: id(),
    partnerId: uuid('partner_id')
      .notNull()
      .references(() => partners.id),
    displayName: text('display_name').notNull(),
    status: text('status', { enum: GDAP_STATUSES }).notNull(),
    roles: text('roles').array().notNull(),
    durationDays: integer('duration_days').notNull(),
    autoExtend: boolean('auto_extend').notNull().default(false),
    approvalTokenHash: text('approval_token_hash'),
    createdAt: ts('created_at').notNull().defaultNow(),
    activatedAt: ts('activated_at'),
    endsAt: ts('ends_at'),
    terminatedAt: ts('terminated_at'),
    /** When the relationship.expired webhook event went out (expiry itself is judged by the clock, no job). */
    expiryAnnouncedAt: ts('expiry_announced_at'),
  },
  (t) => [
    primaryKey({ columns: [t.customerId, t.id] }),
    index('gdap_partner_idx').on(t.partnerId, t.createdAt),
    // The customer approving a request holds only the token: the one look-up of this table without customer_id
    // (on Citus a router query becomes a fan-out to every shard, rare enough: once per relationship).
    index('gdap_approval_idx').on(t.approvalTokenHash),
    // The webhook worker's scan for relationships that have just expired.
    index('gdap_unannounced_expiry_idx')
      .on(t.endsAt)
      .where(sql`status = 'ACTIVE' and not auto_extend and expiry_announced_at is null`),
  ],
);

export const accessAssignments = pgTable(
  'access_assignments',
  {
    customerId: uuid('customer_id').notNull(),
    id: id(),
    relationshipId: uuid('relationship_id').notNull(),
    groupId: uuid('group_id')
      .notNull()
      .references(() => securityGroups.id),
    roles: text('roles').array().notNull(),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.customerId, t.id] }),
    uniqueIndex('access_assignments_rel_group_key').on(t.customerId, t.relationshipId, t.groupId),
    index('access_assignments_group_idx').on(t.groupId),
  ],
);

export const sessions = pgTable(
  'sessions',
  {
    tokenHash: text('token_hash').primaryKey(),
    agentId: uuid('agent_id'),
    /** For an application's token: the client secret it was issued for (removing the secret revokes the token). */
    clientSecretId: uuid('client_secret_id'),
    customerId: uuid('customer_id'),
    userId: uuid('user_id'),
    createdAt: ts('created_at').notNull().defaultNow(),
    /** Refreshed at most every few minutes (services/sessions.ts), so reads do not each cost a write. */
    lastUsedAt: ts('last_used_at'),
    expiresAt: ts('expires_at').notNull(),
    revokedAt: ts('revoked_at'),
  },
  (t) => [index('sessions_user_idx').on(t.customerId, t.userId), index('sessions_agent_idx').on(t.agentId)],
);

export const signInThrottle = pgTable('sign_in_throttle', {
  login: text('login').primaryKey(),
  failures: integer('failures').notNull(),
  windowStart: ts('window_start').notNull(),
  lockedUntil: ts('locked_until'),
});

/**
 * Smart lockout (as Entra's): the clients (a hash of the address) from which a login signed in successfully lately.
 * They keep their own failure budget, so a stranger's wrong passwords lock out only the unfamiliar clients.
 */
export const signInFamiliar = pgTable(
  'sign_in_familiar',
  {
    login: text('login').notNull(),
    client: text('client').notNull(),
    lastSuccessAt: ts('last_success_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.login, t.client] })],
);

export const auditEvents = pgTable(
  'audit_events',
  {
    customerId: uuid('customer_id').notNull(),
    id: id(),
    at: ts('at').notNull(),
    actorKind: text('actor_kind', { enum: ['AGENT', 'APPLICATION', 'USER', 'SYSTEM'] }).notNull(),
    actorAgentId: uuid('actor_agent_id'),
    actorUserId: uuid('actor_user_id'),
    actorName: text('actor_name').notNull(),
    actorEmail: text('actor_email'),
    action: text('action').notNull(),
    outcome: text('outcome', { enum: ['SUCCESS', 'DENIED', 'FAILED'] }).notNull(),
    targetUserId: uuid('target_user_id'),
    targetName: text('target_name'),
    details: jsonb('details').$type<Record<string, unknown>>().notNull().default({}),
  },
  (t) => [
    primaryKey({ columns: [t.customerId, t.id] }),
    index('audit_events_order_idx').on(t.customerId, t.at, t.id),
    // The partner-wide feed (Query.auditEvents): newest first across customers.
    index('audit_events_at_idx').on(t.at, t.id),
  ],
);

/**
 * The partner's own log: access changes (agents, roles, groups, memberships, GDAP), customer onboarding, relationship
 * requests, approvals and terminations, sign-in failures; and every refusal of a change. Partner-level like agents.
 */
export const partnerAuditEvents = pgTable(
  'partner_audit_events',
  {
    partnerId: uuid('partner_id')
      .notNull()
      .references(() => partners.id),
    /** Insertion order: events of the same millisecond still page newest first. */
    seq: bigint('seq', { mode: 'number' }).generatedAlwaysAsIdentity(),
    at: ts('at').notNull(),
    actorKind: text('actor_kind', { enum: ['AGENT', 'APPLICATION', 'USER', 'SYSTEM', 'ANONYMOUS'] }).notNull(),
    actorId: uuid('actor_id'),
    actorEmail: text('actor_email'),
    actorName: text('actor_name').notNull(),
    action: text('action').notNull(),
    outcome: text('outcome', { enum: ['SUCCESS', 'DENIED', 'FAILED'] }).notNull(),
    targetType: text('target_type'),
    targetId: uuid('target_id'),
    targetName: text('target_name'),
    customerId: uuid('customer_id'),
    details: jsonb('details').$type<Record<string, unknown>>().notNull().default({}),
  },
  (t) => [
    primaryKey({ columns: [t.partnerId, t.seq] }),
    index('partner_audit_actor_idx').on(t.partnerId, t.actorId, t.seq),
    index('partner_audit_action_idx').on(t.partnerId, t.action, t.seq),
  ],
);

/** Server-wide settings shared by every instance (not tenant data: a small reference table). */
export const serverSettings = pgTable('server_settings', {
  name: text('name').primaryKey(),
  value: text('value').notNull(),
});

export const BULK_JOB_STATUSES = ['QUEUED', 'RUNNING', 'SUCCEEDED', 'PARTIAL', 'FAILED'] as const;
export const BULK_ROW_OUTCOMES = ['PENDING', 'CREATED', 'FAILED', 'SKIPPED'] as const;

/** A bulk import: the file's header and counters; its rows live in bulk_job_rows. Claimed by runners with a lease. */
export const bulkJobs = pgTable(
  'bulk_jobs',
  {
    customerId: uuid('customer_id')
      .notNull()
      .references(() => customers.id),
    id: id(),
    status: text('status', { enum: BULK_JOB_STATUSES }).notNull().default('QUEUED'),
    createdByAgentId: uuid('created_by_agent_id')
      .notNull()
      .references(() => agents.id),
    createdByName: text('created_by_name').notNull(),
    fileName: text('file_name'),
    /** The header as the partner wrote it, so the result file is the partner's own file. */
    header: jsonb('header').$type<string[]>().notNull(),
    delimiter: text('delimiter').notNull(),
    bom: boolean('bom').notNull(),
    /** Which parts of the task the file needs (EDIT_USER_LICENSES, EDIT_USER_ROLES): re-checked when the job runs. */
    parts: text('parts').array().notNull(),
    total: integer('total').notNull(),
    succeeded: integer('succeeded').notNull().default(0),
    failed: integer('failed').notNull().default(0),
    skipped: integer('skipped').notNull().default(0),
    error: text('error'),
    lockedBy: text('locked_by'),
    lockedUntil: ts('locked_until'),
    createdAt: ts('created_at').notNull(),
    startedAt: ts('started_at'),
    finishedAt: ts('finished_at'),
  },
  (t) => [
    primaryKey({ columns: [t.customerId, t.id] }),
    // The runners' claim query: unfinished jobs, oldest first.
    index('bulk_jobs_claim_idx').on(t.createdAt).where(sql`status in ('QUEUED', 'RUNNING')`),
  ],
);

export const bulkJobRows = pgTable(
  'bulk_job_rows',
  {
    customerId: uuid('customer_id').notNull(),
    jobId: uuid('job_id').notNull(),
    /** The line of the file where the row starts (the header is line 1). */
    rowNumber: integer('row_number').notNull(),
    cells: jsonb('cells').$type<string[]>().notNull(),
    outcome: text('outcome', { enum: BULK_ROW_OUTCOMES }).notNull(),
    /** What goes into the row's `Status update` cell of the result file. */
    message: text('message'),
    errors: jsonb('errors')
      .$type<
        {
          column: string | null;
          code: string;
          /** English (rows written before `text` was stored have only this). */
          message: string;
          /** The message's catalogue key and params, to render in the reader's language. */
          text?: { key: string; params: Readonly<Record<string, unknown>> };
        }[]
      >()
      .notNull()
      .default([]),
    userId: uuid('user_id'),
    /** The temporary password, AES-256-GCM encrypted, until the starting agent fetches it or 24 h pass. */
    credential: text('credential'),
    processedAt: ts('processed_at'),
  },
  (t) => [
    primaryKey({ columns: [t.customerId, t.jobId, t.rowNumber] }),
    index('bulk_job_rows_credential_idx').on(t.processedAt).where(sql`credential is not null`),
  ],
);

export const IDEMPOTENCY_STATUSES = ['IN_PROGRESS', 'DONE'] as const;

/**
 * Idempotency keys (the IETF httpapi Idempotency-Key header) of mutation requests, per caller (an agent's,
 * application's or user's id: partner-level like sessions). The first answer is kept sealed (AES-256-GCM with the
 * credentials key: it may hold a temporary password) for 24 hours, then deleted with it.
 */
export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    principalId: uuid('principal_id').notNull(),
    key: text('key').notNull(),
    /** SHA-256 of the request's query, operation name and variables (files by their content). */
    requestHash: text('request_hash').notNull(),
    status: text('status', { enum: IDEMPOTENCY_STATUSES }).notNull(),
    /** The answer, sealed; null while IN_PROGRESS. */
    response: text('response'),
    createdAt: ts('created_at').notNull(),
    expiresAt: ts('expires_at').notNull(),
    /** While IN_PROGRESS: after this a retry may take the key over (the first instance died mid-request). */
    lockedUntil: ts('locked_until').notNull(),
    /** Who holds the claim: only that request saves or releases it (a late one cannot overwrite a takeover). */
    claimToken: uuid('claim_token'),
  },
  (t) => [primaryKey({ columns: [t.principalId, t.key] }), index('idempotency_keys_expiry_idx').on(t.expiresAt)],
);

/**
 * Each caller's request budget (a leaky bucket, as Shopify's): `available` points at `updated_at`, refilling at the
 * configured rate up to the maximum. One row per agent, application or user, shared by every instance.
 * UNLOGGED (migration 0015; Drizzle's table builder cannot say it): a spend's commit then waits for no WAL flush, and
 * after a database crash every bucket starts full again.
 */
export const rateBudgets = pgTable('rate_budgets', {
  principalId: uuid('principal_id').primaryKey(),
  available: doublePrecision('available').notNull(),
  updatedAt: ts('updated_at').notNull(),
});

export const WEBHOOK_EVENT_TYPES = [
  'user.created',
  'user.updated',
  'user.deleted',
  'user.restored',
  'user.purged',
  'user.password_reset',
  'user.licenses_changed',
  'bulk_job.finished',
  'relationship.approved',
  'relationship.expired',
  'relationship.terminated',
] as const;

/**
 * A partner's webhook endpoints (Standard Webhooks). The signing secret is kept sealed (AES-256-GCM with the
 * credentials key) since signing needs it; after a rotation the previous one signs too until previous_expires_at.
 */
export const webhookSubscriptions = pgTable(
  'webhook_subscriptions',
  {
    partnerId: uuid('partner_id')
      .notNull()
      .references(() => partners.id),
    id: id(),
    url: text('url').notNull(),
    description: text('description').notNull(),
    eventTypes: text('event_types').array().notNull(),
    /** Only these customers' events; null for all of the partner's. */
    customerIds: uuid('customer_ids').array(),
    secret: text('secret').notNull(),
    previousSecret: text('previous_secret'),
    previousExpiresAt: ts('previous_expires_at'),
    enabled: boolean('enabled').notNull().default(true),
    createdAt: ts('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.partnerId, t.id] }), uniqueIndex('webhook_subscriptions_id_key').on(t.id)],
);

export const WEBHOOK_DELIVERY_STATUSES = ['PENDING', 'SUCCEEDED', 'FAILED'] as const;

/**
 * The outbox: one row per event and subscription, written in the transaction of the change (a rollback sends
 * nothing), sent by a worker that claims it with a lease (one sender at a time), retried with backoff for 24 hours.
 */
export const webhookDeliveries = pgTable(
  'webhook_deliveries',
  {
    partnerId: uuid('partner_id').notNull(),
    /** Also the webhook-id header: the receiver's key for deduplication. */
    id: id(),
    subscriptionId: uuid('subscription_id').notNull(),
    eventType: text('event_type').notNull(),
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull(),
    status: text('status', { enum: WEBHOOK_DELIVERY_STATUSES }).notNull().default('PENDING'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: ts('next_attempt_at').notNull(),
    lockedBy: text('locked_by'),
    lockedUntil: ts('locked_until'),
    lastAttemptAt: ts('last_attempt_at'),
    lastStatusCode: integer('last_status_code'),
    lastError: text('last_error'),
    createdAt: ts('created_at').notNull(),
    /** Retries stop here (24 hours after the event, or after a redelivery): the delivery is then FAILED. */
    retryUntil: ts('retry_until').notNull(),
    deliveredAt: ts('delivered_at'),
  },
  (t) => [
    primaryKey({ columns: [t.partnerId, t.id] }),
    index('webhook_deliveries_due_idx').on(t.nextAttemptAt).where(sql`status = 'PENDING'`),
    index('webhook_deliveries_subscription_idx').on(t.subscriptionId, t.createdAt, t.id),
  ],
);
