import { TestClock } from '@holdfast/protocol';
import { describe, expect, it } from 'vitest';
import { ReportLimiter } from './report-limiter.js';

const states = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('ReportLimiter', () => {
  it('lets a whole report through, then only what the session earns back per second', () => {
    const clock = new TestClock();
    const l = new ReportLimiter({ burst: 64, statesPerSecond: 8, maxPerReport: 64 });
    const s = {};
    expect(l.admit(s, states(64), clock.now())).toHaveLength(64);
    expect(l.admit(s, states(64), clock.now())).toHaveLength(0);
    clock.advance(500);
    // The latest states of the report are the ones kept.
    expect(l.admit(s, states(64), clock.now())).toEqual([60, 61, 62, 63]);
    // 45 reports a second of 64 states for 10 s: at most burst + 10 s × 8 get through.
    let passed = 0;
    for (let i = 0; i < 450; i++) {
      clock.advance(1000 / 45);
      passed += l.admit(s, states(64), clock.now()).length;
    }
    expect(passed).toBeLessThanOrEqual(8 * 10 + 1);
    expect(l.dropped).toBe(64 * 453 - 64 - 4 - passed);
  });

  it('counts each session on its own and caps one report', () => {
    const clock = new TestClock();
    const l = new ReportLimiter({ burst: 100, statesPerSecond: 8, maxPerReport: 10 });
    const a = {};
    const b = {};
    expect(l.admit(a, states(64), clock.now())).toHaveLength(10);
    expect(l.admit(b, states(3), clock.now())).toEqual([0, 1, 2]);
    clock.advance(60_000);
    // The bucket never holds more than its burst.
    let total = 0;
    for (let i = 0; i < 20; i++) total += l.admit(a, states(10), clock.now()).length;
    expect(total).toBe(100);
  });
});
