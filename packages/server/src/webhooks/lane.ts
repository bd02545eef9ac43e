import type { Clock, TimerHandle } from '@holdfast/protocol';
import type { Logger } from 'pino';
import { afterFailure, type RetryPolicy } from './backoff.js';
import type { Post } from './http-post.js';
import { EVENT_ID_HEADER, EVENT_NAME_HEADER, SIGNATURE_HEADER, signatureHeader } from './signing.js';
import type { WebhookCounts, WebhookEvent } from './types.js';

/** Requests in flight at once to one URL (each for a different channel). */
export const LANE_CONCURRENCY = 8;

export interface LaneOptions {
  url: string;
  secret: string;
  timeoutMs: number;
  maxQueued: number;
  policy: RetryPolicy;
  clock: Clock;
  post: Post;
  log: Logger;
  /** Shared by every lane of the node. */
  counts: WebhookCounts;
  /** Default {@link LANE_CONCURRENCY}. */
  concurrency?: number;
  /** Told of each event queued and each delivered or given up (the Redis outbox). */
  store?: { put(event: WebhookEvent): void; done(id: string): void } | undefined;
}

interface Pending {
  event: WebhookEvent;
  /** The body, serialised once: every retry sends the same bytes. */
  body: string;
  /** Events of one channel go one at a time, in order. */
  key: string;
  failures: number;
  /** ready: may be sent; sending: a request is out; waiting: in its backoff; done: delivered or given up. */
  state: 'ready' | 'sending' | 'waiting' | 'done';
}

/**
 * The outbox of one URL: a bounded queue of events. Events of one channel are sent one at a time,
 * in the order they happened; up to `concurrency` channels' events are in flight at once. A failed
 * attempt holds its channel back for its backoff ({@link afterFailure}); the channel's later
 * events wait behind it (a receiver that is down gets nothing until it is back, then every
 * channel's events in order). Each attempt is signed afresh (its `t` is the attempt's time), so
 * a receiver's replay window holds for retries too. `enqueue` returns at once: nothing here is
 * awaited by the channel path.
 */
export class WebhookLane {
  /** Each channel's events not yet done, oldest first (only the first is ever in flight or waiting). */
  readonly #channels = new Map<string, Pending[]>();
  /** Channels whose first event may be sent now, in the order they became so. */
  #ready: string[] = [];
  #readyHead = 0;
  #size = 0;
  #sending = 0;
  readonly #timers = new Set<TimerHandle>();
  #closed = false;
  /** Events dropped since the queue last had room (one log line per full spell). */
  #dropping = 0;

  constructor(private readonly o: LaneOptions) {}

  /** Events not yet delivered or given up (those in flight included). */
  get size(): number {
    return this.#size;
  }

  /** Queues the event; false when it was dropped (queue full, or the lane is closed). */
  enqueue(event: WebhookEvent): boolean {
    if (this.#closed) return false;
    if (this.#size >= this.o.maxQueued) {
      this.o.counts.dropped++;
      if (this.#dropping++ === 0)
        this.o.log.warn(
          { url: this.o.url, queued: this.#size, event: event.event, id: event.id },
          'webhook queue full: dropping events until it has room',
        );
      return false;
    }
    if (this.#dropping > 0) {
      this.o.log.warn({ url: this.o.url, dropped: this.#dropping }, 'webhook queue has room again');
      this.#dropping = 0;
    }
    const key = `${event.appId}\u0000${event.channel}`;
    const pending: Pending = { event, body: JSON.stringify(event), key, failures: 0, state: 'ready' };
    const queue = this.#channels.get(key);
    if (queue) queue.push(pending);
    else {
      this.#channels.set(key, [pending]);
      this.#ready.push(key);
    }
    this.#size++;
    this.o.store?.put(event);
    this.#pump();
    return true;
  }

  /** Stops sending; returns how many events were left undelivered. */
  close(): number {
    this.#closed = true;
    for (const t of this.#timers) this.o.clock.clearTimeout(t);
    this.#timers.clear();
    return this.#size;
  }

  /**
   * Starts every event that may go now, while slots are free: the first event of each channel in
   * the ready list. A channel with thousands queued takes one slot, never the others' turn.
   */
  #pump(): void {
    const limit = this.o.concurrency ?? LANE_CONCURRENCY;
    while (!this.#closed && this.#sending < limit && this.#readyHead < this.#ready.length) {
      const p = this.#channels.get(this.#ready[this.#readyHead++]!)?.[0];
      if (p?.state === 'ready') void this.#attempt(p);
    }
    if (this.#readyHead > 1024 && this.#readyHead * 2 > this.#ready.length) {
      this.#ready = this.#ready.slice(this.#readyHead);
      this.#readyHead = 0;
    }
  }

  #finish(p: Pending): void {
    p.state = 'done';
    this.#size--;
    this.o.store?.done(p.event.id);
    const queue = this.#channels.get(p.key)!;
    queue.shift(); // p: only a channel's first event is ever sent
    if (queue.length > 0) this.#ready.push(p.key);
    else this.#channels.delete(p.key);
  }

  async #attempt(p: Pending): Promise<void> {
    const { o } = this;
    p.state = 'sending';
    this.#sending++;
    const headers = {
      'content-type': 'application/json',
      'user-agent': 'holdfast-webhooks',
      [SIGNATURE_HEADER]: signatureHeader(o.secret, p.body, o.clock.now() / 1000),
      [EVENT_ID_HEADER]: p.event.id,
      [EVENT_NAME_HEADER]: p.event.event,
    };
    const result = await o.post(o.url, p.body, headers, o.timeoutMs);
    this.#sending--;
    if (this.#closed) return;
    if (result.ok) {
      o.counts.sent++;
      if (p.failures > 0)
        o.log.info(
          { url: o.url, id: p.event.id, attempts: p.failures + 1 },
          'webhook delivered after retries',
        );
      this.#finish(p);
      this.#pump();
      return;
    }
    p.failures++;
    const now = o.clock.now();
    const next = afterFailure(p.failures, p.event.at, now, o.policy);
    if ('giveUp' in next) {
      o.counts.failed++;
      o.log.error(
        { url: o.url, id: p.event.id, event: p.event.event, attempts: p.failures, detail: result.detail },
        'webhook given up',
      );
      this.#finish(p);
      this.#pump();
      return;
    }
    o.counts.retried++;
    const log = p.failures === 1 ? o.log.warn.bind(o.log) : o.log.debug.bind(o.log);
    log(
      {
        url: o.url,
        id: p.event.id,
        attempt: p.failures,
        detail: result.detail,
        retryInMs: next.retryAt - now,
      },
      'webhook attempt failed; retrying',
    );
    p.state = 'waiting';
    const timer = o.clock.setTimeout(() => {
      this.#timers.delete(timer);
      p.state = 'ready';
      this.#ready.push(p.key);
      this.#pump();
    }, next.retryAt - now);
    this.#timers.add(timer);
    this.#pump();
  }
}
