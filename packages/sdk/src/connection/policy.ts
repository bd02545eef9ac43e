import type { ReconnectPolicy, RetryContext } from './types.js';

export interface BackoffOptions {
  /** First backoff ceiling. Default 250 ms. */
  baseMs?: number;
  /** Largest backoff ceiling. Default 3000 ms. */
  capMs?: number;
  /** Random source in [0, 1); injectable for tests. */
  random?: () => number;
}

/**
 * Capped exponential backoff with full jitter: delay = random × min(cap, base × 2^(attempt-1)).
 * Full jitter spreads a reconnect storm (every client of a restarted server) over
 * the whole window instead of synchronised waves. A fast failure (refused
 * connection) is retried within `base` ms; the ceiling keeps recovery after the
 * network returns within `cap` ms even after a long outage.
 */
export function exponentialBackoff(options: BackoffOptions = {}): ReconnectPolicy {
  const base = options.baseMs ?? 250;
  const cap = options.capMs ?? 3000;
  const random = options.random ?? Math.random;
  return {
    nextDelayMs({ attempt }: RetryContext): number {
      const ceiling = Math.min(cap, base * 2 ** Math.min(30, Math.max(0, attempt - 1)));
      return Math.floor(random() * ceiling);
    },
  };
}

/** Defaults taken from the seeds (4 s / 10 s / 20 min). */
export const DEFAULT_TIMING = {
  interruptedAfterMs: 4000,
  lostAfterMs: 10_000,
  failAfterMs: 1_200_000,
  connectTimeoutMs: 5000,
} as const;
