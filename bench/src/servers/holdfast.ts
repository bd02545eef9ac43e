import { type RunningServer, startServer } from '@holdfast/server';
import { serve } from '../rpc.js';
import { procStats } from './proc-stats.js';
import { profileStart, profileStop } from './profiler.js';

/** A Holdfast server in its own process, so its RSS and CPU are its own. */
let server: RunningServer | undefined;

serve({
  start: async (p: {
    host: string;
    keepaliveMs: number;
    offlineAfterMs: number;
    backlog?: number;
    pingIntervalMs?: number;
    /** Shared state through this Redis (`redis://127.0.0.1:port`), for the multi-node scenario. */
    redis?: string;
    nodeId?: string;
  }) => {
    server = await startServer({
      host: p.host,
      ...(p.redis ? { redis: p.redis } : {}),
      ...(p.nodeId ? { nodeId: p.nodeId } : {}),
      port: 0,
      // Only to show the effect of the server's default (4096) against Node's default (511).
      ...(p.backlog ? { backlog: p.backlog } : {}),
      apps: [{ appId: 'demo' }],
      logLevel: 'silent',
      timing: {
        keepaliveMs: p.keepaliveMs,
        offlineAfterMs: p.offlineAfterMs,
        ...(p.pingIntervalMs ? { pingIntervalMs: p.pingIntervalMs } : {}),
      },
      // A presence channel of 1,000 members needs more than the default 128 broadcasters.
      // Every bench client comes from 127.0.0.1: per-address limits out of the way.
      limits: {
        maxBroadcasters: 100_000,
        maxConnectionsPerAddress: 1_000_000,
        maxJoinsPerSecondPerAddress: 1_000_000,
        capacity: 0,
      },
    });
    return { host: p.host, port: server.port };
  },
  stats: (p: { gc?: boolean }) => procStats(p.gc),
  profileStart: () => profileStart(),
  profileStop: (p: { file: string }) => profileStop(p.file),
  stop: async () => {
    await server?.close();
    server = undefined;
  },
});
