import { cpuPercent, members, startTarget, startWorkers, stopAll } from '../harness.js';
import { mergeStalls, type Stalls } from '../stalls.js';
import { type Dist, dist, now, shares, sleep } from '../stats.js';
import type { SystemDef } from '../systems.js';

export interface JoinParams {
  /** Offered joins per second (open loop: joins start on schedule whatever the server does). */
  rate: number;
  durationMs: number;
  workers: number;
  /**
   * The first part of the run, at the same rate, reported apart (`cold`): a fresh process compiles
   * its join path while the first joins wait (measured 3 Dec: the first 0.5 s of joins had a p50 of
   * 44 ms on Holdfast and 62 ms on Socket.IO, against ~1 ms once warm). Its clients stay connected.
   */
  warmupMs?: number;
}

export interface JoinResult {
  system: string;
  offeredRate: number;
  offered: number;
  joined: number;
  failed: number;
  /** Completed joins per second over the run. */
  sustainedRate: number;
  /** joinChannel (TCP connect starts) → joined (Holdfast `joined` / Socket.IO join ack), ms; after the warm-up. */
  latency: Dist;
  /** The same over the warm-up's joins (a fresh process). */
  cold: Dist;
  serverCpuPercent: number;
  /** Joins the load generator started more than 5 ms late (it would be the bottleneck if many). */
  lateStarts: number;
  /**
   * Where the tail comes from, over the joins after the warm-up: the server's event-loop stalls
   * and GC pauses, and the load generators' (stalls counted over all of them, the longest of any).
   */
  serverStalls: Stalls | undefined;
  loadgenStalls: Stalls | undefined;
  samples: number[];
}

/** Scenario 2: joins at a fixed offered rate into channels of 10; each new client stays connected. */
export async function joinRate(sys: SystemDef, p: JoinParams): Promise<JoinResult> {
  const t = await startTarget(sys);
  const workers = await startWorkers(p.workers, sys.keepaliveMs);
  try {
    const warm = Math.round((p.rate * (p.warmupMs ?? 0)) / 1000);
    const total = Math.round((p.rate * p.durationMs) / 1000) + warm;
    const all = members(1, total, 10, 'join');
    const counts = shares(total, p.workers);
    // Worker w takes every w-th join, so the merged schedule is evenly spaced at `rate`.
    const lists = counts.map((_, w) => all.filter((_, i) => i % p.workers === w));
    await sleep(300);
    const startAt = now() + 300;
    const s0 = await t.stats();
    const profile = process.env.BENCH_PROFILE_DIR;
    if (profile) await t.child.call('profileStart');
    // Stalls are watched over the joins after the warm-up (the warm-up's are a fresh process's).
    const children = [t.child, ...workers];
    const watch = setTimeout(
      // A child that cannot start watching reports no stalls (undefined), not a failed run.
      () => void Promise.all(children.map((c) => c.call('stallsStart'))).catch(() => undefined),
      Math.max(0, startAt + (p.warmupMs ?? 0) - now()),
    );
    const results = await Promise.all(
      workers.map((worker, w) =>
        worker.call<{
          joined: number;
          failed: number;
          latencies: number[];
          uids: number[];
          firstStart: number;
          lastJoined: number;
          lateStarts: number;
        }>('rawOpenAtRate', {
          target: t.target,
          members: lists[w],
          rate: p.rate / p.workers,
          startAt: startAt + (w * 1000) / p.rate,
        }),
      ),
    );
    const s1 = await t.stats();
    clearTimeout(watch);
    const [serverStalls, ...loadgen] = await Promise.all(
      children.map((c) => c.call<Stalls | undefined>('stallsStop')),
    );
    if (profile)
      await t.child.call('profileStop', { file: `${profile}/join-${sys.id}-${p.rate}.cpuprofile` });
    const joinedAll = results.reduce((a, r) => a + r.joined, 0);
    // Members are numbered in schedule order from 1: the first `warm` of them are the warm-up.
    const latencies: number[] = [];
    const cold: number[] = [];
    for (const r of results)
      for (let i = 0; i < r.latencies.length; i++)
        (r.uids[i]! <= warm ? cold : latencies).push(r.latencies[i]!);
    const span =
      Math.max(...results.map((r) => r.lastJoined)) - Math.min(...results.map((r) => r.firstStart));
    await Promise.all(workers.map((w) => w.call('rawCloseAll')));
    return {
      system: sys.id,
      offeredRate: p.rate,
      offered: total - warm,
      // Joins after the warm-up that completed (`failed` counts the warm-up's too).
      joined: latencies.length,
      failed: results.reduce((a, r) => a + r.failed, 0),
      sustainedRate: Math.round((joinedAll / span) * 1000),
      latency: dist(latencies),
      cold: dist(cold),
      serverCpuPercent: cpuPercent(s0, s1),
      lateStarts: results.reduce((a, r) => a + r.lateStarts, 0),
      serverStalls,
      loadgenStalls: mergeStalls(loadgen),
      samples: latencies,
    };
  } finally {
    await stopAll(workers);
    await t.stop();
  }
}
