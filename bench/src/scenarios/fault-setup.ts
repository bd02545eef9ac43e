import { fileURLToPath } from 'node:url';
import type { LibRecord } from '../clients/lib-pool.js';
import type { Member } from '../clients/raw-pool.js';
import {
  chunk,
  type FaultProxy,
  LOOPBACK,
  members,
  type RunningTarget,
  startProxy,
  startTarget,
  stopAll,
} from '../harness.js';
import { CUT_ADDRESS, type KernelCut, startKernelCut } from '../kernel-cut.js';
import { type Child, startChildren } from '../rpc.js';
import { sleep } from '../stats.js';
import type { SystemDef } from '../systems.js';

/**
 * K full-library clients behind fault proxies, in channels of 10, and one observer per channel
 * connected straight to the server (it sees the remote side of the cut). Channel c goes through
 * proxy c mod P, so a cut or a restore is P small operations in parallel rather than one big one.
 * With `cutBy: 'kernel'` there are no proxies: the cut clients reach the server at another loopback
 * address and the kernel drops their packets (bench/src/kernel-cut.ts); the last bytes before the
 * cut are then not known (NaN).
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
  /**
   * Restores the network; per uid: when. `signal` (the OS's "network is back") runs as soon as
   * packets pass again — with the kernel cut, while the connections that lived through the cut are
   * being aborted, as a real `online` event comes before any retry could find out.
   */
  restoreAll(signal?: () => Promise<unknown>): Promise<Map<number, number>>;
  collect(): Promise<LibRecord[]>;
  close(): Promise<void>;
}

export const OBSERVER_UID_BASE = 900_000;
const PROXIES = 4;

export interface FaultRigOptions {
  /** The SDK over the bench's lean transport (default) or the stock `ws` one (Holdfast). */
  lean?: boolean;
  /** Rig settle time before the cut, ms (default 3,000). */
  settleMs?: number;
  /** Who pulls the cable: user-space proxies (default; they know each client's last bytes) or the kernel. */
  cutBy?: 'proxy' | 'kernel';
}

export async function faultRig(
  sys: SystemDef,
  k: number,
  workerCount: number,
  { lean = true, settleMs = 3000, cutBy = 'proxy' }: FaultRigOptions = {},
): Promise<FaultRig> {
  const kernel = cutBy === 'kernel';
  const target = await startTarget(sys, kernel ? '0.0.0.0' : LOOPBACK);
  const port = target.target.port;
  const direct = kernel ? `ws://${LOOPBACK}:${port}` : target.url;
  const kernelCut: KernelCut | undefined = kernel ? await startKernelCut(port) : undefined;
  const proxyCount = kernel ? 0 : Math.min(PROXIES, Math.ceil(k / 10));
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
  const proxyOf = (uid: number) => (kernel ? 0 : Math.floor((uid - 1) / 10) % proxyCount);
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
  await open(observers, direct);
  if (kernel) await open(cut, `ws://${CUT_ADDRESS}:${port}`);
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
      if (kernelCut) {
        const { at } = await kernelCut.cut();
        return new Map(cut.map((m) => [m.uid, { at, up: Number.NaN, down: Number.NaN }]));
      }
      const res = await Promise.all(proxies.map((p) => p.cut()));
      const out = new Map<number, { at: number; up: number; down: number }>();
      res.forEach((r, p) => {
        for (const [uid, up, down] of r.seen) if (proxyOf(uid) === p) out.set(uid, { at: r.at, up, down });
      });
      return out;
    },
    restoreAll: async (signal) => {
      if (kernelCut) {
        const { at, killed } = await kernelCut.restore(signal !== undefined);
        await Promise.all([killed, signal?.()]);
        return new Map(cut.map((m) => [m.uid, at]));
      }
      const res = await Promise.all(proxies.map((p) => p.restore()));
      await signal?.();
      return new Map(cut.map((m) => [m.uid, res[proxyOf(m.uid)]!.at]));
    },
    collect: async () => (await Promise.all(workers.map((w) => w.call<LibRecord[]>('libCollect')))).flat(),
    close: async () => {
      await Promise.all(workers.map((w) => w.call('libCloseAll').catch(() => {})));
      await stopAll(workers);
      await Promise.all(proxies.map((p) => p.stop()));
      await kernelCut?.close();
      await target.stop();
    },
  };
}
