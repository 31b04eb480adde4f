// Idempotency keys: a mutation request retried with the same key, by the same caller, with the same body, within
// IDEMPOTENCY_TTL_MS, gets the first answer again without the work being done twice. The keys live in PostgreSQL, so
// they hold across instances: the first request claims the key (one INSERT … ON CONFLICT), the others find it taken and
// wait for its answer. Answers are sealed with the credentials key (a createUser answer holds a temporary password)
// and deleted with their key at expiry.
import { randomUUID } from 'node:crypto';
import { and, eq, lte, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { idempotencyKeys } from '../db/schema.js';
import { decryptCredential, encryptCredential } from './bulk/credentials.js';

export const IDEMPOTENCY_TTL_MS = 24 * 3_600_000;
/** A claim older than this with no answer belongs to an instance that died mid-request: a retry takes it over. */
export const IDEMPOTENCY_LOCK_MS = 5 * 60_000;

export type Claim =
  | { kind: 'claimed'; claimToken: string }
  | { kind: 'replay'; response: string }
  | { kind: 'mismatch' }
  | { kind: 'in-progress' };

const aad = (principalId: string, key: string) => `idempotency:${principalId}:${key}`;

/** Claims `key` for this request, or says what the earlier request with that key left. */
export async function claimIdempotencyKey(
  db: Db,
  encryptionKey: Buffer,
  input: { principalId: string; key: string; requestHash: string; now: Date },
): Promise<Claim> {
  const { principalId, key, requestHash, now } = input;
  const claimToken = randomUUID();
  const nowSql = sql`${now.toISOString()}::timestamptz`;
  // Free, expired, or abandoned by a dead instance (same body only): this request takes it.
  const [claimed] = await db
    .insert(idempotencyKeys)
    .values({
      principalId,
      key,
      requestHash,
      status: 'IN_PROGRESS',
      createdAt: now,
      expiresAt: new Date(now.getTime() + IDEMPOTENCY_TTL_MS),
      lockedUntil: new Date(now.getTime() + IDEMPOTENCY_LOCK_MS),
      claimToken,
    })
    .onConflictDoUpdate({
      target: [idempotencyKeys.principalId, idempotencyKeys.key],
      set: {
        requestHash: sql`excluded.request_hash`,
        status: 'IN_PROGRESS',
        response: null,
        createdAt: sql`excluded.created_at`,
        expiresAt: sql`excluded.expires_at`,
        lockedUntil: sql`excluded.locked_until`,
        claimToken: sql`excluded.claim_token`,
      },
      setWhere: sql`${idempotencyKeys.expiresAt} <= ${nowSql} or (${idempotencyKeys.status} = 'IN_PROGRESS'
        and ${idempotencyKeys.lockedUntil} <= ${nowSql} and ${idempotencyKeys.requestHash} = excluded.request_hash)`,
    })
    .returning({ key: idempotencyKeys.key });
  if (claimed) return { kind: 'claimed', claimToken };
  const [row] = await db
    .select({
      requestHash: idempotencyKeys.requestHash,
      status: idempotencyKeys.status,
      response: idempotencyKeys.response,
    })
    .from(idempotencyKeys)
    .where(and(eq(idempotencyKeys.principalId, principalId), eq(idempotencyKeys.key, key)));
  // Gone between the two statements (expired and removed): claim again.
  if (!row) return claimIdempotencyKey(db, encryptionKey, input);
  if (row.requestHash !== requestHash) return { kind: 'mismatch' };
  if (row.status === 'DONE' && row.response) {
    return { kind: 'replay', response: decryptCredential(encryptionKey, row.response, aad(principalId, key)) };
  }
  return { kind: 'in-progress' };
}

/** Keeps the answer of the request that claimed the key, sealed. */
export async function completeIdempotencyKey(
  db: Db,
  encryptionKey: Buffer,
  input: { principalId: string; key: string; claimToken: string; response: string },
): Promise<void> {
  await db
    .update(idempotencyKeys)
    .set({
      status: 'DONE',
      response: encryptCredential(encryptionKey, input.response, aad(input.principalId, input.key)),
    })
    .where(
      and(
        eq(idempotencyKeys.principalId, input.principalId),
        eq(idempotencyKeys.key, input.key),
        eq(idempotencyKeys.claimToken, input.claimToken),
      ),
    );
}

/** Gives the key back (the request failed on the server's side): a retry does the work. */
export async function releaseIdempotencyKey(
  db: Db,
  input: { principalId: string; key: string; claimToken: string },
): Promise<void> {
  await db
    .delete(idempotencyKeys)
    .where(
      and(
        eq(idempotencyKeys.principalId, input.principalId),
        eq(idempotencyKeys.key, input.key),
        eq(idempotencyKeys.status, 'IN_PROGRESS'),
        eq(idempotencyKeys.claimToken, input.claimToken),
      ),
    );
}

/** Maintenance: keys (and the sealed answers with them) past their 24 hours. */
export async function removeExpiredIdempotencyKeys(db: Db, now: Date): Promise<number> {
  const removed = await db
    .delete(idempotencyKeys)
    .where(lte(idempotencyKeys.expiresAt, now))
    .returning({ key: idempotencyKeys.key });
  return removed.length;
}
