import type { Child } from '../rpc.js';
import { dist, now, sleep } from '../stats.js';
import type { ChromiumPublisher, PublisherPage } from './chromium-publisher.js';
import type { MediaParams } from './params.js';
import type { MediaRecovery, MediaTrial } from './results.js';
import type { OpenResult } from './sub-worker.js';
import type { MediaTarget } from './targets.js';

export const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;

export interface Rig {
  p: MediaParams;
  t: MediaTarget;
  pub: ChromiumPublisher;
  page: PublisherPage;
  relay: Child;
  workers: Child[];
  /** uid → worker index. */
  home: Map<number, number>;
  nextUid: number;
}

export async function openSubs(rig: Rig, count: number, timeoutMs: number): Promise<OpenResult[]> {
  const per: number[][] = rig.workers.map(() => []);
  const held = rig.workers.map((_, i) => [...rig.home.values()].filter((w) => w === i).length);
  for (let k = 0; k < count; k++) {
    const w = held.indexOf(Math.min(...held));
    held[w]!++;
    const uid = rig.nextUid++;
    per[w]!.push(uid);
    rig.home.set(uid, w);
  }
  const res = await Promise.all(
    rig.workers.map((w, i) =>
      per[i]!.length
        ? w.call<OpenResult[]>('open', {
            target: rig.t.sub,
            uids: per[i],
            concurrency: 4,
            firstFrameMs: timeoutMs,
          })
        : [],
    ),
  );
  for (const r of res.flat()) if (!r.ok) rig.home.delete(r.uid);
  return res.flat();
}

export async function closeSubs(rig: Rig, uids: number[]): Promise<void> {
  await Promise.all(
    rig.workers.map((w, i) => w.call('close', { uids: uids.filter((u) => rig.home.get(u) === i) })),
  );
  for (const u of uids) rig.home.delete(u);
}

export async function firstFrames(rig: Rig): Promise<MediaTrial['firstFrame']> {
  const { base, samples, timeoutMs } = rig.p.firstFrame;
  await openSubs(rig, base, timeoutMs);
  const out: MediaTrial['firstFrame'] = {
    base,
    samples: [],
    answerSamples: [],
    connectedSamples: [],
    failed: 0,
    dist: dist([]),
  };
  for (let i = 0; i < samples; i++) {
    const [r] = await openSubs(rig, 1, timeoutMs);
    if (r?.ok) {
      out.samples.push(round(r.firstFrameAt - r.subscribeSentAt));
      out.answerSamples.push(round(r.answeredAt - r.subscribeSentAt));
      out.connectedSamples.push(round(r.connectedAt - r.subscribeSentAt));
      await closeSubs(rig, [r.uid]);
    } else out.failed++;
    await sleep(300);
  }
  out.dist = dist(out.samples);
  return out;
}

export async function recover(rig: Rig, how: MediaRecovery['how']): Promise<MediaRecovery> {
  const { cutMs, waitMs } = rig.p.recovery;
  const block = rig.t.block;
  const cut =
    how === 'block' && block
      ? block
      : how === 'network'
        ? async (on: boolean) => {
            await rig.relay.call('cut', { on });
          }
        : (on: boolean) => rig.page.pause(on);
  await cut(true);
  await sleep(cutMs);
  await Promise.all(rig.workers.map((w) => w.call('arm')));
  const restoredAt = now();
  await cut(false);
  const deadline = restoredAt + waitMs;
  let armed: Array<{ uid: number; at: number }> = [];
  for (;;) {
    armed = (
      await Promise.all(rig.workers.map((w) => w.call<Array<{ uid: number; at: number }>>('armed')))
    ).flat();
    if (armed.every((a) => a.at > 0) || now() > deadline) break;
    await sleep(50);
  }
  const samples = armed.filter((a) => a.at > 0).map((a) => round(a.at - restoredAt));
  // Let the media (and the publisher's bandwidth estimate) settle before what comes next.
  await sleep(rig.p.recovery.settleMs);
  return { how, subscribers: armed.length, cutMs, samples, back: samples.length, dist: dist(samples) };
}
