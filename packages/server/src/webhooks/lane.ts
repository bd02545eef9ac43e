import type { Clock, TimerHandle } from '@holdfast/protocol';
import type { Logger } from 'pino';
import { afterFailure, type RetryPolicy } from './backoff.js';
import type { Post } from './http-post.js';
import { EVENT_ID_HEADER, EVENT_NAME_HEADER, SIGNATURE_HEADER, signatureHeader } from './signing.js';
import type { WebhookCounts, WebhookEvent } from './types.js';

/** Requests in flight at once to one URL (each for a different channel). */
export const LANE_CONCURRENCY = 8;
/** How far past the head the dispatcher looks for a channel it may send for. */
const SCAN_LIMIT = 2048;

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
  #q: Pending[] = [];
  #head = 0;
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
    this.#q.push({ event, body: JSON.stringify(event), key, failures: 0, state: 'ready' });
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

  /** Starts every event that may go now: the first not-done event of each channel, while slots are free. */
  #pump(): void {
    const limit = this.o.concurrency ?? LANE_CONCURRENCY;
    if (this.#closed || this.#sending >= limit) return;
    const seen = new Set<string>();
    const end = Math.min(this.#q.length, this.#head + SCAN_LIMIT);
    for (let i = this.#head; i < end && this.#sending < limit; i++) {
      const p = this.#q[i]!;
      if (p.state === 'done' || seen.has(p.key)) continue;
      seen.add(p.key); // this is the channel's first: the ones behind it wait
      if (p.state === 'ready') void this.#attempt(p);
    }
  }

  #finish(p: Pending): void {
    p.state = 'done';
    this.#size--;
    this.o.store?.done(p.event.id);
    while (this.#head < this.#q.length && this.#q[this.#head]!.state === 'done') this.#head++;
    // Compact now and then, so the array does not grow for ever.
    if (this.#head > 1024 && this.#head * 2 > this.#q.length) {
      this.#q.splice(0, this.#head);
      this.#head = 0;
    }
    // Done events behind a head that waits out its backoff (one channel failing) are dropped too:
    // kept, they would fill the dispatcher's scan window and stop every channel (and hold memory).
    const behind = this.#q.length - this.#head - this.#size;
    if (behind > 1024 && behind * 2 > this.#q.length - this.#head) {
      this.#q = this.#q.filter((q, i) => i >= this.#head && q.state !== 'done');
      this.#head = 0;
    }
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
      this.#pump();
    }, next.retryAt - now);
    this.#timers.add(timer);
    this.#pump();
  }
}
