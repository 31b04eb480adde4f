// How long one hostile upload holds the event loop (issue 9, item 6): the longest event-loop delay while the server
// reads a 2 MB file of blank rows uploaded by curl (another process), and the latency of a small request sent meanwhile.
//   npx tsx bench/stall.ts        (embedded PGlite, in memory)

import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { BULK_ENV, IMPORT } from '../test/support/bulk.js';
import { startServer } from '../test/support/server.js';
import { createCustomer, createPartner, grantAgent } from '../test/support/world.js';

const s = await startServer({ ...BULK_ENV, MAX_UPLOAD_BYTES: String(64 * 1024 * 1024) });
try {
  const partner = await createPartner(s);
  const customer = await createCustomer(s, partner);
  const agent = await grantAgent(s, partner, customer, ['USER_ADMINISTRATOR']);
  const file = `Display name,Email\n${',\n'.repeat(1_000_000)}`;
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  const started = performance.now();
  // The upload comes from another process (curl), so the delay measured is the server's own.
  const path = join(mkdtempSync(join(tmpdir(), 'stall-')), 'blank.csv');
  writeFileSync(path, file);
  const operations = JSON.stringify({
    query: IMPORT,
    variables: { i: { customerId: customer.id, file: null, dryRun: true } },
  });
  delay.reset();
  const upload = new Promise<number>((resolve, reject) => {
    execFile(
      'curl',
      [
        '-s',
        s.url,
        '-H',
        `Authorization: Bearer ${agent.agentToken}`,
        '-H',
        'GraphQL-Preflight: 1',
        '-F',
        `operations=${operations}`,
        '-F',
        'map={"0":["variables.i.file"]}',
        '-F',
        `0=@${path};type=text/csv`,
      ],
      { maxBuffer: 16 * 1024 * 1024 },
      (e) => (e ? reject(e) : resolve(performance.now() - started)),
    );
  });
  await new Promise((r) => setTimeout(r, 20));
  const sent = performance.now();
  await s.ok(`{ viewer { kind } }`, {}, agent.agentToken);
  const other = performance.now() - sent;
  const total = await upload;
  delay.disable();
  console.log(
    `2 MB of blank rows: answered in ${total.toFixed(0)} ms; longest event-loop delay ${(delay.max / 1e6).toFixed(0)} ms; a small request sent meanwhile answered in ${other.toFixed(0)} ms`,
  );
} finally {
  await s.close();
}
