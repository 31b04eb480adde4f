// What every process the bench starts shares: it listens on a free loopback port, says `LISTENING <port>` (lib.ts
// startChild reads it), and on SIGTERM stops taking connections, lets the requests in flight finish (up to 10 s),
// releases its database and exits cleanly (so that `node --cpu-prof` writes its profile).
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export function serveUntilTerminated(server: Server, inFlight: () => number, release: () => unknown): void {
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => console.log(`LISTENING ${(server.address() as AddressInfo).port}`));
  process.once('SIGTERM', async () => {
    server.close();
    server.closeIdleConnections();
    for (let waited = 0; inFlight() > 0 && waited < 10_000; waited += 50) await new Promise((r) => setTimeout(r, 50));
    await release();
    process.exit(0);
  });
}
