// How long one hostile upload holds the event loop (issue 9, item 6): the longest event-loop delay while the server
// reads a 2 MB file of blank rows, and the latency of a small request sent meanwhile.
//   npx tsx bench/stall.ts        (embedded PGlite, in memory)
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { startServer } from '../test/support/server.js';
import { createCustomer, createPartner, grantAgent } from '../test/support/world.js';
import { BULK_ENV, uploadCsv } from '../test/support/bulk.js';

const s = await startServer({ ...BULK_ENV, MAX_UPLOAD_BYTES: String(64 * 1024 * 1024) });
try {
  const partner = await createPartner(s);
  const customer = await createCustomer(s, partner);
  const agent = await grantAgent(s, partner, customer, ['USER_ADMINISTRATOR']);
  const file = `Display name,Email\n${',\n'.repeat(1_000_000)}`;
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  const started = performance.now();
  const upload = uploadCsv(s, agent.agentToken, customer.id, file, { dryRun: true }).then(() => performance.now() - started);
  await new Promise((r) => setTimeout(r, 20));
  const sent = performance.now();
  await s.ok(`{ viewer { kind } }`, {}, agent.agentToken);
  const other = performance.now() - sent;
  const total = await upload;
  delay.disable();
  console.log(`2 MB of blank rows: answered in ${total.toFixed(0)} ms; longest event-loop delay ${(delay.max / 1e6).toFixed(0)} ms; a small request sent meanwhile answered in ${other.toFixed(0)} ms`);
} finally {
  await s.close();
}
