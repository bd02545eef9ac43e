import { Server as NetServer } from 'node:net';
import { type RunningServer, startServer } from '@holdfast/server';
import { serve } from '../rpc.js';
import { procStats } from './proc-stats.js';
import { profileStart, profileStop } from './profiler.js';

/** A Holdfast server in its own process, so its RSS and CPU are its own. */
let server: RunningServer | undefined;

/**
 * What-if experiment, not Holdfast as shipped: makes `listen(port, host, cb)` ask for an accept
 * queue of `backlog` instead of Node's default 511 (the fix proposed in BENCHMARKS.md for
 * reconnect storms), without touching the server's code.
 */
function withBacklog(backlog: number): void {
  const listen = NetServer.prototype.listen as (...args: unknown[]) => NetServer;
  NetServer.prototype.listen = function (this: NetServer, ...args: unknown[]) {
    if (typeof args[0] === 'number' && typeof args[1] === 'string' && typeof args[2] === 'function')
      return listen.call(this, { port: args[0], host: args[1], backlog }, args[2]);
    return listen.apply(this, args);
  } as typeof NetServer.prototype.listen;
}

serve({
  start: async (p: {
    host: string;
    keepaliveMs: number;
    offlineAfterMs: number;
    backlog?: number;
    /** Shared state through this Redis (`redis://127.0.0.1:port`), for the multi-node scenario. */
    redis?: string;
    nodeId?: string;
  }) => {
    if (p.backlog) withBacklog(p.backlog);
    server = await startServer({
      host: p.host,
      ...(p.redis ? { redis: p.redis } : {}),
      ...(p.nodeId ? { nodeId: p.nodeId } : {}),
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
  profileStart: () => profileStart(),
  profileStop: (p: { file: string }) => profileStop(p.file),
  stop: async () => {
    await server?.close();
    server = undefined;
  },
});
