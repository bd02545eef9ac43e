import { OriginPolicy, TrustedProxies } from '@holdfast/server';
import {
  checked,
  count,
  httpUrl,
  int,
  ms,
  nonEmpty,
  oneOf,
  parseAppSpec,
  parseIceServerSpec,
  parsePortRange,
  port,
} from './parsers.js';

export { parseAppSpec, parseBool, parseIceServerSpec, parsePortRange } from './parsers.js';

/**
 * Every `holdfast serve` setting once: its flag, the environment variable named after the flag
 * (`--admin-id` ↔ `HOLDFAST_ADMIN_ID`), where it goes in the config file (the same path as in
 * `startServer`'s options), and how a flag or variable's text becomes a value.
 */
export interface Setting {
  /** The flag without dashes: `admin-id`. */
  flag: string;
  /** Where the value goes in the config (`['admin', 'customerId']`). */
  path: readonly string[];
  /** `<ms>`, `<url>` …; none for an on/off flag (`--x` and `--no-x`). */
  arg?: string;
  description: string;
  /** Text → value; throws InvalidArgumentError with the reason. Absent for on/off flags. */
  parse?: (text: string) => unknown;
  /** The flag may be given several times; the variable holds several values, space-separated. */
  repeatable?: boolean;
  /** A secret: given on the command line, it is visible to every user of the machine (`ps`). */
  secret?: boolean;
}

export const envName = (flag: string): string => `HOLDFAST_${flag.toUpperCase().replace(/-/g, '_')}`;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export const SETTINGS: readonly Setting[] = [
  { flag: 'host', path: ['host'], arg: '<host>', description: 'address to listen on', parse: nonEmpty },
  {
    flag: 'port',
    path: ['port'],
    arg: '<port>',
    description: 'port to listen on (0 = any free port)',
    parse: port,
  },
  {
    flag: 'app',
    path: ['apps'],
    arg: '<appId[:certificate|:@file][,offline-after-ms=ms]>',
    description:
      'serve this app (repeatable); with a certificate (or @ and the file it is in), joins need a token; its own remote offline window',
    parse: parseAppSpec,
    repeatable: true,
    secret: true,
  },
  {
    flag: 'backlog',
    path: ['backlog'],
    arg: '<n>',
    description: 'accept queue length (capped by net.core.somaxconn)',
    parse: count,
  },
  {
    flag: 'node-id',
    path: ['nodeId'],
    arg: '<id>',
    description: "this node's id in logs, metrics and the cluster (default: random)",
    parse: nonEmpty,
  },
  {
    flag: 'redis',
    path: ['redis', 'url'],
    arg: '<url>',
    description:
      'share channels with other nodes through this Redis (redis://[:password@]host:port[/db]), or a Redis Cluster (redis+cluster://[:password@]host:port,host:port…)',
    parse: nonEmpty,
    secret: true,
  },
  {
    flag: 'redis-prefix',
    path: ['redis', 'prefix'],
    arg: '<prefix>',
    description: 'key prefix in Redis, so several deployments can share one',
    parse: (t) => t,
  },
  {
    flag: 'admin-id',
    path: ['admin', 'customerId'],
    arg: '<customerId>',
    description: 'admin REST API / console user (HTTP Basic); with a secret',
    parse: nonEmpty,
  },
  {
    flag: 'admin-secret',
    path: ['admin', 'customerSecret'],
    arg: '<customerSecret>',
    description: 'admin REST API / console password; prefer HOLDFAST_ADMIN_SECRET or --admin-secret-file',
    parse: nonEmpty,
    secret: true,
  },
  {
    flag: 'admin-secret-file',
    path: ['admin', 'customerSecretFile'],
    arg: '<path>',
    description: 'read the admin password from this file (trailing whitespace dropped)',
    parse: nonEmpty,
  },
  {
    flag: 'tls-cert',
    path: ['tls', 'certFile'],
    arg: '<file>',
    description: 'serve https:// and wss:// with this certificate chain (PEM); with --tls-key',
    parse: nonEmpty,
  },
  {
    flag: 'tls-key',
    path: ['tls', 'keyFile'],
    arg: '<file>',
    description: "the TLS certificate's private key (PEM file)",
    parse: nonEmpty,
  },
  {
    flag: 'trusted-proxy',
    path: ['trustedProxies'],
    arg: '<ip|cidr>',
    description:
      'believe X-Forwarded-For from this load balancer / proxy (repeatable): IP rules, limits and logs see the client',
    parse: checked((t) => new TrustedProxies([t])),
    repeatable: true,
  },
  {
    flag: 'proxy-protocol',
    path: ['proxyProtocol'],
    description:
      'every connection starts with a PROXY protocol header (v1/v2), believed from --trusted-proxy peers only',
  },
  {
    flag: 'allowed-origin',
    path: ['allowedOrigins'],
    arg: '<origin>',
    description:
      'browser origin allowed to open a WebSocket (repeatable; https://app.example.com, https://*.example.com, *); others get 403',
    parse: checked((t) => new OriginPolicy([t])),
    repeatable: true,
  },
  {
    flag: 'console',
    path: ['console'],
    description: 'serve the web console at /console/ and the demo at /demo/',
  },
  { flag: 'metrics', path: ['metrics'], description: 'serve Prometheus metrics at /metrics' },
  {
    flag: 'log-level',
    path: ['logLevel'],
    arg: '<level>',
    description: LOG_LEVELS.join(', '),
    parse: oneOf(LOG_LEVELS),
  },
  {
    flag: 'log-format',
    path: ['logFormat'],
    arg: '<format>',
    description: 'json (one object a line, to stderr), pretty, or auto (pretty on a terminal)',
    parse: oneOf(['json', 'pretty', 'auto']),
  },
  {
    flag: 'drain-timeout-ms',
    path: ['drainTimeoutMs'],
    arg: '<ms>',
    description: 'on SIGTERM/SIGINT, wait this long at most for clients to move before closing',
    parse: ms,
  },
  {
    flag: 'offline-after-ms',
    path: ['timing', 'offlineAfterMs'],
    arg: '<ms>',
    description: 'remote offline window (apps may have their own: --app id,offline-after-ms=…)',
    parse: ms,
  },
  {
    flag: 'keepalive-ms',
    path: ['timing', 'keepaliveMs'],
    arg: '<ms>',
    description: "send a keepalive to a client quiet this long (at most 2000: clients' 4 s timer)",
    parse: ms,
  },
  {
    flag: 'ping-interval-ms',
    path: ['timing', 'pingIntervalMs'],
    arg: '<ms>',
    description:
      'ask clients to ping this often (default: 3 keepalives less a tick, ≤ 30 % of the offline window)',
    parse: ms,
  },
  {
    flag: 'sweep-interval-ms',
    path: ['timing', 'sweepIntervalMs'],
    arg: '<ms>',
    description: 'how often silent sessions and expired tokens are checked',
    parse: ms,
  },
  {
    flag: 'heartbeat-ms',
    path: ['timing', 'heartbeatMs'],
    arg: '<ms>',
    description: 'cluster heartbeat; a node is dead after 3 missed',
    parse: ms,
  },
  {
    flag: 'max-broadcasters',
    path: ['limits', 'maxBroadcasters'],
    arg: '<n>',
    description: 'most broadcasters per channel',
    parse: count,
  },
  {
    flag: 'max-frames-per-second',
    path: ['limits', 'maxFramesPerSecond'],
    arg: '<n>',
    description: 'frames per second per connection before it is closed as a flood',
    parse: count,
  },
  {
    flag: 'join-timeout-ms',
    path: ['limits', 'joinTimeoutMs'],
    arg: '<ms>',
    description: 'a connection must send its join within this',
    parse: ms,
  },
  {
    flag: 'handshake-timeout-ms',
    path: ['limits', 'handshakeTimeoutMs'],
    arg: '<ms>',
    description: 'a socket must deliver its HTTP request head within this',
    parse: ms,
  },
  {
    flag: 'max-connections-per-address',
    path: ['limits', 'maxConnectionsPerAddress'],
    arg: '<n>',
    description: 'sockets one address may hold open',
    parse: count,
  },
  {
    flag: 'max-joins-per-second-per-address',
    path: ['limits', 'maxJoinsPerSecondPerAddress'],
    arg: '<n>',
    description: 'joins one address may start per second',
    parse: count,
  },
  {
    flag: 'capacity',
    path: ['limits', 'capacity'],
    arg: '<n>',
    description: 'connections this node should hold (checked against the open-file limit)',
    parse: count,
  },
  {
    flag: 'max-console-viewers',
    path: ['limits', 'maxConsoleViewers'],
    arg: '<n>',
    description: "viewers of the console's live feed at once",
    parse: count,
  },
  {
    flag: 'media',
    path: ['media', 'enabled'],
    description: 'run the embedded SFU (--no-media: signalling and data only)',
  },
  {
    flag: 'media-ip',
    path: ['media', 'announcedIps'],
    arg: '<ip>',
    description: 'announce this address in ICE candidates (repeatable; behind NAT, the public one)',
    parse: nonEmpty,
    repeatable: true,
  },
  {
    flag: 'media-ports',
    path: ['media', 'portRange'],
    arg: '<min-max>',
    description: 'UDP ports for media (default: any free port)',
    parse: parsePortRange,
  },
  {
    flag: 'ice-server',
    path: ['media', 'iceServers'],
    arg: '<url[,username=u][,credential=c|@file]>',
    description: "a STUN/TURN server for the server's own candidates (repeatable)",
    parse: parseIceServerSpec,
    repeatable: true,
    secret: true,
  },
  {
    flag: 'media-tcp',
    path: ['media', 'tcp'],
    description: 'also offer ICE over TCP, for networks that block UDP',
  },
  {
    flag: 'webhook-url',
    path: ['webhooks', 'urls'],
    arg: '<url>',
    description:
      'POST signed channel and member events to this http(s) URL (repeatable; needs a webhook secret)',
    parse: httpUrl,
    repeatable: true,
  },
  {
    flag: 'webhook-secret',
    path: ['webhooks', 'secret'],
    arg: '<secret>',
    description:
      'HMAC-SHA256 key of the Holdfast-Signature header; prefer HOLDFAST_WEBHOOK_SECRET or --webhook-secret-file',
    parse: nonEmpty,
    secret: true,
  },
  {
    flag: 'webhook-secret-file',
    path: ['webhooks', 'secretFile'],
    arg: '<path>',
    description: 'read the webhook secret from this file (trailing whitespace dropped)',
    parse: nonEmpty,
  },
  {
    flag: 'webhook-timeout-ms',
    path: ['webhooks', 'timeoutMs'],
    arg: '<ms>',
    description: 'a webhook request with no answer within this is a failed attempt (retried)',
    parse: ms,
  },
  {
    flag: 'webhook-retry-for-ms',
    path: ['webhooks', 'retryForMs'],
    arg: '<ms>',
    description: 'retry a webhook (1, 2, 4 … 60 s apart) for this long after its event, then give it up',
    parse: ms,
  },
  {
    flag: 'webhook-max-queued',
    path: ['webhooks', 'maxQueued'],
    arg: '<n>',
    description: 'webhook events waiting per URL; more are dropped (logged, counted) while it is full',
    parse: int(1, Number.MAX_SAFE_INTEGER, 'a positive integer'),
  },
];

/** `HOLDFAST_CONFIG`: the config file when `--config` is not given. */
export const CONFIG_ENV = 'HOLDFAST_CONFIG';

/** The variables `holdfast serve` reads (anything else named HOLDFAST_… is refused as a typo). */
export const KNOWN_ENV = new Set([CONFIG_ENV, ...SETTINGS.map((s) => envName(s.flag))]);
