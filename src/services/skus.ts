import { asc, eq, inArray } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { skus } from '../db/schema.js';
import { requireSignedIn } from './authorization.js';
import type { ServiceContext } from './context.js';
import { reloadSkuCatalogue } from './users/shared.js';

export type SkuRow = typeof skus.$inferSelect;

/** The product catalogue the server offers (part numbers as Microsoft names them). */
export const SKU_CATALOGUE = [
  { partNumber: 'O365_BUSINESS_ESSENTIALS', name: 'Microsoft 365 Business Basic' },
  { partNumber: 'O365_BUSINESS_PREMIUM', name: 'Microsoft 365 Business Standard' },
  { partNumber: 'SPB', name: 'Microsoft 365 Business Premium' },
  { partNumber: 'ENTERPRISEPACK', name: 'Office 365 E3' },
  { partNumber: 'SPE_E3', name: 'Microsoft 365 E3' },
  { partNumber: 'SPE_E5', name: 'Microsoft 365 E5' },
  { partNumber: 'EMS', name: 'Enterprise Mobility + Security E3' },
  { partNumber: 'POWER_BI_PRO', name: 'Power BI Pro' },
  { partNumber: 'PROJECTPREMIUM', name: 'Project Plan 5' },
  { partNumber: 'VISIOCLIENT', name: 'Visio Plan 2' },
] as const;

/** At start: the catalogue's rows exist, and the in-memory copy the read path resolves licences with is loaded. */
export async function ensureSkuCatalogue(db: Db): Promise<void> {
  await db
    .insert(skus)
    .values([...SKU_CATALOGUE])
    .onConflictDoNothing({ target: skus.partNumber });
  await reloadSkuCatalogue(db);
}

/** The product catalogue: for anyone signed in (it is the same for every partner). */
export async function listSkus(ctx: ServiceContext): Promise<SkuRow[]> {
  requireSignedIn(ctx);
  return ctx.db.select().from(skus).orderBy(asc(skus.name));
}

export async function skusByPartNumber(db: Db, partNumbers: string[]): Promise<Map<string, SkuRow>> {
  if (partNumbers.length === 0) return new Map();
  const rows = await db.select().from(skus).where(inArray(skus.partNumber, partNumbers));
  return new Map(rows.map((r) => [r.partNumber, r]));
}

export async function getSku(ctx: ServiceContext, id: string): Promise<SkuRow | undefined> {
  requireSignedIn(ctx);
  const [row] = await ctx.db.select().from(skus).where(eq(skus.id, id));
  return row;
}
