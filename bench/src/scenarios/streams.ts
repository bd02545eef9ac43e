import { cpus } from 'node:os';
import { bucketValue, HIST_BUCKETS, type SendResult, type StreamTally } from '../clients/stream-pool.js';
import { cpuPercent, type RunningTarget, startTarget, startWorkers, stopAll } from '../harness.js';
import { machineBusyPercent, machineCpu, untilQuiet } from '../machine-cpu.js';
import type { Child } from '../rpc.js';
import type { ProcStats } from '../servers/proc-stats.js';
import { type Dist, now, sleep } from '../stats.js';
import type { SystemDef } from '../systems.js';

export interface StreamsParams {
  /** Members of the one channel (senders included: every member receives every other's messages). */
  members: number;
  /** Trials per system; run.ts interleaves them (trial 1 of every system, then trial 2, …). */
  trials: number;
  /** Load-generator processes; member i is in process i % workers, so senders spread over them. */
  workers: number;
  payloadBytes: number;
  /** Messages per second per sender, spread round-robin over `streamsPerSender` streams. */
  perSenderRate: number;
  streamsPerSender: number;
  /** (a) Fan-out latency: one phase per entry, with that many senders. */
  latencySenders: number[];
  phaseMs: number;
  /** Left out of the figures at the start of each phase and ramp step. */
  warmupMs: number;
  /**
   * (b) Throughput ramp: senders per step. A step fails when its p99 passes `p99LimitMs` or a
   * message is lost or refused; the ramp ends after two failing steps in a row (one stall of this
   * shared machine does not end it), and the result is the best step that passed before that.
   */
  rampSenders: number[];
  rampStepMs: number;
  p99LimitMs: number;
  /** Longest wait after a phase for the last deliveries. */
  drainMs: number;
  /**
   * Before each phase, wait (at most `quietMaxWaitMs`) until the whole machine is below this busy %
   * over 300 ms while the rig is idle: other work on the box is the largest noise here.
   */
  quietBelowPercent: number;
  quietMaxWaitMs: number;
}

/** One phase: `senders` members each send `perSenderRate` messages/s for a while; every other member receives. */
export interface StreamPhase {
  senders: number;
  /** Offered: senders × perSenderRate, messages/s. */
  offeredMsgsPerSec: number;
  sent: number;
  /** Send slots the load generator let pass (more than one period late): would mean it is the bottleneck. */
  skipped: number;
  /** Held back by the SDK's limiter before sending (should be 0: the rate is inside the limits). */
  heldBack: number;
  /** Send slots of senders whose connection the server had closed (see `endedBy`). */
  notOpen: number;
  /** `stream_refused` from the server (Holdfast; should be 0), and by code. */
  refused: number;
  refusedBy: Record<string, number>;
  /** (sent − refused) × (members − 1). */
  expected: number;
  /** Deliveries counted by the end of the drain (`drainMs` after the last send at most). */
  delivered: number;
  /** Not delivered by the end of the drain (late or lost). */
  missing: number;
  /** Of those, arrived later while the rig waited for the channel to settle (so: late, not lost). */
  lateAfterDrain: number;
  /** Members whose connection had closed in an earlier phase, joined again before this one. */
  reopened: number;
  /** Waited before the phase for the machine to be quiet, ms; and how busy it was then, % of all cores. */
  quietWaitMs: number;
  busyBeforePercent: number;
  duplicates: number;
  gaps: number;
  /** Deliveries of messages sent in the measured window ÷ the window, per second (messages × receivers). */
  deliveredPerSec: number;
  /** Sender's send → each receiver's delivery, ms, over the measured window (10 µs buckets below 20 ms). */
  latency: Dist;
  maxSendLateMs: number;
  /** CPU over the sending window: the server process, the load generators (summed), % of one core. */
  serverCpuPercent: number;
  loadgenCpuPercent: number;
  /** All processes on the machine, % of all cores. */
  machineBusyPercent: number;
  /** The rest of the machine (not the server, not the load generators), % of all cores: other work on the box. */
  otherBusyPercent: number;
  closed: number;
  /** Why the server ended members' connections (Holdfast `end` codes). */
  endedBy: Record<string, number>;
}

export interface StreamsResult {
  system: string;
  trial: number;
  members: number;
  payloadBytes: number;
  perSenderRate: number;
  streamsPerSender: number;
  loadgenProcesses: number;
  phaseMs: number;
  rampStepMs: number;
  warmupMs: number;
  latency: StreamPhase[];
  ramp: StreamPhase[];
  /** (b) The highest deliveries/s of a ramp step with p99 ≤ the limit and nothing lost (0: none). */
  maxDeliveredPerSec: number;
  maxAtSenders: number;
  p99LimitMs: number;
  /** Why the ramp stopped. */
  rampStop: string;
}

/** Merges the workers' histograms into a {@link Dist} (percentiles to the bucket; min, max, mean exact). */
export function histDist(tallies: StreamTally[]): Dist {
  const counts = new Float64Array(HIST_BUCKETS);
  let n = 0;
  let sum = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const t of tallies) {
    for (const [b, c] of t.hist) counts[b]! += c;
    n += t.measured;
    sum += t.sum;
    if (t.measured) {
      min = Math.min(min, t.min);
      max = Math.max(max, t.max);
    }
  }
  const r = (x: number) => Math.round(x * 100) / 100;
  if (n === 0) return { n: 0, min: NaN, p50: NaN, p90: NaN, p99: NaN, max: NaN, mean: NaN };
  const at = (p: number) => {
    const rank = Math.ceil((p / 100) * n);
    let acc = 0;
    for (let b = 0; b < HIST_BUCKETS; b++) {
      acc += counts[b]!;
      if (acc >= rank) return Math.min(max, Math.max(min, bucketValue(b)));
    }
    return max;
  };
  return { n, min: r(min), p50: r(at(50)), p90: r(at(90)), p99: r(at(99)), max: r(max), mean: r(sum / n) };
}

interface Rig {
  sys: SystemDef;
  p: StreamsParams;
  t: RunningTarget;
  workers: Child[];
  /** uid → the worker holding it. */
  home: (uid: number) => number;
}

/** Waits until the machine is below `quietBelowPercent` busy over 300 ms, or `quietMaxWaitMs` has passed. */
const quiet = (p: StreamsParams) => untilQuiet(p.quietBelowPercent, p.quietMaxWaitMs);

async function phase(rig: Rig, senders: number, durationMs: number, profile?: string): Promise<StreamPhase> {
  const { p, t, workers } = rig;
  const reopened = (await Promise.all(workers.map((w) => w.call<number>('streamReopen')))).reduce(
    (a, n) => a + n,
    0,
  );
  const q = await quiet(p);
  const startAt = now() + 300;
  const from = startAt + p.warmupMs;
  const to = startAt + durationMs;
  await Promise.all(workers.map((w) => w.call('streamReset', { from, to })));
  const s0 = await t.stats();
  const w0 = await Promise.all(workers.map((w) => w.call<ProcStats>('stats')));
  const m0 = machineCpu();
  if (profile) await t.child.call('profileStart');
  // Senders are members 1..senders; sender i is the i-th phase of the schedule.
  const sends = await Promise.all(
    workers.map((w, wi) => {
      const mine: Array<[number, number]> = [];
      for (let i = 0; i < senders; i++) if (rig.home(1 + i) === wi) mine.push([1 + i, i]);
      if (!mine.length)
        return { sent: 0, skipped: 0, heldBack: 0, notOpen: 0, maxLateMs: 0 } satisfies SendResult;
      return w.call<SendResult>('streamSend', {
        senders: mine,
        totalSenders: senders,
        rate: p.perSenderRate,
        streams: p.streamsPerSender,
        payloadBytes: p.payloadBytes,
        startAt,
        durationMs,
      });
    }),
  );
  if (profile) await t.child.call('profileStop', { file: profile });
  const s1 = await t.stats();
  const w1 = await Promise.all(workers.map((w) => w.call<ProcStats>('stats')));
  const m1 = machineCpu();
  const sent = sends.reduce((a, s) => a + s.sent, 0);
  // Drain: until every delivery is in (refusals known by then too), or drainMs.
  const deadline = now() + p.drainMs;
  let counts: Array<{ received: number; refused: number }> = [];
  let expected = 0;
  do {
    await sleep(50);
    counts = await Promise.all(
      workers.map((w) => w.call<{ received: number; refused: number }>('streamCounts')),
    );
    const refused = counts.reduce((a, c) => a + c.refused, 0);
    expected = (sent - refused) * (p.members - 1);
  } while (counts.reduce((a, c) => a + c.received, 0) < expected && now() < deadline);
  const tallies = await Promise.all(workers.map((w) => w.call<StreamTally>('streamCollect')));
  const sum = (f: (x: StreamTally) => number) => tallies.reduce((a, x) => a + f(x), 0);
  const merge = (f: (x: StreamTally) => Record<string, number>) =>
    tallies.reduce<Record<string, number>>((a, x) => {
      for (const [k, v] of Object.entries(f(x))) a[k] = (a[k] ?? 0) + v;
      return a;
    }, {});
  const delivered = sum((x) => x.received);
  // Whatever is still on its way arrives now, not in the next phase.
  let lateAfterDrain = 0;
  if (delivered < expected) {
    const settleEnd = now() + 15_000;
    let last = delivered;
    for (;;) {
      await sleep(500);
      const c = await Promise.all(workers.map((w) => w.call<{ received: number }>('streamCounts')));
      const got = c.reduce((a, x) => a + x.received, 0);
      if (got === last || now() > settleEnd) break;
      last = got;
    }
    lateAfterDrain = last - delivered;
  }
  return {
    senders,
    offeredMsgsPerSec: senders * p.perSenderRate,
    sent,
    skipped: sends.reduce((a, s) => a + s.skipped, 0),
    heldBack: sends.reduce((a, s) => a + s.heldBack, 0),
    notOpen: sends.reduce((a, s) => a + s.notOpen, 0),
    refused: sum((x) => x.refused),
    refusedBy: merge((x) => x.refusedBy),
    expected,
    delivered,
    missing: Math.max(0, expected - delivered + sum((x) => x.duplicates)),
    lateAfterDrain,
    reopened,
    quietWaitMs: q.waitedMs,
    busyBeforePercent: q.busy,
    duplicates: sum((x) => x.duplicates),
    gaps: sum((x) => x.gaps),
    deliveredPerSec: Math.round(sum((x) => x.measured) / ((to - from) / 1000)),
    latency: histDist(tallies),
    maxSendLateMs: Math.max(...sends.map((s) => s.maxLateMs)),
    serverCpuPercent: cpuPercent(s0, s1),
    loadgenCpuPercent: Math.round(w1.reduce((a, s, i) => a + cpuPercent(w0[i]!, s), 0) * 10) / 10,
    machineBusyPercent: machineBusyPercent(m0, m1),
    otherBusyPercent: Math.max(
      0,
      Math.round(
        (machineBusyPercent(m0, m1) -
          (cpuPercent(s0, s1) + w1.reduce((a, s, i) => a + cpuPercent(w0[i]!, s), 0)) / cpus().length) *
          10,
      ) / 10,
    ),
    closed: sum((x) => x.closed),
    endedBy: merge((x) => x.endedBy),
  };
}

const line = (sys: SystemDef, trial: number, ph: StreamPhase) =>
  `[streams] ${sys.id} trial ${trial + 1} ${ph.senders} sender(s) × ${ph.offeredMsgsPerSec / ph.senders}/s: ` +
  `${ph.deliveredPerSec} deliveries/s, p50 ${ph.latency.p50} p99 ${ph.latency.p99} max ${ph.latency.max} ms, ` +
  `missing ${ph.missing} (late ${ph.lateAfterDrain}), refused ${ph.refused}${ph.refused ? ` ${JSON.stringify(ph.refusedBy)}` : ''}, ` +
  `closed ${ph.closed}${ph.closed ? ` ${JSON.stringify(ph.endedBy)}` : ''}, skipped ${ph.skipped}, server ${ph.serverCpuPercent} %, ` +
  `load gen ${ph.loadgenCpuPercent} %, machine ${ph.machineBusyPercent} % (other work ${ph.otherBusyPercent} %; ` +
  `before: ${ph.busyBeforePercent} % after ${ph.quietWaitMs} ms)`;

/**
 * Scenario 6: data streams in one channel of `members` on one server process. (a) Fan-out latency
 * with 1 and with 10 senders; (b) a ramp of senders until p99 passes the limit. Holdfast: the wire's
 * `stream` frames through StreamRelay; Socket.IO: `socket.to(room).emit('stream', uid, msg)`.
 */
export async function streams(sys: SystemDef, p: StreamsParams, trial: number): Promise<StreamsResult> {
  const t = await startTarget(sys);
  const workers = await startWorkers(p.workers, sys.keepaliveMs);
  const home = (uid: number) => (uid - 1) % p.workers;
  const rig: Rig = { sys, p, t, workers, home };
  const profileDir = process.env.BENCH_PROFILE_DIR;
  try {
    const channel = `streams-${trial}`;
    const all = Array.from({ length: p.members }, (_, i) => ({ uid: 1 + i, channel }));
    const opened = await Promise.all(
      workers.map((w, wi) =>
        w.call<{ joined: number; failed: number }>('streamOpen', {
          target: t.target,
          members: all.filter((m) => home(m.uid) === wi),
          concurrency: 20,
        }),
      ),
    );
    const joined = opened.reduce((a, o) => a + o.joined, 0);
    if (joined !== p.members) throw new Error(`${sys.id}: streams: ${joined} of ${p.members} joined`);
    await sleep(500);
    const latency: StreamPhase[] = [];
    for (const s of p.latencySenders) {
      const file =
        profileDir && trial === 0 ? `${profileDir}/streams-${s}senders-${sys.id}.cpuprofile` : undefined;
      const ph = await phase(rig, Math.min(s, p.members), p.phaseMs, file);
      console.log(line(sys, trial, ph));
      latency.push(ph);
      await sleep(300);
    }
    const ramp: StreamPhase[] = [];
    let best: StreamPhase | undefined;
    let rampStop = `every step passed (up to ${p.rampSenders.at(-1)} senders)`;
    let failedBefore = false;
    for (const s of p.rampSenders) {
      if (s > p.members) break;
      const ph = await phase(rig, s, p.rampStepMs);
      console.log(line(sys, trial, ph));
      ramp.push(ph);
      const lost = ph.missing + ph.refused + ph.closed + ph.duplicates;
      // NaN (nothing measured) fails too.
      const failed = !(ph.latency.p99 <= p.p99LimitMs) || lost > 0 || ph.notOpen > 0;
      if (failed && failedBefore) {
        rampStop = `two failing steps in a row, the last at ${s} senders: p99 ${ph.latency.p99} ms, missing ${ph.missing}, refused ${ph.refused}, closed ${ph.closed}`;
        break;
      }
      failedBefore = failed;
      if (!failed && (!best || ph.deliveredPerSec > best.deliveredPerSec)) best = ph;
      await sleep(failed ? 1000 : 300);
    }
    await Promise.all(workers.map((w) => w.call('streamCloseAll')));
    return {
      system: sys.id,
      trial,
      members: p.members,
      payloadBytes: p.payloadBytes,
      perSenderRate: p.perSenderRate,
      streamsPerSender: p.streamsPerSender,
      loadgenProcesses: p.workers,
      phaseMs: p.phaseMs,
      rampStepMs: p.rampStepMs,
      warmupMs: p.warmupMs,
      latency,
      ramp,
      maxDeliveredPerSec: best?.deliveredPerSec ?? 0,
      maxAtSenders: best?.senders ?? 0,
      p99LimitMs: p.p99LimitMs,
      rampStop,
    };
  } finally {
    await stopAll(workers);
    await t.stop();
  }
}
