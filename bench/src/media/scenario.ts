import { execSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { stopAll } from '../harness.js';
import { Child, startChildren } from '../rpc.js';
import { dist, sleep } from '../stats.js';
import { ChromiumPublisher } from './chromium-publisher.js';
import { JANUS_BIN, type JanusInterface, janusInterface } from './janus-server.js';
import { MEDIA_FULL, MEDIA_QUICK, type MediaParams } from './params.js';
import { writeMediaReport } from './report.js';
import type { MediaResult, MediaStep, MediaTrial } from './results.js';
import { closeSubs, firstFrames, openSubs, type Rig, recover, round } from './rig.js';
import { firstUdpCandidate, loopbackOnly, onlyCandidate } from './sdp.js';
import { stepLine, window } from './step-window.js';
import type { MediaSystemId } from './subscriber.js';
import { startMediaTarget } from './targets.js';

export type { MediaRecovery, MediaResult, MediaStep, MediaTrial } from './results.js';

const dist_ = (file: string) => fileURLToPath(new URL(`./${file}`, import.meta.url));

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
