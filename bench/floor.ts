// The floor the server is compared with: a bare node:http handler that answers the benchmark's users-page query
// with ONE hand-written SQL statement (token → agent → GDAP grant → users page with roles and licence names) and
// writes the same JSON the server does. No GraphQL, no ORM, no per-field work: what is left is the database and
// the HTTP round trip. It reads only the variables of the request (id, after, first); the query text is fixed.
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PGlite } from '@electric-sql/pglite';
import { decodeGlobalID } from '@pothos/plugin-relay';
import postgres from 'postgres';
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

type Query = (params: unknown[]) => Promise<PageRow[]>;

async function connect(url: string): Promise<Query> {
  if (isPostgresUrl(url)) {
    const sql = postgres(url, { max: 10, onnotice: () => {} });
    return (params) => sql.unsafe<PageRow[]>(PAGE_SQL, params as string[], { prepare: true });
  }
  const db = await PGlite.create(url);
  return async (params) => (await db.query<PageRow>(PAGE_SQL, params)).rows;
}

const url = process.env.BENCH_DATABASE_URL;
if (!url) throw new Error('BENCH_DATABASE_URL is required');
const query = await connect(url);

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
        variables: { id: string; after?: string; first?: number };
      };
      const token = req.headers.authorization?.match(/^Bearer\s+(\S+)$/i)?.[1] ?? '';
      const tokenHash = createHash('sha256').update(token).digest('hex');
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
