#!/usr/bin/env node
// One entry point: serve (default), migrate, seed, purge, schema:print, schema:check.
import './thread-pool.js';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { systemClock } from './clock.js';
import { type Config, loadConfig } from './config.js';
import { type Database, openDatabase } from './db/client.js';
import { printSchema } from './graphql/schema.js';
import { describeError, logError } from './log.js';
import { PROJECT_ROOT } from './paths.js';
import { createApp, drain, listen } from './server.js';
import { operatorResetAgentPassword } from './services/agents.js';
import {
  assertCredentialsKey,
  credentialsKey,
  eraseExpiredCredentials,
  forgetCredentialsKey,
} from './services/bulk/credentials.js';
import { startJobRunner } from './services/bulk/runner.js';
import { serviceContext } from './services/context.js';
import { removeExpiredIdempotencyKeys } from './services/idempotency.js';
import { bootstrapPartner, partnerCount } from './services/partners.js';
import { type DemoSummary, demoPresent, seedDemo } from './services/seed.js';
import { removeStaleSessions } from './services/sessions.js';
import { ensureSkuCatalogue } from './services/skus.js';
import { purgeDeletedUsers } from './services/users/purge.js';
import { startWebhookWorker } from './services/webhooks.js';

const SCHEMA_FILE = join(PROJECT_ROOT, 'schema', 'schema.graphql');

/** Opens the database, applies migrations, the SKU catalogue, the bootstrap partner and (first start) the demo. */
export async function prepare(config: Config): Promise<{ database: Database; demo: DemoSummary | null }> {
  const database = await openDatabase({ url: config.databaseUrl });
  await database.migrate();
  await ensureSkuCatalogue(database.db);
  let demo: DemoSummary | null = null;
  if (config.bootstrap) {
    const created = await bootstrapPartner(serviceContext(database.db, systemClock), config.bootstrap);
    if (created) console.log(`Bootstrapped partner ${created.partner.name} with ADMIN_AGENT ${created.admin.email}.`);
  }
  if (config.seedDemo && (await partnerCount(serviceContext(database.db, systemClock))) === 0) {
    console.log('Seeding the demo partner (first start)…');
    demo = await seedDemo(database.db, systemClock);
  }
  return { database, demo };
}

/**
 * Purges the users deleted 30 days ago or more, erases imported users' passwords nobody fetched in 24 hours, and
 * removes sessions and sign-in counters that can no longer matter, and idempotency keys past their 24 hours.
 * `quiet` leaves out the lines that say nothing was done (the server's periodic run).
 */
async function maintenance(database: Database, quiet: boolean): Promise<void> {
  const purged = await purgeDeletedUsers(database.db, systemClock);
  const erased = await eraseExpiredCredentials(database.db, systemClock);
  const sessionsRemoved = await removeStaleSessions(database.db, systemClock.now());
  const keysRemoved = await removeExpiredIdempotencyKeys(database.db, systemClock.now());
  if (purged || !quiet) console.log(`Purged ${purged} users deleted more than 30 days ago.`);
  if (erased || !quiet)
    console.log(`Erased ${erased} temporary passwords of imported users not fetched within 24 hours.`);
  if (sessionsRemoved || !quiet) console.log(`Removed ${sessionsRemoved} sessions that ended more than a day ago.`);
  if (keysRemoved || !quiet) console.log(`Removed ${keysRemoved} idempotency keys (and their answers) past 24 hours.`);
}

async function serve(config: Config) {
  // Checked before anything starts: without the key, imports could not keep the passwords they create.
  const key = credentialsKey(config);
  const { database, demo } = await prepare(config);
  await assertCredentialsKey(database.db, key).catch(async (e: unknown) => {
    await database.close();
    throw e;
  });
  const app = createApp({ config, database });
  const server = await listen(app, config.port, config.host);
  const url = `http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${config.port}/graphql`;
  const lines = [
    `\n${config.graphiql ? 'GraphiQL' : 'API (GraphiQL off; GRAPHIQL=1 turns it on)'}: ${url}   (database: ${database.kind === 'pglite' ? config.databaseUrl : 'PostgreSQL'})`,
  ];
  if (demo || (config.seedDemo && (await demoPresent(database.db)))) {
    lines.push(
      'Sign in with: mutation { signIn(input: {email: "admin@northwind.example", password: "Demo-Passw0rd!"}) { token } }',
      'then add the header {"Authorization": "Bearer <token>"}. Other demo agents: access@northwind.example, licenses@northwind.example, sales@northwind.example (same password).',
    );
  }
  // One write, so a reader of the output sees the address and the sign-in together.
  console.log(lines.join('\n'));
  // Maintenance at start and then every interval; a run never overlaps the previous one (a timeout re-armed when it
  // ends, not an interval), and other instances running it at the same time is safe (services/users/purge.ts).
  let purge: NodeJS.Timeout | undefined;
  const maintain = () => {
    maintenance(database, true)
      .catch((e) => logError('purge failed', e))
      .finally(() => {
        purge = setTimeout(maintain, config.purgeIntervalMs);
        purge.unref();
      });
  };
  maintain();
  const runner = startJobRunner(database.db, systemClock, { credentialsKey: key });
  const webhooks = startWebhookWorker(database.db, systemClock, { key, allowPrivate: config.webhookAllowPrivate });
  // In order: stop taking requests and finish those in flight, then give running jobs back, then close the
  // database (closing it first failed every request still running with "Unexpected error").
  const stop = async () => {
    console.log('Stopping: finishing the requests in flight…');
    clearTimeout(purge);
    await drain(app, server, config.shutdownGraceMs, config.shutdownDelayMs);
    await runner.stop({ releaseLease: true });
    await webhooks.stop();
    await database.close();
    console.log('Stopped.');
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

async function main() {
  // Files this process creates (the embedded database, the credentials key) are the server user's alone.
  process.umask(0o077);
  const [command = 'serve'] = process.argv.slice(2);
  const config = loadConfig();
  switch (command) {
    case 'serve':
      return serve(config);
    case 'migrate': {
      const { database } = await prepare({ ...config, seedDemo: false });
      await database.close();
      return console.log('Migrations applied.');
    }
    case 'seed': {
      const { database, demo } = await prepare({ ...config, seedDemo: true });
      await database.close();
      return console.log(demo ? 'Demo seeded.' : 'The database already has a partner: nothing seeded.');
    }
    case 'purge': {
      const { database } = await prepare({ ...config, seedDemo: false });
      await maintenance(database, false);
      return database.close();
    }
    case 'reset-agent-password': {
      const email = process.argv[3];
      if (!email) {
        console.error('Usage: npm run reset-agent-password -- <agent email>');
        process.exit(2);
      }
      const { database } = await prepare({ ...config, seedDemo: false });
      try {
        const { agent, temporaryPassword } = await operatorResetAgentPassword(
          serviceContext(database.db, systemClock),
          email,
        );
        return console.log(
          `Temporary password for ${agent.email} (shown once; it must be changed at the next sign-in): ${temporaryPassword}`,
        );
      } finally {
        await database.close();
      }
    }
    case 'forget-credentials-key': {
      const key = credentialsKey(config);
      const { database } = await prepare({ ...config, seedDemo: false });
      try {
        const erased = await forgetCredentialsKey(database.db, key);
        return console.log(
          `The database now uses the current key; ${erased} import passwords encrypted with the lost one were erased (reset those users' passwords).`,
        );
      } finally {
        await database.close();
      }
    }
    case 'schema:print':
      mkdirSync(dirname(SCHEMA_FILE), { recursive: true });
      writeFileSync(SCHEMA_FILE, printSchema());
      return console.log(`Wrote ${SCHEMA_FILE}`);
    case 'schema:check': {
      const current = readFileSync(SCHEMA_FILE, 'utf8');
      if (current !== printSchema()) {
        console.error('schema/schema.graphql differs from the code: run npm run schema:print');
        process.exit(1);
      }
      return console.log('schema/schema.graphql is up to date.');
    }
    default:
      console.error(
        `Unknown command ${command}. Commands: serve, migrate, seed, purge, reset-agent-password, forget-credentials-key, schema:print, schema:check`,
      );
      process.exit(2);
  }
}

main().catch((e) => {
  // describeError, not the raw message: a failed statement's message carries its parameters.
  console.error(describeError(e));
  process.exit(1);
});
