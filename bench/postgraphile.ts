// PostGraphile 5 as a contender (issue 13): the amber preset over the benchmark's database, served by grafserv on
// node:http, as a child of the harness like the server and the floor. No authentication and no authorization at all
// (no JWT, no pgSettings, no roles, no row-level security): it answers anyone, which our server does not.
//
// The schema is what PostGraphile infers, plus smart tags where the database lacks what it needs:
// - user_roles and license_assignments have no foreign key to users (the product keeps them tenant-keyed without
//   one), so @foreignKey tags give the relations users → roles and users → licence assignments;
// - users.upn_lower (our page's keyset) and users.state (only ACTIVE users are listed) lead no index, so amber's
//   index behaviours would hide them from orderBy and condition; @behavior tags expose them. The partial unique
//   index users_active_upn_key (customer_id, upn_lower) where state = 'ACTIVE' serves that order.
//
// BENCH_DATABASE_URL is the database; it listens on a free loopback port and prints `LISTENING <port>`. The bench-only
// route GET /__bench/statements answers { inFlight } (as bench/server.ts does; no statement count here), so the
// harness can wait for the requests of a load run to be answered before it starts the next one.
import { createServer } from 'node:http';
import { postgraphile } from 'postgraphile';
import { makePgService } from 'postgraphile/adaptors/pg';
import { grafserv } from 'postgraphile/grafserv/node';
import { PostGraphileAmberPreset } from 'postgraphile/presets/amber';
import { makeJSONPgSmartTagsPlugin } from 'postgraphile/utils';
import { serveUntilTerminated } from './child.js';

const url = process.env.BENCH_DATABASE_URL;
if (!url) throw new Error('BENCH_DATABASE_URL is required');

const toUsers = '(customer_id, user_id) references users (customer_id, id)';
const SmartTags = makeJSONPgSmartTagsPlugin({
  version: 1,
  config: {
    class: {
      // `subscriptions` would become the GraphQL type Subscription, which GraphQL reserves: renamed.
      subscriptions: { tags: { name: 'sku_subscriptions' } },
      user_roles: { tags: { foreignKey: toUsers } },
      license_assignments: { tags: { foreignKey: toUsers } },
      users: {
        attribute: {
          upn_lower: { tags: { behavior: ['+orderBy', '+attribute:orderBy', '+filterBy', '+attribute:filterBy'] } },
          state: { tags: { behavior: ['+filterBy', '+attribute:filterBy'] } },
        },
      },
    },
  },
});

const preset: GraphileConfig.Preset = {
  extends: [PostGraphileAmberPreset],
  plugins: [SmartTags],
  // A pool of 10 connections, as the server's (BENCH_POOL_SIZE) and the floor's.
  pgServices: [
    makePgService({
      connectionString: url,
      schemas: ['public'],
      poolConfig: { max: Number(process.env.BENCH_POOL_SIZE ?? 10) },
    }),
  ],
  grafserv: { graphqlPath: '/graphql', graphiql: false, watch: false },
  grafast: { explain: false },
};

const pgl = postgraphile(preset);
if (process.argv.includes('--print-schema')) {
  const { printSchema } = await import('postgraphile/graphql');
  console.log(printSchema(await pgl.getSchema()));
  await pgl.release();
  process.exit(0);
}
const serv = pgl.createServ(grafserv);
// serv.addTo(server) is the documented way; its handler is used directly so that the bench route and the count of
// requests in flight can sit in front of it (no websockets are needed).
const handle = serv.createHandler();
let inFlight = 0;
const server = createServer((req, res) => {
  if (req.url === '/__bench/statements') {
    res.setHeader('content-type', 'application/json');
    return res.end(JSON.stringify({ count: null, inFlight }));
  }
  inFlight++;
  res.once('close', () => inFlight--);
  handle(req, res);
});
// Built before the port is announced, so that the first request does not pay for introspection.
await pgl.getSchema();
serveUntilTerminated(
  server,
  () => inFlight,
  () => pgl.release(),
);
