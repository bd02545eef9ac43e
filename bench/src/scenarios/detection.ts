import { type Dist, dist, sleep } from '../stats.js';
import type { SystemDef } from '../systems.js';
import { faultRig, OBSERVER_UID_BASE } from './fault-setup.js';

export interface DetectionParams {
  clients: number;
  workers: number;
  /** Rig settle time before the cut, ms. */
  settleMs: number;
  /** Extra wait past the configured detection times, ms. */
  marginMs: number;
}

export interface DetectionResult {
  system: string;
  clients: number;
  configuredClientMs: number;
  configuredRemoteMs: number;
  /** Client: last byte received → its link-down state (Holdfast: Reconnecting/Interrupted), ms. */
  clientFromLastData: Dist;
  /** Client: cut → link-down, ms. */
  clientFromCut: Dist;
  clientDetected: number;
  /** Remote member: the cut client's last byte to the server → onUserOffline(Dropped) / user_offline, ms. */
  remoteFromLastData: Dist;
  remoteFromCut: Dist;
  remoteDetected: number;
  /** Reasons the remote side was given. */
  remoteReasons: Record<string, number>;
  clientSamples: number[];
  remoteSamples: number[];
}

/** Scenario 4: cut K clients at once; when does each notice, and when do remote members hear? */
export async function detection(sys: SystemDef, p: DetectionParams): Promise<DetectionResult> {
  const rig = await faultRig(sys, p.clients, p.workers, { settleMs: p.settleMs });
  try {
    const seen = await rig.cutAll();
    await sleep(Math.max(sys.clientDetectMs, sys.remoteOfflineMs) + p.marginMs);
    const records = await rig.collect();
    const cutUids = new Set(rig.cut.map((m) => m.uid));
    const fromLast: number[] = [];
    const fromCut: number[] = [];
    const remoteLast: number[] = [];
    const remoteCut: number[] = [];
    const reasons: Record<string, number> = {};
    for (const r of records) {
      if (cutUids.has(r.uid)) {
        const s = seen.get(r.uid);
        const down = s && r.downs.find(([at]) => at > s.at);
        if (!down || !s) continue;
        fromLast.push(down[0] - s.down);
        fromCut.push(down[0] - s.at);
      } else if (r.uid >= OBSERVER_UID_BASE) {
        for (const [kind, uid, at, reason] of r.presence) {
          const s = seen.get(uid);
          if (kind !== 'offline' || !s || at < s.at) continue;
          remoteLast.push(at - s.up);
          remoteCut.push(at - s.at);
          reasons[reason] = (reasons[reason] ?? 0) + 1;
        }
      }
    }
    return {
      system: sys.id,
      clients: p.clients,
      configuredClientMs: sys.clientDetectMs,
      configuredRemoteMs: sys.remoteOfflineMs,
      clientFromLastData: dist(fromLast),
      clientFromCut: dist(fromCut),
      clientDetected: fromLast.length,
      remoteFromLastData: dist(remoteLast),
      remoteFromCut: dist(remoteCut),
      remoteDetected: remoteLast.length,
      remoteReasons: reasons,
      clientSamples: fromLast,
      remoteSamples: remoteLast,
    };
  } finally {
    await rig.restoreAll().catch(() => {});
    await rig.close();
  }
}
