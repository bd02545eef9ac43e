/**
 * libwebrtc's encoder ignores a keyframe request that arrives less than 300 ms after the last one
 * it acted on (EncoderRtcpFeedback's minimum keyframe send interval). A request sent into that
 * window is lost, not queued: measured, a new subscriber's requests at its connection's
 * 'connected' (57 ms after the one at its answer) and its own PLI were all ignored, and it waited
 * ~700 ms for the next. So the requests to one publisher are paced here: one goes out at once when
 * the last was at least `intervalMs` ago; otherwise one (only one) is due when the window ends,
 * and a keyframe arriving meanwhile satisfies it. Pure: time comes in as `now`.
 */
export const PUBLISHER_KEYFRAME_INTERVAL_MS = 350;

export type PaceStep =
  /** Send the request now. */
  | { send: true }
  /** Not now: call `due` in `inMs` (only when `inMs` is given: else one is already due). */
  | { send: false; inMs?: number };

export class KeyframePacer {
  #lastSent: number | undefined;
  #dueAt: number | undefined;

  constructor(private readonly intervalMs = PUBLISHER_KEYFRAME_INTERVAL_MS) {}

  /** A keyframe is wanted at `now`. */
  request(now: number): PaceStep {
    if (this.#dueAt !== undefined) return { send: false };
    if (this.#lastSent === undefined || now - this.#lastSent >= this.intervalMs) {
      this.#lastSent = now;
      return { send: true };
    }
    this.#dueAt = this.#lastSent + this.intervalMs;
    return { send: false, inMs: this.#dueAt - now };
  }

  /** The deferred request's time came: true (and remembered as sent) when it is still wanted. */
  due(now: number): boolean {
    if (this.#dueAt === undefined) return false;
    this.#dueAt = undefined;
    this.#lastSent = now;
    return true;
  }

  /** The publisher sent a keyframe: whoever asked since gets it, so a deferred request is dropped. */
  keyframe(): void {
    this.#dueAt = undefined;
  }

  /** Whether a deferred request is waiting for its time. */
  get pending(): boolean {
    return this.#dueAt !== undefined;
  }
}
