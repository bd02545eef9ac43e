import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { type Clock, systemClock } from '@holdfast/protocol';
import { pino } from 'pino';
import { type WebSocket, WebSocketServer } from 'ws';
import { registerAdminRoutes } from './admin/index.js';
import { AppRegistry } from './auth/apps.js';
import { ClusterControl } from './channels/cluster.js';
import { LocalSessions } from './channels/local-sessions.js';
import { ChannelService } from './channels/service.js';
import { Sweeper } from './channels/sweeper.js';
import {
  checkTiming,
  DEFAULT_LIMITS,
  DEFAULT_SERVER_TIMING,
  type ServerOptions,
  WS_MAX_PAYLOAD,
} from './config.js';
import { registerConsoleRoutes } from './console/index.js';
import type { ServerContext } from './context.js';
import { MemoryEngine } from './engine/memory.js';
import { RedisEngine } from './engine/redis.js';
import { ClientConnection } from './gateway/connection.js';
import { openFileWarning, readOpenFileLimit } from './gateway/fd-limit.js';
import { ConnectionGate, refuseWebSocket } from './gateway/handshake.js';
import { KeepaliveWheel } from './gateway/keepalive.js';
import { HttpRouter, sendJson } from './gateway/router.js';
import { MediaPlane } from './media/media-plane.js';
import { Observer } from './observe/observer.js';

function destroyOnError(socket: Duplex): void {
  socket.on('error', () => socket.destroy());
}

/** A running server. */
export interface RunningServer {
  /** `ws://host:port`: give this to the SDK as `serverUrl`. */
  readonly url: string;
  /** `http://host:port`: /healthz and friends. */
  readonly httpUrl: string;
  readonly port: number;
  readonly nodeId: string;
  /** Stops accepting, ends every local session with `server_shutdown`, closes the engine if it owns it. */
  close(): Promise<void>;
  /**
   * Stops like a crashed process (for cluster tests): sockets are cut, nothing is
   * handed over or cleaned up; other nodes notice through the missed heartbeats.
   */
  kill(): Promise<void>;
}

/**
 * Starts a Holdfast server.
 *
 * @example
 * const server = await startServer({ port: 0, apps: [{ appId: 'demo' }] });
 * console.log(server.url); // ws://127.0.0.1:54321
 * await server.close();
 */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const apps = new AppRegistry(options.apps ?? []);
  checkTiming(options.timing ?? {});
  const timing = { ...DEFAULT_SERVER_TIMING, ...options.timing };
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const clock: Clock = options.clock ?? systemClock;
  const nodeId = options.nodeId ?? randomBytes(4).toString('hex');
  const log = (options.logger ?? pino({ level: options.logLevel ?? 'warn' })).child({ node: nodeId });
  const ownsEngine = !options.engine;
  const redis = typeof options.redis === 'string' ? { url: options.redis } : options.redis;
  const engine =
    options.engine ?? (redis ? await RedisEngine.connect({ ...redis, log }) : new MemoryEngine(clock));
  const observer = new Observer();
  const local = new LocalSessions();
  const service = new ChannelService(engine, apps, local, {
    nodeId,
    clock,
    offlineAfterMs: timing.offlineAfterMs,
    timing,
    maxBroadcasters: limits.maxBroadcasters,
    log,
    observer,
  });
  if (options.media?.enabled !== false)
    service.media = new MediaPlane(options.media ?? {}, {
      now: () => clock.now(),
      log,
      local,
      publish: (ref, event) => service.publish(ref, event),
    });
  const startedAt = clock.now();

  const router = new HttpRouter();
  router.add('GET', '/healthz', (_req, res) =>
    sendJson(res, 200, {
      status: 'ok',
      nodeId,
      sessions: service.sessionCount,
      uptimeMs: clock.now() - startedAt,
    }),
  );
  const ctx: ServerContext = { nodeId, options, apps, engine, service, observer, router, clock, log };
  registerAdminRoutes(ctx);
  registerConsoleRoutes(ctx);
  const gate = new ConnectionGate(limits, clock, log);
  const http = createServer((req, res) => void (gate.admitRequest(req, res) && router.handle(req, res)));
  gate.attach(http);

  const keepalives = new KeepaliveWheel(clock, timing.keepaliveMs);
  const wss = new WebSocketServer({ noServer: true, maxPayload: WS_MAX_PAYLOAD, perMessageDeflate: false });
  const accept = (ws: WebSocket, remote: string) =>
    new ClientConnection(ws, remote, service, limits, log, clock, keepalives);
  http.on('upgrade', (req, socket, head) => {
    // No closure here may capture `req` or `head`: one that outlives the upgrade (the socket's
    // error listener) would keep the request, its headers and the head buffer alive for as long
    // as the connection lives — about 2 KB per connection.
    destroyOnError(socket);
    const remote = req.socket.remoteAddress ?? '';
    const refusal = gate.upgrade(socket, remote);
    wss.handleUpgrade(req, socket, head, (ws) =>
      refusal === undefined ? accept(ws, remote) : refuseWebSocket(ws, refusal),
    );
  });

  const cluster = new ClusterControl(service, local, engine, { nodeId, clock, log });
  const sweeper = new Sweeper(service, engine, {
    clock,
    sweepIntervalMs: timing.sweepIntervalMs,
    heartbeatMs: timing.heartbeatMs,
    log,
  });
  const unsubscribeReset = engine.onReset(() => {
    log.warn('shared state was reset; re-asserting local sessions');
    cluster.reassert(timing.heartbeatMs * 3).catch((err: unknown) => log.error({ err }, 're-assert failed'));
  });

  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen({ port: options.port ?? 7700, host, backlog: options.backlog ?? 4096 }, () => {
      http.off('error', reject);
      resolve();
    });
  });
  // Timers start only once listening: a failed listen (port taken) leaves nothing running.
  sweeper.start();
  keepalives.start();
  gate.start();
  const fdWarning = openFileWarning(readOpenFileLimit(), limits.capacity);
  if (fdWarning) log.warn(fdWarning);
  const port = (http.address() as AddressInfo).port;
  const hostForUrl = host.includes(':') ? `[${host}]` : host;
  log.info({ host, port }, 'listening');

  let closing: Promise<void> | undefined;
  return {
    url: `ws://${hostForUrl}:${port}`,
    httpUrl: `http://${hostForUrl}:${port}`,
    port,
    nodeId,
    kill() {
      closing ??= (async () => {
        sweeper.stop();
        keepalives.stop();
        gate.stop();
        unsubscribeReset();
        cluster.stop();
        service.abandon();
        service.media?.close();
        for (const ws of wss.clients) ws.terminate();
        wss.close();
        await new Promise<void>((resolve) => {
          http.close(() => resolve());
          http.closeAllConnections();
        });
      })();
      return closing;
    },
    close() {
      closing ??= (async () => {
        sweeper.stop();
        unsubscribeReset();
        // Publish fresh deadlines, then hand the sessions to whoever resumes them (or drops them).
        // Keepalives go on meanwhile: a slow engine must not make idle clients time out first.
        await sweeper.beat().catch(() => {});
        cluster.stop();
        keepalives.stop();
        gate.stop();
        service.shutdown();
        service.media?.close();
        await engine.forgetNode(nodeId).catch(() => {});
        for (const ws of wss.clients) ws.terminate();
        wss.close();
        await new Promise<void>((resolve) => {
          http.close(() => resolve());
          http.closeAllConnections();
        });
        if (ownsEngine) await engine.close();
      })();
      return closing;
    },
  };
}
