// The real server (createApp, the same plugins, authentication and GDAP checks) as a child of the harness, plus one
// bench-only route, GET /__bench/statements, giving the count of SQL statements sent so far: the harness reads it
// before and after a request to learn what one request costs. Not part of src/, so the product carries no such
// route. BENCH_DATABASE_URL is the database; the server listens on a free loopback port and prints it.
import '../src/thread-pool.js';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import { PerformanceObserver } from 'node:perf_hooks';
import { getHeapSpaceStatistics } from 'node:v8';
import { loadConfig } from '../src/config.js';
import { openDatabase } from '../src/db/client.js';
import { createApp } from '../src/server.js';
import { ensureSkuCatalogue } from '../src/services/skus.js';
import { serveUntilTerminated } from './child.js';

// BENCH_ALLOCATIONS_DIR (`npm run bench -- --allocations`): V8's sampling heap profiler, counting the objects
// garbage collection has freed as well (node --heap-prof keeps only the survivors), so the profile written at exit
// says where the allocations that drive the GC come from.
const allocationsDir = process.env.BENCH_ALLOCATIONS_DIR;
const inspector = allocationsDir ? new Session() : null;
if (inspector) {
  inspector.connect();
  await inspector.post('HeapProfiler.startSampling', {
    samplingInterval: 16_384,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  });
}

const url = process.env.BENCH_DATABASE_URL;
if (!url) throw new Error('BENCH_DATABASE_URL is required');
const database = await openDatabase({ url, poolSize: Number(process.env.BENCH_POOL_SIZE ?? 10) });
// As `npm start` does before it listens (the data generator has written the catalogue's rows already).
await ensureSkuCatalogue(database.db);
// Budgets too large to throttle the load, yet spent on every request as in production (one statement each).
const app = createApp({
  config: loadConfig({
    DATABASE_URL: url,
    SEED_DEMO: '0',
    RATE_LIMIT_POINTS: '1e15',
    RATE_LIMIT_RESTORE_PER_SECOND: '1e15',
  }),
  database,
});
// Requests still being answered: a load run's last requests outlive its connections, and closing the database under
// them would log errors; the harness also waits for zero before it starts the next run.
let inFlight = 0;
// The event loop's GC pauses since the harness last asked (GET /__bench/gc, which starts a new count): a round's
// latency tail is either these or the machine keeping the process off the cores (the harness reads that from /proc).
let gc = { pauses: 0, totalMs: 0, maxMs: 0 };
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    gc.pauses++;
    gc.totalMs += e.duration;
    gc.maxMs = Math.max(gc.maxMs, e.duration);
  }
}).observe({ entryTypes: ['gc'] });
const server = createServer((req, res) => {
  if (req.url === '/__bench/statements') {
    res.setHeader('content-type', 'application/json');
    return res.end(
      JSON.stringify({
        count: database.statements.count,
        inFlight,
        memory: process.memoryUsage(),
        // Each V8 space's committed and used bytes: what the heap's part of the RSS is made of.
        spaces: Object.fromEntries(
          getHeapSpaceStatistics().map((s) => [s.space_name, [s.physical_space_size, s.space_used_size]]),
        ),
      }),
    );
  }
  if (req.url === '/__bench/gc') {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(gc));
    gc = { pauses: 0, totalMs: 0, maxMs: 0 };
    return;
  }
  inFlight++;
  // Counted until yoga has answered, not until the socket closes: a client that hung up leaves the work running.
  void Promise.resolve(app.yoga(req, res)).finally(() => inFlight--);
});
serveUntilTerminated(
  server,
  () => inFlight,
  async () => {
    if (inspector && allocationsDir) {
      const { profile } = await inspector.post('HeapProfiler.stopSampling');
      writeFileSync(join(allocationsDir, `server-${process.pid}.heapprofile`), JSON.stringify(profile));
    }
    await database.close();
  },
);
