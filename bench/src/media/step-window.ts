import os from 'node:os';
import { machineBusyPercent, machineCpu } from '../machine-cpu.js';
import type { ProcStats } from '../servers/proc-stats.js';
import { now, sleep } from '../stats.js';
import { procCpuMs } from './proc-cpu.js';
import type { MediaStep } from './results.js';
import { type Rig, round } from './rig.js';
import type { SubWindow } from './sub-worker.js';

export async function window(rig: Rig, n: number, openFailed: number, profile?: string): Promise<MediaStep> {
  const { p, t, pub, page, workers } = rig;
  const { windowMs, sampleMs, lossLimit, freezeMs } = p.ramp;
  if (profile) await t.profile?.start();
  const gen = [...workers, rig.relay];
  const [p0, w0] = await Promise.all([
    page.stats(),
    Promise.all(gen.map((w) => w.call<ProcStats>('stats'))),
    Promise.all(workers.map((w) => w.call('windowStart', { sampleMs }))),
  ]);
  const s0 = procCpuMs(t.pid);
  const c0 = pub.cpuMs();
  const m0 = machineCpu();
  const at0 = now();
  await sleep(windowMs);
  const s1 = procCpuMs(t.pid);
  const c1 = pub.cpuMs();
  const m1 = machineCpu();
  const at1 = now();
  const [p1, w1, subs] = await Promise.all([
    page.stats(),
    Promise.all(gen.map((w) => w.call<ProcStats>('stats'))),
    Promise.all(workers.map((w) => w.call<SubWindow[]>('windowEnd'))).then((x) => x.flat()),
  ]);
  if (profile) await t.profile?.stop(profile);
  const wall = at1 - at0;
  const sec = wall / 1000;
  // Each subscriber's packets per second over its own window (its first and last getStats), so
  // that the few ms between reading the server's CPU and the subscribers' counters do not count.
  const rate = (s: SubWindow, n: number) => (s.delta.at > 0 ? (n * 1000) / s.delta.at : 0);
  const forwardedPerSec = subs.reduce((a, s) => a + rate(s, s.delta.videoPackets + s.delta.audioPackets), 0);
  const forwarded = subs.reduce((a, s) => a + s.delta.videoPackets + s.delta.audioPackets, 0);
  const serverMs = s1 - s0;
  const loadgenMs = w1.reduce((a, s, i) => a + s.cpuMs - w0[i]!.cpuMs, 0);
  const chromiumMs = c1 - c0;
  const lossOf = (s: SubWindow) => {
    const lost = Math.max(0, s.delta.videoLost) + Math.max(0, s.delta.audioLost);
    const got = s.delta.videoPackets + s.delta.audioPackets;
    return got + lost > 0 ? lost / (got + lost) : 1;
  };
  const lossMax = Math.max(0, ...subs.map(lossOf));
  const pubSpan = p1.at - p0.at;
  const pubVideo = ((p1.videoPackets - p0.videoPackets) * 1000) / pubSpan;
  const pubAudio = ((p1.audioPackets - p0.audioPackets) * 1000) / pubSpan;
  const deliveryVideo = Math.min(
    ...subs.map((s) => (pubVideo > 0 ? rate(s, s.delta.videoPackets) / pubVideo : 0)),
  );
  const deliveryAudio = Math.min(
    ...subs.map((s) => (pubAudio > 0 ? rate(s, s.delta.audioPackets) / pubAudio : 0)),
  );
  const frozen = subs.filter((s) => s.maxVideoGapMs >= freezeMs || s.maxAudioGapMs >= freezeMs).length;
  const busy = machineBusyPercent(m0, m1);
  const cores = os.cpus().length;
  const why: string[] = [];
  if (openFailed) why.push(`${openFailed} new subscriber(s) without a first frame`);
  if (subs.length < n) why.push(`${subs.length} of ${n} subscribers present`);
  if (lossMax >= lossLimit) why.push(`loss ${round(lossMax * 100, 2)} %`);
  if (frozen) why.push(`${frozen} frozen`);
  // A publisher that fell below 80 % of its frame rate (its encoder starved of CPU, or its
  // bandwidth estimate collapsed) is not serving N at full quality, whatever the subscribers see.
  const pubFps = ((p1.framesEncoded - p0.framesEncoded) * 1000) / pubSpan;
  if (pubFps < 0.8 * p.capture.fps) why.push(`publisher at ${round(pubFps)} fps`);
  return {
    n,
    openFailed,
    windowMs: Math.round(wall),
    forwarded,
    forwardedPerSec: Math.round(forwardedPerSec),
    serverCpuPercent: round((serverMs / wall) * 100),
    // CPU ms per second ÷ packets per second, in µs.
    cpuPerPacketUs: forwardedPerSec ? round(((serverMs / sec) * 1000) / forwardedPerSec) : Number.NaN,
    pubVideoPps: round(pubVideo),
    pubAudioPps: round(pubAudio),
    pubFps: round(pubFps),
    pubVideoKbps: round(((p1.videoBytes - p0.videoBytes) * 8) / pubSpan),
    pubBweKbps: Math.round(p1.availableOutgoingBitrate / 1000),
    lossMaxPercent: round(lossMax * 100, 2),
    deliveryVideoMinPercent: round(deliveryVideo * 100, 1),
    deliveryAudioMinPercent: round(deliveryAudio * 100, 1),
    frozen,
    maxVideoGapMs: Math.round(Math.max(0, ...subs.map((s) => s.maxVideoGapMs))),
    maxAudioGapMs: Math.round(Math.max(0, ...subs.map((s) => s.maxAudioGapMs))),
    loadgenCpuPercent: round((loadgenMs / wall) * 100),
    chromiumCpuPercent: round((chromiumMs / wall) * 100),
    machineBusyPercent: busy,
    otherBusyPercent: Math.max(0, round(busy - ((serverMs + loadgenMs + chromiumMs) / wall) * (100 / cores))),
    passed: why.length === 0,
    why: why.join(', '),
  };
}

export const stepLine = (sys: string, trial: number, s: MediaStep) =>
  `[media] ${sys} trial ${trial + 1} N=${s.n}: ${s.forwardedPerSec} pkt/s forwarded, server ${s.serverCpuPercent} % ` +
  `(${s.cpuPerPacketUs} µs/pkt), publisher ${s.pubVideoPps}+${s.pubAudioPps} pkt/s ${s.pubFps} fps ${s.pubVideoKbps} kbit/s, ` +
  `loss max ${s.lossMaxPercent} %, delivery min ${s.deliveryVideoMinPercent}/${s.deliveryAudioMinPercent} %, frozen ${s.frozen} (gaps ${s.maxVideoGapMs}/${s.maxAudioGapMs} ms), ` +
  `load gen ${s.loadgenCpuPercent} % + chromium ${s.chromiumCpuPercent} %, machine ${s.machineBusyPercent} % ` +
  `(other ${s.otherBusyPercent} %)${s.passed ? '' : ` FAIL: ${s.why}`}`;
