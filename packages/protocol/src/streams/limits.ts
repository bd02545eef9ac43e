import type { Clock } from '../clock.js';

/** Data streams one engine may create per lifetime in a channel (MEDIA-FACTS A.4; destroyed on leave). */
export const MAX_DATA_STREAMS = 5;
/** Largest payload of one stream message, in bytes (1 KB; larger is ErrSizeTooLarge). */
export const MAX_STREAM_MESSAGE_BYTES = 1024;
/** Messages one stream may send in any sliding window of {@link STREAM_WINDOW_MS} (ErrTooOften beyond). */
export const MAX_STREAM_MESSAGES_PER_WINDOW = 60;
/** Payload bytes one client may send across all its streams per window: 30 KB (ErrBitrateLimit beyond). */
export const MAX_CLIENT_STREAM_BYTES_PER_WINDOW = 30 * 1024;
/** Length of the sliding window. An entry sent at `t` counts while `now - t < 1000`. */
export const STREAM_WINDOW_MS = 1000;

/** Why the limiter refused a message. */
export type StreamRefusal = 'too_large' | 'too_often' | 'bitrate';
export type StreamLimitResult = { ok: true } | { ok: false; reason: StreamRefusal };

export interface StreamLimits {
  maxMessageBytes: number;
  maxMessagesPerWindow: number;
  maxBytesPerWindow: number;
  windowMs: number;
}

export const DEFAULT_STREAM_LIMITS: Readonly<StreamLimits> = Object.freeze({
  maxMessageBytes: MAX_STREAM_MESSAGE_BYTES,
  maxMessagesPerWindow: MAX_STREAM_MESSAGES_PER_WINDOW,
  maxBytesPerWindow: MAX_CLIENT_STREAM_BYTES_PER_WINDOW,
  windowMs: STREAM_WINDOW_MS,
});

/** A FIFO of send times (and sizes) with O(1) amortised shift; compacts itself so memory stays bounded. */
class Window {
  #at: number[] = [];
  #bytes: number[] = [];
  #head = 0;
  total = 0;

  get size(): number {
    return this.#at.length - this.#head;
  }

  push(at: number, bytes: number): void {
    this.#at.push(at);
    this.#bytes.push(bytes);
    this.total += bytes;
  }

  /** Drops every entry with `now - at >= windowMs`. */
  evict(now: number, windowMs: number): void {
    while (this.#head < this.#at.length && now - this.#at[this.#head]! >= windowMs) {
      this.total -= this.#bytes[this.#head]!;
      this.#head++;
    }
    if (this.#head > 0 && this.#head * 2 >= this.#at.length) {
      this.#at = this.#at.slice(this.#head);
      this.#bytes = this.#bytes.slice(this.#head);
      this.#head = 0;
    }
  }
}

/**
 * Sliding-window limits of one client's data streams, shared by the SDK (before sending) and the server
 * (for raw clients that ignore them). Pure: time comes from `now` or from the injected {@link Clock}.
 *
 * Order of checks: size (`too_large`), then the stream's message count (`too_often`), then the client's
 * bytes across streams (`bitrate`). Refused messages are not recorded, so a flood cannot extend its own ban.
 * Memory: only entries inside the window are kept (at most `maxMessagesPerWindow` per stream if callers
 * `check` before `record`); a stream with nothing in the window is dropped.
 */
export class StreamRateLimiter {
  readonly limits: Readonly<StreamLimits>;
  readonly #clock: Clock | undefined;
  readonly #streams = new Map<number, Window>();
  readonly #all = new Window();
  /** Allowance for messages sent while disconnected and sent again after a resume (see `grant`). */
  #credit: { until: number; bytes: number; perStream: number; used: Map<number, number> } | undefined;

  constructor(clock?: Clock, limits: Partial<StreamLimits> = {}) {
    this.#clock = clock;
    this.limits = Object.freeze({ ...DEFAULT_STREAM_LIMITS, ...limits });
  }

  #now(now: number | undefined): number {
    if (now !== undefined) return now;
    if (!this.#clock) throw new Error('StreamRateLimiter: no clock and no `now` given');
    return this.#clock.now();
  }

  #evict(now: number): void {
    const w = this.limits.windowMs;
    this.#all.evict(now, w);
    for (const [id, win] of this.#streams) {
      win.evict(now, w);
      if (win.size === 0) this.#streams.delete(id);
    }
  }

  /** Whether a message of `bytes` on `streamId` may be sent at `now` (default: the clock's time). */
  check(streamId: number, bytes: number, now?: number): StreamLimitResult {
    const t = this.#now(now);
    if (bytes > this.limits.maxMessageBytes) return { ok: false, reason: 'too_large' };
    this.#evict(t);
    const win = this.#streams.get(streamId);
    if (win && win.size >= this.limits.maxMessagesPerWindow) return { ok: false, reason: 'too_often' };
    if (this.#all.total + bytes > this.limits.maxBytesPerWindow) return { ok: false, reason: 'bitrate' };
    return { ok: true };
  }

  /** Counts a sent message against the windows. */
  record(streamId: number, bytes: number, now?: number): void {
    const t = this.#now(now);
    this.#evict(t);
    let win = this.#streams.get(streamId);
    if (!win) {
      win = new Window();
      this.#streams.set(streamId, win);
    }
    win.push(t, bytes);
    this.#all.push(t, bytes);
  }

  /** `check`, and `record` when allowed; beyond the window, a credit from `grant` is used up first. */
  consume(streamId: number, bytes: number, now?: number): StreamLimitResult {
    const t = this.#now(now);
    const r = this.check(streamId, bytes, t);
    if (r.ok) this.record(streamId, bytes, t);
    else if (r.reason !== 'too_large' && this.#useCredit(streamId, bytes, t)) return { ok: true };
    return r;
  }

  /**
   * After an outage of `outageMs`, the client sends again what it could have sent meanwhile: the
   * limits allow that much more (one window's worth per second of outage, plus one), until the
   * same time has passed again. Only a real outage earns credit, so the average rate stays bounded.
   */
  grant(outageMs: number, now?: number): void {
    const t = this.#now(now);
    const windows = Math.ceil(Math.max(0, outageMs) / this.limits.windowMs) + 1;
    this.#credit = {
      until: t + Math.max(outageMs, this.limits.windowMs),
      bytes: windows * this.limits.maxBytesPerWindow,
      perStream: windows * this.limits.maxMessagesPerWindow,
      used: new Map(),
    };
  }

  #useCredit(streamId: number, bytes: number, now: number): boolean {
    const c = this.#credit;
    if (!c) return false;
    if (now >= c.until) {
      this.#credit = undefined;
      return false;
    }
    const used = c.used.get(streamId) ?? 0;
    if (used >= c.perStream || c.bytes < bytes) return false;
    c.used.set(streamId, used + 1);
    c.bytes -= bytes;
    return true;
  }

  /** Forgets all history (on leave). */
  reset(): void {
    this.#credit = undefined;
    this.#streams.clear();
    this.#all.evict(Number.POSITIVE_INFINITY, 0);
  }

  /** Entries held, for tests and metrics: streams tracked and messages in the client window. */
  stats(): { streams: number; messages: number; bytes: number } {
    return { streams: this.#streams.size, messages: this.#all.size, bytes: this.#all.total };
  }
}
