import { describe, expect, it } from 'vitest';
import { afterFailure, backoffMs, retryPolicy } from './backoff.js';

describe('webhook retry backoff', () => {
  const policy = retryPolicy(600_000);

  it('waits 1, 2, 4 … s after each failure, capped at 60 s', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 50].map((n) => backoffMs(n, policy))).toEqual([
      1000, 2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000, 60_000,
    ]);
  });

  it('retries until the bound, makes one last attempt at it, then gives up', () => {
    // Attempt times of an event whose every attempt fails, from its time 0.
    const times = [0];
    for (let failures = 1; ; failures++) {
      const d = afterFailure(failures, 0, times.at(-1)!, policy);
      if ('giveUp' in d) break;
      times.push(d.retryAt);
    }
    expect(times.slice(0, 8)).toEqual([0, 1000, 3000, 7000, 15_000, 31_000, 63_000, 123_000]);
    expect(times.at(-1)).toBe(600_000);
    expect(times.length).toBe(16); // …, 483, 543, 600 s
  });

  it('an attempt that fails at or past the bound is the last', () => {
    expect(afterFailure(3, 1000, 601_000, policy)).toEqual({ giveUp: true });
    expect(afterFailure(3, 1000, 700_000, policy)).toEqual({ giveUp: true });
    expect(afterFailure(3, 1000, 600_999, policy)).toEqual({ retryAt: 601_000 });
  });
});
