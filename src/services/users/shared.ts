// What the user tasks share: the row type, input rules, seats, role and licence reads.
import { and, eq, getTableColumns, inArray, sql } from 'drizzle-orm';
import { DIRECTORY_ROLES, type DirectoryRole } from '../../auth/roles.js';
import type { Db } from '../../db/client.js';
import { domains, licenseAssignments, skus, subscriptions, userRoles, users } from '../../db/schema.js';
import { DomainError, invalid } from '../errors.js';
import { textViolation, upnDomain, upnViolation, usageLocationViolation } from '../validation.js';

// A user as the services read it: every column but the password hash, which only sign-in and password changes
// read (with their own select), so hashes never travel with pages of users.
const { passwordHash: _passwordHash, ...userColumnsWithoutHash } = getTableColumns(users);
export const userColumns = userColumnsWithoutHash;
export type UserRow = Omit<typeof users.$inferSelect, 'passwordHash'>;
export type SkuRow = typeof skus.$inferSelect;

export const RESTORE_WINDOW_DAYS = 30;

export const PROFILE_FIELDS = [
  'jobTitle',
  'department',
  'office',
  'officePhone',
  'mobilePhone',
  'streetAddress',
  'city',
  'stateOrProvince',
  'postalCode',
  'countryOrRegion',
  'alternateEmail',
] as const;
export type ProfileField = (typeof PROFILE_FIELDS)[number];

export const INFO_FIELDS = ['firstName', 'lastName', 'displayName', 'usageLocation', ...PROFILE_FIELDS] as const;
export type InfoField = (typeof INFO_FIELDS)[number];
export type UserInfo = { [K in InfoField]?: string | null };

const MAX_LENGTH: Record<InfoField, number> = {
  firstName: 64,
  lastName: 64,
  displayName: 256,
  usageLocation: 2,
  jobTitle: 128,
  department: 64,
  office: 128,
  officePhone: 64,
  mobilePhone: 64,
  streetAddress: 1024,
  city: 128,
  stateOrProvince: 128,
  postalCode: 40,
  countryOrRegion: 128,
  alternateEmail: 254,
};

const LABEL: Record<InfoField, string> = {
  firstName: 'first name',
  lastName: 'last name',
  displayName: 'display name',
  usageLocation: 'usage location',
  jobTitle: 'job title',
  department: 'department',
  office: 'office',
  officePhone: 'office phone',
  mobilePhone: 'mobile phone',
  streetAddress: 'street address',
  city: 'city',
  stateOrProvince: 'state or province',
  postalCode: 'postal code',
  countryOrRegion: 'country or region',
  alternateEmail: 'alternate email',
};

/** Every problem of the info fields present in `info` (all reported at once). */
export function infoErrors(info: UserInfo, path: string[] = []): DomainError[] {
  const errors: DomainError[] = [];
  for (const field of INFO_FIELDS) {
    const value = info[field];
    if (value === undefined) continue;
    if (value === null) {
      if (field === 'displayName') errors.push(invalid([...path, field], 'The display name is required.', 'REQUIRED'));
      continue;
    }
    const problem = textViolation(value, MAX_LENGTH[field], field === 'displayName');
    if (problem) {
      errors.push(
        invalid(
          [...path, field],
          `The ${LABEL[field]} ${problem}.`,
          problem === 'is required' ? 'REQUIRED' : problem.startsWith('is longer') ? 'TOO_LONG' : 'INVALID',
        ),
      );
      continue;
    }
    if (field === 'usageLocation') {
      const bad = usageLocationViolation(value);
      if (bad) errors.push(invalid([...path, field], `The usage location ${bad}.`));
    }
    if (field === 'alternateEmail' && value !== '' && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(value)) {
      errors.push(invalid([...path, field], 'The alternate email must look like name@example.com.'));
    }
  }
  return errors;
}

/** UPN shape and a verified domain of the customer. */
export async function upnErrors(db: Db, customerId: string, upn: string, field: string[]): Promise<DomainError[]> {
  const shape = upnViolation(upn);
  if (shape) return [invalid(field, `The user principal name ${shape}.`, 'INVALID_UPN')];
  const domain = upnDomain(upn);
  const [row] = await db
    .select({ verified: domains.verified })
    .from(domains)
    .where(and(eq(domains.customerId, customerId), eq(domains.name, domain)));
  if (!row?.verified) {
    return [invalid(field, `The domain ${domain} is not a verified domain of this customer.`, 'DOMAIN_NOT_VERIFIED')];
  }
  return [];
}

export async function activeUserWithUpn(db: Db, customerId: string, upn: string): Promise<UserRow | undefined> {
  const [row] = await db
    .select(userColumns)
    .from(users)
    .where(and(eq(users.customerId, customerId), eq(users.upnLower, upn.toLowerCase()), eq(users.state, 'ACTIVE')));
  return row;
}

export function upnTaken(upn: string, holder: UserRow | undefined, field: string[]): DomainError {
  return new DomainError(
    'UPN_TAKEN',
    holder
      ? `The user principal name ${upn} is held by the active user ${holder.displayName} (${holder.userPrincipalName}).`
      : `The user principal name ${upn} is already taken.`,
    { field, conflictingUserId: holder?.id },
  );
}

export function roleErrors(roles: readonly string[], field: string[]): DomainError[] {
  return roles
    .filter((r) => !DIRECTORY_ROLES.includes(r as DirectoryRole))
    .map((r) => invalid(field, `${r} is not a directory role.`, 'UNKNOWN_ROLE'));
}

/**
 * Locks the customer's subscriptions of these SKUs, in SKU id order, for the rest of the transaction. Every
 * transaction that takes or frees seats of more than one SKU calls this first (creation sorts its seats the same
 * way), so two of them wanting the same seats queue one behind the other instead of deadlocking.
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
  if (!(await seatTaken(db, customerId, sku))) throw await noSeatError(db, customerId, sku, field);
}

/** Takes one seat of the SKU's subscription if one is free; false when none is (or there is no subscription). */
export async function seatTaken(db: Db, customerId: string, sku: SkuRow): Promise<boolean> {
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

/** Why no seat of the SKU could be taken: no subscription for it, or all its seats assigned. */
export async function noSeatError(db: Db, customerId: string, sku: SkuRow, field: string[]): Promise<DomainError> {
  const [sub] = await db
    .select({ total: subscriptions.totalSeats })
    .from(subscriptions)
    .where(and(eq(subscriptions.customerId, customerId), eq(subscriptions.skuId, sku.id)));
  if (!sub)
    return invalid(field, `The customer has no subscription for ${sku.name} (${sku.partNumber}).`, 'NOT_SUBSCRIBED');
  return new DomainError(
    'NO_SEATS',
    `No seat left for ${sku.name} (${sku.partNumber}): all ${sub.total} are assigned.`,
    {
      field,
      skuPartNumber: sku.partNumber,
    },
  );
}

export async function freeSeats(db: Db, customerId: string, skuIds: string[]): Promise<void> {
  if (skuIds.length === 0) return;
  await db
    .update(subscriptions)
    .set({ consumedSeats: sql`${subscriptions.consumedSeats} - 1` })
    .where(and(eq(subscriptions.customerId, customerId), inArray(subscriptions.skuId, skuIds)));
}

export async function rolesOfUser(db: Db, customerId: string, userId: string): Promise<DirectoryRole[]> {
  const rows = await db
    .select({ role: userRoles.role })
    .from(userRoles)
    .where(and(eq(userRoles.customerId, customerId), eq(userRoles.userId, userId)));
  return rows.map((r) => r.role as DirectoryRole).sort();
}

export async function licensesOfUser(db: Db, customerId: string, userId: string) {
  return db
    .select({ sku: skus, seated: licenseAssignments.seated })
    .from(licenseAssignments)
    .innerJoin(skus, eq(skus.id, licenseAssignments.skuId))
    .where(and(eq(licenseAssignments.customerId, customerId), eq(licenseAssignments.userId, userId)));
}

/** Locks and returns a user row for the rest of the transaction. */
export async function lockUser(db: Db, customerId: string, userId: string): Promise<UserRow | undefined> {
  const [row] = await db
    .select(userColumns)
    .from(users)
    .where(and(eq(users.customerId, customerId), eq(users.id, userId)))
    .for('update');
  return row;
}

export function purgeAt(deletedAt: Date | null): Date | null {
  return deletedAt ? new Date(deletedAt.getTime() + RESTORE_WINDOW_DAYS * 86_400_000) : null;
}

/** The SKU catalogue never changes while the server runs (rows are only added at start), so it is read once. */
const skuCache = new WeakMap<Db, Map<string, SkuRow>>();

/**
 * Every SKU by id, read once per database handle (a transaction handle reads its own copy), and again when asked for
 * an id it does not know (a catalogue row added after start).
 */
export async function skuCatalogue(db: Db, ids: readonly string[] = []): Promise<Map<string, SkuRow>> {
  const known = skuCache.get(db);
  return known && ids.every((id) => known.has(id)) ? known : reloadSkuCatalogue(db);
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
  const known = await skuCatalogue(db, unique);
  const errors = unique
    .filter((id) => !known.has(id))
    .map(() => invalid(field, 'One of the SKU ids is not a product in the catalogue.', 'UNKNOWN_SKU'));
  return { skus: unique.map((id) => known.get(id)).filter((s): s is SkuRow => !!s), errors };
}
