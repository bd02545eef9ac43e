import { describe, expect, it } from 'vitest';
import { mergeStalls, type Stalls, stallsStart, stallsStop } from '../bench/src/stalls.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Holds the event loop for `ms` (what a long task or a GC pause does to everything queued behind it). */
function hold(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // busy
  }
}

describe('bench stall watcher (where a latency tail comes from)', () => {
  it('counts a held event loop as a stall and measures it', async () => {
    stallsStart();
    await sleep(20);
    hold(60);
    await sleep(20);
    const s = stallsStop();
    expect(s?.stallsOver10).toBeGreaterThanOrEqual(1);
    // Seen by a 5 ms timer: the 60 ms hold shows as 55–70 ms.
    expect(s?.loopMax).toBeGreaterThanOrEqual(50);
    expect(s?.stalledMsOver10).toBeGreaterThanOrEqual(50);
  });

  it('answers nothing once stopped, and a new start counts afresh', async () => {
    stallsStart();
    hold(40);
    await sleep(10);
    expect(stallsStop()?.stallsOver10).toBeGreaterThanOrEqual(1);
    expect(stallsStop()).toBeUndefined();
    stallsStart();
    const s = stallsStop();
    expect(s?.stallsOver10).toBe(0);
    expect(s?.gcCount).toBe(0);
  });

  it('reports GC pauses (a forced collection when node runs with --expose-gc)', async () => {
    stallsStart();
    // Garbage enough for at least one scavenge.
    let keep = 0;
    for (let i = 0; i < 200_000; i++) keep += { i, s: `x${i}` }.s.length;
    await sleep(20);
    const s = stallsStop();
    expect(keep).toBeGreaterThan(0);
    expect(s?.gcCount).toBeGreaterThan(0);
    expect(s?.gcTotalMs).toBeGreaterThanOrEqual(0);
  });

  it("merges several processes' stalls: counts and sums added, maxima the largest; none when none ran", () => {
    const a: Stalls = {
      loopMax: 12,
      stallsOver10: 2,
      stalledMsOver10: 25,
      gcCount: 10,
      gcMaxMs: 6,
      gcOver5: 1,
      gcTotalMs: 30,
    };
    const b: Stalls = {
      loopMax: 30,
      stallsOver10: 1,
      stalledMsOver10: 30,
      gcCount: 4,
      gcMaxMs: 9,
      gcOver5: 2,
      gcTotalMs: 20,
    };
    expect(mergeStalls([a, undefined, b])).toEqual({
      loopMax: 30,
      stallsOver10: 3,
      stalledMsOver10: 55,
      gcCount: 14,
      gcMaxMs: 9,
      gcOver5: 3,
      gcTotalMs: 50,
    });
    expect(mergeStalls([undefined, undefined])).toBeUndefined();
  });
});
