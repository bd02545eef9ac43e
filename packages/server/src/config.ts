import type { Clock } from '@holdfast/protocol';
import type { Logger } from 'pino';
import type { AppConfig } from './auth/apps.js';
import type { Engine } from './engine/types.js';
import { keepaliveTickMs } from './gateway/keepalive.js';
import type { MediaOptions } from './media/config.js';
import type { LogFormat } from './observe/log.js';
import type { WebhookOptions } from './webhooks/types.js';

export interface ServerTiming {
  /** Remote offline window: a member is Dropped this long after the last data from it. Default 20000. */
  offlineAfterMs?: number;
  /**
   * The server sends a keepalive (`ka`) to any joined client it has written nothing to for this
   * long, so a healthy client never goes 4 s without data (its Interrupted timer). Default 2000.
   */
  keepaliveMs?: number;
  /**
   * How often clients are asked to ping (the `joined` frame's `keepaliveMs`); each ping is answered
   * with a pong, the client's RTT sample. Pings are the client's liveness for the offline window.
   * Default 3 × `keepaliveMs` less one keepalive tick (5950): each pong then lands just before a
   * keepalive would have been due and stands in for it, so pings cost the server one read and no
   * extra write. Never more than 30 % of a session's offline window.
   */
  pingIntervalMs?: number;
  /** How often silent sessions and expired tokens are checked. Default 200. */
  sweepIntervalMs?: number;
  /** Cluster heartbeat / deadline publication interval; a node is dead after 3 missed. Default 1000. */
  heartbeatMs?: number;
}

export interface ServerLimits {
  /** Most broadcasters in one channel. Default 128. */
  maxBroadcasters?: number;
  /** Frames per second per connection before it is closed as a flood. Default 50. */
  maxFramesPerSecond?: number;
  /** A connection must send its join within this time after its upgrade. Default 5000. */
  joinTimeoutMs?: number;
  /**
   * A new socket must deliver its HTTP request head (the WebSocket upgrade, or a plain request)
   * within this time, or it is closed: half an upgrade and then nothing (slowloris) cannot hold a
   * file descriptor. Default 5000.
   */
  handshakeTimeoutMs?: number;
  /**
   * Sockets one address may hold open at once. A few over the cap are refused with a reason
   * (`rate_limited` end frame, close code 4429; HTTP 429), the rest are closed on accept.
   * Counted on the socket's peer address. Default 256.
   */
  maxConnectionsPerAddress?: number;
  /**
   * Joins one address may start per second (each WebSocket carries at most one join, so this
   * counts upgrades); more are refused with `rate_limited`, which the SDK retries after a backoff.
   * Default 100.
   */
  maxJoinsPerSecondPerAddress?: number;
  /**
   * Connections this node is expected to hold: at start the server reads its open-file limit and
   * warns when that limit cannot hold this many sockets. Default 10000.
   */
  capacity?: number;
  /**
   * Viewers of the console's live feed at once; more get 503 (their EventSource retries). The
   * feed is shared, so each viewer costs one write per 100 ms batch and per snapshot. Default 32.
   */
  maxConsoleViewers?: number;
}

export interface ServerOptions {
  /**
   * The embedded SFU: announced addresses, UDP port range, ICE servers, TCP. On by default
   * (`{ enabled: false }` runs signalling and data streams only).
   */
  media?: MediaOptions;
  /** Address to listen on. Default 127.0.0.1. */
  host?: string;
  /** Port; 0 picks a free one. Default 7700. */
  port?: number;
  /**
   * Accept queue length asked of the kernel (capped by `net.core.somaxconn`). Default 4096, not
   * Node's 511: when a network comes back, thousands of clients reconnect within milliseconds, and
   * a full queue drops their SYNs, which the client's TCP retries only after a 1 s timeout.
   */
  backlog?: number;
  apps: AppConfig[];
  timing?: ServerTiming;
  limits?: ServerLimits;
  /** Where shared state lives. Default: a new in-memory engine (or Redis when `redis` is set). */
  engine?: Engine;
  /**
   * Share state with other nodes through this Redis (`redis://host:port`), or a Redis Cluster
   * (`redis+cluster://host:port,host:port…`, see RedisEngineOptions); ignored when `engine` is given.
   */
  redis?: string | { url: string; prefix?: string };
  /** This node's id (logs, cluster). Default: random. */
  nodeId?: string;
  clock?: Clock;
  /** A pino logger; default: logs to stderr at `logLevel` in `logFormat`. */
  logger?: Logger;
  /** Default 'warn'. */
  logLevel?: string;
  /** json (default), pretty (one short line each, for people), or auto (pretty on a terminal). */
  logFormat?: LogFormat;
  /** Serve Prometheus metrics at GET /metrics (unauthenticated, like /healthz). Default true. */
  metrics?: boolean;
  /**
   * `drain()` (SIGTERM in `holdfast serve`) waits this long at most for clients to close their
   * connections after being told to go elsewhere, then closes the rest. Default 10000.
   */
  drainTimeoutMs?: number;
  /**
   * Credentials for the admin REST API and the console (HTTP Basic, like the commercial
   * channel-management APIs). Without them both are open only on a loopback `host` with no
   * `trustedProxies`; anywhere else the server generates credentials for the run
   * (`RunningServer.generatedAdmin`; `holdfast serve` prints them once, to stderr).
   */
  admin?: { customerId: string; customerSecret: string };
  /**
   * Serve the web console at /console and the SDK demo page at /demo (built by `npm run build`
   * into packages/console/dist). Default true; the console is behind `admin` when that is set.
   */
  console?: boolean;
  /**
   * POST signed JSON to these URLs on channel created/destroyed, user joined/left (with the
   * reason), role changed, kicked, token expired (README "Webhooks"). Off without URLs.
   */
  webhooks?: WebhookOptions;
  /**
   * Serve HTTPS and WSS instead of HTTP and WS: the certificate chain and private key, PEM.
   * (`holdfast serve --tls-cert FILE --tls-key FILE`.)
   */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /**
   * Load balancers / reverse proxies whose X-Forwarded-For is believed: addresses or CIDR blocks
   * (`10.0.0.0/8`, `fd00::/8`). From these peers the client is the right-most forwarded address
   * that is not itself a trusted proxy: kicking rules by IP, per-address limits, logs and the
   * console use it. Anyone else's X-Forwarded-For is ignored. Default: none.
   */
  trustedProxies?: string[];
  /**
   * Every connection starts with a PROXY protocol header (v1 or v2: HAProxy, AWS NLB, nginx
   * `proxy_protocol`), read before HTTP and TLS; one that does not is closed. The header's client
   * address is believed from `trustedProxies` only (required with this). Default false.
   */
  proxyProtocol?: boolean;
  /**
   * Browser origins that may open a WebSocket (`https://app.example.com`, `https://*.example.com`,
   * `*`); any other browser Origin gets HTTP 403 before the upgrade. Requests without an Origin
   * header (non-browser clients) are let through. Default: every origin.
   */
  allowedOrigins?: string[];
}

export const DEFAULT_DRAIN_TIMEOUT_MS = 10_000;

export const DEFAULT_SERVER_TIMING = {
  offlineAfterMs: 20_000,
  keepaliveMs: 2000,
  sweepIntervalMs: 200,
  heartbeatMs: 1000,
} as const;

/**
 * The ping interval a client with this offline window is asked for: 3 pings fit in 90 % of the
 * window, so two lost pings in a row never get a member dropped.
 */
export function pingIntervalFor(timing: ServerTiming, offlineAfterMs: number): number {
  const keepaliveMs = timing.keepaliveMs ?? DEFAULT_SERVER_TIMING.keepaliveMs;
  const wanted = timing.pingIntervalMs ?? 3 * keepaliveMs - keepaliveTickMs(keepaliveMs);
  return Math.min(wanted, Math.max(50, Math.floor(offlineAfterMs * 0.3)));
}

/** The SDK's Interrupted timer (the seed's 4 s): the server must write to a client more often. */
const CLIENT_INTERRUPT_MS = 4000;

/** Throws a TypeError naming the setting when a timing would break the 4 s / 20 s rules. */
export function checkTiming(timing: ServerTiming): void {
  const positive = (name: keyof ServerTiming) => {
    const v = timing[name];
    if (v !== undefined && !(Number.isFinite(v) && v > 0))
      throw new TypeError(`timing.${name} must be a positive number of ms (got ${v})`);
  };
  for (const name of [
    'offlineAfterMs',
    'keepaliveMs',
    'pingIntervalMs',
    'sweepIntervalMs',
    'heartbeatMs',
  ] as const)
    positive(name);
  const ka = timing.keepaliveMs;
  if (ka !== undefined && ka > CLIENT_INTERRUPT_MS / 2)
    throw new TypeError(
      `timing.keepaliveMs ${ka} leaves clients no margin under their ${CLIENT_INTERRUPT_MS} ms Interrupted timer; use at most ${CLIENT_INTERRUPT_MS / 2} (keepaliveMs is the server's keepalive; the client ping interval is pingIntervalMs)`,
    );
}

export const DEFAULT_LIMITS = {
  maxBroadcasters: 128,
  maxFramesPerSecond: 50,
  joinTimeoutMs: 5000,
  handshakeTimeoutMs: 5000,
  maxConnectionsPerAddress: 256,
  maxJoinsPerSecondPerAddress: 100,
  capacity: 10_000,
} as const;

/** ws closes frames above this itself; smaller oversize frames get our own `frame_too_large` reason. */
export const WS_MAX_PAYLOAD = 64 * 1024;
