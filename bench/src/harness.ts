import { fileURLToPath } from 'node:url';
import type { RawTarget } from './clients/raw.js';
import type { Member } from './clients/raw-pool.js';
import { Child, startChildren } from './rpc.js';
import type { ProcStats } from './servers/proc-stats.js';
import { now, sleep } from './stats.js';
import type { SystemDef } from './systems.js';

const dist = (file: string) => fileURLToPath(new URL(`./${file}`, import.meta.url));

/** Loopback only: every server, proxy and client address is in 127.0.0.0/8. */
export const LOOPBACK = '127.0.0.1';

export interface RunningTarget {
  child: Child;
  target: RawTarget;
  url: string;
  stats(gc?: boolean): Promise<ProcStats>;
  stop(): Promise<void>;
}

/**
 * Starts one server of `sys` in its own process on `host`; `extra` goes to the server's `start`
 * as is (e.g. Holdfast's `redis` URL and `nodeId`).
 */
export async function startTarget(
  sys: SystemDef,
  host = LOOPBACK,
  extra: Record<string, string> = {},
): Promise<RunningTarget> {
  // BENCH_SERVER_FLAGS: extra Node flags for the server processes (e.g. `--trace-gc` to see pauses).
  const flags = (process.env.BENCH_SERVER_FLAGS ?? '').split(/\s+/).filter(Boolean);
  const child = new Child(`${sys.id}-server${extra.nodeId ? `-${extra.nodeId}` : ''}`, dist(sys.server), [
    '--expose-gc',
    ...flags,
  ]);
  await child.ready;
  const { port } = await child.call<{ port: number }>('start', { host, ...sys.params, ...extra });
  return {
    child,
    target: { wire: sys.wire, host, port },
    url: `ws://${host}:${port}`,
    stats: (gc = false) => child.call<ProcStats>('stats', { gc }),
    stop: async () => {
      await child.call('stop').catch(() => {});
      await child.stop();
    },
  };
}

export async function startWorkers(count: number, keepaliveMs: number): Promise<Child[]> {
  const workers = await startChildren('worker', dist('worker.js'), count);
  await Promise.all(workers.map((w) => w.call('rawInit', { keepaliveMs })));
  return workers;
}

export async function stopAll(children: Child[]): Promise<void> {
  await Promise.all(children.map((c) => c.stop()));
}

export interface FaultProxy {
  child: Child;
  url: string;
  cut(): Promise<{ at: number; seen: Array<[number, number, number]> }>;
  restore(): Promise<{ at: number }>;
  stop(): Promise<void>;
}

export async function startProxy(target: RawTarget): Promise<FaultProxy> {
  const child = new Child('proxy', dist('proxy.js'));
  await child.ready;
  const { port } = await child.call<{ port: number }>('start', {
    host: LOOPBACK,
    targetHost: target.host,
    targetPort: target.port,
  });
  return {
    child,
    url: `ws://${LOOPBACK}:${port}`,
    cut: () => child.call('cut'),
    restore: () => child.call('restore'),
    stop: async () => {
      await child.call('stop').catch(() => {});
      await child.stop();
    },
  };
}

/** Members `first..first+count-1` in channels of `size`, named `${prefix}<n>`. */
export function members(first: number, count: number, size: number, prefix: string): Member[] {
  return Array.from({ length: count }, (_, i) => ({
    uid: first + i,
    channel: `${prefix}${Math.floor(i / size)}`,
  }));
}

/** Splits a list into `parts` contiguous chunks. */
export function chunk<T>(list: T[], parts: number): T[][] {
  const out: T[][] = Array.from({ length: parts }, () => []);
  const size = Math.ceil(list.length / parts);
  list.forEach((x, i) => {
    out[Math.floor(i / size)]!.push(x);
  });
  return out;
}

/** CPU use of a process between two samples, % of one core. */
export const cpuPercent = (a: ProcStats, b: ProcStats): number =>
  Math.round(((b.cpuMs - a.cpuMs) / (b.at - a.at)) * 1000) / 10;

/** Samples a process's CPU every `everyMs` until `done()` (or `maxMs`); returns total and peak. */
export async function sampleCpu(
  stats: () => Promise<ProcStats>,
  done: () => boolean,
  everyMs: number,
  maxMs: number,
): Promise<{ cpuMs: number; wallMs: number; peakPercent: number; meanPercent: number }> {
  const first = await stats();
  let prev = first;
  let peak = 0;
  const end = now() + maxMs;
  while (!done() && now() < end) {
    await sleep(everyMs);
    const s = await stats();
    peak = Math.max(peak, cpuPercent(prev, s));
    prev = s;
  }
  return {
    cpuMs: Math.round(prev.cpuMs - first.cpuMs),
    wallMs: Math.round(prev.at - first.at),
    peakPercent: peak,
    meanPercent: cpuPercent(first, prev),
  };
}
