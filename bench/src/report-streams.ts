import type { StreamPhase, StreamsResult } from './scenarios/streams.js';

const LABEL: Record<string, string> = {
  holdfast: 'Holdfast',
  'sio-default': 'Socket.IO default',
  'sio-tuned': 'Socket.IO tuned',
};

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

/** Holdfast's advantage on the medians: >1× means Holdfast is better. */
function ratio(hf: number, peer: number, better: 'lower' | 'higher' | 'none'): string {
  if (better === 'none' || !Number.isFinite(hf) || !Number.isFinite(peer) || hf === 0 || peer === 0)
    return '';
  const r = better === 'lower' ? peer / hf : hf / peer;
  return `${r >= 10 ? Math.round(r) : Math.round(r * 100) / 100}×`;
}

type Row = [
  label: string,
  get: (r: StreamsResult) => number,
  better: 'lower' | 'higher' | 'none',
  sum?: boolean,
];

const phaseOf = (r: StreamsResult, senders: number) => r.latency.find((x) => x.senders === senders);
const bestStep = (r: StreamsResult) => r.ramp.find((x) => x.senders === r.maxAtSenders);
/** Server CPU per delivery, µs: % of one core × 10,000 ÷ deliveries/s. */
const perDelivery = (x: StreamPhase) =>
  x.deliveredPerSec ? (x.serverCpuPercent * 10_000) / x.deliveredPerSec : Number.NaN;
const lost = (x: StreamPhase) => x.missing + x.duplicates;

/** Section 6 of the report: data streams, Holdfast vs Socket.IO room broadcast, median over interleaved trials. */
export function streamsSection(list: StreamsResult[] | undefined): string[] {
  if (!list?.length) return [];
  const first = list[0]!;
  const systems = [...new Set(list.map((r) => r.system))].sort((a, b) =>
    a === 'holdfast' ? -1 : b === 'holdfast' ? 1 : a.localeCompare(b),
  );
  const by = (s: string) => list.filter((r) => r.system === s);
  const trials = Math.max(...systems.map((s) => by(s).length));
  const peers = systems.filter((s) => s !== 'holdfast');
  const senders = [...new Set(list.flatMap((r) => r.latency.map((x) => x.senders)))];
  const perStream = first.perSenderRate / first.streamsPerSender;
  const rows: Row[] = [];
  for (const s of senders) {
    const tag = `(a) ${s} sender${s > 1 ? 's' : ''} (${s * first.perSenderRate} msg/s)`;
    const ph = (f: (x: StreamPhase) => number) => (r: StreamsResult) => {
      const x = phaseOf(r, s);
      return x ? f(x) : Number.NaN;
    };
    rows.push(
      [`${tag}: send → delivery p50 (ms)`, ph((x) => x.latency.p50), 'lower'],
      [`${tag}: p99 (ms)`, ph((x) => x.latency.p99), 'lower'],
      [`${tag}: max (ms)`, ph((x) => x.latency.max), 'lower'],
      [`${tag}: deliveries/s`, ph((x) => x.deliveredPerSec), 'none'],
      [`${tag}: server CPU (% of one core)`, ph((x) => x.serverCpuPercent), 'lower'],
      [`${tag}: server CPU per delivery (µs)`, ph(perDelivery), 'lower'],
      [`${tag}: load generators CPU (% of one core)`, ph((x) => x.loadgenCpuPercent), 'none'],
      [`${tag}: whole machine busy (% of both cores)`, ph((x) => x.machineBusyPercent), 'none'],
      [`${tag}: of which other work on the box (% of both cores)`, ph((x) => x.otherBusyPercent), 'none'],
    );
  }
  rows.push(
    [
      `(b) most deliveries/s (messages × receivers) with p99 ≤ ${first.p99LimitMs} ms`,
      (r) => r.maxDeliveredPerSec,
      'higher',
    ],
    ['(b) at senders', (r) => r.maxAtSenders, 'none'],
    ['(b) p99 at that step (ms)', (r) => bestStep(r)?.latency.p99 ?? Number.NaN, 'none'],
    [
      '(b) server CPU at that step (% of one core)',
      (r) => bestStep(r)?.serverCpuPercent ?? Number.NaN,
      'none',
    ],
    [
      '(b) load generators CPU at that step (% of one core)',
      (r) => bestStep(r)?.loadgenCpuPercent ?? Number.NaN,
      'none',
    ],
    [
      '(b) whole machine busy at that step (% of both cores)',
      (r) => bestStep(r)?.machineBusyPercent ?? Number.NaN,
      'none',
    ],
    [
      '(b) of which other work on the box (% of both cores)',
      (r) => bestStep(r)?.otherBusyPercent ?? Number.NaN,
      'none',
    ],
    [
      'messages refused by the server (all (a) phases, all trials)',
      (r) => r.latency.reduce((a, x) => a + x.refused, 0),
      'none',
      true,
    ],
    [
      'members closed by the server (all (a) phases, all trials)',
      (r) => r.latency.reduce((a, x) => a + x.closed, 0),
      'none',
      true,
    ],
    [
      'deliveries missing at the end of the drain, or twice (all (a) phases, all trials)',
      (r) => r.latency.reduce((a, x) => a + lost(x), 0),
      'none',
      true,
    ],
  );
  const head = ['metric', 'Holdfast', ...peers.flatMap((p) => [LABEL[p] ?? p, 'HF adv.'])];
  const out = [
    `\n### 6. Data streams: one channel of ${first.members}, ${first.payloadBytes}-byte messages, ` +
      `${first.perSenderRate} msg/s per sender (${first.streamsPerSender} streams × ${perStream}/s); ` +
      `median (min–max) of ${trials} interleaved trials\n`,
    `| ${head.join(' | ')} |`,
    `|${head.map((_, i) => (i ? '---:' : '---')).join('|')}|`,
  ];
  for (const [label, get, better, total] of rows) {
    const vals = (s: string) => by(s).map(get);
    const h = median(vals('holdfast'));
    const show = (s: string) => (total ? fmt(vals(s).reduce((a, b) => a + b, 0)) : cell(vals(s)));
    out.push(
      `| ${[label, show('holdfast'), ...peers.flatMap((p) => [show(p), ratio(h, median(vals(p)), better)])].join(' | ')} |`,
    );
  }
  // The ramp, step by step: p99 and deliveries/s, median over the trials that ran the step.
  const steps = [...new Set(list.flatMap((r) => r.ramp.map((x) => x.senders)))].sort((a, b) => a - b);
  const rhead = [
    'senders (msg/s offered)',
    ...systems.flatMap((s) => [`${LABEL[s] ?? s} p99 (ms)`, 'deliveries/s', 'server CPU %']),
  ];
  out.push(
    `\nRamp (b), step by step (${first.rampStepMs / 1000} s per step, the first ${first.warmupMs / 1000} s left out; median over the trials that reached the step; ` +
      `[k/${trials}] when only k did; a step over ${first.p99LimitMs} ms or with a loss ends a trial's ramp):\n`,
    `| ${rhead.join(' | ')} |`,
    `|${rhead.map((_, i) => (i ? '---:' : '---')).join('|')}|`,
  );
  for (const n of steps) {
    const cells = systems.flatMap((s) => {
      const xs = by(s)
        .map((r) => r.ramp.find((x) => x.senders === n))
        .filter((x): x is StreamPhase => x !== undefined);
      if (!xs.length) return ['', '', ''];
      const k = xs.length < by(s).length ? ` [${xs.length}/${by(s).length}]` : '';
      return [
        `${fmt(median(xs.map((x) => x.latency.p99)))}${k}`,
        fmt(median(xs.map((x) => x.deliveredPerSec))),
        fmt(median(xs.map((x) => x.serverCpuPercent))),
      ];
    });
    out.push(`| ${[`${n} (${n * first.perSenderRate})`, ...cells].join(' | ')} |`);
  }
  return out;
}
