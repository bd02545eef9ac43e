import { writeFileSync } from 'node:fs';
import { bigChannelSection } from './report-bigchannel.js';
import { consoleSection } from './report-console.js';
import { crossnodeSection } from './report-crossnode.js';
import { streamsSection } from './report-streams.js';
import { writeDocSection } from './run-env.js';
import type { BigChannelResult } from './scenarios/bigchannel.js';
import type { CapacityResult } from './scenarios/capacity.js';
import type { ConsoleResult } from './scenarios/console.js';
import type { CrossnodeResult } from './scenarios/crossnode.js';
import type { DetectionResult } from './scenarios/detection.js';
import type { JoinResult } from './scenarios/join.js';
import type { PresenceResult } from './scenarios/presence.js';
import type { RecoveryResult } from './scenarios/recovery.js';
import type { StreamsResult } from './scenarios/streams.js';
import type { Stalls } from './stalls.js';
import { cdfSvg } from './svg.js';

type Row = [label: string, get: (r: never) => number, better: 'lower' | 'higher' | 'none', unit?: string];
const LABEL: Record<string, string> = {
  holdfast: 'Holdfast',
  'sio-default': 'Socket.IO default',
  'sio-tuned': 'Socket.IO tuned',
  floor: 'floor (bare ws)',
};

const num = (v: number, unit = '') =>
  Number.isFinite(v)
    ? `${v >= 100 ? Math.round(v).toLocaleString('en-US') : Math.round(v * 10) / 10}${unit}`
    : '–';

/** Holdfast's advantage over a peer on one metric: >1 means Holdfast is better. */
function advantage(hf: number, peer: number, better: Row[2]): number {
  if (better === 'none' || !Number.isFinite(hf) || !Number.isFinite(peer) || hf === 0 || peer === 0)
    return Number.NaN;
  return better === 'lower' ? peer / hf : hf / peer;
}
const times = (r: number) => `${r >= 10 ? Math.round(r) : Math.round(r * 100) / 100}×`;

export function median(values: number[]): number {
  const s = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** "median (min–max)" over the trials, or the one value. */
export function spread(values: number[], unit = ''): string {
  const v = values.filter(Number.isFinite);
  if (v.length <= 1) return num(v[0] ?? Number.NaN, unit);
  return `${num(median(v), unit)} (${num(Math.min(...v))}–${num(Math.max(...v))})`;
}

/**
 * One row per metric, one column per system: the median over that system's trials with the
 * min–max range; "HF ahead by" is the ratio of the medians, with the range over every pair of
 * trials.
 */
function table<R extends { system: string }>(list: R[], rows: Row[]): string {
  const systems = [...new Set(list.map((r) => r.system))];
  const of = (system: string) => list.filter((r) => r.system === system);
  const hf = of('holdfast');
  const peers = systems.filter((s) => s !== 'holdfast');
  const head = ['metric', 'Holdfast', ...peers.flatMap((p) => [LABEL[p] ?? p, 'HF ahead by'])];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map((_, i) => (i ? '---:' : '---')).join('|')}|`];
  const loads = [...list.map((r) => (r as { loadPerCore?: number }).loadPerCore ?? Number.NaN)];
  for (const [label, get, better, unit] of [
    ...rows,
    [
      'machine load before the trial (1-min, per core)',
      (r: { loadPerCore?: number }) => r.loadPerCore ?? Number.NaN,
      'none',
    ] as Row,
    [
      'hypervisor steal during the trial (% of all cores)',
      (r: { stealPercent?: number }) => r.stealPercent ?? Number.NaN,
      'none',
    ] as Row,
  ]) {
    if (label.startsWith('machine load') && !loads.some(Number.isFinite)) continue;
    if (
      label.startsWith('hypervisor steal') &&
      !list.some((r) => Number.isFinite((r as { stealPercent?: number }).stealPercent))
    )
      continue;
    const g = get as (r: R) => number;
    const h = hf.map(g);
    const cells = [label, spread(h, unit)];
    for (const p of peers) {
      const v = of(p).map(g);
      const mid = advantage(median(h), median(v), better);
      const pairs = h.flatMap((a) => v.map((b) => advantage(a, b, better))).filter(Number.isFinite);
      const range = pairs.length > 1 ? ` (${times(Math.min(...pairs))}–${times(Math.max(...pairs))})` : '';
      cells.push(spread(v, unit), Number.isFinite(mid) ? `${times(mid)}${range}` : '');
    }
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

/** A row of the join table from the server's or the load generators' stalls (bench/src/stalls.ts). */
const stallRow = (label: string, who: 'serverStalls' | 'loadgenStalls', key: keyof Stalls): Row => [
  label,
  (r: JoinResult) => r[who]?.[key] ?? Number.NaN,
  'none',
];

const kb = (b: number) => b / 1024;

export function writeReport(results: Record<string, unknown>, outDir: string, updateDoc: boolean): void {
  const md: string[] = [];
  type RunMeta = {
    commit?: string;
    date?: string;
    busy?: boolean;
    loadPerCoreBefore?: number;
    scenarios?: string[];
    sizes?: { runs?: number };
  };
  const meta = (results.meta ?? {}) as RunMeta & { partialRuns?: RunMeta[] };
  md.push(
    `Run of ${meta.date ?? '?'} at commit ${meta.commit ?? '?'}: every cell is the median (min–max) over ${meta.sizes?.runs ?? 1} interleaved trial(s) per system; "HF ahead by" is the ratio of the medians (range over every pair of trials; > 1 means Holdfast is better).` +
      (meta.busy
        ? ` **Busy machine:** the 1-min load was ${meta.loadPerCoreBefore} per core before the run; treat these figures as the machine's, not the systems'.`
        : '') +
      (meta.partialRuns ?? [])
        .map(
          (r) =>
            ` Re-run since: ${(r.scenarios ?? []).join(', ')} at commit ${r.commit ?? '?'} (${r.date ?? '?'}, ${r.sizes?.runs ?? 1} trial(s)${r.loadPerCoreBefore === undefined ? '' : `, load ${r.loadPerCoreBefore} per core before`}${r.busy ? ', busy' : ''}).`,
        )
        .join(''),
  );
  const cap = results.capacity as CapacityResult[] | undefined;
  const capRows: Row[] = [
    ['clients joined', (r: CapacityResult) => r.joined, 'higher'],
    ['server RSS per connection (KB)', (r: CapacityResult) => kb(r.rssPerConn), 'lower'],
    ['server heap per connection (KB)', (r: CapacityResult) => kb(r.heapPerConn), 'lower'],
    ['server CPU at idle (% of one core)', (r: CapacityResult) => r.idleCpuPercent, 'lower'],
    ['time to connect all (s)', (r: CapacityResult) => r.connectAllMs / 1000, 'lower'],
    ['clients silent longer than their detection time', (r: CapacityResult) => r.silentTooLong, 'none'],
    // Silence is measured on the clients still open: a client the server ended is counted here (why: droppedWhy in the JSON).
    [
      'joined clients closed before the end of the idle time',
      (r: CapacityResult) => r.droppedDuringIdle,
      'none',
    ],
    ['load generators CPU (% of one core)', (r: CapacityResult) => r.loadgenCpuPercent, 'none'],
  ];
  if (cap) md.push(`### 1. Capacity, one server process (${cap[0]?.target} clients)\n`, table(cap, capRows));
  const machine = results.machine as CapacityResult[] | undefined;
  if (machine)
    md.push(
      `\n### 1b. Capacity, the machine (${machine[0]?.servers} server processes, ${machine[0]?.target} clients)\n`,
      table(machine, [...capRows, ['servers RSS total (MB)', (r: CapacityResult) => r.serverRssMb, 'lower']]),
    );
  const onRedis = results.machineRedis as CapacityResult[] | undefined;
  if (onRedis)
    md.push(
      `\n### 1c. Capacity, the machine on one Redis (${onRedis[0]?.servers} Holdfast processes, ${onRedis[0]?.target} clients; Holdfast only)\n`,
      table(onRedis, [
        ...capRows,
        ['servers RSS total (MB)', (r: CapacityResult) => r.serverRssMb, 'lower'],
        [
          'redis-server CPU while clients joined (% of one core)',
          (r: CapacityResult) => r.redisConnectCpuPercent ?? Number.NaN,
          'none',
        ],
        [
          'redis-server CPU at idle (% of one core)',
          (r: CapacityResult) => r.redisCpuPercent ?? Number.NaN,
          'none',
        ],
      ]),
    );
  const join = results.join as JoinResult[] | undefined;
  if (join)
    md.push(
      `\n### 2. Join at ${join[0]?.offeredRate} joins/s offered (${join[0]?.offered} joins${
        join[0]?.cold?.n ? `, after ${join[0].cold.n} joins at the same rate into the fresh server` : ''
      })\n`,
      table(join, [
        ['joins/s sustained', (r: JoinResult) => r.sustainedRate, 'higher'],
        ['join latency p50 (ms)', (r: JoinResult) => r.latency.p50, 'lower'],
        ['join latency p99 (ms)', (r: JoinResult) => r.latency.p99, 'lower'],
        ['join latency max (ms)', (r: JoinResult) => r.latency.max, 'lower'],
        [
          'cold start: the first joins into the fresh server, p50 (ms)',
          (r: JoinResult) => r.cold?.p50 ?? Number.NaN,
          'lower',
        ],
        [
          'cold start: the first joins into the fresh server, p99 (ms)',
          (r: JoinResult) => r.cold?.p99 ?? Number.NaN,
          'lower',
        ],
        ['failed joins', (r: JoinResult) => r.failed, 'none'],
        ['server CPU (% of one core)', (r: JoinResult) => r.serverCpuPercent, 'lower'],
        // Where the tail comes from (after the warm-up): a stall holds up every join that meets it.
        [
          'joins slower than 10 ms',
          (r: JoinResult) => r.samples?.filter((x) => x > 10).length ?? Number.NaN,
          'lower',
        ],
        stallRow('server: event-loop stalls over 10 ms', 'serverStalls', 'stallsOver10'),
        stallRow('server: longest stall (ms)', 'serverStalls', 'loopMax'),
        stallRow('server: GC pauses over 5 ms', 'serverStalls', 'gcOver5'),
        stallRow('server: longest GC pause (ms)', 'serverStalls', 'gcMaxMs'),
        stallRow('load generators: event-loop stalls over 10 ms', 'loadgenStalls', 'stallsOver10'),
        stallRow('load generators: longest stall (ms)', 'loadgenStalls', 'loopMax'),
      ]),
    );
  const pres = results.presence as PresenceResult[] | undefined;
  for (const m of [...new Set(pres?.map((p) => p.members))])
    md.push(
      `\n### 3. Presence: one join into a channel of ${m} (${pres!.find((p) => p.members === m)!.trials} joins per trial)\n`,
      table(
        pres!.filter((p) => p.members === m),
        [
          ['per member p50 (ms)', (r: PresenceResult) => r.perMember.p50, 'lower'],
          ['per member p99 (ms)', (r: PresenceResult) => r.perMember.p99, 'lower'],
          ['per member max (ms)', (r: PresenceResult) => r.perMember.max, 'lower'],
          ['until every member has it, p50 (ms)', (r: PresenceResult) => r.untilAll.p50, 'lower'],
          ['until every member has it, p99 (ms)', (r: PresenceResult) => r.untilAll.p99, 'lower'],
          ['missing events', (r: PresenceResult) => r.missing, 'none'],
        ],
      ),
    );
  md.push(...consoleSection(results.console as ConsoleResult[] | undefined));
  md.push(
    ...bigChannelSection(results.bigchannel as BigChannelResult[] | undefined, {
      // The run that measured it: the last partial run of it, else the full run.
      ...([...(meta.partialRuns ?? [])].reverse().find((r) => r.scenarios?.includes('bigchannel')) ?? meta),
      params: (meta as { bigchannelParams?: { rate?: number } }).bigchannelParams,
    }),
  );
  md.push(...crossnodeSection(results.crossnode as CrossnodeResult[] | undefined));
  md.push(...streamsSection(results.streams as StreamsResult[] | undefined));
  const det = results.detection as DetectionResult[] | undefined;
  if (det)
    md.push(
      `\n### 4. Detection: ${det[0]?.clients} clients cut at once\n`,
      table(det, [
        ['client: configured (ms)', (r: DetectionResult) => r.configuredClientMs, 'none'],
        ['client: last data → down, p50 (ms)', (r: DetectionResult) => r.clientFromLastData.p50, 'none'],
        ['client: last data → down, p99 (ms)', (r: DetectionResult) => r.clientFromLastData.p99, 'none'],
        [
          'client: p99 error vs configured (ms)',
          (r: DetectionResult) => r.clientFromLastData.p99 - r.configuredClientMs,
          'none',
        ],
        ['client: cut → down, p50 (ms)', (r: DetectionResult) => r.clientFromCut.p50, 'lower'],
        ['client: cut → down, max (ms)', (r: DetectionResult) => r.clientFromCut.max, 'lower'],
        ['clients that noticed', (r: DetectionResult) => r.clientDetected, 'none'],
        ['remote: configured (ms)', (r: DetectionResult) => r.configuredRemoteMs, 'none'],
        ['remote: last data → offline, p50 (ms)', (r: DetectionResult) => r.remoteFromLastData.p50, 'none'],
        ['remote: last data → offline, p99 (ms)', (r: DetectionResult) => r.remoteFromLastData.p99, 'none'],
        [
          'remote: p99 error vs configured (ms)',
          (r: DetectionResult) => r.remoteFromLastData.p99 - r.configuredRemoteMs,
          'none',
        ],
        ['remote: cut → offline, max (ms)', (r: DetectionResult) => r.remoteFromCut.max, 'none'],
        ['offline events seen by remotes', (r: DetectionResult) => r.remoteDetected, 'none'],
      ]),
    );
  const rec = results.recovery as RecoveryResult[] | undefined;
  if (rec) {
    const named = rec.map((r) => ({
      ...r,
      system: r.system === 'holdfast' ? `holdfast/${r.variant}` : r.system,
    }));
    const cols = [...new Set(named.map((r) => r.system))];
    const head = [
      'metric',
      ...cols.map((c) =>
        c.startsWith('holdfast/')
          ? `Holdfast (${c.slice(9)})`
          : c === 'floor'
            ? 'floor (bare ws: answers joins and resumes)'
            : LABEL[c],
      ),
    ];
    const nums = (f: (r: RecoveryResult) => number) => (list: RecoveryResult[]) => spread(list.map(f));
    const rows: Array<[string, (list: RecoveryResult[]) => string]> = [
      [
        'network cut by (kernel: iptables DROP, then ss -K at the restore; proxy: user-space fault proxies)',
        (list) => [...new Set(list.map((r) => r.cutBy ?? 'proxy'))].join(', '),
      ],
      ['restore → back in channel, p50 (ms)', nums((r) => r.recovery.p50)],
      ['restore → back in channel, p99 (ms)', nums((r) => r.recovery.p99)],
      ['restore → back in channel, max (ms)', nums((r) => r.recovery.max)],
      [
        'clients back (worst trial)',
        (list) => {
          const worst = list.reduce((a, b) => (b.recovered / b.clients < a.recovered / a.clients ? b : a));
          return `${worst.recovered} / ${worst.clients}`;
        },
      ],
      [
        'how (all trials)',
        (list) => {
          const how: Record<string, number> = {};
          for (const r of list) for (const [k, v] of Object.entries(r.how)) how[k] = (how[k] ?? 0) + v;
          return Object.entries(how)
            .map(([k, v]) => `${k} ${v}`)
            .join(', ');
        },
      ],
      [
        'presence flaps seen by remotes (offline + joined, all trials)',
        (list) =>
          `${list.reduce((a, r) => a + r.remoteOffline, 0)} + ${list.reduce((a, r) => a + r.remoteRejoined, 0)}`,
      ],
      ['server CPU during the storm (ms CPU)', nums((r) => r.serverCpu.cpuMs)],
      ['server CPU peak (% of one core, 100 ms slots)', nums((r) => r.serverCpu.peakPercent)],
      [
        'whole machine busy during the storm (% of both cores)',
        nums((r) => r.machineBusyPercent ?? Number.NaN),
      ],
      ['CPU per client back: server (ms)', nums((r) => r.cpuPerClient?.server ?? Number.NaN)],
      ['CPU per client back: client libraries (ms)', nums((r) => r.cpuPerClient?.clients ?? Number.NaN)],
      [
        'CPU per client back: fault proxies, the rig (ms)',
        nums((r) => r.cpuPerClient?.proxies ?? Number.NaN),
      ],
      [
        'machine load before the trial (1-min, per core)',
        nums((r) => (r as { loadPerCore?: number }).loadPerCore ?? Number.NaN),
      ],
      [
        'hypervisor steal during the trial (% of all cores)',
        nums((r) => (r as { stealPercent?: number }).stealPercent ?? Number.NaN),
      ],
    ];
    md.push(
      `\n### 5. Recovery: network back for ${rec[0]?.clients} clients after ${(rec[0]?.outageMs ?? 0) / 1000} s\n`,
      `| ${head.join(' | ')} |`,
      `|${head.map((_, i) => (i ? '---:' : '---')).join('|')}|`,
      ...rows.map(
        ([label, f]) =>
          `| ${label} | ${cols.map((c) => f(named.filter((r) => r.system === c))).join(' | ')} |`,
      ),
    );
    writeFileSync(
      `${outDir}/recovery-cdf.svg`,
      cdfSvg(
        `Recovery: ${rec[0]?.clients} clients, network back after ${(rec[0]?.outageMs ?? 0) / 1000} s`,
        'time from network restore to back in the channel',
        cols.map((c, i) => ({
          label: head[i + 1]!,
          values: named.filter((r) => r.system === c).flatMap((r) => r.samples),
        })),
      ),
    );
  }
  if (det)
    writeFileSync(
      `${outDir}/detection-cdf.svg`,
      cdfSvg(
        `Detection: ${det[0]?.clients} clients cut at once (log scale)`,
        'from the last byte exchanged to link-down (client) / user offline (remote member)',
        [...new Set(det.map((r) => r.system))].flatMap((system) => {
          const of = det.filter((r) => r.system === system);
          return [
            { label: `${LABEL[system]}: client down`, values: of.flatMap((r) => r.clientSamples) },
            { label: `${LABEL[system]}: remote offline`, values: of.flatMap((r) => r.remoteSamples) },
          ];
        }),
        { log: true },
      ),
    );
  if (join)
    writeFileSync(
      `${outDir}/join-cdf.svg`,
      cdfSvg(
        `Join latency at ${join[0]?.offeredRate} joins/s offered`,
        'joinChannel (TCP connect) → joined',
        [...new Set(join.map((r) => r.system))].map((system) => ({
          label: LABEL[system]!,
          values: join.filter((r) => r.system === system).flatMap((r) => r.samples),
        })),
        { log: true },
      ),
    );
  const text = `${md.join('\n')}\n`;
  writeFileSync(`${outDir}/latest.md`, text);
  if (updateDoc) writeDocSection('results', text);
}
