// The floor the server is compared with: a bare node:http handler that answers the benchmark's users-page query
// with ONE hand-written SQL statement (token → agent → GDAP grant → users page with roles and licence names) and
// writes the same JSON the server does. No GraphQL, no ORM, no per-field work: what is left is the database and
// the HTTP round trip. It reads only the variables of the request (id, after, first); the query text is fixed.
// The bench's createUser (a request whose variables hold `i`) has a floor too, on PostgreSQL: the token, the spend of
// the request's price and the GDAP grant in one statement, the server's own hashPassword, then the user, its seat,
// its licence and its audit event in a second — the two writes and the hash every creation needs, and nothing else.
import '../src/thread-pool.js';
import { createHash, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PGlite } from '@electric-sql/pglite';
import { decodeGlobalID } from '@pothos/plugin-relay';
import postgres from 'postgres';
import { generateTemporaryPassword, hashPassword } from '../src/auth/passwords.js';
import { isPostgresUrl } from '../src/db/client.js';

const PAGE_SQL = `
with caller as (
  select a.id as agent_id, a.partner_id from sessions s join agents a on a.id = s.agent_id
  where s.token_hash = $1 and s.revoked_at is null and s.expires_at > now() and 'ADMIN_AGENT' = any(a.roles)
), allowed as (
  select 1 from caller c
  join customers cu on cu.id = $2 and cu.partner_id = c.partner_id
  join group_members gm on gm.agent_id = c.agent_id
  join access_assignments aa on aa.group_id = gm.group_id and aa.customer_id = cu.id
  join gdap_relationships r on r.customer_id = aa.customer_id and r.id = aa.relationship_id
  where r.partner_id = c.partner_id and r.status = 'ACTIVE' and (r.ends_at > now() or r.auto_extend)
  limit 1
)
select p.* from allowed left join lateral (
  select u.user_principal_name as upn, u.display_name, u.state,
    coalesce((select array_agg(ur.role order by ur.role) from user_roles ur
              where ur.customer_id = u.customer_id and ur.user_id = u.id), '{}') as roles,
    coalesce((select array_agg(k.name order by k.name) from license_assignments la join skus k on k.id = la.sku_id
              where la.customer_id = u.customer_id and la.user_id = u.id), '{}') as licenses
  from users u
  where u.customer_id = $2 and u.state = 'ACTIVE' and u.upn_lower > $3
  order by u.upn_lower limit $4
) p on true`;

interface PageRow {
  upn: string | null;
  display_name: string;
  state: string;
  roles: string[];
  licenses: string[];
}

// As the server's default budget (config: 250 000 points, 25 000 a second) and createUser's price in the bench (10
// for the mutation, 1 for each of its one licence, 2 for user { id }, 2 for userErrors { code message }: extensions.cost).
const CALLER_SQL = `
with caller as (
  select a.id as agent_id, a.partner_id from sessions s join agents a on a.id = s.agent_id
  where s.token_hash = $1 and s.revoked_at is null and s.expires_at > now() and a.status = 'ENABLED'
    and 'ADMIN_AGENT' = any(a.roles)
), spend as (
  insert into rate_budgets (principal_id, available, updated_at) select agent_id, 250000 - 15, now() from caller
  on conflict (principal_id) do update
    set available = least(250000, rate_budgets.available
      + greatest(0, extract(epoch from (now() - rate_budgets.updated_at))) * 25000) - 15,
      updated_at = greatest(rate_budgets.updated_at, now())
    where least(250000, rate_budgets.available
      + greatest(0, extract(epoch from (now() - rate_budgets.updated_at))) * 25000) >= 15
  returning available
)
select c.agent_id, c.partner_id, (select available from spend) as available,
  exists (select 1 from customers cu
    join group_members gm on gm.agent_id = c.agent_id
    join access_assignments aa on aa.group_id = gm.group_id and aa.customer_id = cu.id
    join gdap_relationships r on r.customer_id = aa.customer_id and r.id = aa.relationship_id
    where cu.id = $2 and cu.partner_id = c.partner_id and r.partner_id = c.partner_id and r.status = 'ACTIVE'
      and (r.ends_at > now() or r.auto_extend)
      and aa.roles && array['USER_ADMINISTRATOR', 'DIRECTORY_WRITERS']
      and aa.roles && array['USER_ADMINISTRATOR', 'DIRECTORY_WRITERS', 'LICENSE_ADMINISTRATOR']) as allowed,
  exists (select 1 from domains d where d.customer_id = $2 and d.name = $3 and d.verified) as domain_verified
from caller c`;

const CREATE_SQL = `
with new_user as (
  insert into users (customer_id, id, user_principal_name, display_name, usage_location, password_hash,
    must_change_password, created_at, updated_at)
  values ($1, $2, $3, $4, $5, $6, true, now(), now())
  returning id
), seat as (
  update subscriptions set consumed_seats = consumed_seats + 1
  where customer_id = $1 and id = (select s.id from subscriptions s where s.customer_id = $1 and s.sku_id = $7
    order by s.sku_id for update)
  returning sku_id
), licence as (
  insert into license_assignments (customer_id, user_id, sku_id, created_at)
  select $1, $2, (select sku_id from seat), now()
), audit as (
  insert into audit_events (customer_id, at, actor_kind, actor_agent_id, actor_name, action, outcome,
    target_user_id, target_name, details)
  values ($1, now(), 'AGENT', $8, 'bench agent', 'CREATE_USER', 'SUCCESS', $2, $3, $9)
)
select id from new_user`;

type Query = (params: unknown[]) => Promise<PageRow[]>;
type Sql = ReturnType<typeof postgres>;

async function connect(url: string): Promise<{ query: Query; sql: Sql | null }> {
  if (isPostgresUrl(url)) {
    const sql = postgres(url, { max: 10, onnotice: () => {} });
    return { query: (params) => sql.unsafe<PageRow[]>(PAGE_SQL, params as string[], { prepare: true }), sql };
  }
  const db = await PGlite.create(url);
  return { query: async (params) => (await db.query<PageRow>(PAGE_SQL, params)).rows, sql: null };
}

const url = process.env.BENCH_DATABASE_URL;
if (!url) throw new Error('BENCH_DATABASE_URL is required');
const { query, sql } = await connect(url);

interface CreateInput {
  customerId: string;
  userPrincipalName: string;
  displayName: string;
  usageLocation: string;
  licenseSkuIds: string[];
}

async function createUser(tokenHash: string, i: CreateInput) {
  if (!sql) throw new Error('the createUser floor runs on PostgreSQL');
  const customerId = decodeGlobalID(i.customerId).id;
  const skuId = decodeGlobalID(i.licenseSkuIds[0]!).id;
  const upn = i.userPrincipalName.trim();
  const domain = upn.slice(upn.lastIndexOf('@') + 1).toLowerCase();
  const [caller] = await sql.unsafe(CALLER_SQL, [tokenHash, customerId, domain], { prepare: true });
  if (!caller || caller.available === null || !caller.allowed) return { errors: [{ message: 'not allowed' }] };
  if (!caller.domain_verified || !/^[A-Z]{2}$/.test(i.usageLocation) || !i.displayName.trim()) {
    return { data: { createUser: { user: null, userErrors: [{ code: 'INVALID', message: 'invalid' }] } } };
  }
  const passwordHash = await hashPassword(generateTemporaryPassword());
  const id = randomUUID();
  const details = { userPrincipalName: upn, usageLocation: i.usageLocation, licenses: [skuId] };
  const values = [customerId, id, upn, i.displayName, i.usageLocation, passwordHash, skuId, caller.agent_id, details];
  await sql.unsafe(CREATE_SQL, values as never[], { prepare: true });
  return {
    data: { createUser: { user: { id: Buffer.from(`User:${customerId}:${id}`).toString('base64') }, userErrors: [] } },
  };
}

function cursorValue(after: unknown): string {
  if (typeof after !== 'string') return '';
  const values = JSON.parse(Buffer.from(after, 'base64url').toString('utf8')) as string[];
  return values[0] ?? '';
}

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', async () => {
    try {
      const { variables } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        variables: { id: string; after?: string; first?: number; i?: CreateInput };
      };
      const token = req.headers.authorization?.match(/^Bearer\s+(\S+)$/i)?.[1] ?? '';
      const tokenHash = createHash('sha256').update(token).digest('hex');
      if (variables.i) {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify(await createUser(tokenHash, variables.i)));
        return;
      }
      const customerId = decodeGlobalID(variables.id).id;
      const rows = await query([tokenHash, customerId, cursorValue(variables.after), variables.first ?? 100]);
      const customer =
        rows.length === 0
          ? null
          : {
              users: {
                edges: rows
                  .filter((r) => r.upn !== null)
                  .map((r) => ({
                    node: {
                      userPrincipalName: r.upn,
                      displayName: r.display_name,
                      state: r.state,
                      roles: r.roles,
                      licenses: r.licenses.map((name) => ({ sku: { name } })),
                    },
                  })),
              },
            };
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ data: { customer } }));
    } catch (e) {
      res.statusCode = 500;
      res.end(JSON.stringify({ errors: [{ message: String(e) }] }));
    }
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => console.log(`LISTENING ${(server.address() as AddressInfo).port}`));

process.once('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
  process.exit(0);
});
