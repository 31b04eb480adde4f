// Runs once per `npm test` on PostgreSQL: one database migrated and given the SKU catalogue, which each test file
// then copies (CREATE DATABASE … TEMPLATE) instead of migrating its own. On PGlite each file starts from scratch.
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import type { TestProject } from 'vitest/node';
import { openDatabase } from '../../src/db/client.js';
import { ensureSkuCatalogue } from '../../src/services/skus.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The migrated template database of this run, when the suite runs on PostgreSQL. */
    templateDatabase: string | null;
  }
}

export default async function setup(project: TestProject) {
  const base = process.env.TEST_DATABASE_URL;
  if (!base) {
    project.provide('templateDatabase', null);
    return;
  }
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
