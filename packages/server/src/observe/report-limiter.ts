import { MAX_REPORTED_STATES } from '@holdfast/protocol';

/**
 * How many reported client states a session may put into the event feed. A report is what the
 * SDK saw during an outage (up to 64 states, sent when it is back), so a whole report passes at
 * once; after that a session earns `statesPerSecond`. A client sending reports in a loop cannot
 * turn into work for every console viewer.
 */
export interface ReportLimits {
  /** States a session may report at once (the bucket's size). */
  burst: number;
  /** States a session earns back per second. */
  statesPerSecond: number;
  /** Most states taken from one report: the latest ones. */
  maxPerReport: number;
}

export const DEFAULT_REPORT_LIMITS: ReportLimits = {
  burst: MAX_REPORTED_STATES,
  statesPerSecond: 8,
  maxPerReport: MAX_REPORTED_STATES,
};

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * A token bucket per session, keyed by the session object itself (a WeakMap: nothing to release
 * when the session ends, nothing kept for sessions that are gone).
 */
export class ReportLimiter {
  #buckets = new WeakMap<object, Bucket>();
  /** States refused since start (all sessions). */
  dropped = 0;

  constructor(private readonly limits: ReportLimits = DEFAULT_REPORT_LIMITS) {}

  /** The states of one report that may go on to the observer (the latest ones), at time `now` (ms). */
  admit<T>(session: object, states: readonly T[], now: number): readonly T[] {
    const { burst, statesPerSecond, maxPerReport } = this.limits;
    let b = this.#buckets.get(session);
    if (!b) {
      b = { tokens: burst, at: now };
      this.#buckets.set(session, b);
    } else {
      b.tokens = Math.min(burst, b.tokens + ((now - b.at) / 1000) * statesPerSecond);
      b.at = now;
    }
    const n = Math.min(states.length, maxPerReport, Math.floor(b.tokens));
    b.tokens -= n;
    this.dropped += states.length - n;
    return n === states.length ? states : states.slice(states.length - n);
  }
}

/** The node-wide limiter the gateway hands reports through. */
export const reportLimiter = new ReportLimiter();
