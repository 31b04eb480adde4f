// A user row as the services read and lock it, with its roles and licences, and when a deleted one is purged.
import { and, eq, getTableColumns } from 'drizzle-orm';
import type { DirectoryRole } from '../../auth/roles.js';
import type { Db } from '../../db/client.js';
import { licenseAssignments, skus, userRoles, users } from '../../db/schema.js';
import type { SkuRow } from '../skus.js';

// A user as the services read it: every column but the password hash, which only sign-in and password changes
// read (with their own select), so hashes never travel with pages of users.
const { passwordHash: _passwordHash, ...userColumnsWithoutHash } = getTableColumns(users);
export const userColumns = userColumnsWithoutHash;
export type UserRow = Omit<typeof users.$inferSelect, 'passwordHash'>;

export interface UserLicense {
  sku: SkuRow;
  /** False while the user is deleted: remembered for restore, holding no seat. */
  seated: boolean;
  assignedAt: Date;
}

/** What a user row does not carry: its admin roles and its licences. */
export interface UserDetails {
  roles: DirectoryRole[];
  licenses: UserLicense[];
}

/**
 * A user as the GraphQL User type takes it: a row, with its details (`roles`, `licenses`) once attached (setDetails)
 * — by the statement that read it when it brought them (the users page, createUser), else before its fields are read
 * (graphql/user-details.ts).
 */
export type UserNode = UserRow & Partial<UserDetails>;

/** Marks a user whose roles and licences are attached (a page's rows also carry raw ones before they are). */
const DETAILS_ATTACHED = Symbol('detailsAttached');

/** Attaches a user's roles and licences (its `roles` and `licenses` properties, which User's fields read). */
export function setDetails(user: object, details: UserDetails): UserNode {
  const node = user as UserNode & { [DETAILS_ATTACHED]?: true };
  node.roles = details.roles;
  node.licenses = details.licenses;
  node[DETAILS_ATTACHED] = true;
  return node;
}

export const hasDetails = (user: UserNode): boolean =>
  (user as { [DETAILS_ATTACHED]?: true })[DETAILS_ATTACHED] === true;

export const RESTORE_WINDOW_DAYS = 30;

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
