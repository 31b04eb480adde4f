// The rules a row of the bulk file must pass before anything is created — the same rules as createUser, plus the
// template's limits and what only a whole file can break (the same Email twice, more seats than the subscriptions).
import { and, eq, inArray } from 'drizzle-orm';
import { DIRECTORY_ROLES, type DirectoryRole } from '../../auth/roles.js';
import type { Db } from '../../db/client.js';
import { domains, skus, subscriptions, users } from '../../db/schema.js';
import { type Message, msg, render } from '../../messages/index.js';
import type { DomainError, ErrorCode } from '../errors.js';
import type { SkuRow } from '../skus.js';
import { type InfoField, infoErrors } from '../users/input.js';
import { textViolation, upnDomain, upnViolation } from '../validation.js';
import { type ColumnKey, type ColumnMap, type RowValues, readRow } from './columns.js';

/** Partner Center's template limits the three name columns to 50 characters. */
const TEMPLATE_MAX = 50;

export interface RowError {
  column: string | null;
  /** A user error code; FORBIDDEN or NOT_FOUND when the agent's access ended before the job ran. */
  code: ErrorCode;
  /** English: the results CSV's `Status update` and rows stored before `text` was. */
  message: string;
  /** What to tell a person, rendered in the reader's language (GraphQL). */
  text: Message;
}

export interface CheckedRow {
  line: number;
  cells: string[];
  values: RowValues;
  errors: RowError[];
  /** State INACTIVE (a deleted user in an export): not created, not an error. */
  skipped: boolean;
  skus: SkuRow[];
}

export interface SeatDemand {
  sku: SkuRow;
  requested: number;
  available: number;
}

/** Validates rows against one customer: its verified domains, subscriptions and users, and the rows seen before. */
export class RowValidator {
  private readonly seen = new Map<string, number>();
  private readonly demand = new Map<string, number>();

  private constructor(
    private readonly customerId: string,
    private readonly columns: ColumnMap,
    private readonly verifiedDomains: ReadonlySet<string>,
    private readonly catalogue: ReadonlyMap<string, SkuRow>,
    private readonly seats: ReadonlyMap<string, { total: number; consumed: number }>,
  ) {}

  static async create(db: Db, customerId: string, columns: ColumnMap): Promise<RowValidator> {
    const [domainRows, skuRows, subRows] = await Promise.all([
      db
        .select({ name: domains.name })
        .from(domains)
        .where(and(eq(domains.customerId, customerId), eq(domains.verified, true))),
      db.select().from(skus),
      db
        .select({ skuId: subscriptions.skuId, total: subscriptions.totalSeats, consumed: subscriptions.consumedSeats })
        .from(subscriptions)
        .where(eq(subscriptions.customerId, customerId)),
    ]);
    return new RowValidator(
      customerId,
      columns,
      new Set(domainRows.map((d) => d.name)),
      new Map(skuRows.map((s) => [s.partNumber, s])),
      new Map(subRows.map((s) => [s.skuId, { total: s.total, consumed: s.consumed }])),
    );
  }

  private error(key: ColumnKey | null, code: ErrorCode, text: Message): RowError {
    return { column: key ? this.columns.name(key) : null, code, message: render(text), text };
  }

  /** Checks a chunk of rows; the directory (Email already held by an active user) is asked once per chunk. */
  async checkChunk(db: Db, chunk: { line: number; cells: string[] }[]): Promise<CheckedRow[]> {
    const checked = chunk.map((r) => this.checkRow(r.line, r.cells));
    const upns = checked
      .filter((r) => !r.skipped && r.errors.length === 0)
      .map((r) => r.values.userPrincipalName!.toLowerCase());
    const taken = upns.length
      ? await db
          .select({ upn: users.userPrincipalName, upnLower: users.upnLower, displayName: users.displayName })
          .from(users)
          .where(and(eq(users.customerId, this.customerId), eq(users.state, 'ACTIVE'), inArray(users.upnLower, upns)))
      : [];
    const holders = new Map(taken.map((t) => [t.upnLower, t]));
    for (const row of checked) {
      if (row.skipped || row.errors.length) continue;
      const holder = holders.get(row.values.userPrincipalName!.toLowerCase());
      if (holder) {
        row.errors.push(
          this.error(
            'userPrincipalName',
            'UPN_TAKEN',
            msg('bulk.upnTaken', { userPrincipalName: holder.upn, displayName: holder.displayName }),
          ),
        );
        continue;
      }
      for (const sku of row.skus) this.demand.set(sku.id, (this.demand.get(sku.id) ?? 0) + 1);
    }
    return checked;
  }

  /** Seats the valid rows ask for, per SKU, against what the subscriptions have free now. */
  seatDemand(): SeatDemand[] {
    const byId = new Map([...this.catalogue.values()].map((s) => [s.id, s]));
    return [...this.demand].map(([skuId, requested]) => {
      const sub = this.seats.get(skuId)!;
      return { sku: byId.get(skuId)!, requested, available: sub.total - sub.consumed };
    });
  }

  private checkRow(line: number, cells: string[]): CheckedRow {
    const values = readRow(this.columns, cells);
    const row: CheckedRow = { line, cells, values, errors: [], skipped: false, skus: [] };
    if (values.state !== undefined && values.state !== 'ACTIVE') {
      if (values.state === 'INACTIVE') row.skipped = true;
      else row.errors.push(this.error('state', 'INVALID', msg('bulk.invalidState', { value: values.state })));
      return row;
    }
    const errors = row.errors;

    const nameTooLong = new Set<InfoField>();
    for (const key of ['firstName', 'lastName', 'displayName'] as const) {
      const value = values.info[key];
      if (value && value.length > TEMPLATE_MAX) {
        nameTooLong.add(key);
        errors.push(
          this.error(key, 'TOO_LONG', msg('bulk.nameTooLong', { column: this.columns.name(key), max: TEMPLATE_MAX })),
        );
      }
    }
    if (values.info.displayName === undefined) {
      errors.push(
        this.error(
          'displayName',
          'REQUIRED',
          msg('bulk.displayNameRequired', { column: this.columns.name('displayName') }),
        ),
      );
    }
    for (const e of infoErrors(values.info)) {
      const field = e.details.field![0] as InfoField;
      if (!nameTooLong.has(field)) errors.push(this.fromDomainError(field, e));
    }

    const upn = values.userPrincipalName;
    if (upn === undefined) {
      errors.push(
        this.error(
          'userPrincipalName',
          'REQUIRED',
          msg('bulk.upnRequired', { column: this.columns.name('userPrincipalName') }),
        ),
      );
    } else {
      const shape = upnViolation(upn) ?? textViolation(upn, 113, true);
      const domain = upnDomain(upn);
      const first = this.seen.get(upn.toLowerCase());
      if (shape)
        errors.push(
          this.error(
            'userPrincipalName',
            'INVALID_UPN',
            msg('bulk.upnInvalid', {
              column: this.columns.name('userPrincipalName'),
              userPrincipalName: upn,
              ...shape,
            }),
          ),
        );
      else if (!this.verifiedDomains.has(domain)) {
        errors.push(this.error('userPrincipalName', 'DOMAIN_NOT_VERIFIED', msg('bulk.domainNotVerified', { domain })));
      } else if (first !== undefined) {
        errors.push(
          this.error(
            'userPrincipalName',
            'DUPLICATE_IN_FILE',
            msg('bulk.duplicateInFile', {
              column: this.columns.name('userPrincipalName'),
              userPrincipalName: upn,
              line: first,
            }),
          ),
        );
      } else {
        this.seen.set(upn.toLowerCase(), line);
      }
    }

    for (const partNumber of values.licenses) {
      const sku = this.catalogue.get(partNumber);
      if (!sku) errors.push(this.error('licenses', 'UNKNOWN_SKU', msg('bulk.unknownSku', { partNumber })));
      else if (!this.seats.has(sku.id)) {
        errors.push(
          this.error('licenses', 'NOT_SUBSCRIBED', msg('bulk.notSubscribed', { skuName: sku.name, partNumber })),
        );
      } else row.skus.push(sku);
    }
    if (values.licenses.length && values.info.usageLocation === undefined) {
      errors.push(this.error('usageLocation', 'USAGE_LOCATION_REQUIRED', msg('bulk.usageLocationRequired')));
    }
    for (const role of values.roles) {
      if (!DIRECTORY_ROLES.includes(role as DirectoryRole)) {
        errors.push(this.error('roles', 'UNKNOWN_ROLE', msg('bulk.unknownRole', { role })));
      }
    }
    return row;
  }

  private fromDomainError(field: InfoField, e: DomainError): RowError {
    return this.error(field, e.code, e.text);
  }
}
