import { describe, expect, it } from 'vitest';
import { stallsStart, stallsStop } from '../bench/src/stalls.js';

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
});
