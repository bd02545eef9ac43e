export { secretsEqual } from './admin/auth.js';
export {
  AccessTokenError,
  type AccessTokenErrorCode,
  type BuildAccessToken2Options,
  buildAccessToken2,
  type ParsedAccessToken2,
  parseAccessToken2,
  type VerifyResult,
  verifyAccessToken2,
} from './auth/access-token2.js';
export { type AppConfig, AppRegistry } from './auth/apps.js';
export { admitMember, UNLIMITED } from './channels/admission.js';
export {
  DEFAULT_DRAIN_TIMEOUT_MS,
  DEFAULT_LIMITS,
  DEFAULT_SERVER_TIMING,
  type ServerLimits,
  type ServerOptions,
  type ServerTiming,
} from './config.js';
export type {
  ConsoleApp,
  ConsoleChannel,
  ConsoleHello,
  ConsoleLiveInfo,
  ConsoleMediaInfo,
  ConsoleMember,
  ConsoleSnapshot,
} from './console/types.js';
export { MemoryEngine } from './engine/memory.js';
export { RedisEngine, type RedisEngineOptions } from './engine/redis.js';
export { type ClusterTarget, isClusterUrl, parseClusterUrl } from './engine/redis-connect.js';
export { channelKey, RedisKeys, RedisOptionsError, type RedisOptionsReason } from './engine/redis-keys.js';
export type {
  AdmitResult,
  ChannelStore,
  EngineBus,
  RoleResult,
  RuleStore,
  SessionStore,
} from './engine/seams.js';
export type {
  BusMessage,
  ChannelRef,
  ChannelSummary,
  Engine,
  KickingRule,
  MemberRecord,
  SequencedEvent,
  SessionRecord,
} from './engine/types.js';
export type { MediaOptions } from './media/config.js';
export { createLogger, LOG_FORMATS, type LogFormat, prettyLine } from './observe/log.js';
export type { ObservedEvent } from './observe/observer.js';
export type { Readiness } from './observe/readiness.js';
export { type AdminCredentials, effectiveAdmin, isLoopbackHost } from './security/admin-default.js';
export {
  clientAddress,
  normalizeAddress,
  parseForwardedEntry,
  TrustedProxies,
} from './security/client-address.js';
export { OriginPolicy } from './security/origins.js';
export { type RunningServer, startServer } from './server.js';
export {
  checkWebhookOptions,
  type SignatureCheck,
  type SignatureProblem,
  signatureHeader,
  verifySignature,
  type WebhookCounts,
  type WebhookEvent,
  type WebhookEventName,
  type WebhookOptions,
} from './webhooks/index.js';
export { WEBHOOK_DEFAULTS, WEBHOOK_EVENTS } from './webhooks/types.js';
