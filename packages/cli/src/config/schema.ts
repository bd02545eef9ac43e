import {
  type AppConfig,
  DEFAULT_DRAIN_TIMEOUT_MS,
  DEFAULT_LIMITS,
  DEFAULT_SERVER_TIMING,
  LOG_FORMATS,
  type MediaOptions,
  type ServerLimits,
  type ServerOptions,
  type ServerTiming,
  WEBHOOK_DEFAULTS,
  type WebhookOptions,
} from '@holdfast/server';
import { z } from 'zod';

/**
 * The config file of `holdfast serve --config FILE`: the keys are `startServer`'s option names
 * (ServerOptions), nested the same way. `null` means "not set" (the server's default, or
 * nothing). Secrets may be given inline, or by the path of a file that holds them
 * (`customerSecretFile`, `appCertificateFile`, `credentialFile`), or from the environment.
 * Every object is strict: a key this server does not know is refused, with its name.
 */

const ms = z.number().int().positive();
const count = z.number().int().min(0);
const text = z.string().min(1);
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export const AppSchema = z.strictObject({
  appId: text,
  appCertificate: text.nullish(),
  appCertificateFile: text.nullish(),
  offlineAfterMs: ms.nullish(),
});

export const IceServerSchema = z.strictObject({
  urls: text,
  username: z.string().nullish(),
  credential: z.string().nullish(),
  credentialFile: text.nullish(),
});

export const TimingSchema = z.strictObject({
  offlineAfterMs: ms.nullish(),
  keepaliveMs: ms.nullish(),
  pingIntervalMs: ms.nullish(),
  sweepIntervalMs: ms.nullish(),
  heartbeatMs: ms.nullish(),
});

export const LimitsSchema = z.strictObject({
  maxBroadcasters: count.nullish(),
  maxFramesPerSecond: count.nullish(),
  joinTimeoutMs: ms.nullish(),
  handshakeTimeoutMs: ms.nullish(),
  maxConnectionsPerAddress: count.nullish(),
  maxJoinsPerSecondPerAddress: count.nullish(),
  capacity: count.nullish(),
  maxConsoleViewers: count.nullish(),
});

const port = z.number().int().min(0).max(65_535);

export const MediaSchema = z.strictObject({
  enabled: z.boolean().nullish(),
  announcedIps: z.array(text).nullish(),
  portRange: z
    .tuple([port, port])
    .refine(([min, max]) => min <= max, 'portRange is [min, max] with min <= max')
    .nullish(),
  iceServers: z.array(IceServerSchema).nullish(),
  tcp: z.boolean().nullish(),
});

export const WebhooksSchema = z.strictObject({
  urls: z.array(z.url({ protocol: /^https?$/ })).nullish(),
  secret: text.nullish(),
  secretFile: text.nullish(),
  timeoutMs: ms.nullish(),
  retryForMs: ms.nullish(),
  maxQueued: z.number().int().positive().nullish(),
});

export const ConfigSchema = z.strictObject({
  host: text.nullish(),
  port: port.nullish(),
  backlog: count.nullish(),
  apps: z.array(AppSchema).nullish(),
  timing: TimingSchema.nullish(),
  limits: LimitsSchema.nullish(),
  redis: z.union([text, z.strictObject({ url: text.nullish(), prefix: z.string().nullish() })]).nullish(),
  nodeId: text.nullish(),
  logLevel: z.enum(LOG_LEVELS).nullish(),
  logFormat: z.enum(LOG_FORMATS as ['json', 'pretty', 'auto']).nullish(),
  metrics: z.boolean().nullish(),
  drainTimeoutMs: ms.nullish(),
  admin: z
    .strictObject({
      customerId: text.nullish(),
      customerSecret: text.nullish(),
      customerSecretFile: text.nullish(),
    })
    .nullish(),
  console: z.boolean().nullish(),
  media: MediaSchema.nullish(),
  webhooks: WebhooksSchema.nullish(),
  tls: z.strictObject({ certFile: text.nullish(), keyFile: text.nullish() }).nullish(),
  trustedProxies: z.array(text).nullish(),
  proxyProtocol: z.boolean().nullish(),
  allowedOrigins: z.array(text).nullish(),
});

/** A config file (or any layer of the config): every key optional, `null` = not set. */
export type FileConfig = z.infer<typeof ConfigSchema>;

/**
 * ServerOptions keys that only code can give (objects, not settings): everything else must be
 * a key of the config file. The assignments below fail to compile when `startServer` gains an
 * option the config file cannot reach.
 */
type CodeOnly = 'engine' | 'clock' | 'logger';
type Covers<Options, Config> = Exclude<keyof Options, keyof Config> extends never ? true : never;
const _coversServer: Covers<Omit<ServerOptions, CodeOnly>, FileConfig> = true;
const _coversTiming: Covers<ServerTiming, NonNullable<FileConfig['timing']>> = true;
const _coversLimits: Covers<ServerLimits, NonNullable<FileConfig['limits']>> = true;
const _coversMedia: Covers<MediaOptions, NonNullable<FileConfig['media']>> = true;
const _coversApp: Covers<AppConfig, z.infer<typeof AppSchema>> = true;
const _coversWebhooks: Covers<WebhookOptions, NonNullable<FileConfig['webhooks']>> = true;
void [_coversServer, _coversTiming, _coversLimits, _coversMedia, _coversApp, _coversWebhooks];

/**
 * What `holdfast serve` runs with when nothing is configured: every key, `null` where the
 * server picks (a derived ping interval, a random node id, werift's addresses) or where the
 * setting is off (no Redis, no admin credentials, no TLS; `allowedOrigins: null` lets every
 * origin connect). Printed by `holdfast config defaults`.
 */
export const DEFAULT_CONFIG = {
  host: '127.0.0.1',
  port: 7700,
  backlog: 4096,
  apps: [{ appId: 'demo' }],
  nodeId: null,
  redis: { url: null, prefix: 'hf:' },
  timing: {
    offlineAfterMs: DEFAULT_SERVER_TIMING.offlineAfterMs,
    keepaliveMs: DEFAULT_SERVER_TIMING.keepaliveMs,
    pingIntervalMs: null,
    sweepIntervalMs: DEFAULT_SERVER_TIMING.sweepIntervalMs,
    heartbeatMs: DEFAULT_SERVER_TIMING.heartbeatMs,
  },
  limits: {
    maxBroadcasters: DEFAULT_LIMITS.maxBroadcasters,
    maxFramesPerSecond: DEFAULT_LIMITS.maxFramesPerSecond,
    joinTimeoutMs: DEFAULT_LIMITS.joinTimeoutMs,
    handshakeTimeoutMs: DEFAULT_LIMITS.handshakeTimeoutMs,
    maxConnectionsPerAddress: DEFAULT_LIMITS.maxConnectionsPerAddress,
    maxJoinsPerSecondPerAddress: DEFAULT_LIMITS.maxJoinsPerSecondPerAddress,
    capacity: DEFAULT_LIMITS.capacity,
    maxConsoleViewers: 32,
  },
  admin: { customerId: null, customerSecret: null, customerSecretFile: null },
  console: true,
  metrics: true,
  logLevel: 'info',
  logFormat: 'auto',
  drainTimeoutMs: DEFAULT_DRAIN_TIMEOUT_MS,
  media: { enabled: true, announcedIps: null, portRange: null, iceServers: [], tcp: false },
  tls: { certFile: null, keyFile: null },
  trustedProxies: [],
  proxyProtocol: false,
  allowedOrigins: null,
  webhooks: {
    urls: [],
    secret: null,
    secretFile: null,
    timeoutMs: WEBHOOK_DEFAULTS.timeoutMs,
    retryForMs: WEBHOOK_DEFAULTS.retryForMs,
    maxQueued: WEBHOOK_DEFAULTS.maxQueued,
  },
} satisfies FileConfig;
