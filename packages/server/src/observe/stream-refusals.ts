import type { Clock, StreamRefusalCode, TimerHandle } from '@holdfast/protocol';
import type { LiveSession } from '../channels/live-session.js';
import type { Observer } from './observer.js';

/** A session's refusals make at most one marker per this long: the first at once, the rest counted. */
export const REFUSAL_MARK_EVERY_MS = 1000;

interface Marking {
  /** Refusals not yet in a marker. */
  count: number;
  /** The latest of them: when, why, on which stream. */
  at: number;
  code: StreamRefusalCode;
  streamId: number;
  /** No marker before this time (the previous one's time + REFUSAL_MARK_EVERY_MS). */
  next: number;
}

/**
 * Turns data-stream refusals into `stream_refused` observed events (markers on the member's
 * timeline in the console), bounded like the client state reports: a client that keeps sending
 * what is refused (the relay allows 120 refusals a second before it closes the connection, and
 * the client may come back) puts about one event a second per session into the feed, however
 * many refusals there were; each event counts the refusals since the previous one. Refusals left
 * over when a session's refusals stop are written out by one timer for the whole node, armed only
 * while some are waiting. Per-session state is in a WeakMap: nothing to release when sessions end.
 */
export class StreamRefusalMarks {
  readonly #sessions = new WeakMap<LiveSession, Marking>();
  /** Sessions with refusals not yet in a marker. */
  readonly #waiting = new Set<LiveSession>();
  #timer: TimerHandle | undefined;

  constructor(
    private readonly observer: Observer,
    private readonly clock: Clock,
    private readonly nodeId: string,
  ) {}

  /** One refused message of `live` on `streamId`. */
  refused(live: LiveSession, code: StreamRefusalCode, streamId: number): void {
    const now = this.clock.now();
    let m = this.#sessions.get(live);
    if (!m) {
      m = { count: 0, at: now, code, streamId, next: 0 };
      this.#sessions.set(live, m);
    }
    m.count++;
    m.at = now;
    m.code = code;
    m.streamId = streamId;
    if (now >= m.next) {
      this.#mark(live, m, now);
      this.#waiting.delete(live);
      return;
    }
    this.#waiting.add(live);
    this.#arm(m.next - now);
  }

  /** Sessions with refusals waiting for their marker (tests). */
  get waiting(): number {
    return this.#waiting.size;
  }

  #arm(inMs: number): void {
    if (this.#timer !== undefined) return;
    this.#timer = this.clock.setTimeout(() => this.#flush(), Math.max(50, inMs));
  }

  #flush(): void {
    this.#timer = undefined;
    const now = this.clock.now();
    let soonest = Number.POSITIVE_INFINITY;
    for (const live of this.#waiting) {
      const m = this.#sessions.get(live);
      if (m && m.count > 0 && now < m.next) {
        soonest = Math.min(soonest, m.next - now);
        continue;
      }
      if (m && m.count > 0) this.#mark(live, m, now);
      this.#waiting.delete(live);
    }
    if (this.#waiting.size > 0) this.#arm(soonest);
  }

  #mark(live: LiveSession, m: Marking, now: number): void {
    this.observer.emit({
      type: 'stream_refused',
      at: m.at,
      node: this.nodeId,
      appId: live.ref.appId,
      channel: live.ref.channel,
      uid: live.uid,
      sessionTag: live.tag,
      code: m.code,
      streamId: m.streamId,
      count: m.count,
    });
    m.count = 0;
    m.next = now + REFUSAL_MARK_EVERY_MS;
  }
}

/** The marks of each relay's node: set by {@link watchStreamRefusals}. */
const marksByRelay = new WeakMap<object, StreamRefusalMarks>();

/** From now on, refusals that `relay` (a node's StreamRelay) reports through {@link streamRefused} go to `marks`. */
export function watchStreamRefusals(relay: object, marks: StreamRefusalMarks): void {
  marksByRelay.set(relay, marks);
}

/**
 * What the data-stream relay calls for each message it refuses, from `StreamRelay#refuse`:
 *
 *     streamRefused(this, live, code, frame.streamId);
 *
 * One WeakMap lookup, then counting (see {@link StreamRefusalMarks}); nothing when no marks are
 * set up for that relay (the console is off).
 */
export function streamRefused(
  relay: object,
  live: LiveSession,
  code: StreamRefusalCode,
  streamId: number,
): void {
  marksByRelay.get(relay)?.refused(live, code, streamId);
}
