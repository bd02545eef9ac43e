import type { Clock, TimerHandle } from '@holdfast/protocol';
import type { Logger } from 'pino';
import { afterFailure, type RetryPolicy } from './backoff.js';
import type { Post } from './http-post.js';
import { EVENT_ID_HEADER, EVENT_NAME_HEADER, SIGNATURE_HEADER, signatureHeader } from './signing.js';
import type { WebhookCounts, WebhookEvent } from './types.js';

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
}

interface Pending {
  event: WebhookEvent;
  /** The body, serialised once: every retry sends the same bytes. */
  body: string;
  failures: number;
}

/**
 * The outbox of one URL: a bounded FIFO of events, sent one at a time in order. A failed attempt
 * holds the head back for its backoff ({@link afterFailure}); the events behind it wait (a receiver
 * that is down gets nothing until it is back, then everything in order). Each attempt is signed
 * afresh (its `t` is the attempt's time), so a receiver's replay window holds for retries too.
 * Nothing here is awaited by the channel path: `enqueue` returns at once.
 */
export class WebhookLane {
  readonly #q: Pending[] = [];
  #head = 0;
  #busy = false;
  #timer: TimerHandle | undefined;
  #closed = false;
  /** Events dropped since the queue last had room (one log line per full spell). */
  #dropping = 0;

  constructor(private readonly o: LaneOptions) {}

  /** Events waiting (the one in flight included). */
  get size(): number {
    return this.#q.length - this.#head;
  }

  /** Queues the event; false when it was dropped (queue full, or the lane is closed). */
  enqueue(event: WebhookEvent): boolean {
    if (this.#closed) return false;
    if (this.size >= this.o.maxQueued) {
      this.o.counts.dropped++;
      if (this.#dropping++ === 0)
        this.o.log.warn(
          { url: this.o.url, queued: this.size, event: event.event, id: event.id },
          'webhook queue full: dropping events until it has room',
        );
      return false;
    }
    if (this.#dropping > 0) {
      this.o.log.warn({ url: this.o.url, dropped: this.#dropping }, 'webhook queue has room again');
      this.#dropping = 0;
    }
    this.#q.push({ event, body: JSON.stringify(event), failures: 0 });
    this.#pump();
    return true;
  }

  /** Stops sending; returns how many events were left undelivered. */
  close(): number {
    this.#closed = true;
    if (this.#timer) this.o.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    return this.size;
  }

  #pump(): void {
    if (this.#busy || this.#timer || this.#closed || this.size === 0) return;
    this.#busy = true;
    void this.#attempt(this.#q[this.#head]!);
  }

  #shift(): void {
    this.#head++;
    // Compact now and then, so the array does not grow for ever.
    if (this.#head > 1024 && this.#head * 2 > this.#q.length) {
      this.#q.splice(0, this.#head);
      this.#head = 0;
    }
  }

  async #attempt(p: Pending): Promise<void> {
    const { o } = this;
    const headers = {
      'content-type': 'application/json',
      'user-agent': 'holdfast-webhooks',
      [SIGNATURE_HEADER]: signatureHeader(o.secret, p.body, o.clock.now() / 1000),
      [EVENT_ID_HEADER]: p.event.id,
      [EVENT_NAME_HEADER]: p.event.event,
    };
    const result = await o.post(o.url, p.body, headers, o.timeoutMs);
    this.#busy = false;
    if (this.#closed) return;
    if (result.ok) {
      o.counts.sent++;
      if (p.failures > 0)
        o.log.info(
          { url: o.url, id: p.event.id, attempts: p.failures + 1 },
          'webhook delivered after retries',
        );
      this.#shift();
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
      this.#shift();
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
    this.#timer = o.clock.setTimeout(() => {
      this.#timer = undefined;
      this.#pump();
    }, next.retryAt - now);
  }
}
