import { createHash } from 'node:crypto';
import type { Clock, TimerHandle } from '@holdfast/protocol';
import type { Logger } from 'pino';
import type { MemberHooks } from '../channels/hooks.js';
import { retryPolicy } from './backoff.js';
import { type ChannelCounter, memoryCounter, redisCounter } from './channel-count.js';
import { WebhookEvents } from './events.js';
import { httpPost, type Post } from './http-post.js';
import { WebhookLane } from './lane.js';
import { type OutboxStore, redisOutbox } from './outbox-store.js';
import { openRedis, type RedisWhere } from './redis-link.js';
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
  /** Stops like a crashed process (tests): no flush, nothing handed on; others take over after the alive key lapses. */
  kill(): void;
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
/** How often a node renews its alive key (3 of these: its TTL) and looks for the outboxes of dead nodes (Redis only). */
export const ADOPT_EVERY_MS = 1000;

/** A URL's short name in the outbox (nodes with the same URL configured share it). */
const laneId = (url: string) => createHash('sha256').update(url).digest('hex').slice(0, 16);

export interface WebhookDeps {
  nodeId: string;
  clock: Clock;
  log: Logger;
  /** The engine object: servers sharing an in-memory engine share channel counts. */
  engine: object;
  /** With Redis, the channel counts and the outbox live there (shared by the cluster). */
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
  const redis = deps.redis ? openRedis(deps.redis, log) : undefined;
  const prefix = deps.redis?.prefix ?? 'hf:';
  const outbox: OutboxStore | undefined = redis && redisOutbox(redis, prefix, deps.nodeId, log);
  const lanes = o.urls.map((url) => {
    const id = laneId(url);
    return {
      id,
      lane: new WebhookLane({
        url,
        secret: o.secret,
        timeoutMs: o.timeoutMs,
        maxQueued: o.maxQueued,
        policy: retryPolicy(o.retryForMs),
        clock: deps.clock,
        post: deps.post ?? httpPost,
        log,
        counts,
        store: outbox && {
          put: (event) => outbox.put(id, event),
          done: (eventId) => outbox.done(id, eventId),
        },
      }),
    };
  });
  const counter: ChannelCounter = redis ? redisCounter(redis, prefix) : memoryCounter(deps.engine);
  // Dead nodes' kept events (and this node's previous run's, at start) are taken over and sent from here.
  let adoptTimer: TimerHandle | undefined;
  /** The take-over round in progress: close() lets it finish, so what it took is queued (and kept) here. */
  let adopting: Promise<void> = Promise.resolve();
  let closed = false;
  const adopt = async (includeSelf: boolean) => {
    if (!outbox) return;
    try {
      await outbox.alive(3 * ADOPT_EVERY_MS);
      const kept = await outbox.adopt(
        lanes.map((l) => l.id),
        includeSelf,
      );
      if (kept.length > 0)
        log.warn({ events: kept.length }, 'webhooks: took over undelivered events of a node gone');
      for (const { lane, event } of kept) {
        const target = lanes.find((l) => l.id === lane);
        if (target) target.lane.enqueue(event);
        else {
          counts.failed++;
          log.error(
            { id: event.id, event: event.event },
            'webhooks: a taken-over event is for a URL this node does not have',
          );
        }
      }
    } catch (err) {
      log.debug({ err: (err as Error).message }, 'webhooks: outbox take-over failed (tried again)');
    }
    if (!closed)
      adoptTimer = deps.clock.setTimeout(() => {
        adopting = adopt(false);
      }, ADOPT_EVERY_MS);
  };
  adopting = adopt(true);
  const events = new WebhookEvents({
    nodeId: deps.nodeId,
    now: () => deps.clock.now(),
    counter,
    emit: (event) => {
      for (const l of lanes) l.lane.enqueue(event);
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
      return lanes.reduce((n, l) => n + l.lane.size, 0);
    },
    settled: () => events.settled(),
    kill() {
      closed = true;
      if (adoptTimer) deps.clock.clearTimeout(adoptTimer);
      for (const l of lanes) l.lane.close();
      redis?.disconnect();
    },
    async close(flushMs = 0) {
      const deadline = Date.now() + flushMs;
      const queued = () => lanes.reduce((n, l) => n + l.lane.size, 0);
      await Promise.race([events.settled(), sleep(flushMs)]);
      while (queued() > 0 && Date.now() < deadline) await sleep(Math.min(20, deadline - Date.now()));
      closed = true;
      if (adoptTimer) deps.clock.clearTimeout(adoptTimer);
      // Events a round took from a dead node are only in this node's lanes (and outbox) once it ends.
      await adopting;
      const left = lanes.reduce((n, l) => n + l.lane.close(), 0);
      if (left > 0)
        log.warn(
          { events: left },
          outbox
            ? 'webhooks: closing with events undelivered; kept in Redis for another node to send'
            : 'webhooks: closing with events undelivered (lost)',
        );
      // Whatever is left is for another node now (without waiting for this node's alive key to lapse).
      await outbox?.gone().catch(() => {});
      await counter.close();
      // QUIT after the outbox writes already asked (a delivered event's delete must not be lost).
      await redis?.quit().catch(() => redis.disconnect());
    },
  };
}
