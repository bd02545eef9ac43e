import { sampleCpu } from '../harness.js';
import { machineBusyPercent, machineCpu, processCpuMs } from '../machine-cpu.js';
import { type Dist, dist, now, sleep } from '../stats.js';
import type { SystemDef } from '../systems.js';
import { faultRig, OBSERVER_UID_BASE } from './fault-setup.js';

export interface RecoveryParams {
  clients: number;
  workers: number;
  /** How long the network stays cut: past the client's detection, inside the 20 s offline window. */
  outageMs: number;
  /** Rig settle time before the cut, ms. */
  settleMs: number;
  /** Holdfast only: tell each SDK the network is back (a browser's `online` event) at the restore. */
  onlineEvent: boolean;
  /** Holdfast only: the SDK over the bench's lean transport (default) or over the stock `ws` transport. */
  lean?: boolean;
  /** Who cuts the network: the fault proxies (default) or the kernel (no process forwards bytes). */
  cutBy?: 'proxy' | 'kernel';
}

export interface RecoveryResult {
  system: string;
  variant: string;
  clients: number;
  outageMs: number;
  cutBy: 'proxy' | 'kernel';
  /** Restore → back in the channel (Holdfast (Connected, RejoinSuccess); Socket.IO `connect` if
   * recovered, else the join ack after it), ms. */
  recovery: Dist;
  recovered: number;
  /** How the clients came back (Holdfast: rejoin_success; Socket.IO: recovered | rejoined). */
  how: Record<string, number>;
  /** Presence flaps remote members saw for the cut clients (offline events, then joined events). */
  remoteOffline: number;
  remoteRejoined: number;
  /** Server CPU from the restore until every client was back. */
  serverCpu: { cpuMs: number; wallMs: number; peakPercent: number; meanPercent: number };
  /**
   * Every core of the machine (server, load generators, proxies together) from the restore until
   * every client was back, % busy: near 100 means the storm was bound by the machine itself.
   */
  machineBusyPercent: number;
  /**
   * CPU per client back, ms, from the restore until the last client was back, by process: the
   * server, the client libraries (load generators) and the fault proxies (the rig). On two cores,
   * their sum / 2 × clients is the least the storm can take whatever the server does.
   */
  cpuPerClient: { server: number; clients: number; proxies: number };
  /** Restore → every worker had fired its `online` event (Holdfast online variant), ms. */
  signalledAfterMs: number;
  samples: number[];
}

/** Scenario 5: K clients cut past their detection time, then the network comes back for all at once. */
export async function recovery(sys: SystemDef, p: RecoveryParams): Promise<RecoveryResult> {
  const lean = p.lean ?? true;
  const cutBy = p.cutBy ?? 'proxy';
  const rig = await faultRig(sys, p.clients, p.workers, { lean, settleMs: p.settleMs, cutBy });
  try {
    const cut = await rig.cutAll();
    const cutAt = Math.min(...[...cut.values()].map((c) => c.at));
    await sleep(p.outageMs);
    const profile = process.env.BENCH_PROFILE_DIR;
    if (profile) await Promise.all([rig.target.child, ...rig.workers].map((c) => c.call('profileStart')));
    // The whole machine's CPU in 100 ms slots, to report how busy it was until the last client was back.
    const roles = {
      server: [rig.target.child.pid],
      clients: rig.workers.map((w) => w.pid),
      proxies: rig.proxyPids,
    };
    const rolesCpu = () => ({
      server: processCpuMs(roles.server),
      clients: processCpuMs(roles.clients),
      proxies: processCpuMs(roles.proxies),
    });
    type Box = { at: number; cpu: ReturnType<typeof machineCpu>; roles: ReturnType<typeof rolesCpu> };
    const box: Box[] = [{ at: now(), cpu: machineCpu(), roles: rolesCpu() }];
    let boxing = true;
    const boxer = (async () => {
      while (boxing) {
        await sleep(100);
        box.push({ at: now(), cpu: machineCpu(), roles: rolesCpu() });
      }
    })();
    let signalledAt = Number.NaN;
    const restoredAt = await rig.restoreAll(
      p.onlineEvent
        ? async () => {
            await Promise.all(rig.workers.map((w) => w.call('libOnline')));
            signalledAt = now();
          }
        : undefined,
    );
    const restoreAt = Math.min(...restoredAt.values());
    const signalled = signalledAt - restoreAt;
    const cutUids = new Set(rig.cut.map((m) => m.uid));
    let back = 0;
    const deadline = now() + 15_000;
    // Poll the clients (cheaply: every 500 ms) while sampling the server's CPU every 100 ms.
    const poller = (async () => {
      while (now() < deadline && back < p.clients) {
        await sleep(500);
        const recs = await rig.collect();
        back = recs.filter((r) => cutUids.has(r.uid) && r.ups.some(([at]) => at > restoreAt)).length;
      }
    })();
    const serverCpu = await sampleCpu(
      () => rig.target.stats(),
      () => back >= p.clients,
      100,
      15_000,
    );
    await poller;
    boxing = false;
    await boxer;
    if (profile) {
      const name = `${profile}/recovery-${sys.id}-${p.onlineEvent ? 'online' : 'silent'}`;
      await rig.target.child.call('profileStop', { file: `${name}.cpuprofile` });
      await Promise.all(
        rig.workers.map((w, i) => w.call('profileStop', { file: `${name}-clients${i}.cpuprofile` })),
      );
    }
    await sleep(1000); // late presence events
    const records = await rig.collect();
    const rec: number[] = [];
    const how: Record<string, number> = {};
    let remoteOffline = 0;
    let remoteRejoined = 0;
    for (const r of records) {
      if (cutUids.has(r.uid)) {
        const at0 = restoredAt.get(r.uid)!;
        const up = r.ups.find(([at]) => at > at0);
        if (!up) continue;
        rec.push(up[0] - at0);
        how[up[1]] = (how[up[1]] ?? 0) + 1;
      } else if (r.uid >= OBSERVER_UID_BASE) {
        for (const [kind, uid, at] of r.presence) {
          if (at < cutAt || !cutUids.has(uid)) continue;
          if (kind === 'offline') remoteOffline++;
          else remoteRejoined++;
        }
      }
    }
    const last = box.find((b) => b.at >= restoreAt + Math.max(0, ...rec)) ?? box[box.length - 1]!;
    const per = (role: keyof Box['roles']) =>
      rec.length ? Math.round(((last.roles[role] - box[0]!.roles[role]) / rec.length) * 100) / 100 : 0;
    return {
      system: sys.id,
      variant:
        sys.id === 'holdfast'
          ? `${p.onlineEvent ? 'online event' : 'silent restore'}${lean ? '' : ', ws transport'}${
              sys.params.backlog ? `, backlog ${sys.params.backlog} (Node's default)` : ''
            }`
          : 'silent restore',
      clients: p.clients,
      outageMs: p.outageMs,
      cutBy,
      recovery: dist(rec),
      recovered: rec.length,
      how,
      remoteOffline,
      remoteRejoined,
      serverCpu,
      machineBusyPercent: machineBusyPercent(box[0]!.cpu, last.cpu),
      cpuPerClient: { server: per('server'), clients: per('clients'), proxies: per('proxies') },
      signalledAfterMs: Math.round(signalled),
      samples: rec,
    };
  } finally {
    await rig.close();
  }
}
