// The columns of the bulk file: Partner Center's template (First name, Last name, Display name, Email, Status
// update) plus ours. Import and export share this list, so an export re-imports as it is.
import { msg } from '../../messages/index.js';
import { INFO_FIELDS, type UserInfo } from '../users/input.js';
import { fileError, restoreFormula } from './csv.js';

export const COLUMNS = [
  { key: 'firstName', label: 'First name' },
  { key: 'lastName', label: 'Last name' },
  { key: 'displayName', label: 'Display name' },
  { key: 'userPrincipalName', label: 'Email', aliases: ['user principal name', 'username'] },
  { key: 'statusUpdate', label: 'Status update' },
  { key: 'usageLocation', label: 'Usage location' },
  { key: 'licenses', label: 'Licenses', aliases: ['licences'] },
  { key: 'roles', label: 'Roles' },
  { key: 'jobTitle', label: 'Job title' },
  { key: 'department', label: 'Department' },
  { key: 'office', label: 'Office' },
  { key: 'officePhone', label: 'Office phone' },
  { key: 'mobilePhone', label: 'Mobile phone' },
  { key: 'streetAddress', label: 'Street address' },
  { key: 'city', label: 'City' },
  { key: 'stateOrProvince', label: 'State or province' },
  { key: 'postalCode', label: 'Postal code' },
  { key: 'countryOrRegion', label: 'Country or region' },
  { key: 'alternateEmail', label: 'Alternate email' },
  { key: 'state', label: 'State' },
] as const;

export type ColumnKey = (typeof COLUMNS)[number]['key'];

const normalize = (name: string) =>
  name
    .replace(/^\uFEFF/, '')
    .trim()
    .replace(/\s+/g, ' ')
    .toLowerCase();

const BY_NAME = new Map<string, ColumnKey>(
  COLUMNS.flatMap((c) => [c.label, ...('aliases' in c ? c.aliases : [])].map((n) => [normalize(n), c.key] as const)),
);

/** Where each known column sits in the partner's header, and its name as the partner wrote it. */
export class ColumnMap {
  private readonly index = new Map<ColumnKey, number>();

  constructor(readonly header: readonly string[]) {
    const unknown: string[] = [];
    for (const [i, name] of header.entries()) {
      const key = BY_NAME.get(normalize(name));
      if (!normalize(name)) throw fileError(msg('bulk.columnNoName', { position: i + 1 }));
      if (!key) {
        unknown.push(name.trim());
        continue;
      }
      if (this.index.has(key)) throw fileError(msg('bulk.columnTwice', { column: name.trim() }));
      this.index.set(key, i);
    }
    if (unknown.length) {
      throw fileError(msg('bulk.unknownColumns', { columns: unknown, known: COLUMNS.map((c) => c.label) }));
    }
    const missing = (['displayName', 'userPrincipalName'] as const).filter((k) => !this.index.has(k));
    if (missing.length) {
      throw fileError(msg('bulk.missingColumns', { columns: missing.map(labelOf) }));
    }
  }

  has(key: ColumnKey): boolean {
    return this.index.has(key);
  }

  /** The column's name as written in the file (for error messages), or our label when the file has none. */
  name(key: ColumnKey): string {
    const i = this.index.get(key);
    return i === undefined ? labelOf(key) : this.header[i]!.replace(/^\uFEFF/, '').trim();
  }

  /** The trimmed cell, or undefined when the column is absent or the cell empty. */
  cell(cells: readonly string[], key: ColumnKey): string | undefined {
    const i = this.index.get(key);
    const value = i === undefined ? undefined : cells[i]?.trim();
    return value ? restoreFormula(value) : undefined;
  }

  statusIndex(): number | undefined {
    return this.index.get('statusUpdate');
  }
}

export function labelOf(key: ColumnKey): string {
  return COLUMNS.find((c) => c.key === key)!.label;
}

// Every user info field is also a column of the file.
const INFO_KEYS = INFO_FIELDS satisfies readonly ColumnKey[];

export interface RowValues {
  userPrincipalName: string | undefined;
  info: UserInfo;
  /** SKU part numbers, upper case. */
  licenses: string[];
  /** Directory role names as written (normalised to ENUM_CASE). */
  roles: string[];
  state: string | undefined;
}

const list = (value: string | undefined) =>
  (value ?? '')
    .split(';')
    .map((v) => v.trim())
    .filter(Boolean);

/** A row's values, by our names. Usage location and part numbers are upper-cased, as people type them either way. */
export function readRow(columns: ColumnMap, cells: readonly string[]): RowValues {
  const info: UserInfo = {};
  for (const key of INFO_KEYS) {
    const value = columns.cell(cells, key);
    if (value !== undefined) info[key] = key === 'usageLocation' ? value.toUpperCase() : value;
  }
  return {
    userPrincipalName: columns.cell(cells, 'userPrincipalName'),
    info,
    licenses: [...new Set(list(columns.cell(cells, 'licenses')).map((p) => p.toUpperCase()))],
    roles: [...new Set(list(columns.cell(cells, 'roles')).map((r) => r.toUpperCase().replace(/[\s-]+/g, '_')))],
    state: columns.cell(cells, 'state')?.toUpperCase(),
  };
}
