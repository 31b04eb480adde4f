import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // graphql 16 has no exports map: without the alias Vite loads index.mjs while the libraries load index.js.
  resolve: { alias: { graphql: 'graphql/index.js' } },
  test: {
    include: ['test/**/*.test.ts'],
    // On PostgreSQL: one migrated template database per run, copied by each test file.
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // The files wait on HTTP, the database and child processes more than they compute: two at a time even on two
    // cores (vitest's default there is one) took the PostgreSQL run from 142 s to 92 s.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    // Cheap argon2 parameters for the suite's thousands of hashes (src/auth/passwords.ts); the tests of the hash
    // format compare with the parameters in use, and one test pins the production ones. Benchmarks run without it.
    env: { ARGON2_TEST_PARAMETERS: '1' },
  },
});
