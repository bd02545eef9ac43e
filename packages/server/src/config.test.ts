import { describe, expect, it } from 'vitest';
import { checkTiming, pingIntervalFor } from './config.js';

describe('server timing', () => {
  it('asks clients to ping at 3 keepalives less one wheel tick, within 30 % of the offline window', () => {
    expect(pingIntervalFor({}, 20_000)).toBe(5950);
    expect(pingIntervalFor({ keepaliveMs: 1000 }, 20_000)).toBe(2950);
    expect(pingIntervalFor({ pingIntervalMs: 9000 }, 20_000)).toBe(6000);
    expect(pingIntervalFor({}, 1500)).toBe(450);
  });

  it('accepts the defaults and sane settings', () => {
    expect(() => checkTiming({})).not.toThrow();
    expect(() =>
      checkTiming({ keepaliveMs: 2000, pingIntervalMs: 5000, offlineAfterMs: 8000 }),
    ).not.toThrow();
  });

  it.each([
    [{ keepaliveMs: 4000 }, /keepaliveMs 4000 leaves clients no margin/],
    [{ keepaliveMs: 2001 }, /use at most 2000/],
    [{ keepaliveMs: 0 }, /timing.keepaliveMs must be a positive/],
    [{ offlineAfterMs: -1 }, /timing.offlineAfterMs must be a positive/],
    [{ pingIntervalMs: Number.NaN }, /timing.pingIntervalMs must be a positive/],
    [{ sweepIntervalMs: Number.POSITIVE_INFINITY }, /timing.sweepIntervalMs must be a positive/],
  ])('refuses %o with a TypeError that names the setting', (timing, message) => {
    expect(() => checkTiming(timing)).toThrow(TypeError);
    expect(() => checkTiming(timing)).toThrow(message);
  });
});
