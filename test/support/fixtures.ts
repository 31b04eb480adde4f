// Large fixtures inserted straight into the tables (creating 500 users through the API would spend 10 s in argon2
// for nothing the test looks at). The assertions still go through GraphQL.

import { and, eq, sql } from 'drizzle-orm';
import { hashPassword } from '../../src/auth/passwords.js';
import type { Db } from '../../src/db/client.js';
import { licenseAssignments, subscriptions, userRoles, users } from '../../src/db/schema.js';

export const rawId = (globalId: string) => Buffer.from(globalId, 'base64').toString().split(':').at(-1)!;

export async function insertUsers(
  db: Db,
  customerGlobalId: string,
  count: number,
  opts: { prefix: string; domain: string; skuGlobalId?: string; role?: string },
): Promise<void> {
  const customerId = rawId(customerGlobalId);
  const passwordHash = await hashPassword('Fixture-Passw0rd!');
  for (let start = 0; start < count; start += 250) {
    const rows = Array.from({ length: Math.min(250, count - start) }, (_, i) => ({
      customerId,
      userPrincipalName: `${opts.prefix}${String(start + i).padStart(5, '0')}@${opts.domain}`,
      displayName: `${opts.prefix} ${start + i}`,
      usageLocation: 'FR',
      passwordHash,
    }));
    const inserted = await db.insert(users).values(rows).returning({ id: users.id });
    if (opts.role)
      await db.insert(userRoles).values(inserted.map((u) => ({ customerId, userId: u.id, role: opts.role! })));
    if (opts.skuGlobalId) {
      const skuId = rawId(opts.skuGlobalId);
      await db.insert(licenseAssignments).values(inserted.map((u) => ({ customerId, userId: u.id, skuId })));
      await db
        .update(subscriptions)
        .set({ consumedSeats: sql`${subscriptions.consumedSeats} + ${inserted.length}` })
        .where(and(eq(subscriptions.customerId, customerId), eq(subscriptions.skuId, skuId)));
    }
  }
}

/** The algorithm and parameters of a PHC-format argon2 hash (`$argon2id$v=19$m=…,t=…,p=…$salt$hash`, any order). */
export function phcParameters(hash: string): { algorithm: string; m: number; t: number; p: number } {
  const [, algorithm, version, params] = hash.split('$');
  if (version !== 'v=19') throw new Error(`not an argon2 v19 hash: ${version}`);
  const byName = Object.fromEntries(params!.split(',').map((kv) => kv.split('=') as [string, string]));
  return { algorithm: algorithm!, m: Number(byName.m), t: Number(byName.t), p: Number(byName.p) };
}
