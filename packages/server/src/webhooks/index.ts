import type { Clock } from '@holdfast/protocol';
import type { Logger } from 'pino';
import type { MemberHooks } from '../channels/hooks.js';
import { retryPolicy } from './backoff.js';
import { type ChannelCounter, memoryCounter, type RedisWhere, redisCounter } from './channel-count.js';
import { WebhookEvents } from './events.js';
import { httpPost, type Post } from './http-post.js';
import { WebhookLane } from './lane.js';
import { WEBHOOK_DEFAULTS, type WebhookCounts, type WebhookOptions } from './types.js';

export { type SignatureCheck, type SignatureProblem, signatureHeader, verifySignature } from './signing.js';
export type { WebhookCounts, WebhookEvent, WebhookEventName, WebhookOptions } from './types.js';

/** This node's webhooks: the hooks the channel path tells, and what was delivered. */
export interface Webhooks {
  readonly hooks: MemberHooks;
  readonly counts: WebhookCounts;
  /** Events waiting in every URL's queue. */
  readonly queued: number;
  /** Resolves once every fact told so far is queued. */
  settled(): Promise<void>;
  /**
   * Stops delivering, after waiting up to `flushMs` for the queues to empty (a receiver that is up
   * gets what happened just before a drain); events still queued are logged as lost.
   */
  close(flushMs?: number): Promise<void>;
}

/** Throws a TypeError naming the setting when `webhooks` cannot work. */
export function checkWebhookOptions(o: WebhookOptions): void {
  if (!Array.isArray(o.urls)) throw new TypeError('webhooks.urls must be a list of http(s) URLs');
  for (const url of o.urls) {
    let parsed: URL | undefined;
    try {
      parsed = new URL(url);
    } catch {
      parsed = undefined;
    }
    if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:'))
      throw new TypeError(`webhooks.urls: "${url}" is not an http: or https: URL`);
  }
  if (o.urls.length > 0 && (typeof o.secret !== 'string' || o.secret.length < 16))
    throw new TypeError(
      'webhooks.secret must be set (at least 16 characters) to sign webhooks: HOLDFAST_WEBHOOK_SECRET or webhooks.secretFile',
    );
  for (const key of ['timeoutMs', 'retryForMs', 'maxQueued'] as const) {
    const v = o[key];
    if (v !== undefined && !(Number.isInteger(v) && v > 0))
      throw new TypeError(`webhooks.${key} must be a positive integer (got ${v})`);
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)));

/** How long a closing or draining server waits at most for its webhook queues to empty. */
export const WEBHOOK_FLUSH_MS = 2000;

export interface WebhookDeps {
  nodeId: string;
  clock: Clock;
  log: Logger;
  /** The engine object: servers sharing an in-memory engine share channel counts. */
  engine: object;
  /** With Redis, the channel counts live there (shared by the cluster). */
  redis?: RedisWhere | undefined;
  /** How a request is sent (tests); default Node's fetch. */
  post?: Post;
}

/** Starts the webhooks of `options`; undefined when no URL is configured. */
export function startWebhooks(options: WebhookOptions | undefined, deps: WebhookDeps): Webhooks | undefined {
  if (!options || options.urls.length === 0) return undefined;
  checkWebhookOptions(options);
  const o = { ...WEBHOOK_DEFAULTS, ...options };
  const log = deps.log.child({ component: 'webhooks' });
  const counts: WebhookCounts = { sent: 0, retried: 0, failed: 0, dropped: 0 };
  const lanes = o.urls.map(
    (url) =>
      new WebhookLane({
        url,
        secret: o.secret,
        timeoutMs: o.timeoutMs,
        maxQueued: o.maxQueued,
        policy: retryPolicy(o.retryForMs),
        clock: deps.clock,
        post: deps.post ?? httpPost,
        log,
        counts,
      }),
  );
  const counter: ChannelCounter = deps.redis ? redisCounter(deps.redis, log) : memoryCounter(deps.engine);
  const events = new WebhookEvents({
    nodeId: deps.nodeId,
    now: () => deps.clock.now(),
    counter,
    emit: (event) => {
      for (const lane of lanes) lane.enqueue(event);
    },
    dropped: () => {
      counts.dropped += lanes.length;
    },
    maxPending: o.maxQueued,
    log,
  });
  return {
    hooks: events,
    counts,
    get queued() {
      return lanes.reduce((n, l) => n + l.size, 0);
    },
    settled: () => events.settled(),
    async close(flushMs = 0) {
      const deadline = Date.now() + flushMs;
      const queued = () => lanes.reduce((n, l) => n + l.size, 0);
      await Promise.race([events.settled(), sleep(flushMs)]);
      while (queued() > 0 && Date.now() < deadline) await sleep(Math.min(20, deadline - Date.now()));
      const lost = lanes.reduce((n, l) => n + l.close(), 0);
      if (lost > 0) log.warn({ events: lost }, 'webhooks: closing with events undelivered');
      await counter.close();
    },
  };
}
