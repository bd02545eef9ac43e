import { TestRedis } from '@holdfast/server/testing';
import type { RawPool } from '../clients/raw-pool.js';
import {
  chunk,
  cpuPercent,
  members,
  type RunningTarget,
  startTarget,
  startWorkers,
  stopAll,
} from '../harness.js';
import { procCpuMs } from '../media/proc-cpu.js';
import type { Child } from '../rpc.js';
import type { ProcStats } from '../servers/proc-stats.js';
import { type Dist, dist, now, sleep } from '../stats.js';
import type { SystemDef } from '../systems.js';

export interface CapacityParams {
  /** Server processes (each on its own loopback address). */
  servers: number;
  /** Joined clients per server process. */
  perServer: number;
  channelSize: number;
  idleMs: number;
  /** Joins in flight per load-generator process. */
  concurrency: number;
  /** Stop starting new joins after this long (the machine may saturate first), ms. */
  connectBudgetMs: number;
  /**
   * Holdfast only: the server processes share one real `redis-server` (the Redis engine: sessions,
   * members, offline deadlines and node heartbeats live in Redis, as in a scaled-out deployment).
   */
  redis?: boolean;
}

export interface CapacityResult {
  system: string;
  servers: number;
  target: number;
  joined: number;
  failed: number;
  /** Time to connect and join every client, ms. */
  connectAllMs: number;
  joinLatency: Dist;
  /** Server RSS growth per joined connection (after GC), bytes; summed over server processes. */
  rssPerConn: number;
  heapPerConn: number;
  serverRssMb: number;
  /** Server CPU while idle, % of one core (summed over server processes). */
  idleCpuPercent: number;
  /** Load generators' CPU in the same window, % of one core (summed). */
  loadgenCpuPercent: number;
  loadgenProcesses: number;
  /** Clients that went longer than the configured detection time without data (would be Interrupted). */
  silentTooLong: number;
  maxSilenceMs: number;
  droppedDuringIdle: number;
  /** Joined clients closed since, by why: the server's `end` code, or `socket` (closed without one). */
  droppedWhy: Record<string, number>;
  /** With `redis`: the redis-server's CPU over the idle window, % of one core (not in `idleCpuPercent`). */
  redisCpuPercent?: number;
  /** With `redis`: the redis-server's CPU while the clients connected and joined, % of one core. */
  redisConnectCpuPercent?: number;
}

const PER_WORKER = 15_000;

/** Scenario 1: N idle joined clients in channels of 10, keepalives running. */
export async function capacity(sys: SystemDef, p: CapacityParams): Promise<CapacityResult> {
  const total = p.servers * p.perServer;
  const targets: RunningTarget[] = [];
  const redis = p.redis && sys.id === 'holdfast' ? await TestRedis.start() : undefined;
  const redisCpu = (): number => (redis?.pid ? procCpuMs(redis.pid) : Number.NaN);
  const workerCount = Math.max(2, Math.ceil(total / PER_WORKER));
  let workers: Child[];
  try {
    for (let i = 0; i < p.servers; i++)
      targets.push(
        await startTarget(
          sys,
          `127.0.0.${10 + i}`,
          redis ? { redis: redis.url, nodeId: `machine-${i}` } : {},
        ),
      );
    workers = await startWorkers(workerCount, sys.keepaliveMs);
  } catch (err) {
    // A server or worker that did not start: stop what did, redis-server too (it would outlive the run).
    await Promise.all(targets.map((t) => t.stop()));
    await redis?.kill();
    throw err;
  }
  try {
    await sleep(500);
    const base = await Promise.all(targets.map((t) => t.stats(true)));
    // Client i of server s: channels never span servers; each worker gets a slice of every server's clients.
    const jobs = targets.flatMap((t, s) =>
      chunk(members(1 + s * p.perServer, p.perServer, p.channelSize, `cap${s}-`), workerCount).map(
        (list, w) => ({ target: t.target, list, w }),
      ),
    );
    const t0 = now();
    const r0 = redisCpu();
    const deadline = t0 + p.connectBudgetMs;
    const results = await Promise.all(
      workers.map(async (worker, w) => {
        const mine = jobs.filter((j) => j.w === w);
        const out = await Promise.all(
          mine.map((j) =>
            worker.call<{ joined: number; failed: number; latencies: number[]; lastJoined: number }>(
              'rawOpen',
              {
                target: j.target,
                members: j.list,
                concurrency: Math.max(10, Math.floor(p.concurrency / mine.length)),
                deadline,
              },
            ),
          ),
        );
        return out;
      }),
    ).then((r) => r.flat());
    const joined = results.reduce((a, r) => a + r.joined, 0);
    const failed = results.reduce((a, r) => a + r.failed, 0);
    const connectAllMs = Math.max(...results.map((r) => r.lastJoined)) - t0;
    const r1 = redisCpu();
    const t1 = now();
    const latencies = results.flatMap((r) => r.latencies);

    await sleep(Math.min(2000, p.idleMs));
    const loaded = await Promise.all(targets.map((t) => t.stats(true)));
    await Promise.all(workers.map((w) => w.call('rawResetGaps')));
    const s0 = await Promise.all(targets.map((t) => t.stats()));
    const w0 = await Promise.all(workers.map((w) => w.call<ProcStats>('stats')));
    const [r2, t2] = [redisCpu(), now()];
    const profile = process.env.BENCH_PROFILE_DIR;
    if (profile) await targets[0]!.child.call('profileStart');
    await sleep(p.idleMs);
    if (profile)
      await targets[0]!.child.call('profileStop', { file: `${profile}/idle-${sys.id}-${total}.cpuprofile` });
    const s1 = await Promise.all(targets.map((t) => t.stats()));
    const w1 = await Promise.all(workers.map((w) => w.call<ProcStats>('stats')));
    const [r3, t3] = [redisCpu(), now()];
    const gaps = await Promise.all(
      workers.map((w) =>
        w.call<ReturnType<RawPool['gaps']>>('rawGaps', {
          limitMs: sys.clientDetectMs,
        }),
      ),
    );
    // Why the clients that joined were closed since (the server's `end` code, or `socket` without one).
    const droppedWhy: Record<string, number> = {};
    for (const g of gaps)
      for (const [why, n] of Object.entries(g.closes)) droppedWhy[why] = (droppedWhy[why] ?? 0) + n;
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    const rssGrowth = sum(loaded.map((l, i) => l.rss - base[i]!.rss));
    const heapGrowth = sum(loaded.map((l, i) => l.heapUsed - base[i]!.heapUsed));
    await Promise.all(workers.map((w) => w.call('rawCloseAll')));
    return {
      system: sys.id,
      servers: p.servers,
      target: total,
      joined,
      failed,
      connectAllMs: Math.round(connectAllMs),
      joinLatency: dist(latencies),
      rssPerConn: Math.round(rssGrowth / Math.max(1, joined)),
      heapPerConn: Math.round(heapGrowth / Math.max(1, joined)),
      serverRssMb: Math.round(sum(loaded.map((l) => l.rss)) / 1048576),
      idleCpuPercent: Math.round(sum(s1.map((s, i) => cpuPercent(s0[i]!, s))) * 10) / 10,
      loadgenCpuPercent: Math.round(sum(w1.map((s, i) => cpuPercent(w0[i]!, s))) * 10) / 10,
      loadgenProcesses: workerCount,
      silentTooLong: sum(gaps.map((g) => g.overLimit)),
      maxSilenceMs: Math.max(...gaps.map((g) => g.maxGap)),
      droppedDuringIdle: joined - sum(gaps.map((g) => g.clients)),
      droppedWhy,
      ...(redis
        ? {
            redisCpuPercent: Math.round(((r3 - r2) / (t3 - t2)) * 1000) / 10,
            redisConnectCpuPercent: Math.round(((r1 - r0) / (t1 - t0)) * 1000) / 10,
          }
        : {}),
    };
  } finally {
    await stopAll(workers);
    await Promise.all(targets.map((t) => t.stop()));
    await redis?.kill();
  }
}
