import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { type Clock, systemClock } from '@holdfast/protocol';
import { type WebSocket, WebSocketServer } from 'ws';
import { registerAdminRoutes } from './admin/index.js';
import { AppRegistry } from './auth/apps.js';
import { ClusterControl } from './channels/cluster.js';
import { LocalSessions } from './channels/local-sessions.js';
import { ChannelService } from './channels/service.js';
import { Sweeper } from './channels/sweeper.js';
import {
  checkTiming,
  DEFAULT_DRAIN_TIMEOUT_MS,
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
import { registerLandingPage } from './gateway/landing.js';
import { HttpRouter, sendJson } from './gateway/router.js';
import { MediaPlane } from './media/media-plane.js';
import { MediaRouter } from './media/router.js';
import { GatewayCounters } from './observe/counters.js';
import { createLogger } from './observe/log.js';
import { NodeMetrics } from './observe/metrics.js';
import { Observer } from './observe/observer.js';
import { type Readiness, readiness } from './observe/readiness.js';
import { type AdminCredentials, effectiveAdmin } from './security/admin-default.js';
import { destroyOnError, EdgeSecurity, refuseUpgradeHttp } from './security/edge.js';
import { checkTls } from './security/tls.js';
import { checkWebhookOptions, startWebhooks, WEBHOOK_FLUSH_MS } from './webhooks/index.js';

/** A running server. */
export interface RunningServer {
  /** `ws://host:port` (`wss://` with `tls`): give this to the SDK as `serverUrl`. */
  readonly url: string;
  /** `http://host:port` (`https://` with `tls`): /healthz and friends. */
  readonly httpUrl: string;
  /**
   * Admin API / console credentials generated for this run (no `admin` given, and the server is
   * reachable from other machines): show them to the operator once. Undefined otherwise.
   */
  readonly generatedAdmin: AdminCredentials | undefined;
  readonly port: number;
  readonly nodeId: string;
  /** The embedded SFU (undefined with `media: { enabled: false }`): diagnostics and test seams. */
  readonly media: MediaRouter | undefined;
  /** Stops accepting, ends every local session with `server_shutdown`, closes the engine if it owns it. */
  close(): Promise<void>;
  /**
   * A graceful close (SIGTERM): /readyz answers 503 and new WebSocket upgrades get HTTP 503 at
   * once; every session is handed over like `close()` does (`server_shutdown`: its client resumes
   * on another node, its remote members see nothing); then waits up to `timeoutMs` (default
   * `drainTimeoutMs`) for the clients to close their connections, and closes.
   */
  drain(timeoutMs?: number): Promise<void>;
  /** True from the start of `drain()` or `close()`. */
  readonly draining: boolean;
  /** Whether /readyz answers 200 now, and why not. */
  readiness(): Readiness;
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
  // Bad trustedProxies / allowedOrigins entries are refused before anything is opened.
  const edge = new EdgeSecurity(options);
  if (options.tls) checkTls(options.tls);
  if (options.webhooks) checkWebhookOptions(options.webhooks);
  const timing = { ...DEFAULT_SERVER_TIMING, ...options.timing };
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const clock: Clock = options.clock ?? systemClock;
  const nodeId = options.nodeId ?? randomBytes(4).toString('hex');
  const log = (options.logger ?? createLogger(options.logLevel ?? 'warn', options.logFormat)).child({
    node: nodeId,
  });
  apps.onUncheckedToken = (appId) =>
    log.warn(
      { appId },
      `app "${appId}" is in development mode (no certificate): joins bring tokens that are NOT checked — give the app a certificate to check them`,
    );
  const ownsEngine = !options.engine;
  const redis = typeof options.redis === 'string' ? { url: options.redis } : options.redis;
  const engine =
    options.engine ?? (redis ? await RedisEngine.connect({ ...redis, log }) : new MemoryEngine(clock));
  const observer = new Observer();
  const webhooks = startWebhooks(options.webhooks, {
    nodeId,
    clock,
    log,
    engine,
    redis: options.engine
      ? undefined
      : typeof options.redis === 'string'
        ? { url: options.redis }
        : options.redis,
  });
  const local = new LocalSessions();
  const service = new ChannelService(engine, apps, local, {
    nodeId,
    clock,
    offlineAfterMs: timing.offlineAfterMs,
    timing,
    maxBroadcasters: limits.maxBroadcasters,
    log,
    observer,
    hooks: webhooks?.hooks,
  });
  if (options.media?.enabled !== false) {
    let router: MediaRouter | undefined;
    const plane = new MediaPlane(options.media ?? {}, {
      now: () => clock.now(),
      clock,
      log,
      publish: (ref, event) => service.publish(ref, event),
      closed: (ref) => router?.roomClosed(ref),
    });
    router = new MediaRouter(plane, {
      nodeId,
      engine,
      local,
      clock,
      log,
      claimTtlMs: 3 * timing.heartbeatMs,
      checkEveryMs: timing.heartbeatMs,
    });
    service.media = router;
  }
  const startedAt = clock.now();
  let draining = false;
  const isReady = (): Readiness =>
    readiness({
      draining,
      engine: sweeper.engineHealth,
      now: clock.now(),
      staleAfterMs: Math.max(3 * timing.heartbeatMs, 3000),
      engineName: redis ? 'redis' : 'engine',
    });

  const router = new HttpRouter();
  router.add('GET', '/healthz', (_req, res) =>
    sendJson(res, 200, {
      status: 'ok',
      nodeId,
      sessions: service.sessionCount,
      uptimeMs: clock.now() - startedAt,
      ready: isReady().ready,
      draining,
    }),
  );
  // Readiness for load balancers: 503 with the reason while draining or while the engine is unreachable.
  router.add('GET', '/readyz', (_req, res) => {
    const r = isReady();
    sendJson(
      res,
      r.ready ? 200 : 503,
      r.ready ? { status: 'ready', nodeId } : { status: 'unavailable', nodeId, reason: r.reason },
    );
  });
  const gateway = new GatewayCounters();
  const metrics =
    options.metrics === false
      ? undefined
      : new NodeMetrics({
          nodeId,
          service,
          gateway,
          observer,
          connections: () => wss.clients.size,
          readiness: isReady,
          draining: () => draining,
          heartbeatFailures: () => sweeper.engineHealth.failures,
          webhooks: webhooks?.counts,
        });
  if (metrics) router.add('GET', '/metrics', (req, res) => metrics.handle(req, res));
  const host = options.host ?? '127.0.0.1';
  const admin = effectiveAdmin({ admin: options.admin, host, forwarded: edge.trusted.size > 0 });
  if (admin.generated)
    log.warn(
      { host, user: admin.admin?.customerId },
      'no admin credentials configured and the admin API is reachable from other machines: generated a secret for this run',
    );
  const ctx: ServerContext = {
    nodeId,
    options: { ...options, admin: admin.admin },
    apps,
    engine,
    service,
    observer,
    router,
    clock,
    log,
    clientAddress: edge.clientAddressOf,
  };
  registerAdminRoutes(ctx);
  registerConsoleRoutes(ctx);
  registerLandingPage(ctx);
  const gate = new ConnectionGate(limits, clock, log, edge.peerOf, edge.isTrustedPeer);
  const handle = (req: IncomingMessage, res: ServerResponse) =>
    void (gate.admitRequest(req, res) && router.handle(req, res));
  const http = options.tls
    ? createHttpsServer({ cert: options.tls.cert, key: options.tls.key }, handle)
    : createServer(handle);
  gate.attach(http);
  if (options.proxyProtocol) edge.acceptProxyProtocol(http, limits.handshakeTimeoutMs, Boolean(options.tls));

  const keepalives = new KeepaliveWheel(clock, timing.keepaliveMs);
  const wss = new WebSocketServer({ noServer: true, maxPayload: WS_MAX_PAYLOAD, perMessageDeflate: false });
  const accept = (ws: WebSocket, remote: string) =>
    new ClientConnection(ws, remote, service, limits, log, clock, keepalives, gateway);
  http.on('upgrade', (req, socket, head) => {
    // No closure here may capture `req` or `head`: one that outlives the upgrade (the socket's
    // error listener) would keep the request, its headers and the head buffer alive for as long
    // as the connection lives — about 2 KB per connection.
    destroyOnError(socket);
    if (draining) {
      // Plain HTTP 503, no WebSocket: the SDK counts it a failed attempt and tries its next URL.
      gateway.refused('server_shutdown');
      refuseUpgradeHttp(
        socket,
        503,
        'server_shutdown',
        'this node is shutting down; connect to another one',
        1,
      );
      return;
    }
    const originRefusal = edge.originRefusal(req);
    if (originRefusal !== undefined) {
      gateway.refused('origin_not_allowed');
      refuseUpgradeHttp(socket, 403, 'origin_not_allowed', originRefusal);
      return;
    }
    const remote = edge.clientAddressOf(req);
    const refusal = gate.upgrade(socket, remote);
    if (refusal !== undefined) gateway.refused('rate_limited');
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
  local.onAdd = (live) => sweeper.watch(live);
  const unsubscribeReset = engine.onReset(() => {
    log.warn('shared state was reset; re-asserting local sessions');
    cluster.reassert(timing.heartbeatMs * 3).catch((err: unknown) => log.error({ err }, 're-assert failed'));
  });

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

  /** Stops taking part: fresh deadlines published, every session handed over (`server_shutdown`). */
  const handOver = async () => {
    draining = true;
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
  };
  /** Resolves once every WebSocket has closed, or after `ms` with how many are left. */
  const socketsClosed = (ms: number) =>
    new Promise<number>((resolve) => {
      const deadline = Date.now() + Math.max(0, ms);
      const check = () => {
        if (wss.clients.size === 0 || Date.now() >= deadline) resolve(wss.clients.size);
        else setTimeout(check, 20).unref();
      };
      check();
    });
  const finish = async () => {
    metrics?.close();
    await webhooks?.close(WEBHOOK_FLUSH_MS);
    for (const ws of wss.clients) ws.terminate();
    wss.close();
    await new Promise<void>((resolve) => {
      http.close(() => resolve());
      http.closeAllConnections();
    });
    if (ownsEngine) await engine.close();
  };

  let closing: Promise<void> | undefined;
  return {
    url: `${options.tls ? 'wss' : 'ws'}://${hostForUrl}:${port}`,
    httpUrl: `${options.tls ? 'https' : 'http'}://${hostForUrl}:${port}`,
    generatedAdmin: admin.generated ? admin.admin : undefined,
    port,
    nodeId,
    media: service.media,
    kill() {
      closing ??= (async () => {
        metrics?.close();
        webhooks?.kill();
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
    get draining() {
      return draining;
    },
    readiness: isReady,
    close() {
      closing ??= (async () => {
        await handOver();
        await finish();
      })();
      return closing;
    },
    drain(timeoutMs = options.drainTimeoutMs ?? DEFAULT_DRAIN_TIMEOUT_MS) {
      closing ??= (async () => {
        const started = clock.now();
        const sessions = service.sessionCount;
        await handOver();
        log.info({ sessions, connections: wss.clients.size, timeoutMs }, 'draining: sessions handed over');
        const left = await socketsClosed(timeoutMs - (clock.now() - started));
        if (left > 0) log.warn({ connections: left }, 'drain timeout: closing the connections left');
        await finish();
        log.info({ ms: clock.now() - started }, 'drained');
      })();
      return closing;
    },
  };
}
