import { describe, expect, it } from 'vitest';
import { TestClock } from './test-clock.js';

const T0 = 1_700_000_000_000;

describe('TestClock', () => {
  it('starts at a fixed time, or at the given one', () => {
    expect(new TestClock().now()).toBe(T0);
    expect(new TestClock(0).now()).toBe(0);
    expect(new TestClock(5).now()).toBe(5);
  });

  it('moves only when advanced', () => {
    const clock = new TestClock(1000);
    expect(clock.now()).toBe(1000);
    expect(clock.now()).toBe(1000);
    clock.advance(250);
    expect(clock.now()).toBe(1250);
    clock.advance(0);
    expect(clock.now()).toBe(1250);
  });

  it('fires timers in due order, not in scheduling order, each seeing its due time', () => {
    const clock = new TestClock(0);
    const log: string[] = [];
    clock.setTimeout(() => log.push(`c@${clock.now()}`), 300);
    clock.setTimeout(() => log.push(`a@${clock.now()}`), 100);
    clock.setTimeout(() => log.push(`b@${clock.now()}`), 200);
    clock.advance(1000);
    expect(log).toEqual(['a@100', 'b@200', 'c@300']);
    expect(clock.now()).toBe(1000);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('fires timers due at the same time in scheduling order', () => {
    const clock = new TestClock(0);
    const log: number[] = [];
    for (const n of [1, 2, 3]) clock.setTimeout(() => log.push(n), 50);
    clock.advance(50);
    expect(log).toEqual([1, 2, 3]);
  });

  it('advance(3999) fires nothing, advance(1) fires the 4000 ms timer at exactly 4000', () => {
    const clock = new TestClock();
    const seen: number[] = [];
    clock.setTimeout(() => seen.push(clock.now()), 4000);
    clock.advance(3999);
    expect(seen).toEqual([]);
    expect(clock.now()).toBe(T0 + 3999);
    expect(clock.pendingTimers()).toBe(1);
    clock.advance(1);
    expect(seen).toEqual([T0 + 4000]);
    expect(clock.now()).toBe(T0 + 4000);
    expect(clock.pendingTimers()).toBe(0);
    clock.advance(10_000);
    expect(seen).toEqual([T0 + 4000]);
  });

  it('fires timers scheduled from a callback when they fall within the advanced window', () => {
    const clock = new TestClock(0);
    const log: string[] = [];
    clock.setTimeout(() => {
      log.push(`outer@${clock.now()}`);
      clock.setTimeout(() => log.push(`inner@${clock.now()}`), 300); // due 400: inside
      clock.setTimeout(() => log.push(`late@${clock.now()}`), 1000); // due 1100: outside
      clock.setTimeout(() => log.push(`now@${clock.now()}`), 0); // due 100: inside
    }, 100);
    clock.setTimeout(() => log.push(`other@${clock.now()}`), 200);
    clock.advance(500);
    expect(log).toEqual(['outer@100', 'now@100', 'other@200', 'inner@400']);
    expect(clock.now()).toBe(500);
    expect(clock.pendingTimers()).toBe(1);
    clock.advance(599);
    expect(log).toHaveLength(4);
    clock.advance(1);
    expect(log).toEqual(['outer@100', 'now@100', 'other@200', 'inner@400', 'late@1100']);
  });

  it('runs a self-rescheduling timer once per period', () => {
    const clock = new TestClock(0);
    const ticks: number[] = [];
    const tick = () => {
      ticks.push(clock.now());
      clock.setTimeout(tick, 1000);
    };
    clock.setTimeout(tick, 1000);
    clock.advance(3500);
    expect(ticks).toEqual([1000, 2000, 3000]);
    expect(clock.pendingTimers()).toBe(1);
  });

  it('clearTimeout cancels a timer', () => {
    const clock = new TestClock(0);
    const log: string[] = [];
    const a = clock.setTimeout(() => log.push('a'), 100);
    clock.setTimeout(() => log.push('b'), 100);
    expect(clock.pendingTimers()).toBe(2);
    clock.clearTimeout(a);
    expect(clock.pendingTimers()).toBe(1);
    clock.advance(100);
    expect(log).toEqual(['b']);
    // clearing twice, a fired timer or a foreign handle is harmless
    clock.clearTimeout(a);
    clock.clearTimeout({});
    clock.clearTimeout(123);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('clearTimeout from inside a callback cancels a timer due in the same window', () => {
    const clock = new TestClock(0);
    const log: string[] = [];
    const later = clock.setTimeout(() => log.push('later'), 200);
    clock.setTimeout(() => {
      log.push('first');
      clock.clearTimeout(later);
    }, 100);
    clock.advance(1000);
    expect(log).toEqual(['first']);
  });

  it('gives every timer its own handle', () => {
    const clock = new TestClock(0);
    const h1 = clock.setTimeout(() => {}, 1);
    const h2 = clock.setTimeout(() => {}, 1);
    expect(h1).not.toEqual(h2);
  });

  it('treats a negative delay as 0', () => {
    const clock = new TestClock(0);
    const seen: number[] = [];
    clock.setTimeout(() => seen.push(clock.now()), -50);
    clock.advance(0);
    expect(seen).toEqual([0]);
  });

  it('runAll fires everything due within the limit and returns the time advanced', () => {
    const clock = new TestClock(0);
    const log: number[] = [];
    clock.setTimeout(() => log.push(clock.now()), 5000);
    clock.setTimeout(() => log.push(clock.now()), 25 * 3600_000);
    expect(clock.runAll()).toBe(24 * 3600_000);
    expect(log).toEqual([5000]);
    expect(clock.pendingTimers()).toBe(1);
    expect(clock.runAll(3600_000)).toBe(3600_000);
    expect(log).toEqual([5000, 25 * 3600_000]);
  });
});
