// Request budgets per caller (agent, application or customer user), shared by every instance: a leaky bucket in
// PostgreSQL, spent and refilled in one statement per request. A request that costs more than is available is
// refused with how long until enough has come back.
import { and, eq, getTableColumns, sql } from 'drizzle-orm';
import type { PgDialect } from 'drizzle-orm/pg-core';
import { hashToken } from '../auth/tokens.js';
import type { Db } from '../db/client.js';
import { driverStatement } from '../db/prepared.js';
import { agents, customers, domains, rateBudgets, sessions, users } from '../db/schema.js';
import { type GrantJson, grantsJson, keepCustomerAndGrants } from './authorization.js';
import type { Caller, ServiceContext } from './context.js';
import type { CustomerRow } from './customers.js';
import { authenticate, callerOfSession, SESSION_FIELDS, type SessionRow } from './sessions.js';

export interface RatePolicy {
  maximum: number;
  restorePerSecond: number;
}

/** As Shopify's extensions.cost.throttleStatus. */
export interface ThrottleStatus {
  maximumAvailable: number;
  currentlyAvailable: number;
  restoreRate: number;
}

export type Spent =
  | { ok: true; throttleStatus: ThrottleStatus }
  | { ok: false; throttleStatus: ThrottleStatus; retryAfterSeconds: number };

/** What the bucket holds at `now`: its points at its last change, plus the refill since, up to the maximum. */
const refilled = (policy: RatePolicy, nowSql: ReturnType<typeof sql>) =>
  sql`least(${policy.maximum}::float8, ${rateBudgets.available} + greatest(0, extract(epoch from (${nowSql} - ${rateBudgets.updatedAt}))) * ${policy.restorePerSecond}::float8)`;

/**
 * Takes `cost` points from the caller's bucket if it holds them. A new caller starts with a full bucket; `cost` is at
 * most the per-request limit, which the maximum is never below (config), so a first request always passes.
 */
export async function spendBudget(
  db: Db,
  principalId: string,
  cost: number,
  now: Date,
  policy: RatePolicy,
): Promise<Spent> {
  const nowSql = sql`${now.toISOString()}::timestamptz`;
  const [spent] = await db
    .insert(rateBudgets)
    .values({ principalId, available: policy.maximum - cost, updatedAt: now })
    .onConflictDoUpdate({
      target: rateBudgets.principalId,
      set: {
        available: sql`${refilled(policy, nowSql)} - ${cost}::float8`,
        updatedAt: sql`greatest(${rateBudgets.updatedAt}, ${nowSql})`,
      },
      setWhere: sql`${refilled(policy, nowSql)} >= ${cost}::float8`,
    })
    .returning({ available: rateBudgets.available });
  if (spent) return spentFrom(spent.available, null, cost, policy);
  const [row] = await db
    .select({ available: refilled(policy, nowSql).mapWith(Number) })
    .from(rateBudgets)
    .where(and(eq(rateBudgets.principalId, principalId)));
  return spentFrom(null, row?.available ?? null, cost, policy);
}

/** The answer of a spend: `taken` is what the bucket holds after it, or null when it held less than `cost`. */
function spentFrom(taken: number | null, availableNow: number | null, cost: number, policy: RatePolicy): Spent {
  const status = (available: number): ThrottleStatus => ({
    maximumAvailable: policy.maximum,
    currentlyAvailable: Math.max(0, Math.floor(available)),
    restoreRate: policy.restorePerSecond,
  });
  if (taken !== null) return { ok: true, throttleStatus: status(taken) };
  const available = availableNow ?? policy.maximum;
  return {
    ok: false,
    throttleStatus: status(available),
    retryAfterSeconds: Math.max(1, Math.ceil((cost - available) / policy.restorePerSecond)),
  };
}

const ph = (name: string) => sql.placeholder(name);
const column = (key: keyof typeof SESSION_FIELDS) => sql.raw(`c${Object.keys(SESSION_FIELDS).indexOf(key)}`);
const refilledNow = sql`least(${ph('maximum')}::float8, ${rateBudgets.available} + greatest(0, extract(epoch from (${ph('now')}::timestamptz - ${rateBudgets.updatedAt}))) * ${ph('restorePerSecond')}::float8)`;

/** What the session statement reads ahead: the customer a request names, and for a mutation its verified domains. */
export interface ReadAhead {
  customerId: string;
  domains: boolean;
}

/** The most verified domains read ahead (a tenant may have up to 5 000; past this, a UPN's domain is read alone). */
const MAX_DOMAINS_READ_AHEAD = 200;

/** The customer row a request names, selected beside its session (k0…: customers' columns in their order). */
const CUSTOMER_FIELDS = Object.fromEntries(
  Object.entries(getTableColumns(customers)).map(([key, col]) => [`customer_${key}`, col]),
) as { [K in keyof typeof customers.$inferSelect as `customer_${K}`]: (typeof customers)['_']['columns'][K] };

/**
 * The session of a token (sessions.ts liveSession's row) and the spend of the request's price from its principal's
 * bucket, in one statement: one round trip where there were two on every request. The bucket is touched only when
 * the session stands for an enabled agent or application or an active user (the rule of sessions.ts
 * callerOfSession); `spent` is what it holds after the spend, null when it held too little, then `available_now`
 * says what it holds.
 * When the request names a customer (`customerId`, null when it names none), the same statement brings that customer
 * of the session's partner and the session's agent's GDAP grants in it (authorization.ts grantsJson), and with
 * `withDomains` its verified domains: the users page and a createUser then send no statement of their own for them. The grants are read now, for this request, by the
 * rule every other path uses; what to make of them is still authorization.ts's decision.
 */
const sessionAndSpend = driverStatement(
  'session_and_spend',
  {
    ...SESSION_FIELDS,
    spent: sql<number | null>`spent`,
    availableNow: sql<number | null>`available_now`,
    ...CUSTOMER_FIELDS,
    grants: sql<GrantJson[] | string | null>`grants`,
    verifiedDomains: sql<string[] | null>`verified_domains`,
  },
  (db) => {
    const selected = Object.values(SESSION_FIELDS).map((f, i) => sql`${f} as ${sql.raw(`c${i}`)}`);
    const customerId = sql`${ph('customerId')}::uuid`;
    const customerColumns = Object.values(CUSTOMER_FIELDS).map((f) => sql`${f}`);
    const statement = sql`with s as (
  select ${sql.join(selected, sql`, `)}
  from ${sessions}
  left join ${agents} on ${agents.id} = ${sessions.agentId}
  left join ${users} on ${users.customerId} = ${sessions.customerId} and ${users.id} = ${sessions.userId}
  where ${sessions.tokenHash} = ${ph('tokenHash')} and ${sessions.revokedAt} is null
    and ${sessions.expiresAt} > ${ph('now')}::timestamptz
), spend as (
  insert into ${rateBudgets} (principal_id, available, updated_at)
  select coalesce(${column('agentId')}, ${column('userId')}), ${ph('maximum')}::float8 - ${ph('cost')}::float8, ${ph('now')}::timestamptz
  from s
  where (${column('agentId')} is not null and ${column('agentStatus')} = 'ENABLED'
      and ${column('partnerId')} is not null and ${column('partnerRoles')} is not null
      and ${column('agentName')} <> '' and ${column('principal')} is not null)
     or (${column('agentId')} is null and ${column('userId')} is not null and ${column('customerId')} is not null
      and ${column('upn')} <> '' and ${column('userState')} = 'ACTIVE')
  on conflict (principal_id) do update
    set available = ${refilledNow} - ${ph('cost')}::float8,
        updated_at = greatest(${rateBudgets.updatedAt}, ${ph('now')}::timestamptz)
    where ${refilledNow} >= ${ph('cost')}::float8
  returning available
)
select s.*,
  (select available from spend) as spent,
  (select ${refilledNow} from ${rateBudgets} where ${rateBudgets.principalId} = coalesce(s.${column('agentId')}, s.${column('userId')})) as available_now,
  ${sql.join(customerColumns, sql`, `)},
  case when ${customers.id} is not null then ${grantsJson(customers.id, sql`s.${column('agentId')}`, sql`s.${column('partnerId')}`, sql`${ph('now')}::timestamptz`)} end as grants,
  case when ${ph('withDomains')}::boolean and ${customers.id} is not null then array(select ${domains.name} from ${domains}
    where ${domains.customerId} = ${customers.id} and ${domains.verified}
    order by ${domains.name} limit ${MAX_DOMAINS_READ_AHEAD + 1}) end as verified_domains
from s
left join ${customers} on ${customers.id} = ${customerId} and ${customers.partnerId} = s.${column('partnerId')}`;
    return { toSQL: () => (db as unknown as { dialect: PgDialect }).dialect.sqlToQuery(statement) };
  },
);

/**
 * A request's caller from its bearer token, and the request's price taken from the caller's budget: one statement
 * on the request's own database handle (two, session then spend, where it has no driver statement).
 */
export async function authenticateAndSpend(
  ctx: ServiceContext,
  token: string,
  cost: number,
  policy: RatePolicy,
  readAhead: ReadAhead | null = null,
): Promise<{ caller: Caller | null; spent: Spent | null }> {
  const statement = sessionAndSpend(ctx.db);
  if (statement) {
    const tokenHash = hashToken(token);
    const now = ctx.clock.now();
    const [row] = await statement({
      tokenHash,
      now: now.toISOString(),
      cost,
      maximum: policy.maximum,
      restorePerSecond: policy.restorePerSecond,
      customerId: readAhead?.customerId ?? null,
      withDomains: readAhead?.domains ?? false,
    });
    const caller = callerOfSession(ctx, tokenHash, row as SessionRow | undefined, now);
    if (!caller || !row) return { caller, spent: null };
    if (readAhead && caller.kind === 'agent') {
      const customer = customerOf(row);
      keepCustomerAndGrants(ctx, caller, readAhead.customerId, customer, row.grants);
      // Not a list cut short (a tenant with hundreds of domains): its UPNs are then checked one by one.
      if (customer && row.verifiedDomains && row.verifiedDomains.length <= MAX_DOMAINS_READ_AHEAD) {
        ctx.verifiedDomains.set(readAhead.customerId, new Set(row.verifiedDomains));
      }
    }
    if (row.spent !== null || row.availableNow !== null) {
      return { caller, spent: spentFrom(row.spent, row.availableNow, cost, policy) };
    }
    // Nothing spent and nothing read: the statement's rule and callerOfSession's disagree (they should not), or the
    // principal's first requests raced (a concurrent insert is not in this statement's snapshot). Spend the plain way.
    return { caller, spent: await spendBudget(ctx.db, principalOf(caller), cost, now, policy) };
  }
  const caller = await authenticate(ctx, token);
  if (!caller) return { caller, spent: null };
  return { caller, spent: await spendBudget(ctx.db, principalOf(caller), cost, ctx.clock.now(), policy) };
}

/** The customer columns of a session row, as Drizzle's select of the table gives them; undefined when none joined. */
function customerOf(row: Record<string, unknown>): CustomerRow | undefined {
  if (row.customer_id === null) return undefined;
  const customer: Record<string, unknown> = {};
  for (const key of Object.keys(CUSTOMER_FIELDS)) customer[key.slice('customer_'.length)] = row[key];
  return customer as CustomerRow;
}

export const principalOf = (caller: Caller) => (caller.kind === 'agent' ? caller.agentId : caller.userId);
