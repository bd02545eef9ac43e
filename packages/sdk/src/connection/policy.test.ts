import { describe, expect, it } from 'vitest';
import { DEFAULT_TIMING, exponentialBackoff } from './policy.js';

const delays = (policy: ReturnType<typeof exponentialBackoff>, attempts: number[]): (number | null)[] =>
  attempts.map((attempt) => policy.nextDelayMs({ attempt, elapsedMs: 0, reason: 'interrupted' }));

const ONE_TO_TEN = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];

describe('exponentialBackoff', () => {
  it('random → almost 1: just under the ceiling, which doubles from 250 and caps at 3000', () => {
    const policy = exponentialBackoff({ random: () => 0.9999 });
    expect(delays(policy, ONE_TO_TEN)).toEqual([249, 499, 999, 1999, 2999, 2999, 2999, 2999, 2999, 2999]);
  });

  it('random → 0.5: half of the ceiling', () => {
    const policy = exponentialBackoff({ random: () => 0.5 });
    expect(delays(policy, ONE_TO_TEN)).toEqual([125, 250, 500, 1000, 1500, 1500, 1500, 1500, 1500, 1500]);
  });

  it('random → 0: retries at once', () => {
    const policy = exponentialBackoff({ random: () => 0 });
    expect(delays(policy, ONE_TO_TEN)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  });

  it('honours baseMs and capMs', () => {
    const policy = exponentialBackoff({ baseMs: 100, capMs: 1000, random: () => 0.5 });
    expect(delays(policy, [1, 2, 3, 4, 5, 6])).toEqual([50, 100, 200, 400, 500, 500]);
    const uncapped = exponentialBackoff({ baseMs: 10, capMs: 1e9, random: () => 0.5 });
    expect(delays(uncapped, ONE_TO_TEN)).toEqual([5, 10, 20, 40, 80, 160, 320, 640, 1280, 2560]);
  });

  it('treats attempts below 1 as the first one', () => {
    const policy = exponentialBackoff({ random: () => 0.5 });
    expect(delays(policy, [0, -1, -100])).toEqual([125, 125, 125]);
  });

  it('stays finite and capped for huge attempt numbers', () => {
    const policy = exponentialBackoff({ random: () => 0.9999 });
    expect(delays(policy, [31, 100, 10_000, Number.MAX_SAFE_INTEGER])).toEqual([2999, 2999, 2999, 2999]);
    const uncapped = exponentialBackoff({ baseMs: 1, capMs: Number.POSITIVE_INFINITY, random: () => 0.5 });
    expect(delays(uncapped, [31, 1000])).toEqual([2 ** 29, 2 ** 29]);
  });

  it('is never negative and never above the cap with the default random', () => {
    const policy = exponentialBackoff();
    for (let attempt = 0; attempt <= 40; attempt++) {
      for (let i = 0; i < 20; i++) {
        const d = policy.nextDelayMs({ attempt, elapsedMs: 0, reason: 'lost' });
        expect(d).not.toBeNull();
        expect(Number.isInteger(d)).toBe(true);
        expect(d).toBeGreaterThanOrEqual(0);
        expect(d).toBeLessThan(3000);
      }
    }
  });

  it('calls random once per delay', () => {
    let calls = 0;
    const policy = exponentialBackoff({
      random: () => {
        calls++;
        return 0.25;
      },
    });
    expect(delays(policy, [1, 2, 3])).toEqual([62, 125, 250]);
    expect(calls).toBe(3);
  });
});

describe('DEFAULT_TIMING', () => {
  it('matches the 4 s / 10 s / 20 min seeds', () => {
    expect(DEFAULT_TIMING).toEqual({
      interruptedAfterMs: 4000,
      lostAfterMs: 10_000,
      failAfterMs: 1_200_000,
      connectTimeoutMs: 5000,
    });
  });
});
