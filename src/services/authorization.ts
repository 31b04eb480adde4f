// Where every access decision is made. The rules come from auth/roles.ts; this module applies them to a caller.
import { and, eq, type SQL, sql } from 'drizzle-orm';
import {
  allowsOnTarget,
  allowsTask,
  CUSTOMER_TASK_PARTNER_ROLE,
  type DirectoryRole,
  decisiveTargetRole,
  PARTNER_TASKS,
  type PartnerTask,
  rolesThatMayReset,
  TASKS,
  type Task,
} from '../auth/roles.js';
import { preparedStatement, uuidArray } from '../db/prepared.js';
import {
  accessAssignments,
  customers,
  gdapRelationships,
  groupActivations,
  groupMembers,
  securityGroups,
} from '../db/schema.js';
import { msg } from '../messages/index.js';
import type { Caller, RoleGrant, ServiceContext } from './context.js';
import type { CustomerRow } from './customers.js';
import { DomainError, notFound } from './errors.js';

export type AgentCaller = Extract<Caller, { kind: 'agent' }>;
export type UserCaller = Extract<Caller, { kind: 'user' }>;

/** Signed in, and not held back by a temporary password. */
export function requireSignedIn(ctx: ServiceContext): Caller {
  if (!ctx.caller) {
    throw new DomainError('UNAUTHENTICATED', msg(ctx.tokenRejected ? 'auth.tokenRejected' : 'auth.signInFirst'));
  }
  if (ctx.caller.mustChangePassword) {
    throw new DomainError('PASSWORD_CHANGE_REQUIRED', msg('auth.passwordChangeRequired'));
  }
  return ctx.caller;
}

export function requireAgent(ctx: ServiceContext): AgentCaller {
  const caller = requireSignedIn(ctx);
  if (caller.kind !== 'agent') {
    throw new DomainError('FORBIDDEN', msg('auth.agentsOnly'), {
      requiredPartnerRoles: [CUSTOMER_TASK_PARTNER_ROLE],
    });
  }
  return caller;
}

/** A partner-side task: one of the partner roles the task table gives it (else FORBIDDEN naming them). */
export function requirePartnerTask(ctx: ServiceContext, task: PartnerTask): AgentCaller {
  const agent = requireAgent(ctx);
  const anyOf = PARTNER_TASKS[task].anyOf;
  if (!anyOf.some((r) => agent.partnerRoles.includes(r))) {
    throw new DomainError('FORBIDDEN', msg('auth.partnerTask', { task, requiredPartnerRoles: anyOf }), {
      task,
      requiredPartnerRoles: anyOf,
    });
  }
  // An application that could create or re-arm principals would escape the four-eyes rule through a helper (create B,
  // give B a secret, let B change A): only people manage agents and applications.
  if (task === 'MANAGE_AGENTS' && agent.principal === 'APPLICATION') {
    throw new DomainError('FORBIDDEN', msg('auth.applicationsManageNoPrincipals'), {
      task,
      rule: 'FOUR_EYES',
      requiredPartnerRoles: anyOf,
    });
  }
  return agent;
}

/** The partner role every customer task needs (ADMIN_AGENT), before its GDAP roles are looked at. */
export function requireAdminAgent(ctx: ServiceContext, task: Task): AgentCaller {
  const agent = requireAgent(ctx);
  if (!agent.partnerRoles.includes(CUSTOMER_TASK_PARTNER_ROLE)) {
    throw new DomainError(
      'FORBIDDEN',
      msg('auth.adminAgentRequired', { requiredPartnerRoles: [CUSTOMER_TASK_PARTNER_ROLE] }),
      {
        task,
        requiredPartnerRoles: [CUSTOMER_TASK_PARTNER_ROLE],
      },
    );
  }
  return agent;
}

/** The GDAP grants an agent holds in a customer now: active relationships only, expiry judged by the clock. */
export function grantsFor(ctx: ServiceContext, agent: AgentCaller, customerId: string): Promise<RoleGrant[]> {
  const key = `${agent.agentId}:${customerId}`;
  let grants = ctx.grantCache.get(key);
  if (!grants) {
    grants = loadGrants(ctx, agent, [customerId]).then((byCustomer) => byCustomer.get(customerId) ?? []);
    ctx.grantCache.set(key, grants);
  }
  return grants;
}

/** Loads the agent's grants in a page of customers with one statement (a customers page shows each one's roles). */
export async function primeGrants(
  ctx: ServiceContext,
  agent: AgentCaller,
  customerIds: readonly string[],
): Promise<void> {
  const missing = customerIds.filter((id) => !ctx.grantCache.has(`${agent.agentId}:${id}`));
  if (!missing.length) return;
  const loaded = loadGrants(ctx, agent, missing);
  for (const id of missing)
    ctx.grantCache.set(
      `${agent.agentId}:${id}`,
      loaded.then((byCustomer) => byCustomer.get(id) ?? []),
    );
  await loaded;
}

/**
 * The end of the agent's current activation of an eligible membership, or null: an approved activation counts from
 * its start to its end, judged by `now` (the request's clock), so nothing has to end it.
 */
function activationEnd(now: SQL) {
  return sql`(select max(${groupActivations.endsAt}) from ${groupActivations}
    where ${groupActivations.groupId} = ${groupMembers.groupId} and ${groupActivations.agentId} = ${groupMembers.agentId}
      and ${groupActivations.status} = 'APPROVED' and ${groupActivations.startsAt} <= ${now} and ${groupActivations.endsAt} > ${now})`;
}

/** The membership grants now: permanent (ACTIVE), or eligible with a current activation. */
function membershipGrants(now: SQL) {
  return sql`(${groupMembers.kind} = 'ACTIVE' or ${activationEnd(now)} is not null)`;
}

/**
 * The agent's grants in each of a page of customers (a customers page shows each one's roles), by the one rule
 * (grantsJson): a JSON array per customer.
 */
const grantsByCustomer = preparedStatement('agent_grants', (db, name) => {
  const now = sql`${sql.placeholder('now')}::timestamptz`;
  return db
    .select({
      customerId: sql<string>`ids.id`,
      grants: grantsJson(sql`ids.id`, sql.placeholder('agentId'), sql.placeholder('partnerId'), now),
    })
    .from(sql`unnest(${sql.placeholder('customerIds')}::uuid[]) as ids(id)`)
    .prepare(name);
});

async function loadGrants(
  ctx: ServiceContext,
  agent: AgentCaller,
  customerIds: readonly string[],
): Promise<Map<string, RoleGrant[]>> {
  const rows = await grantsByCustomer(ctx.db).execute({
    customerIds: uuidArray(customerIds),
    agentId: agent.agentId,
    partnerId: agent.partnerId,
    now: ctx.clock.now().toISOString(),
  });
  return new Map(rows.map((r) => [r.customerId, grantsOfJson(r.customerId, r.grants)]));
}

/** The grants of one customer from grantsJson's array: a RoleGrant per role of each assignment. */
function grantsOfJson(customerId: string, json: GrantJson[] | string | null): RoleGrant[] {
  const rows = (typeof json === 'string' ? JSON.parse(json) : (json ?? [])) as GrantJson[];
  return rows.flatMap((g) =>
    g.roles.map((role) => ({
      role: role as DirectoryRole,
      customerId,
      relationshipId: g.relationshipId,
      relationshipName: g.relationshipName,
      groupId: g.groupId,
      groupName: g.groupName,
      via: g.kind === 'ACTIVE' ? ('PERMANENT' as const) : ('ACTIVATION' as const),
      activeUntil: g.kind === 'ACTIVE' || !g.activeUntil ? null : new Date(g.activeUntil),
    })),
  );
}

/**
 * FROM and WHERE of an agent's grants in one customer now (the one rule, as SQL to embed): the assignments
 * of active, unexpired relationships of the agent's partner to groups the agent is a member of now.
 */
function grantsOf(customerId: unknown, agentId: unknown, partnerId: unknown, now: SQL) {
  return sql`from ${accessAssignments}
    join ${gdapRelationships} on ${gdapRelationships.customerId} = ${accessAssignments.customerId}
      and ${gdapRelationships.id} = ${accessAssignments.relationshipId}
    join ${groupMembers} on ${groupMembers.groupId} = ${accessAssignments.groupId}
    join ${securityGroups} on ${securityGroups.id} = ${accessAssignments.groupId}
    where ${accessAssignments.customerId} = ${customerId}
      and ${groupMembers.agentId} = ${agentId}
      and ${gdapRelationships.partnerId} = ${partnerId}
      and ${gdapRelationships.status} = 'ACTIVE'
      and (${gdapRelationships.endsAt} > ${now} or ${gdapRelationships.autoExtend})
      and ${membershipGrants(now)}`;
}

/** SQL condition: the agent holds some role in the customer whose id is `customerIdColumn`. */
export function visibleCustomerCondition(ctx: ServiceContext, agent: AgentCaller, customerIdColumn: unknown) {
  const now = sql`${ctx.clock.now().toISOString()}::timestamptz`;
  return sql`exists (select 1 ${grantsOf(customerIdColumn, agent.agentId, agent.partnerId, now)})`;
}

/** A grant as the customer statement carries it (JSON). */
export interface GrantJson {
  roles: string[];
  relationshipId: string;
  relationshipName: string;
  groupId: string;
  groupName: string;
  kind: 'ACTIVE' | 'ELIGIBLE';
  activeUntil: string | null;
}

/** A grant row as JSON (its own fragment: Drizzle then qualifies its columns, which a select list would not). */
const grantJson = (now: SQL) => sql`json_build_object(
  'roles', ${accessAssignments.roles}, 'relationshipId', ${gdapRelationships.id},
  'relationshipName', ${gdapRelationships.displayName}, 'groupId', ${securityGroups.id},
  'groupName', ${securityGroups.name}, 'kind', ${groupMembers.kind}, 'activeUntil', ${activationEnd(now)})`;

/**
 * The agent's grants in one customer as a JSON array (one element per assignment), an SQL expression to embed: in
 * the customer statement below, and in the session statement of a request that names its customer
 * (rate-limits.ts).
 */
export function grantsJson(customerId: unknown, agentId: unknown, partnerId: unknown, now: SQL) {
  return sql<GrantJson[] | string>`(select coalesce(json_agg(${grantJson(now)}), '[]'::json)
    ${grantsOf(customerId, agentId, partnerId, now)})`;
}

const customerWithGrants = preparedStatement('customer_with_grants', (db, name) => {
  const now = sql`${sql.placeholder('now')}::timestamptz`;
  return db
    .select({
      customer: customers,
      grants: grantsJson(customers.id, sql.placeholder('agentId'), sql.placeholder('partnerId'), now),
    })
    .from(customers)
    .where(and(eq(customers.id, sql.placeholder('customerId')), eq(customers.partnerId, sql.placeholder('partnerId'))))
    .prepare(name);
});

/**
 * Keeps for the request a customer of the agent's partner (undefined: the partner has no such customer) and, when
 * it is one, the agent's grants in it, both read by one statement: what getCustomer and the authorization that
 * follows would otherwise read again. Not the grants in another partner's customer: none of this partner's business,
 * they are read the usual way (and are none).
 */
export function keepCustomerAndGrants(
  ctx: ServiceContext,
  agent: AgentCaller,
  customerId: string,
  customer: CustomerRow | undefined,
  grants: GrantJson[] | string | null,
): void {
  ctx.customerCache.set(customerId, customer);
  const key = `${agent.agentId}:${customerId}`;
  if (!customer || ctx.grantCache.has(key)) return;
  ctx.grantCache.set(key, Promise.resolve(grantsOfJson(customerId, grants)));
}

/**
 * A customer of the agent's partner and the agent's grants in it, in one statement unless this request's session
 * statement already brought both (the grants are cached for the request, so the authorization that follows reads no
 * more). Undefined when the partner has no such customer.
 */
export async function customerAndGrants(
  ctx: ServiceContext,
  agent: AgentCaller,
  customerId: string,
): Promise<CustomerRow | undefined> {
  if (ctx.customerCache.has(customerId) && ctx.grantCache.has(`${agent.agentId}:${customerId}`)) {
    return ctx.customerCache.get(customerId);
  }
  const [row] = await customerWithGrants(ctx.db).execute({
    customerId,
    agentId: agent.agentId,
    partnerId: agent.partnerId,
    now: ctx.clock.now().toISOString(),
  });
  keepCustomerAndGrants(ctx, agent, customerId, row?.customer, row?.grants ?? null);
  return row?.customer;
}

export interface CustomerAccess {
  agent: AgentCaller;
  customerId: string;
  roles: ReadonlySet<DirectoryRole>;
}

/**
 * A task in a customer: ADMIN_AGENT, then any role in the customer (else NOT_FOUND, as if it did not exist), then
 * one of the task's roles (else FORBIDDEN naming them).
 */
export async function authorizeCustomerTask(
  ctx: ServiceContext,
  task: Task,
  customerId: string,
): Promise<CustomerAccess> {
  const agent = requireAdminAgent(ctx, task);
  const roles = new Set((await grantsFor(ctx, agent, customerId)).map((g) => g.role));
  if (roles.size === 0) throw notFound('customer');
  const anyOf = TASKS[task].anyOf;
  if (!allowsTask(roles, task)) {
    throw new DomainError('FORBIDDEN', msg('auth.customerTask', { task, requiredRoles: anyOf }), {
      task,
      requiredRoles: anyOf,
    });
  }
  return { agent, customerId, roles };
}

/**
 * The who-can-reset table. For RESET_PASSWORD it decides alone; delete, restore and edit-info of a user more
 * protected than an ordinary one also need a role that could reset that user's password (or GLOBAL_ADMINISTRATOR).
 */
export function authorizeOnTarget(access: CustomerAccess, task: Task, targetRoles: readonly DirectoryRole[]): void {
  if (allowsOnTarget(access.roles, task, targetRoles)) return;
  const allowed = rolesThatMayReset(targetRoles);
  const decisive = decisiveTargetRole(targetRoles);
  throw new DomainError('FORBIDDEN', msg('auth.target', { task, targetRole: decisive, requiredRoles: allowed }), {
    task,
    requiredRoles: allowed,
    targetRole: decisive,
  });
}
