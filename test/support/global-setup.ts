// Runs once per `npm test`: one database migrated and given the SKU catalogue, which each test file then copies
// instead of creating and migrating its own: on PostgreSQL with CREATE DATABASE … TEMPLATE, on PGlite by starting
// from a dump of the template's data folder (which also skips PGlite's initdb, its costliest step).
import { randomBytes } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import type { TestProject } from 'vitest/node';
import { openDatabase } from '../../src/db/client.js';
import { ensureSkuCatalogue } from '../../src/services/skus.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The migrated template database of this run, when the suite runs on PostgreSQL. */
    templateDatabase: string | null;
    /** A file holding the dump of a migrated PGlite cluster, when the suite runs on PGlite. */
    pgliteTemplate: string | null;
  }
}

export default async function setup(project: TestProject) {
  const base = process.env.TEST_DATABASE_URL;
  if (!base) {
    const database = await openDatabase({ url: 'memory://' });
    await database.migrate();
    await ensureSkuCatalogue(database.db);
    const file = join(tmpdir(), `pua-template-${process.pid}-${randomBytes(4).toString('hex')}.tar`);
    writeFileSync(file, Buffer.from(await (await database.dump!()).arrayBuffer()));
    await database.close();
    project.provide('templateDatabase', null);
    project.provide('pgliteTemplate', file);
    return () => rmSync(file, { force: true });
  }
  project.provide('pgliteTemplate', null);
  const name = `tpl_${Date.now()}_${randomBytes(4).toString('hex')}`;
  const admin = postgres(base, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const url = new URL(base);
  url.pathname = `/${name}`;
  const database = await openDatabase({ url: url.toString(), poolSize: 1 });
  await database.migrate();
  await ensureSkuCatalogue(database.db);
  await database.close();
  project.provide('templateDatabase', name);
  return async () => {
    await admin.unsafe(`drop database if exists ${name} with (force)`);
    await admin.end();
  };
}
