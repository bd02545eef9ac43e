import os from 'node:os';
import { cpuPercent, startTarget, startWorkers, stopAll } from '../harness.js';
import { type Dist, dist, now, sleep } from '../stats.js';
import type { SystemDef } from '../systems.js';

export interface BigChannelParams {
  /** The channel grows to the last of these; a block of joins is measured as it reaches each. */
  checkpoints: number[];
  /** Joins per checkpoint block (the ones that bring the channel to the checkpoint). */
  block: number;
  /** Offered joins per second, open loop (joins start on schedule whatever the server does). */
  rate: number;
  workers: number;
  /** How long to wait after the last join for every member to know every other, ms. */
  settleMs: number;
}

export interface BigChannelBlock {
  members: number;
  /** TCP connect started → `joined`, ms, over the block's joins. */
  join: Dist;
}

export interface BigChannelResult {
  system: string;
  trial: number;
  members: number;
  joined: number;
  /** Joins the server ended with an `end` frame. */
  refused: number;
  /** Joins with no `joined` within 15 s (the load generator gives up on them). */
  timedOut: number;
  blocks: BigChannelBlock[];
  /** Members that ended knowing every other member, of the members still connected. */
  complete: number;
  open: number;
  /** `sync` snapshots members got after falling behind. */
  snapshots: number;
  /** Members closed after joining, by the server's `end` code (`socket`: closed without one). */
  closes: Record<string, number>;
  /** Last join → every member complete, ms (undefined: not within settleMs). */
  settledMs: number | undefined;
  serverCpuPercent: number;
  /** 1-min load average per core before the trial (the machine is shared). */
  loadPerCore: number;
}

/**
 * Issue 16 item 4: members join one communication channel at a fixed offered rate until it has
 * `checkpoints.at(-1)` members; the join latency of the block that brings it to each checkpoint,
 * refusals, and whether every member ends with the complete member list.
 */
export async function bigChannel(
  sys: SystemDef,
  p: BigChannelParams,
  trial: number,
): Promise<BigChannelResult> {
  const loadPerCore = Math.round((os.loadavg()[0]! / os.cpus().length) * 100) / 100;
  const t = await startTarget(sys);
  const workers = await startWorkers(p.workers, sys.keepaliveMs);
  try {
    const total = Math.max(...p.checkpoints);
    const all = Array.from({ length: total }, (_, i) => ({ uid: 1 + i, channel: `big${trial}` }));
    await sleep(300);
    const startAt = now() + 300;
    const s0 = await t.stats();
    const results = await Promise.all(
      workers.map((worker, w) =>
        worker.call<{
          joined: number;
          failed: number;
          refused: number;
          latencies: number[];
          uids: number[];
          lastJoined: number;
        }>('rawOpenAtRate', {
          target: t.target,
          members: all.filter((_, i) => i % p.workers === w),
          rate: p.rate / p.workers,
          startAt: startAt + (w * 1000) / p.rate,
        }),
      ),
    );
    const s1 = await t.stats();
    const byUid = new Map<number, number>();
    for (const r of results) for (const [i, uid] of r.uids.entries()) byUid.set(uid, r.latencies[i]!);
    const blocks = p.checkpoints.map((m) => {
      const lat: number[] = [];
      for (let uid = m - p.block + 1; uid <= m; uid++) {
        const v = byUid.get(uid);
        if (v !== undefined) lat.push(v);
      }
      return { members: m, join: dist(lat) };
    });
    const joined = results.reduce((a, r) => a + r.joined, 0);
    const lastJoined = Math.max(...results.map((r) => r.lastJoined));
    let complete = 0;
    let open = 0;
    let snapshots = 0;
    let closes: Record<string, number> = {};
    let settledMs: number | undefined;
    const deadline = now() + p.settleMs;
    do {
      const counts = await Promise.all(
        workers.map((w) =>
          w.call<{ open: number; complete: number; syncs: number; closes: Record<string, number> }>(
            'rawComplete',
            { expected: joined - 1 },
          ),
        ),
      );
      open = counts.reduce((a, c) => a + c.open, 0);
      complete = counts.reduce((a, c) => a + c.complete, 0);
      snapshots = counts.reduce((a, c) => a + c.syncs, 0);
      closes = {};
      for (const c of counts) for (const [k, v] of Object.entries(c.closes)) closes[k] = (closes[k] ?? 0) + v;
      if (complete === open) settledMs = Math.max(0, Math.round(now() - lastJoined));
      else await sleep(200);
    } while (settledMs === undefined && now() < deadline);
    await Promise.all(workers.map((w) => w.call('rawCloseAll')));
    return {
      system: sys.id,
      trial,
      members: total,
      joined,
      refused: results.reduce((a, r) => a + r.refused, 0),
      timedOut: results.reduce((a, r) => a + r.failed - r.refused, 0),
      blocks,
      complete,
      open,
      snapshots,
      closes,
      settledMs,
      serverCpuPercent: cpuPercent(s0, s1),
      loadPerCore,
    };
  } finally {
    await stopAll(workers);
    await t.stop();
  }
}
