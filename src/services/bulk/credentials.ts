// The temporary passwords of imported users: kept AES-256-GCM encrypted until the agent who started the import
// fetches them (once), and erased 24 hours after the user was created either way.
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { and, asc, eq, gt, inArray, isNotNull, lte } from 'drizzle-orm';
import type { Clock } from '../../clock.js';
import type { Config } from '../../config.js';
import { type Db, isPostgresUrl } from '../../db/client.js';
import { bulkJobRows, bulkJobs, serverSettings, users } from '../../db/schema.js';
import { msg } from '../../messages/index.js';
import { recordAudit } from '../audit.js';
import { authorizeCustomerTask } from '../authorization.js';
import { inTransaction, type ServiceContext } from '../context.js';
import { DomainError, notFound } from '../errors.js';
import { customerTask } from '../tasks.js';
import { type UserRow, userColumns } from '../users/row.js';

export const CREDENTIALS_TTL_MS = 24 * 3_600_000;

const keys = new Map<string, Buffer>();

const KEY_FORMAT =
  'CREDENTIALS_KEY must be 32 random bytes, as 64 hex digits or 44 base64 characters (e.g. `openssl rand -hex 32`)';

/**
 * Exactly 32 bytes, written exactly as hex or base64 (Buffer.from would decode any text leniently), and looking like
 * random bytes: a passphrase or a pattern (fewer than 16 distinct byte values; random keys have about 30) is refused.
 */
export function decodeKey(value: string): Buffer {
  const v = value.trim();
  let key: Buffer;
  if (/^[0-9a-fA-F]{64}$/.test(v)) key = Buffer.from(v, 'hex');
  else if (/^[A-Za-z0-9+/]{43}=$/.test(v) || /^[A-Za-z0-9_-]{43}$/.test(v))
    key = Buffer.from(v, v.endsWith('=') ? 'base64' : 'base64url');
  else throw new Error(`${KEY_FORMAT}.`);
  if (key.length !== 32) throw new Error(`${KEY_FORMAT}.`);
  if (new Set(key).size < 16) throw new Error(`${KEY_FORMAT}: this one is a pattern, not random bytes.`);
  return key;
}

/** A short public fingerprint of the key (HMAC of a fixed label), to tell keys apart without revealing them. */
export function keyFingerprint(key: Buffer): string {
  return createHmac('sha256', key).update('partner-users-api credentials key').digest('hex').slice(0, 16);
}

/**
 * The operator's way out when the key is lost: the passwords it encrypted can never be read again, so they are erased
 * (their users keep working; an admin resets their passwords), and the current key becomes the database's key.
 */
export async function forgetCredentialsKey(db: Db, key: Buffer): Promise<number> {
  return db.transaction(async (tx) => {
    const erased = await tx
      .update(bulkJobRows)
      .set({ credential: null })
      .where(isNotNull(bulkJobRows.credential))
      .returning({ row: bulkJobRows.rowNumber });
    await tx
      .insert(serverSettings)
      .values({ name: 'credentials_key_fingerprint', value: keyFingerprint(key) })
      .onConflictDoUpdate({ target: serverSettings.name, set: { value: keyFingerprint(key) } });
    return erased.length;
  });
}

/**
 * The database remembers the fingerprint of the first key it saw; an instance started with another key refuses to
 * start, since the passwords one instance encrypted would be unreadable to the other.
 */
export async function assertCredentialsKey(db: Db, key: Buffer): Promise<void> {
  const fingerprint = keyFingerprint(key);
  await db
    .insert(serverSettings)
    .values({ name: 'credentials_key_fingerprint', value: fingerprint })
    .onConflictDoNothing();
  const [row] = await db.select().from(serverSettings).where(eq(serverSettings.name, 'credentials_key_fingerprint'));
  if (row!.value !== fingerprint) {
    throw new Error(
      `CREDENTIALS_KEY (fingerprint ${fingerprint}) is not the key this database was set up with (fingerprint ${row!.value}): ` +
        'every instance needs the same key. Start with that key; if it is lost (a restored backup without credentials.key), ' +
        'npm run forget-credentials-key erases the import passwords nobody fetched yet and adopts the current key.',
    );
  }
}

/**
 * The server key: CREDENTIALS_KEY; else, for the embedded database, a key generated once into the data folder (an
 * in-memory database gets one for the life of the process, as its data). PostgreSQL is shared by instances, so it
 * needs the key from the environment.
 */
export function credentialsKey(config: Config): Buffer {
  if (config.credentialsKey) return decodeKey(config.credentialsKey);
  const cacheKey = config.databaseUrl;
  const cached = keys.get(cacheKey);
  if (cached) return cached;
  let key: Buffer;
  if (isPostgresUrl(config.databaseUrl)) {
    throw new Error(
      'Set CREDENTIALS_KEY (32 bytes, hex or base64) to use bulk imports with PostgreSQL: every instance needs the same key.',
    );
  } else if (config.databaseUrl === 'memory://') {
    key = randomBytes(32);
  } else {
    const file = join(config.dataDir, 'credentials.key');
    if (existsSync(file)) key = decodeKey(readFileSync(file, 'utf8').trim());
    else {
      mkdirSync(config.dataDir, { recursive: true });
      key = randomBytes(32);
      writeFileSync(file, `${key.toString('hex')}\n`, { mode: 0o600 });
      chmodSync(file, 0o600);
    }
  }
  keys.set(cacheKey, key);
  return key;
}

/** iv.tag.ciphertext, base64url; the row's key is bound in as associated data so a value cannot be moved. */
export function encryptCredential(key: Buffer, plaintext: string, aad: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad));
  const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [iv, cipher.getAuthTag(), data].map((b) => b.toString('base64url')).join('.');
}

export function decryptCredential(key: Buffer, sealed: string, aad: string): string {
  const [iv, tag, data] = sealed.split('.').map((p) => Buffer.from(p, 'base64url'));
  const decipher = createDecipheriv('aes-256-gcm', key, iv!);
  decipher.setAAD(Buffer.from(aad));
  decipher.setAuthTag(tag!);
  return Buffer.concat([decipher.update(data!), decipher.final()]).toString('utf8');
}

export const credentialAad = (customerId: string, jobId: string, rowNumber: number) =>
  `${customerId}:${jobId}:${rowNumber}`;

export interface Credential {
  rowNumber: number;
  user: UserRow;
  userPrincipalName: string;
  displayName: string;
  temporaryPassword: string;
}

const TASK = 'CREATE_USER' as const;

/** Gives the agent who started the job the passwords not yet given, and erases them in the same transaction. */
export const takeBulkJobCredentials = customerTask(
  [TASK],
  async function takeBulkJobCredentials(
    ctx: ServiceContext,
    key: Buffer,
    customerId: string,
    jobId: string,
  ): Promise<Credential[]> {
    const access = await authorizeCustomerTask(ctx, TASK, customerId);
    const [job] = await ctx.db
      .select()
      .from(bulkJobs)
      .where(and(eq(bulkJobs.customerId, customerId), eq(bulkJobs.id, jobId)));
    if (!job) throw notFound('bulk job');
    if (job.createdByAgentId !== access.agent.agentId) {
      throw new DomainError('FORBIDDEN', msg('bulk.credentialsStarterOnly', { createdByName: job.createdByName }));
    }
    const since = new Date(ctx.clock.now().getTime() - CREDENTIALS_TTL_MS);
    const mine = and(
      eq(bulkJobRows.customerId, customerId),
      eq(bulkJobRows.jobId, jobId),
      isNotNull(bulkJobRows.credential),
      gt(bulkJobRows.processedAt, since),
    );
    return inTransaction(ctx, async (tx) => {
      // Locked, read and erased in one transaction: two concurrent fetches cannot both get a password. Only the rows
      // read are erased (a batch the runner commits meanwhile waits for the next fetch), and they are decrypted before
      // anything is erased, so a wrong key loses nothing.
      const rows = await tx.db
        .select({ rowNumber: bulkJobRows.rowNumber, sealed: bulkJobRows.credential, user: userColumns })
        .from(bulkJobRows)
        .innerJoin(users, and(eq(users.customerId, bulkJobRows.customerId), eq(users.id, bulkJobRows.userId)))
        .where(mine)
        .orderBy(asc(bulkJobRows.rowNumber))
        .for('update', { of: bulkJobRows });
      if (!rows.length) return [];
      const credentials = rows.map((r) => ({
        rowNumber: r.rowNumber,
        user: r.user,
        userPrincipalName: r.user.userPrincipalName,
        displayName: r.user.displayName,
        temporaryPassword: decryptCredential(key, r.sealed!, credentialAad(customerId, jobId, r.rowNumber)),
      }));
      await tx.db
        .update(bulkJobRows)
        .set({ credential: null })
        .where(
          and(
            eq(bulkJobRows.customerId, customerId),
            eq(bulkJobRows.jobId, jobId),
            inArray(
              bulkJobRows.rowNumber,
              rows.map((r) => r.rowNumber),
            ),
          ),
        );
      await recordAudit(tx, {
        customerId,
        action: 'FETCH_IMPORT_CREDENTIALS',
        outcome: 'SUCCESS',
        details: { bulkJobId: jobId, passwords: rows.length },
      });
      return credentials;
    });
  },
);

/** Erases the passwords nobody fetched within 24 hours (every job, every customer: a maintenance sweep). */
export async function eraseExpiredCredentials(db: Db, clock: Clock): Promise<number> {
  const before = new Date(clock.now().getTime() - CREDENTIALS_TTL_MS);
  const erased = await db
    .update(bulkJobRows)
    .set({ credential: null })
    .where(and(isNotNull(bulkJobRows.credential), lte(bulkJobRows.processedAt, before)))
    .returning({ rowNumber: bulkJobRows.rowNumber });
  return erased.length;
}
