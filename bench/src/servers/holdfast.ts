import { type RunningServer, startServer } from '@holdfast/server';
import { serve } from '../rpc.js';
import { procStats } from './proc-stats.js';

/** A Holdfast server in its own process, so its RSS and CPU are its own. */
let server: RunningServer | undefined;

serve({
  start: async (p: { host: string; keepaliveMs: number; offlineAfterMs: number }) => {
    server = await startServer({
      host: p.host,
      port: 0,
      apps: [{ appId: 'demo' }],
      logLevel: 'silent',
      timing: { keepaliveMs: p.keepaliveMs, offlineAfterMs: p.offlineAfterMs },
      // A presence channel of 1,000 members needs more than the default 128 broadcasters.
      limits: { maxBroadcasters: 100_000 },
    });
    return { host: p.host, port: server.port };
  },
  stats: (p: { gc?: boolean }) => procStats(p.gc),
  stop: async () => {
    await server?.close();
    server = undefined;
  },
});
