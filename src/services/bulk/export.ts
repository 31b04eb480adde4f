// exportUsers: the customer's users as the import file (same columns, plus State), so that the file re-imports into
// another customer once the domain of the Email column is changed.

import { stringify } from 'csv-stringify/sync';
import { and, asc, eq, gt, or } from 'drizzle-orm';
import { users } from '../../db/schema.js';
import { authorizeCustomerTask } from '../authorization.js';
import type { ServiceContext } from '../context.js';
import { customerTask, readCustomer } from '../tasks.js';
import { detailsForUsers } from '../users/read.js';
import { type UserRow, userColumns } from '../users/row.js';
import { COLUMNS, type ColumnKey } from './columns.js';
import { neutralizeFormula } from './csv.js';

const PAGE = 1_000;

export interface UsersExport {
  csv: string;
  userCount: number;
}

export const exportUsers = customerTask(
  readCustomer.tasks,
  async function exportUsers(ctx: ServiceContext, customerId: string, includeDeleted: boolean): Promise<UsersExport> {
    await authorizeCustomerTask(ctx, readCustomer.tasks[0], customerId);
    const parts = [stringify([COLUMNS.map((c) => c.label)], { record_delimiter: 'windows' })];
    let userCount = 0;
    let after: { upnLower: string; id: string } | null = null;
    for (;;) {
      const page: UserRow[] = await ctx.db
        .select(userColumns)
        .from(users)
        .where(
          and(
            eq(users.customerId, customerId),
            includeDeleted ? undefined : eq(users.state, 'ACTIVE'),
            after
              ? or(gt(users.upnLower, after.upnLower), and(eq(users.upnLower, after.upnLower), gt(users.id, after.id)))
              : undefined,
          ),
        )
        .orderBy(asc(users.upnLower), asc(users.id))
        .limit(PAGE);
      if (!page.length) break;
      const keys = page.map((u) => ({ customerId, userId: u.id }));
      const details = await detailsForUsers(ctx.db, keys);
      parts.push(
        stringify(
          page.map((u, i) => {
            const value = (key: ColumnKey): string => {
              switch (key) {
                case 'userPrincipalName':
                  return u.userPrincipalName;
                case 'statusUpdate':
                  return '';
                case 'licenses':
                  return details[i]!.licenses.map((l) => l.sku.partNumber).join(';');
                case 'roles':
                  return details[i]!.roles.join(';');
                case 'state':
                  return u.state;
                default:
                  return u[key] ?? '';
              }
            };
            return COLUMNS.map((c) => neutralizeFormula(value(c.key)));
          }),
          { record_delimiter: 'windows' },
        ),
      );
      userCount += page.length;
      const last = page.at(-1)!;
      after = { upnLower: last.upnLower, id: last.id };
    }
    return { csv: parts.join(''), userCount };
  },
);
