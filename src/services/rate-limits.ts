// Request budgets per caller (agent, application or customer user), shared by every instance: a leaky bucket in
// PostgreSQL, spent and refilled in one statement per request. A request that costs more than is available is
// refused with how long until enough has come back.
import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { rateBudgets } from '../db/schema.js';

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
  const status = (available: number): ThrottleStatus => ({
    maximumAvailable: policy.maximum,
    currentlyAvailable: Math.max(0, Math.floor(available)),
    restoreRate: policy.restorePerSecond,
  });
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
  if (spent) return { ok: true, throttleStatus: status(spent.available) };
  const [row] = await db
    .select({ available: refilled(policy, nowSql).mapWith(Number) })
    .from(rateBudgets)
    .where(and(eq(rateBudgets.principalId, principalId)));
  const available = row?.available ?? policy.maximum;
  return {
    ok: false,
    throttleStatus: status(available),
    retryAfterSeconds: Math.max(1, Math.ceil((cost - available) / policy.restorePerSecond)),
  };
}
