// The benchmark's data: a partner, an ADMIN_AGENT with a known password in a security group, and one customer per
// size (1 000, 10 000, 100 000 users) with roles, licences, subscriptions and an ACTIVE GDAP relationship granting
// the group User Administrator. Rows are made by the database itself (INSERT … SELECT over generate_series), so the
// same SQL fills PostgreSQL and PGlite and 100 000 users take seconds, not the hours the API would need.
//
//   npx tsx bench/generate.ts [--sizes 1000,10000] [--url postgres://…/db | --pglite DIR]
//
// Without --url or --pglite it creates a fresh PostgreSQL database bench_<timestamp> next to DATABASE_URL and keeps
// it. Running it again on the same database adds only the sizes that are missing (idempotent).
import { pathToFileURL } from 'node:url';
import { encodeGlobalID } from '@pothos/plugin-relay';
import { sql } from 'drizzle-orm';
import { hashPassword } from '../src/auth/passwords.js';
import { type Database, type Db, openDatabase } from '../src/db/client.js';
import { encodeCursor } from '../src/services/pagination.js';
import { ensureSkuCatalogue, SKU_CATALOGUE } from '../src/services/skus.js';
import { createPostgresDatabase, flag, option } from './lib.js';

export const AGENT_EMAIL = 'bench.admin@bench.example';
export const AGENT_PASSWORD = 'Bench-Passw0rd!';
const PARTNER_NAME = 'Bench partner';
const GROUP_NAME = 'Bench user admins';
const GRANTED_ROLES = ['USER_ADMINISTRATOR', 'DIRECTORY_WRITERS', 'LICENSE_ADMINISTRATOR'];
/** Where createUser writes during the write-path run; it starts empty. */
const WRITE_CUSTOMER = 'Bench writes';
export const DEFAULT_SIZES = [1_000, 10_000, 100_000];

export interface BenchCustomer {
  size: number;
  id: string;
  globalId: string;
  domain: string;
  /** The cursor after the user at 90 % of the connection: the "deep page". */
  deepCursor: string;
}

export interface Fixtures {
  agentEmail: string;
  agentPassword: string;
  customers: BenchCustomer[];
  write: { globalId: string; domain: string; skuGlobalId: string };
}

type Row = Record<string, unknown>;
async function rows(db: Db, query: ReturnType<typeof sql>): Promise<Row[]> {
  // postgres.js returns an array of rows, PGlite an object with `rows`.
  const result = (await db.execute(query)) as unknown as Row[] | { rows: Row[] };
  return Array.isArray(result) ? result : result.rows;
}
async function one(db: Db, query: ReturnType<typeof sql>): Promise<Row> {
  const [row] = await rows(db, query);
  if (!row) throw new Error('the generator expected a row');
  return row;
}

const customerName = (size: number) => `Bench ${size}`;
const domainOf = (size: number) => `bench${size}.example`;

async function ensurePartner(db: Db): Promise<{ partnerId: string; groupId: string }> {
  const existing = await rows(
    db,
    sql`select p.id as partner_id, g.id as group_id from partners p
        join security_groups g on g.partner_id = p.id and g.name = ${GROUP_NAME} where p.name = ${PARTNER_NAME}`,
  );
  if (existing[0]) return { partnerId: String(existing[0].partner_id), groupId: String(existing[0].group_id) };
  const hash = await hashPassword(AGENT_PASSWORD);
  const partner = await one(db, sql`insert into partners (name) values (${PARTNER_NAME}) returning id`);
  const agent = await one(
    db,
    sql`insert into agents (partner_id, email, display_name, password_hash, roles)
        values (${partner.id}, ${AGENT_EMAIL}, 'Bench admin', ${hash}, array['ADMIN_AGENT']) returning id`,
  );
  const group = await one(
    db,
    sql`insert into security_groups (partner_id, name) values (${partner.id}, ${GROUP_NAME}) returning id`,
  );
  await db.execute(sql`insert into group_members (group_id, agent_id) values (${group.id}, ${agent.id})`);
  return { partnerId: String(partner.id), groupId: String(group.id) };
}

/** A customer with its domain and an ACTIVE two-year relationship whose roles the bench group holds. */
async function ensureCustomer(db: Db, partnerId: string, groupId: string, name: string, domain: string) {
  const found = await rows(db, sql`select id from customers where partner_id = ${partnerId} and name = ${name}`);
  if (found[0]) return { id: String(found[0].id), created: false };
  const customer = await one(
    db,
    sql`insert into customers (partner_id, name) values (${partnerId}, ${name}) returning id`,
  );
  const id = String(customer.id);
  await db.execute(
    sql`insert into domains (customer_id, name, is_default, verified) values (${id}, ${domain}, true, true)`,
  );
  const roles = sql.raw(`array[${GRANTED_ROLES.map((r) => `'${r}'`).join(',')}]`);
  const rel = await one(
    db,
    sql`insert into gdap_relationships (customer_id, partner_id, display_name, status, roles, duration_days,
          activated_at, ends_at)
        values (${id}, ${partnerId}, ${`${name} admin`}, 'ACTIVE', ${roles}, 730, now(), now() + interval '730 days')
        returning id`,
  );
  await db.execute(
    sql`insert into access_assignments (customer_id, relationship_id, group_id, roles)
        values (${id}, ${rel.id}, ${groupId}, ${roles})`,
  );
  return { id, created: true };
}

/**
 * Users user000001@benchN.example … in UPN order; 2 % more are deleted (INACTIVE), so the partial index has rows to
 * skip. About 1 user in 16 holds User Administrator and 1 in 64 also Helpdesk Administrator; every active user holds
 * Business Basic, one in three also Business Premium. Seats consumed match the assignments.
 */
async function fillCustomer(db: Db, customerId: string, size: number, passwordHash: string): Promise<void> {
  const domain = domainOf(size);
  const deleted = Math.ceil(size / 50);
  await db.execute(sql`
    insert into users (customer_id, user_principal_name, display_name, first_name, last_name, usage_location,
                       job_title, department, password_hash, must_change_password, state, deleted_at)
    select ${customerId}, 'user' || lpad(g::text, 6, '0') || '@' || ${domain}, 'User ' || g, 'User', g::text, 'FR',
           'Engineer', 'Department ' || (g % 20), ${passwordHash}, false,
           case when g > ${size} then 'INACTIVE' else 'ACTIVE' end,
           case when g > ${size} then now() - interval '1 day' end
    from generate_series(1, ${size + deleted}) g`);
  await db.execute(sql`
    insert into user_roles (customer_id, user_id, role)
    select customer_id, id, 'USER_ADMINISTRATOR' from users
    where customer_id = ${customerId} and (hashtext(id::text) & 15) = 0
    union all
    select customer_id, id, 'HELPDESK_ADMINISTRATOR' from users
    where customer_id = ${customerId} and (hashtext(id::text) & 63) = 0`);
  const [basic, , premium] = SKU_CATALOGUE;
  for (const sku of [basic, premium]) {
    await db.execute(
      sql`insert into subscriptions (customer_id, sku_id, total_seats)
          select ${customerId}, id, ${size} from skus where part_number = ${sku.partNumber}`,
    );
  }
  await db.execute(sql`
    insert into license_assignments (customer_id, user_id, sku_id, seated)
    select u.customer_id, u.id, k.id, u.state = 'ACTIVE' from users u
    join skus k on k.part_number = ${basic.partNumber}
    where u.customer_id = ${customerId}
    union all
    select u.customer_id, u.id, k.id, u.state = 'ACTIVE' from users u
    join skus k on k.part_number = ${premium.partNumber}
    where u.customer_id = ${customerId} and (hashtext(u.id::text || 'p') % 3) = 0`);
  await db.execute(sql`
    update subscriptions s set consumed_seats =
      (select count(*) from license_assignments la where la.customer_id = s.customer_id and la.sku_id = s.sku_id
         and la.seated)
    where s.customer_id = ${customerId}`);
}

/** Creates what is missing and returns what the harness needs to address it. */
export async function generate(database: Database, sizes: number[], log = (_: string) => {}): Promise<Fixtures> {
  const { db } = database;
  await database.migrate();
  await ensureSkuCatalogue(db);
  const { partnerId, groupId } = await ensurePartner(db);
  const userHash = await hashPassword('Bench-User-Passw0rd!');
  const customers: BenchCustomer[] = [];
  for (const size of sizes) {
    const started = performance.now();
    const { id, created } = await ensureCustomer(db, partnerId, groupId, customerName(size), domainOf(size));
    if (created) {
      await fillCustomer(db, id, size, userHash);
      log(`customer of ${size} users generated in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    }
    const deep = await one(
      db,
      sql`select upn_lower from users where customer_id = ${id} and state = 'ACTIVE'
          order by upn_lower offset ${Math.floor(size * 0.9) - 1} limit 1`,
    );
    customers.push({
      size,
      id,
      globalId: encodeGlobalID('Customer', id),
      domain: domainOf(size),
      deepCursor: encodeCursor([String(deep.upn_lower)]),
    });
  }
  const write = await ensureCustomer(db, partnerId, groupId, WRITE_CUSTOMER, 'benchwrites.example');
  const [basic] = SKU_CATALOGUE;
  if (write.created) {
    await db.execute(
      sql`insert into subscriptions (customer_id, sku_id, total_seats)
          select ${write.id}, id, 1000000 from skus where part_number = ${basic.partNumber}`,
    );
  }
  const sku = await one(db, sql`select id from skus where part_number = ${basic.partNumber}`);
  await db.execute(sql`analyze`);
  return {
    agentEmail: AGENT_EMAIL,
    agentPassword: AGENT_PASSWORD,
    customers,
    write: {
      globalId: encodeGlobalID('Customer', write.id),
      domain: 'benchwrites.example',
      skuGlobalId: encodeGlobalID('Sku', String(sku.id)),
    },
  };
}

async function main() {
  const args = process.argv.slice(2);
  const sizes = (option(args, '--sizes') ?? DEFAULT_SIZES.join(',')).split(',').map(Number);
  const pglite = option(args, '--pglite');
  let url = option(args, '--url') ?? pglite;
  if (!url) url = (await createPostgresDatabase(process.env.DATABASE_URL)).url;
  if (flag(args, '--help'))
    return console.log('npx tsx bench/generate.ts [--sizes 1000,10000] [--url postgres://… | --pglite DIR]');
  const database = await openDatabase({ url });
  try {
    const fixtures = await generate(database, sizes, console.log);
    console.log(`Database: ${url}`);
    console.log(JSON.stringify(fixtures, null, 2));
  } finally {
    await database.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
