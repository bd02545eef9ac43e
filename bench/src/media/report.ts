import { writeFileSync } from 'node:fs';
import { writeDocSection } from '../run-env.js';
import { dist } from '../stats.js';
import type { MediaResult, MediaStep, MediaTrial } from './scenario.js';

const LABEL: Record<string, string> = { holdfast: 'Holdfast (werift)', janus: 'Janus VideoRoom' };

const fmt = (v: number) =>
  Number.isFinite(v)
    ? v >= 100
      ? Math.round(v).toLocaleString('en-US')
      : `${Math.round(v * 10) / 10}`
    : '–';

const median = (xs: number[]): number => {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  if (!s.length) return Number.NaN;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** "median (min–max)" over the trials. */
function cell(xs: number[]): string {
  const s = xs.filter(Number.isFinite);
  if (!s.length) return '–';
  const lo = Math.min(...s);
  const hi = Math.max(...s);
  return lo === hi ? fmt(lo) : `${fmt(median(s))} (${fmt(lo)}–${fmt(hi)})`;
}

/**
 * Holdfast's advantage: the ratio of the medians, and its range over every pairing of a Holdfast
 * trial with a Janus trial. Above 1× Holdfast is better, below 1× it is behind.
 */
function ratio(hf: number[], peer: number[], better: 'lower' | 'higher' | 'none'): string {
  const h = hf.filter((x) => Number.isFinite(x) && x > 0);
  const p = peer.filter((x) => Number.isFinite(x) && x > 0);
  if (better === 'none' || !h.length || !p.length) return '';
  const r = (a: number, b: number) => (better === 'lower' ? b / a : a / b);
  const all = h.flatMap((a) => p.map((b) => r(a, b)));
  const f = (x: number) => `${x >= 10 ? Math.round(x) : Math.round(x * 100) / 100}`;
  const mid = r(median(h), median(p));
  const lo = Math.min(...all);
  const hi = Math.max(...all);
  return lo === hi ? `${f(mid)}×` : `${f(mid)}× (${f(lo)}–${f(hi)})`;
}

type Row = [label: string, get: (t: MediaTrial) => number, better: 'lower' | 'higher' | 'none'];

const at = (t: MediaTrial, n: number) => t.ramp.find((s) => s.n === n);
const stepOf = (f: (s: MediaStep) => number) => (t: MediaTrial) => {
  const s = at(t, t.costAt);
  return s ? f(s) : Number.NaN;
};
/** (server CPU ms/s at N=b − at N=a) ÷ (forwarded packets/s at b − at a), µs. */
const marginal = (t: MediaTrial, a: number, b: number) => {
  const x = at(t, a);
  const y = at(t, b);
  if (!x || !y || y.forwardedPerSec <= x.forwardedPerSec) return Number.NaN;
  return ((y.serverCpuPercent - x.serverCpuPercent) * 10_000) / (y.forwardedPerSec - x.forwardedPerSec);
};
const rec = (t: MediaTrial, how: string) => t.recovery.find((r) => r.how === how);

/** The media section: Holdfast vs Janus, median (min–max) over interleaved trials. */
export function mediaSection(r: MediaResult | undefined): string[] {
  if (!r?.trials.length) return [];
  const p = r.params;
  const by = (s: string) => r.trials.filter((t) => t.system === s);
  const systems = r.systems.filter((s) => by(s).length);
  const peers = systems.filter((s) => s !== 'holdfast');
  const n = p.costAt;
  const lo = p.ramp.steps.find((x) => x >= n / 4) ?? 1;
  const cutS = p.recovery.cutMs / 1000;
  const rows: Row[] = [
    [`server CPU per forwarded packet at N=${n} (µs)`, (t) => t.cpuPerPacketUs, 'lower'],
    [
      `server CPU per added forwarded packet, N=${lo}→${n} (µs; the slope, without the fixed cost of receiving the publisher)`,
      (t) => marginal(t, lo, n),
      'lower',
    ],
    [`server CPU at N=${n} (% of one core)`, stepOf((s) => s.serverCpuPercent), 'lower'],
    [`packets forwarded at N=${n} (per s, all subscribers)`, stepOf((s) => s.forwardedPerSec), 'none'],
    [
      `largest N with < ${p.ramp.lossLimit * 100} % loss, no subscriber stalled ≥ ${p.ramp.freezeMs / 1000} s, publisher ≥ 80 % of its fps`,
      (t) => t.maxN,
      'higher',
    ],
    [`new subscriber: subscribe → first decoded frame, p50 (ms)`, (t) => t.firstFrame.dist.p50, 'lower'],
    [`new subscriber: subscribe → first decoded frame, p99 (ms)`, (t) => t.firstFrame.dist.p99, 'lower'],
    [
      `new subscriber: subscribe → answer sent, p50 (ms)`,
      (t) => dist(t.firstFrame.answerSamples).p50,
      'none',
    ],
    [
      `recovery after a ${cutS} s network cut (publisher's UDP dropped both ways), p50 (ms)`,
      (t) => rec(t, 'network')?.dist.p50 ?? Number.NaN,
      'lower',
    ],
    [
      `recovery after a ${cutS} s network cut (publisher's UDP dropped both ways), max (ms)`,
      (t) => rec(t, 'network')?.dist.max ?? Number.NaN,
      'lower',
    ],
    [
      `recovery after a ${cutS} s cut (publisher's tracks paused), p50 (ms)`,
      (t) => rec(t, 'replaceTrack')?.dist.p50 ?? Number.NaN,
      'lower',
    ],
    [
      `recovery after a ${cutS} s cut (publisher's tracks paused), max (ms)`,
      (t) => rec(t, 'replaceTrack')?.dist.max ?? Number.NaN,
      'lower',
    ],
    [
      `recovery after a ${cutS} s cut at the server (Holdfast's block seam), p50 (ms)`,
      (t) => rec(t, 'block')?.dist.p50 ?? Number.NaN,
      'none',
    ],
    [
      `recovery after a ${cutS} s cut at the server (Holdfast's block seam), max (ms)`,
      (t) => rec(t, 'block')?.dist.max ?? Number.NaN,
      'none',
    ],
    [`publisher at N=${n}: video packets/s`, stepOf((s) => s.pubVideoPps), 'none'],
    [`publisher at N=${n}: audio packets/s`, stepOf((s) => s.pubAudioPps), 'none'],
    [`publisher at N=${n}: frames/s encoded`, stepOf((s) => s.pubFps), 'none'],
    [`publisher at N=${n}: video kbit/s`, stepOf((s) => s.pubVideoKbps), 'none'],
    [`publisher at N=${n}: its bandwidth estimate (kbit/s)`, stepOf((s) => s.pubBweKbps), 'none'],
    [
      `load generator at N=${n}: wrtc processes + the publisher's UDP relay (% of one core)`,
      stepOf((s) => s.loadgenCpuPercent),
      'none',
    ],
    [
      `load generator at N=${n}: Chromium publisher (% of one core)`,
      stepOf((s) => s.chromiumCpuPercent),
      'none',
    ],
    [`whole machine busy at N=${n} (% of both cores)`, stepOf((s) => s.machineBusyPercent), 'none'],
    [`of which other work on the box (% of both cores)`, stepOf((s) => s.otherBusyPercent), 'none'],
    ['load average (1 min) before the trial', (t) => t.loadAvg[0] ?? Number.NaN, 'none'],
  ];
  const trials = Math.max(...systems.map((s) => by(s).length));
  const head = [
    'metric',
    ...systems.flatMap((s) => (s === 'holdfast' ? [LABEL[s]!] : [LABEL[s] ?? s, 'HF ahead by'])),
  ];
  const out = [
    `\n### 7. Media: one publisher → N subscribers (issue 14)\n`,
    `Chromium publisher (fake camera ${p.capture.width}×${p.capture.height} at ${p.capture.fps} fps, video capped at ` +
      `${p.capture.maxBitrate / 1000} kbit/s, Opus + VP8), \`@roamhq/wrtc\` subscribers in ${p.workers} processes; ` +
      `median (min–max) of ${trials} interleaved trials; "HF ahead by" is the ratio of the medians (range over every pair of trials), ` +
      `above 1× Holdfast is better. Commit ${r.commit}${r.dirtyPackages ? ' (with uncommitted changes in packages/)' : ''}, ${r.date.slice(0, 16).replace('T', ' ')} UTC; ` +
      `load average before the run: ${r.loadAvgBefore.join(' / ')}.` +
      (r.janusSkipped ? ` **Janus not measured**: ${r.janusSkipped}.` : '') +
      '\n',
    `| ${head.join(' | ')} |`,
    `|${head.map((_, i) => (i ? '---:' : '---')).join('|')}|`,
  ];
  for (const [label, get, better] of rows) {
    const vals = (s: string) => by(s).map(get);
    if (systems.every((s) => vals(s).every((v) => !Number.isFinite(v)))) continue;
    out.push(
      `| ${[label, cell(vals('holdfast')), ...peers.flatMap((s) => [cell(vals(s)), ratio(vals('holdfast'), vals(s), better)])].join(' | ')} |`,
    );
  }
  // Pooled first-frame and recovery samples (every trial together).
  const pooled = (s: string, f: (t: MediaTrial) => number[]) => dist(by(s).flatMap(f));
  const ff = systems.map((s) => pooled(s, (t) => t.firstFrame.samples));
  const rc = systems.map((s) => pooled(s, (t) => rec(t, 'network')?.samples ?? []));
  out.push(
    `\nAll trials pooled: first frame ${systems.map((s, i) => `${LABEL[s]} p50 ${fmt(ff[i]!.p50)} / p99 ${fmt(ff[i]!.p99)} ms (n=${ff[i]!.n})`).join('; ')}. ` +
      `Recovery after the network cut ${systems.map((s, i) => `${LABEL[s]} p50 ${fmt(rc[i]!.p50)} / max ${fmt(rc[i]!.max)} ms (n=${rc[i]!.n})`).join('; ')}.`,
  );
  // The ramp, step by step.
  const steps = [...new Set(r.trials.flatMap((t) => t.ramp.map((s) => s.n)))].sort((a, b) => a - b);
  const rhead = [
    'N',
    ...systems.flatMap((s) => [
      `${LABEL[s]} passed`,
      'µs/pkt',
      'server %',
      'loss max %',
      'longest stall (ms)',
      'load gen + Chromium %',
      'machine %',
    ]),
  ];
  out.push(
    `\nRamp, step by step (${p.ramp.windowMs / 1000} s windows; median over the trials that reached the step, loss and stall the worst; "passed" k/trials):\n`,
    `| ${rhead.join(' | ')} |`,
    `|${rhead.map((_, i) => (i ? '---:' : '---')).join('|')}|`,
  );
  for (const n of steps) {
    const cells = systems.flatMap((s) => {
      const xs = by(s)
        .map((t) => at(t, n))
        .filter((x): x is MediaStep => x !== undefined);
      if (!xs.length) return ['', '', '', '', '', '', ''];
      return [
        `${xs.filter((x) => x.passed).length}/${xs.length}`,
        fmt(median(xs.map((x) => x.cpuPerPacketUs))),
        fmt(median(xs.map((x) => x.serverCpuPercent))),
        fmt(Math.max(...xs.map((x) => x.lossMaxPercent))),
        fmt(Math.max(...xs.map((x) => Math.max(x.maxVideoGapMs, x.maxAudioGapMs)))),
        fmt(median(xs.map((x) => x.loadgenCpuPercent + x.chromiumCpuPercent))),
        fmt(median(xs.map((x) => x.machineBusyPercent))),
      ];
    });
    out.push(`| ${[n, ...cells].join(' | ')} |`);
  }
  const stops = r.trials.map((t) => `${t.system} trial ${t.trial + 1}: ${t.rampStop}`);
  out.push(`\nWhy each ramp stopped: ${stops.join('; ')}.`);
  return out;
}

/** Writes `media.md` to `outDir` and, when `updateDoc`, the BENCHMARKS.md block between the media markers. */
export function writeMediaReport(r: MediaResult, outDir: string, updateDoc: boolean): void {
  const text = `${mediaSection(r).join('\n')}\n`;
  writeFileSync(`${outDir}/media.md`, text);
  if (updateDoc) writeDocSection('media', text);
}
