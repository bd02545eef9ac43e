import { PerformanceObserver } from 'node:perf_hooks';

/**
 * Where a latency tail comes from: how long this process's event loop was held up (any cause: a
 * long task, a GC pause, the process waiting for a core) and how much of it was GC. Every bench
 * child answers `stallsStart` / `stallsStop` (see `serve`), so a scenario can say whether its slow
 * samples were the server's stalls or the load generators'. Off unless a scenario starts it: the
 * loop monitor's 1 ms timer would show in the idle-CPU rows.
 */
export interface Stalls {
  /** The longest the event loop was held up, ms (seen by a 5 ms timer: ±5 ms). */
  loopMax: number;
  /** Stalls of the loop longer than 10 ms, and their summed length, ms. */
  stallsOver10: number;
  stalledMsOver10: number;
  /** GC pauses: how many, the longest, how many over 5 ms, and their total, ms. */
  gcCount: number;
  gcMaxMs: number;
  gcOver5: number;
  gcTotalMs: number;
}

let gc: PerformanceObserver | undefined;
let gcs: number[] = [];
let last = 0;
let stalled = 0;
let stalls = 0;
let longest = 0;
let tick: NodeJS.Timeout | undefined;

export function stallsStart(): void {
  stallsStop();
  gcs = [];
  gc = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) gcs.push(e.duration);
  });
  gc.observe({ entryTypes: ['gc'] });
  // A 5 ms timer: a gap between its firings of more than 15 ms is a stall of more than 10 ms.
  stalled = 0;
  stalls = 0;
  longest = 0;
  last = performance.now();
  tick = setInterval(() => {
    const t = performance.now();
    const held = t - last - 5;
    if (held > longest) longest = held;
    if (held > 10) {
      stalls++;
      stalled += held;
    }
    last = t;
  }, 5);
}

export function stallsStop(): Stalls | undefined {
  if (!gc) return undefined;
  gc.disconnect();
  clearInterval(tick);
  const out: Stalls = {
    loopMax: Math.round(longest * 10) / 10,
    stallsOver10: stalls,
    stalledMsOver10: Math.round(stalled),
    gcCount: gcs.length,
    gcMaxMs: Math.round(Math.max(0, ...gcs) * 100) / 100,
    gcOver5: gcs.filter((d) => d > 5).length,
    gcTotalMs: Math.round(gcs.reduce((a, b) => a + b, 0)),
  };
  gc = undefined;
  return out;
}

/** Several processes' stalls as one (the load generators'): counts and sums added up, maxima the largest. */
export function mergeStalls(list: Array<Stalls | undefined>): Stalls | undefined {
  const all = list.filter((s): s is Stalls => s !== undefined);
  if (all.length === 0) return undefined;
  const sum = (f: (s: Stalls) => number) => all.reduce((a, s) => a + f(s), 0);
  const max = (f: (s: Stalls) => number) => Math.max(...all.map(f));
  return {
    loopMax: max((s) => s.loopMax),
    stallsOver10: sum((s) => s.stallsOver10),
    stalledMsOver10: sum((s) => s.stalledMsOver10),
    gcCount: sum((s) => s.gcCount),
    gcMaxMs: max((s) => s.gcMaxMs),
    gcOver5: sum((s) => s.gcOver5),
    gcTotalMs: sum((s) => s.gcTotalMs),
  };
}
