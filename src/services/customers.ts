// Customers (tenants): creation with a default domain and a first Global Administrator, listing, subscriptions.
import { and, asc, count, eq, ilike, inArray, like, or, sql } from 'drizzle-orm';
import { generateTemporaryPassword, hashPassword } from '../auth/passwords.js';
import { pgErrorCode, UNIQUE_VIOLATION } from '../db/client.js';
import { preparedStatement, uuidArray } from '../db/prepared.js';
import { agents, customers, domains, licenseAssignments, skus, subscriptions, users } from '../db/schema.js';
import { msg } from '../messages/index.js';
import { auditWith, recordAudit } from './audit.js';
import {
  type AgentCaller,
  authorizeCustomerTask,
  customerAndGrants,
  primeGrants,
  requireAdminAgent,
  visibleCustomerCondition,
} from './authorization.js';
import type { ServiceContext } from './context.js';
import { DomainError, invalid, notFound, ValidationErrors, violated } from './errors.js';
import { type KeysetOrder, keysetPage, type Page, type PageArgs, tablePage } from './pagination.js';
import { authorizePartnerChange, commitPartnerChange } from './partner-audit.js';
import type { SkuRow } from './skus.js';
import { customerTask, partnerTask, readCustomer } from './tasks.js';
import { insertUser } from './users/create.js';
import { withDetails } from './users/read.js';
import { type UserNode, type UserRow, userColumns } from './users/row.js';
import { domainNameViolation, escapeLike, textViolation } from './validation.js';

/** The partner-side task of adding customers, domains and subscriptions. */
const MANAGE = 'MANAGE_CUSTOMERS' as const;

export type CustomerRow = typeof customers.$inferSelect;
export type DomainRow = typeof domains.$inferSelect;

export const createCustomer = partnerTask(
  MANAGE,
  async function createCustomer(
    ctx: ServiceContext,
    input: { name: string; defaultDomain: string; adminFirstName?: string | null; adminLastName?: string | null },
  ): Promise<{ customer: CustomerRow; globalAdministrator: UserNode; temporaryPassword: string }> {
    const agent = await authorizePartnerChange(ctx, MANAGE, 'CREATE_CUSTOMER');
    const domain = input.defaultDomain.trim().toLowerCase();
    const errors: DomainError[] = [];
    const nameProblem = textViolation(input.name, 256, true);
    if (nameProblem) errors.push(violated(['name'], 'customerName', nameProblem));
    const domainProblem = domainNameViolation(domain);
    if (domainProblem) errors.push(violated(['defaultDomain'], 'domain', domainProblem));
    if (errors.length) throw new ValidationErrors(errors);
    await assertDomainFree(ctx, domain, ['defaultDomain']);

    const temporaryPassword = generateTemporaryPassword();
    const passwordHash = await hashPassword(temporaryPassword);
    const now = ctx.clock.now();
    return commitPartnerChange(ctx, agent, 'CREATE_CUSTOMER', async (tx) => {
      const [customer] = await tx.db
        .insert(customers)
        .values({ partnerId: agent.partnerId, name: input.name.trim(), createdAt: now })
        .returning();
      await tx.db
        .insert(domains)
        .values({ customerId: customer!.id, name: domain, isDefault: true, verified: true })
        .catch(domainTaken(['defaultDomain'], domain));
      const first = input.adminFirstName ?? 'Global';
      const last = input.adminLastName ?? 'Administrator';
      const upn = `admin@${domain}`;
      const details = { name: input.name, defaultDomain: domain, globalAdministrator: upn };
      // The Global Administrator and the audit event: one statement, which returns the roles it wrote.
      const written = await insertUser(
        tx.db,
        customer!.id,
        {
          userPrincipalName: upn,
          info: { firstName: first, lastName: last, displayName: `${first} ${last}` },
          roles: ['GLOBAL_ADMINISTRATOR'],
          skus: [],
        },
        passwordHash,
        now,
        () => ({
          ctes: auditWith(tx, { customerId: customer!.id, action: 'CREATE_CUSTOMER', outcome: 'SUCCESS', details }),
        }),
      );
      const globalAdministrator = await withDetails(tx.db, written);
      return {
        result: { customer: customer!, globalAdministrator, temporaryPassword },
        event: {
          targetType: 'CUSTOMER',
          targetId: customer!.id,
          targetName: customer!.name,
          customerId: customer!.id,
          details,
        },
      };
    });
  },
);

const BY_NAME: KeysetOrder<CustomerRow> = {
  direction: 'asc',
  keys: [
    { column: customers.nameLower, field: 'nameLower' },
    { column: customers.id, field: 'id' },
  ],
};

/** The customers in which the agent holds some GDAP role now, by name; search matches name or a domain. */
export const listCustomers = customerTask(
  readCustomer.tasks,
  async function listCustomers(
    ctx: ServiceContext,
    args: PageArgs & { search?: string | null },
  ): Promise<Page<CustomerRow>> {
    const agent = requireAdminAgent(ctx, readCustomer.tasks[0]);
    const search = args.search?.trim().toLowerCase();
    const where = and(
      eq(customers.partnerId, agent.partnerId),
      visibleCustomerCondition(ctx, agent, customers.id),
      search
        ? or(
            ilike(customers.name, `%${escapeLike(search)}%`),
            sql`exists (select 1 from ${domains} where ${domains.customerId} = ${customers.id} and ${domains.name} like ${`%${escapeLike(search)}%`})`,
          )
        : undefined,
    );
    const page = await tablePage(ctx.db, customers, args, BY_NAME, where);
    await primeGrants(
      ctx,
      agent,
      page.edges.map((e) => e.node.id),
    );
    return page;
  },
);

export const getCustomer = customerTask(
  readCustomer.tasks,
  async function getCustomer(ctx: ServiceContext, customerId: string): Promise<CustomerRow> {
    // The row and the caller's grants in one statement; the authorization then reads the grants it brought.
    const row = await customerAndGrants(ctx, requireAdminAgent(ctx, readCustomer.tasks[0]), customerId);
    await authorizeCustomerTask(ctx, readCustomer.tasks[0], customerId);
    if (!row) throw notFound('customer');
    return row;
  },
);

/** The customer if the caller may read it now, else null (for links from partner-side objects to a customer). */
export async function visibleCustomer(ctx: ServiceContext, customerId: string): Promise<CustomerRow | null> {
  try {
    return await getCustomer(ctx, customerId);
  } catch (e) {
    if (e instanceof DomainError && (e.code === 'NOT_FOUND' || e.code === 'FORBIDDEN')) return null;
    throw e;
  }
}

const customersById = preparedStatement('customers_by_id', (db, name) =>
  db
    .select()
    .from(customers)
    .where(sql`${customers.id} = any(${sql.placeholder('ids')}::uuid[])`)
    .prepare(name),
);

/** Loads customers by id for the partner (DataLoader batch); the caller's access is checked before. */
export async function customersByIds(
  ctx: ServiceContext,
  ids: readonly string[],
): Promise<(CustomerRow | undefined)[]> {
  const rows = await customersById(ctx.db).execute({ ids: uuidArray(ids) });
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids.map((id) => byId.get(id));
}

/**
 * Customers' domains (DataLoader batch), for customer objects the caller already holds: customer objects are only
 * handed out by paths that authorized them (customer, customers, node, GdapRelationship.customer; createCustomer to
 * its creator).
 */
export async function domainsOfCustomers(ctx: ServiceContext, customerIds: readonly string[]): Promise<DomainRow[][]> {
  const rows = await ctx.db
    .select()
    .from(domains)
    .where(inArray(domains.customerId, [...customerIds]))
    .orderBy(sql`${domains.isDefault} desc`, asc(domains.name));
  return customerIds.map((id) => rows.filter((d) => d.customerId === id));
}

/** The partner's own customer (no GDAP needed: selling subscriptions is a partner task, not a directory one). */
async function ownCustomer(ctx: ServiceContext, agent: AgentCaller, customerId: string): Promise<CustomerRow> {
  const [row] = await ctx.db
    .select()
    .from(customers)
    .where(and(eq(customers.id, customerId), eq(customers.partnerId, agent.partnerId)));
  if (!row) throw notFound('customer');
  return row;
}

export const addDomain = partnerTask(
  MANAGE,
  async function addDomain(ctx: ServiceContext, input: { customerId: string; name: string }): Promise<DomainRow> {
    const agent = await authorizePartnerChange(ctx, MANAGE, 'ADD_CUSTOMER_DOMAIN');
    const customer = await ownCustomer(ctx, agent, input.customerId);
    const name = input.name.trim().toLowerCase();
    const problem = domainNameViolation(name);
    if (problem) throw violated(['name'], 'domain', problem);
    await assertDomainFree(ctx, name, ['name']);
    return commitPartnerChange(ctx, agent, 'ADD_CUSTOMER_DOMAIN', async (tx) => {
      const [row] = await tx.db
        .insert(domains)
        .values({ customerId: customer.id, name, verified: true })
        .returning()
        .catch(domainTaken(['name'], name));
      await recordAudit(tx, {
        customerId: customer.id,
        action: 'ADD_CUSTOMER_DOMAIN',
        outcome: 'SUCCESS',
        details: { domain: name },
      });
      return {
        result: row!,
        event: {
          targetType: 'CUSTOMER',
          targetId: customer.id,
          targetName: customer.name,
          customerId: customer.id,
          details: { domain: name },
        },
      };
    });
  },
);

/**
 * A domain a customer may verify: no other tenant has it, and no partner agent signs in with an email on it (sign-in
 * takes a login on a customer's domain to be that customer's user, so such agents could no longer sign in).
 */
async function assertDomainFree(ctx: ServiceContext, name: string, field: string[]): Promise<void> {
  const [existing] = await ctx.db.select({ n: domains.name }).from(domains).where(eq(domains.name, name));
  // Never who holds it: another partner must learn nothing about this one's customers or agents.
  if (existing) throw invalid(field, msg('partner.domainTaken', { domain: name }), 'DOMAIN_TAKEN');
  const [agent] = await ctx.db
    .select({ id: agents.id })
    .from(agents)
    .where(like(agents.emailLower, `%@${escapeLike(name)}`))
    .limit(1);
  if (agent) throw invalid(field, msg('partner.domainTaken', { domain: name }), 'DOMAIN_TAKEN');
}

/** A verified domain belongs to one tenant: the unique index settles two tenants racing for the same name. */
function domainTaken(field: string[], name: string) {
  return (e: unknown): never => {
    if (pgErrorCode(e) === UNIQUE_VIOLATION)
      throw invalid(field, msg('partner.domainTaken', { domain: name }), 'DOMAIN_TAKEN');
    throw e;
  };
}

export type SubscriptionRow = typeof subscriptions.$inferSelect;

/** Adds a subscription, or seats to the existing one for that SKU. */
export const addSubscription = partnerTask(
  MANAGE,
  async function addSubscription(
    ctx: ServiceContext,
    input: { customerId: string; skuId: string; seats: number },
  ): Promise<SubscriptionRow> {
    const agent = await authorizePartnerChange(ctx, MANAGE, 'ADD_SUBSCRIPTION');
    const customer = await ownCustomer(ctx, agent, input.customerId);
    if (!Number.isInteger(input.seats) || input.seats < 1 || input.seats > 1_000_000) {
      throw invalid(['seats'], msg('partner.seatsRange', { max: 1_000_000 }));
    }
    const [sku] = await ctx.db.select().from(skus).where(eq(skus.id, input.skuId));
    if (!sku) throw invalid(['skuId'], msg('partner.unknownSku', { skuId: input.skuId }), 'UNKNOWN_SKU');
    return commitPartnerChange(ctx, agent, 'ADD_SUBSCRIPTION', async (tx) => {
      const [row] = await tx.db
        .insert(subscriptions)
        .values({ customerId: customer.id, skuId: sku.id, totalSeats: input.seats, createdAt: ctx.clock.now() })
        .onConflictDoUpdate({
          target: [subscriptions.customerId, subscriptions.skuId],
          set: { totalSeats: sql`${subscriptions.totalSeats} + ${input.seats}` },
        })
        .returning();
      const details = { sku: sku.partNumber, seatsAdded: input.seats, totalSeats: row!.totalSeats };
      await recordAudit(tx, { customerId: customer.id, action: 'ADD_SUBSCRIPTION', outcome: 'SUCCESS', details });
      return {
        result: row!,
        event: {
          targetType: 'CUSTOMER',
          targetId: customer.id,
          targetName: customer.name,
          customerId: customer.id,
          details,
        },
      };
    });
  },
);

export interface License {
  subscription: SubscriptionRow;
  sku: SkuRow;
}

export const listLicenses = customerTask(
  readCustomer.tasks,
  async function listLicenses(ctx: ServiceContext, customerId: string): Promise<License[]> {
    await authorizeCustomerTask(ctx, readCustomer.tasks[0], customerId);
    return ctx.db
      .select({ subscription: subscriptions, sku: skus })
      .from(subscriptions)
      .innerJoin(skus, eq(skus.id, subscriptions.skuId))
      .where(eq(subscriptions.customerId, customerId))
      .orderBy(asc(skus.name));
  },
);

const HOLDERS_BY_UPN: KeysetOrder<UserRow> = {
  direction: 'asc',
  keys: [{ column: users.upnLower, field: 'upnLower' }],
};

/** Active users holding a seat of the SKU, in UPN order. */
export const licenseHolders = customerTask(
  readCustomer.tasks,
  async function licenseHolders(
    ctx: ServiceContext,
    customerId: string,
    skuId: string,
    args: PageArgs,
  ): Promise<Page<UserRow>> {
    await authorizeCustomerTask(ctx, readCustomer.tasks[0], customerId);
    const holders = and(
      eq(licenseAssignments.customerId, customerId),
      eq(licenseAssignments.skuId, skuId),
      eq(licenseAssignments.seated, true),
      eq(users.state, 'ACTIVE'),
    );
    const join = and(eq(users.customerId, licenseAssignments.customerId), eq(users.id, licenseAssignments.userId));
    return keysetPage(
      args,
      HOLDERS_BY_UPN,
      async (page) => {
        const rows = await ctx.db
          .select({ user: userColumns })
          .from(licenseAssignments)
          .innerJoin(users, join)
          .where(and(holders, page.where))
          .orderBy(...page.orderBy)
          .limit(page.limit);
        return rows.map((r) => r.user);
      },
      async () => {
        const [row] = await ctx.db
          .select({ n: count() })
          .from(licenseAssignments)
          .innerJoin(users, join)
          .where(holders);
        return row?.n ?? 0;
      },
    );
  },
);
