import { asc, eq, inArray } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { skus } from '../db/schema.js';
import { msg } from '../messages/index.js';
import { requireSignedIn } from './authorization.js';
import type { ServiceContext } from './context.js';
import { invalid } from './errors.js';

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

/** The SKU catalogue never changes while the server runs (rows are only added at start), so it is read once. */
const skuCache = new WeakMap<Db, Map<string, SkuRow>>();

/**
 * Every SKU by id, read once per database handle (a transaction handle reads its own copy), and again when the copy
 * fails `knowsAll` (asked for an id it does not know: a catalogue row added after start).
 */
export async function skuCatalogue(
  db: Db,
  knowsAll: (known: Map<string, SkuRow>) => boolean = () => true,
): Promise<Map<string, SkuRow>> {
  const known = skuCache.get(db);
  return known && knowsAll(known) ? known : reloadSkuCatalogue(db);
}

/** Each SKU's place in the catalogue by name (localeCompare's order), worked out once per copy of the catalogue. */
const skuRanks = new WeakMap<Map<string, SkuRow>, Map<string, number>>();
const byName = new Intl.Collator();

/**
 * Where the SKU of `id` comes in the catalogue sorted by name: licences are listed in that order, and comparing two
 * numbers per licence is what a page of users can afford (a collator's compare allocates).
 */
export function skuRank(catalogue: Map<string, SkuRow>, id: string): number {
  let ranks = skuRanks.get(catalogue);
  if (!ranks) {
    const sorted = [...catalogue.values()].sort((a, b) => byName.compare(a.name, b.name));
    ranks = new Map();
    // Equal names share a rank, so that their licences keep the order they came in, as a stable sort kept them.
    for (let i = 0, rank = 0; i < sorted.length; i++) {
      if (i > 0 && byName.compare(sorted[i - 1]!.name, sorted[i]!.name) !== 0) rank = i;
      ranks.set(sorted[i]!.id, rank);
    }
    skuRanks.set(catalogue, ranks);
  }
  return ranks.get(id)!;
}

/** Reads the catalogue into the in-memory copy (at start, after its rows are ensured). */
export async function reloadSkuCatalogue(db: Db): Promise<Map<string, SkuRow>> {
  const known = new Map((await db.select().from(skus)).map((r) => [r.id, r]));
  skuCache.set(db, known);
  return known;
}

/** Resolves SKUs by id, reporting unknown ones against the input field. */
export async function skusByIds(db: Db, ids: readonly string[], field: string[]) {
  const unique = [...new Set(ids)];
  const known = await skuCatalogue(db, (k) => unique.every((id) => k.has(id)));
  const errors = unique
    .filter((id) => !known.has(id))
    .map(() => invalid(field, msg('users.unknownSku'), 'UNKNOWN_SKU'));
  return { skus: unique.map((id) => known.get(id)).filter((s): s is SkuRow => !!s), errors };
}
