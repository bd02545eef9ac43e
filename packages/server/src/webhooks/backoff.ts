import { FIRST_BACKOFF_MS, MAX_BACKOFF_MS } from './types.js';

export interface RetryPolicy {
  /** The wait after the first failed attempt; doubled after each next one. */
  firstBackoffMs: number;
  /** The longest wait between two attempts. */
  maxBackoffMs: number;
  /** An event is given up this long after it happened (a last attempt is made at that time). */
  retryForMs: number;
}

export const retryPolicy = (retryForMs: number): RetryPolicy => ({
  firstBackoffMs: FIRST_BACKOFF_MS,
  maxBackoffMs: MAX_BACKOFF_MS,
  retryForMs,
});

/** The wait after `failures` failed attempts (1, 2, 4 … s, capped). */
export function backoffMs(failures: number, policy: RetryPolicy): number {
  const doubled = policy.firstBackoffMs * 2 ** Math.max(0, Math.min(failures - 1, 30));
  return Math.min(doubled, policy.maxBackoffMs);
}

export type RetryDecision = { retryAt: number } | { giveUp: true };

/**
 * After an event's attempt number `failures` failed at `now`: when to try it again, or give up.
 * The next attempt waits {@link backoffMs}, but never past the event's bound (`happenedAt +
 * retryForMs`), where one last attempt is made; an attempt that fails at or past the bound is the last.
 */
export function afterFailure(
  failures: number,
  happenedAt: number,
  now: number,
  policy: RetryPolicy,
): RetryDecision {
  const bound = happenedAt + policy.retryForMs;
  if (now >= bound) return { giveUp: true };
  return { retryAt: Math.min(now + backoffMs(failures, policy), bound) };
}
