import { fileURLToPath } from 'node:url';
import type { LibRecord } from '../clients/lib-pool.js';
import type { Member } from '../clients/raw-pool.js';
import {
  chunk,
  type FaultProxy,
  members,
  type RunningTarget,
  startProxy,
  startTarget,
  stopAll,
} from '../harness.js';
import { type Child, startChildren } from '../rpc.js';
import { sleep } from '../stats.js';
import type { SystemDef } from '../systems.js';

/**
 * K full-library clients behind fault proxies, in channels of 10, and one observer per channel
 * connected straight to the server (it sees the remote side of the cut). Channel c goes through
 * proxy c mod P, so a cut or a restore is P small operations in parallel rather than one big one.
 */
export interface FaultRig {
  target: RunningTarget;
  workers: Child[];
  /** The fault proxies' processes (their CPU is the rig's, not a system's). */
  proxyPids: number[];
  cut: Member[];
  observers: Member[];
  /** Cuts every proxy; per uid: when its proxy cut, and its last bytes up (to the server) and down. */
  cutAll(): Promise<Map<number, { at: number; up: number; down: number }>>;
  /** Restores every proxy; per uid: when its proxy restored. */
  restoreAll(): Promise<Map<number, number>>;
  collect(): Promise<LibRecord[]>;
  close(): Promise<void>;
}

export const OBSERVER_UID_BASE = 900_000;
const PROXIES = 4;

export async function faultRig(
  sys: SystemDef,
  k: number,
  workerCount: number,
  lean = true,
  settleMs = 3000,
): Promise<FaultRig> {
  const target = await startTarget(sys);
  const proxyCount = Math.min(PROXIES, Math.ceil(k / 10));
  const proxies: FaultProxy[] = await Promise.all(
    Array.from({ length: proxyCount }, () => startProxy(target.target)),
  );
  const prof = process.env.BENCH_WORKER_PROFILE_DIR;
  const workers = await startChildren(
    'lib',
    fileURLToPath(new URL('../worker.js', import.meta.url)),
    workerCount,
    prof ? ['--cpu-prof', `--cpu-prof-dir=${prof}`] : [],
  );
  const kind = sys.wire;
  const cut = members(1, k, 10, 'fault');
  const proxyOf = (uid: number) => Math.floor((uid - 1) / 10) % proxyCount;
  const channels = Math.ceil(k / 10);
  const observers = Array.from({ length: channels }, (_, c) => ({
    uid: OBSERVER_UID_BASE + c,
    channel: `fault${c}`,
  }));
  const open = async (list: Member[], url: string) => {
    const res = await Promise.all(
      chunk(list, workerCount).map((part, w) =>
        workers[w]!.call<{ joined: number; failed: number }>('libOpen', {
          kind,
          url,
          members: part,
          concurrency: 25,
          lean,
        }),
      ),
    );
    const failed = res.reduce((a, r) => a + r.failed, 0);
    if (failed > 0) throw new Error(`${sys.id}: ${failed} of ${list.length} clients failed to join`);
  };
  await open(observers, target.url);
  for (let p = 0; p < proxyCount; p++)
    await open(
      cut.filter((m) => proxyOf(m.uid) === p),
      proxies[p]!.url,
    );
  // Let every client settle into its keepalive rhythm.
  await sleep(Math.min(settleMs, sys.keepaliveMs * 1.5));
  return {
    target,
    workers,
    proxyPids: proxies.map((p) => p.child.pid),
    cut,
    observers,
    cutAll: async () => {
      const res = await Promise.all(proxies.map((p) => p.cut()));
      const out = new Map<number, { at: number; up: number; down: number }>();
      res.forEach((r, p) => {
        for (const [uid, up, down] of r.seen) if (proxyOf(uid) === p) out.set(uid, { at: r.at, up, down });
      });
      return out;
    },
    restoreAll: async () => {
      const res = await Promise.all(proxies.map((p) => p.restore()));
      return new Map(cut.map((m) => [m.uid, res[proxyOf(m.uid)]!.at]));
    },
    collect: async () => (await Promise.all(workers.map((w) => w.call<LibRecord[]>('libCollect')))).flat(),
    close: async () => {
      await Promise.all(workers.map((w) => w.call('libCloseAll').catch(() => {})));
      await stopAll(workers);
      await Promise.all(proxies.map((p) => p.stop()));
      await target.stop();
    },
  };
}
