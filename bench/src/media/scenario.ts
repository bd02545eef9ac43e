import { execSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { stopAll } from '../harness.js';
import { machineBusyPercent, machineCpu } from '../machine-cpu.js';
import { Child, startChildren } from '../rpc.js';
import type { ProcStats } from '../servers/proc-stats.js';
import { type Dist, dist, now, sleep } from '../stats.js';
import { ChromiumPublisher, type PublisherPage } from './chromium-publisher.js';
import { JANUS_BIN, type JanusInterface, janusInterface } from './janus-server.js';
import { MEDIA_FULL, MEDIA_QUICK, type MediaParams } from './params.js';
import { procCpuMs } from './proc-cpu.js';
import { writeMediaReport } from './report.js';
import { firstUdpCandidate, loopbackOnly, onlyCandidate } from './sdp.js';
import type { OpenResult, SubWindow } from './sub-worker.js';
import type { MediaSystemId } from './subscriber.js';
import { type MediaTarget, startMediaTarget } from './targets.js';

const dist_ = (file: string) => fileURLToPath(new URL(`./${file}`, import.meta.url));

/** One ramp step: `n` subscribers receiving, measured over a window. */
export interface MediaStep {
  n: number;
  /** Subscribers added at this step that did not get a first frame (the step fails). */
  openFailed: number;
  windowMs: number;
  /** Packets received by all subscribers in the window (= packets the SFU forwarded and delivered). */
  forwarded: number;
  forwardedPerSec: number;
  serverCpuPercent: number;
  /** Server CPU time ÷ forwarded packets, µs. */
  cpuPerPacketUs: number;
  /** The publisher's outbound RTP (Chromium getStats). */
  pubVideoPps: number;
  pubAudioPps: number;
  pubFps: number;
  pubVideoKbps: number;
  /** Chromium's send-side bandwidth estimate at the end of the window, kbit/s. */
  pubBweKbps: number;
  /** Worst subscriber: receiver-reported loss (RTP sequence gaps), % of its packets. */
  lossMaxPercent: number;
  /**
   * Worst subscriber: its video / audio packets ÷ the publisher's (getStats packetsSent) in the
   * window, % (informational: the two counters are not read at the same instant, and what each
   * side counts, e.g. padding, differs).
   */
  deliveryVideoMinPercent: number;
  deliveryAudioMinPercent: number;
  /** Subscribers that went ≥ freezeMs without a new decoded frame or a new audio packet. */
  frozen: number;
  maxVideoGapMs: number;
  maxAudioGapMs: number;
  /** The wrtc subscriber processes and the publisher's UDP relay, summed, % of one core. */
  loadgenCpuPercent: number;
  /** Every Chromium process (the publisher), % of one core. */
  chromiumCpuPercent: number;
  /** Every process on the machine, % of all cores. */
  machineBusyPercent: number;
  /** The rest of the machine (not the server, not the load generators), % of all cores: other work on the box. */
  otherBusyPercent: number;
  passed: boolean;
  why: string;
}

export interface MediaRecovery {
  /**
   * `network`: every datagram between the publisher and the SFU dropped at the publisher's UDP relay
   * (both systems); `replaceTrack`: the publisher's senders paused in the page (both systems);
   * `block`: Holdfast's SFU test seam.
   */
  how: 'network' | 'replaceTrack' | 'block';
  subscribers: number;
  cutMs: number;
  /** Restore → each subscriber's next decoded frame, ms. */
  samples: number[];
  back: number;
  dist: Dist;
}

export interface MediaTrial {
  system: MediaSystemId;
  version: string;
  trial: number;
  /** os.loadavg() just before the trial (1, 5, 15 min). */
  loadAvg: number[];
  firstFrame: {
    base: number;
    /** Subscribe sent → first decoded frame, ms. */
    samples: number[];
    /** Subscribe sent → answer sent (the signalling part), ms. */
    answerSamples: number[];
    /** Subscribe sent → the subscriber's ICE connected, ms. */
    connectedSamples: number[];
    failed: number;
    dist: Dist;
  };
  recovery: MediaRecovery[];
  ramp: MediaStep[];
  /** The largest step that passed (0: none). */
  maxN: number;
  rampStop: string;
  costAt: number;
  /** At `costAt` subscribers (NaN if the ramp did not get there). */
  cpuPerPacketUs: number;
}

export interface MediaResult {
  params: MediaParams;
  systems: MediaSystemId[];
  /** Why Janus is not in the result, if it is not. */
  janusSkipped?: string;
  /** The commit measured, and whether packages/ had uncommitted changes (then the numbers are of those). */
  commit: string;
  dirtyPackages: boolean;
  date: string;
  loadAvgBefore: number[];
  machine: { cpu: string; cores: number };
  trials: MediaTrial[];
}

const git = (args: string) => {
  try {
    return execSync(`git ${args}`, {
      cwd: fileURLToPath(new URL('../../../', import.meta.url)),
      encoding: 'utf8',
    }).trim();
  } catch {
    return '';
  }
};

const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;

interface Rig {
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

async function openSubs(rig: Rig, count: number, timeoutMs: number): Promise<OpenResult[]> {
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

async function closeSubs(rig: Rig, uids: number[]): Promise<void> {
  await Promise.all(
    rig.workers.map((w, i) => w.call('close', { uids: uids.filter((u) => rig.home.get(u) === i) })),
  );
  for (const u of uids) rig.home.delete(u);
}

async function firstFrames(rig: Rig): Promise<MediaTrial['firstFrame']> {
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

async function recover(rig: Rig, how: MediaRecovery['how']): Promise<MediaRecovery> {
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

async function window(rig: Rig, n: number, openFailed: number, profile?: string): Promise<MediaStep> {
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

const stepLine = (sys: string, trial: number, s: MediaStep) =>
  `[media] ${sys} trial ${trial + 1} N=${s.n}: ${s.forwardedPerSec} pkt/s forwarded, server ${s.serverCpuPercent} % ` +
  `(${s.cpuPerPacketUs} µs/pkt), publisher ${s.pubVideoPps}+${s.pubAudioPps} pkt/s ${s.pubFps} fps ${s.pubVideoKbps} kbit/s, ` +
  `loss max ${s.lossMaxPercent} %, delivery min ${s.deliveryVideoMinPercent}/${s.deliveryAudioMinPercent} %, frozen ${s.frozen} (gaps ${s.maxVideoGapMs}/${s.maxAudioGapMs} ms), ` +
  `load gen ${s.loadgenCpuPercent} % + chromium ${s.chromiumCpuPercent} %, machine ${s.machineBusyPercent} % ` +
  `(other ${s.otherBusyPercent} %)${s.passed ? '' : ` FAIL: ${s.why}`}`;

async function runTrial(
  p: MediaParams,
  system: MediaSystemId,
  trial: number,
  pub: ChromiumPublisher,
  iface: JanusInterface | undefined,
  log: (msg: string) => void,
  firstFrameOnly = false,
): Promise<MediaTrial> {
  const loadAvg = os.loadavg().map((x) => round(x, 2));
  const t = await startMediaTarget(system, trial, iface?.name);
  const workers = await startChildren(`media-${system}`, dist_('sub-worker.js'), p.workers);
  const relay = new Child('media-relay', dist_('udp-relay.js'));
  await relay.ready;
  const page = await pub.page();
  const rig: Rig = { p, t, pub, page, relay, workers, home: new Map(), nextUid: 100 };
  try {
    // The publisher's media goes through the relay (for the network cut): each side is told the
    // relay is the other. Janus's ICE only pairs with addresses of its own interface, so the relay's
    // SFU-facing socket binds to that address.
    const ports = await relay.call<{ front: number; back: number; backHost: string }>('start', {
      backHost: iface?.ip && system === 'janus' ? iface.ip : '127.0.0.1',
    });
    await t.publish(page, p.capture, {
      offer: (sdp) => onlyCandidate(sdp, ports.back, ports.backHost),
      answer: async (sdp) => {
        const to = firstUdpCandidate(loopbackOnly(sdp));
        if (!to) throw new Error(`${system}: no UDP candidate in the publisher's answer`);
        await relay.call('target', to);
        return onlyCandidate(loopbackOnly(sdp), ports.front);
      },
    });
    await sleep(1000);
    const firstFrame = await firstFrames(rig);
    log(
      `media ${system} trial ${trial + 1}: first frame p50 ${firstFrame.dist.p50} p99 ${firstFrame.dist.p99} ms ` +
        `(answer p50 ${dist(firstFrame.answerSamples).p50}, ICE connected p50 ${dist(firstFrame.connectedSamples).p50} ms), ${firstFrame.failed} failed`,
    );
    if (firstFrameOnly)
      return {
        system,
        version: t.version,
        trial,
        loadAvg,
        firstFrame,
        recovery: [],
        ramp: [],
        maxN: 0,
        rampStop: 'not run (first frame only)',
        costAt: p.costAt,
        cpuPerPacketUs: Number.NaN,
      };
    await openSubs(rig, Math.max(0, p.recovery.subscribers - rig.home.size), p.firstFrame.timeoutMs);
    const recovery = [await recover(rig, 'network'), await recover(rig, 'replaceTrack')];
    if (t.block) recovery.push(await recover(rig, 'block'));
    for (const r of recovery)
      log(
        `media ${system} trial ${trial + 1}: recovery (${r.how}) p50 ${r.dist.p50} max ${r.dist.max} ms, ${r.back}/${r.subscribers} back`,
      );
    const first = p.ramp.steps[0] ?? 1;
    await closeSubs(rig, [...rig.home.keys()].slice(first));
    const ramp: MediaStep[] = [];
    let failedBefore = false;
    let rampStop = `every step passed (up to ${p.ramp.steps.at(-1)})`;
    const profileDir = process.env.BENCH_PROFILE_DIR;
    for (const n of p.ramp.steps) {
      const opened = await openSubs(rig, Math.max(0, n - rig.home.size), p.firstFrame.timeoutMs);
      await sleep(p.ramp.settleMs);
      const file =
        profileDir && trial === 0 && n === p.costAt
          ? `${profileDir}/media-${system}-n${n}.cpuprofile`
          : undefined;
      const step = await window(rig, n, opened.filter((o) => !o.ok).length, file);
      console.log(stepLine(system, trial, step));
      ramp.push(step);
      if (!step.passed && failedBefore) {
        rampStop = `two failing steps in a row, the last at N=${n}: ${step.why}`;
        break;
      }
      failedBefore = !step.passed;
    }
    const passed = ramp.filter((s) => s.passed);
    const cost = ramp.find((s) => s.n === p.costAt);
    return {
      system,
      version: t.version,
      trial,
      loadAvg,
      firstFrame,
      recovery,
      ramp,
      maxN: passed.length ? Math.max(...passed.map((s) => s.n)) : 0,
      rampStop,
      costAt: p.costAt,
      cpuPerPacketUs: cost?.cpuPerPacketUs ?? Number.NaN,
    };
  } finally {
    await Promise.all(workers.map((w) => w.call('closeAll').catch(() => {})));
    await stopAll(workers);
    await relay.call('stop').catch(() => {});
    await relay.stop();
    await page.close();
    await t.stop();
  }
}

/**
 * Scenario 7 (issue 14): one Chromium publisher (fake camera + microphone) to N `@roamhq/wrtc`
 * subscribers in worker processes, through Holdfast's embedded SFU (werift) and through Janus's
 * VideoRoom, trials interleaved. Per trial: first-frame time of a new subscriber, recovery after
 * the publisher's media is cut for 8 s (its UDP at a relay; its tracks paused; Holdfast's server
 * seam), and a ramp of N with the server's CPU per forwarded packet.
 * Writes `media.json` and `media.md` to `outDir`, and the BENCHMARKS.md section when `updateDoc`.
 * `firstFrameOnly` (bench/src/media/first-frame.ts): each trial stops after its first-frame
 * samples, and only `media-first-frame.json` is written.
 */
export async function mediaBench(
  quick: boolean,
  log: (msg: string) => void,
  outDir: string,
  updateDoc: boolean,
  firstFrameOnly = false,
): Promise<MediaResult> {
  const p = quick ? MEDIA_QUICK : MEDIA_FULL;
  const systems: MediaSystemId[] = ['holdfast'];
  let iface: JanusInterface | undefined;
  let janusSkipped: string | undefined;
  if (!existsSync(JANUS_BIN))
    janusSkipped = `${JANUS_BIN} not installed (scripts/ensure-test-deps.sh installs it)`;
  else
    try {
      iface = janusInterface();
      systems.push('janus');
    } catch (err) {
      janusSkipped = `no interface for Janus (needs root for \`ip link add … type veth\`): ${(err as Error).message}`;
    }
  if (janusSkipped) log(`media: Janus skipped: ${janusSkipped}`);
  const result: MediaResult = {
    params: p,
    systems,
    ...(janusSkipped ? { janusSkipped } : {}),
    commit: git('rev-parse --short HEAD'),
    dirtyPackages: git('status --porcelain packages') !== '',
    date: new Date().toISOString(),
    loadAvgBefore: os.loadavg().map((x) => round(x, 2)),
    machine: { cpu: os.cpus()[0]?.model ?? '', cores: os.cpus().length },
    trials: [],
  };
  const pub = await ChromiumPublisher.launch();
  try {
    for (let trial = 0; trial < p.trials; trial++) {
      const order = systems.map((_, i) => systems[(i + trial) % systems.length]!);
      for (const system of order) {
        log(
          `media: ${system} trial ${trial + 1}/${p.trials} (load ${os
            .loadavg()
            .map((x) => x.toFixed(2))
            .join(' ')})`,
        );
        result.trials.push(await runTrial(p, system, trial, pub, iface, log, firstFrameOnly));
        const file = firstFrameOnly ? 'media-first-frame.json' : 'media.json';
        writeFileSync(`${outDir}/${file}`, `${JSON.stringify(result, null, 1)}\n`);
      }
    }
  } finally {
    await pub.close();
    iface?.remove();
  }
  if (!firstFrameOnly) writeMediaReport(result, outDir, updateDoc);
  return result;
}
