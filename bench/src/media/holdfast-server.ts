import { type RunningServer, startServer } from '@holdfast/server';
import { serve } from '../rpc.js';
import { procStats } from '../servers/proc-stats.js';
import { profileStart, profileStop } from '../servers/profiler.js';

/**
 * A Holdfast server with its embedded SFU (werift) in its own process, so its CPU is its own.
 * Media on its defaults except the announced address: 127.0.0.1 only (loopback bench).
 */
let server: RunningServer | undefined;

serve({
  start: async (p: { host: string }) => {
    server = await startServer({
      host: p.host,
      port: 0,
      apps: [{ appId: 'demo' }],
      logLevel: 'silent',
      media: { announcedIps: ['127.0.0.1'] },
      limits: {
        maxBroadcasters: 100_000,
        maxConnectionsPerAddress: 1_000_000,
        maxJoinsPerSecondPerAddress: 1_000_000,
        capacity: 0,
      },
    });
    return { url: server.url, pid: process.pid };
  },
  /** The SFU's test seam: cuts (or restores) one member's media at the server. */
  block: (p: { channel: string; uid: number; blocked: boolean }) => {
    server?.media?.block({ appId: 'demo', channel: p.channel }, p.uid, p.blocked);
  },
  stats: (p: { gc?: boolean }) => procStats(p.gc),
  profileStart: () => profileStart(),
  profileStop: (p: { file: string }) => profileStop(p.file),
  stop: async () => {
    await server?.close();
    server = undefined;
  },
});
