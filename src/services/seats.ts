// Seats of a customer's subscriptions: taken and freed under row locks, so no subscription ever has more assigned
// than it holds, whatever runs concurrently.
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { subscriptions } from '../db/schema.js';
import { msg } from '../messages/index.js';
import { DomainError, invalid } from './errors.js';
import type { SkuRow } from './skus.js';

/**
 * Locks the customer's subscriptions of these SKUs, in SKU id order, for the rest of the transaction. Every
 * transaction that takes or frees seats of more than one SKU calls this first (a user's creation locks them the same
 * way, within its one statement: users/create.ts), so two of them wanting the same seats queue one behind the other instead of deadlocking.
 */
export async function lockSeats(db: Db, customerId: string, skuIds: readonly string[]): Promise<void> {
  if (skuIds.length === 0) return;
  await db
    .select({ id: subscriptions.id })
    .from(subscriptions)
    .where(and(eq(subscriptions.customerId, customerId), inArray(subscriptions.skuId, [...new Set(skuIds)])))
    .orderBy(subscriptions.skuId)
    .for('update');
}

/** Takes a seat of the SKU, or fails naming it. Atomic: the row lock makes concurrent takers queue. */
export async function takeSeat(db: Db, customerId: string, sku: SkuRow, field: string[]): Promise<void> {
  if (!(await seatTaken(db, customerId, sku))) throw await seatsError(db, customerId, [sku], field);
}

/** Takes one seat of the SKU's subscription if one is free; false when none is (or there is no subscription). */
async function seatTaken(db: Db, customerId: string, sku: SkuRow): Promise<boolean> {
  const taken = await db
    .update(subscriptions)
    .set({ consumedSeats: sql`${subscriptions.consumedSeats} + 1` })
    .where(
      and(
        eq(subscriptions.customerId, customerId),
        eq(subscriptions.skuId, sku.id),
        sql`${subscriptions.consumedSeats} < ${subscriptions.totalSeats}`,
      ),
    )
    .returning({ id: subscriptions.id });
  return taken.length > 0;
}

/**
 * Why seats of these SKUs (one or more) could not all be taken: the first SKU, in SKU id order (the order seats are
 * taken in), without a subscription (NOT_SUBSCRIBED) or without a free seat (NO_SEATS). Read after the statement that tried has failed; should a seat
 * have been freed since, the first SKU is named.
 */
export async function seatsError(
  db: Db,
  customerId: string,
  skus: readonly SkuRow[],
  field: string[],
): Promise<DomainError> {
  const subs = await db
    .select({ skuId: subscriptions.skuId, total: subscriptions.totalSeats, consumed: subscriptions.consumedSeats })
    .from(subscriptions)
    .where(
      and(
        eq(subscriptions.customerId, customerId),
        inArray(
          subscriptions.skuId,
          skus.map((s) => s.id),
        ),
      ),
    );
  const bySku = new Map(subs.map((s) => [s.skuId, s]));
  const ordered = [...skus].sort((a, b) => (a.id < b.id ? -1 : 1));
  const refused = ordered.find((sku) => {
    const sub = bySku.get(sku.id);
    return !sub || sub.consumed >= sub.total;
  });
  const sku = refused ?? ordered[0]!;
  return seatError(sku, bySku.get(sku.id), field);
}

function seatError(sku: SkuRow, sub: { total: number } | undefined, field: string[]): DomainError {
  const names = { skuName: sku.name, partNumber: sku.partNumber };
  if (!sub) return invalid(field, msg('users.notSubscribed', names), 'NOT_SUBSCRIBED');
  return new DomainError('NO_SEATS', msg('users.noSeats', { ...names, total: sub.total }), {
    field,
    skuPartNumber: sku.partNumber,
  });
}

export async function freeSeats(db: Db, customerId: string, skuIds: string[]): Promise<void> {
  if (skuIds.length === 0) return;
  await db
    .update(subscriptions)
    .set({ consumedSeats: sql`${subscriptions.consumedSeats} - 1` })
    .where(and(eq(subscriptions.customerId, customerId), inArray(subscriptions.skuId, skuIds)));
}
