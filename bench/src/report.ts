import { readFileSync, writeFileSync } from 'node:fs';
import { crossnodeSection } from './report-crossnode.js';
import { streamsSection } from './report-streams.js';
import type { CapacityResult } from './scenarios/capacity.js';
import type { CrossnodeResult } from './scenarios/crossnode.js';
import type { DetectionResult } from './scenarios/detection.js';
import type { JoinResult } from './scenarios/join.js';
import type { PresenceResult } from './scenarios/presence.js';
import type { RecoveryResult } from './scenarios/recovery.js';
import type { StreamsResult } from './scenarios/streams.js';
import { cdfSvg } from './svg.js';

type Row = [label: string, get: (r: never) => number, better: 'lower' | 'higher' | 'none', unit?: string];
const LABEL: Record<string, string> = {
  holdfast: 'Holdfast',
  'sio-default': 'Socket.IO default',
  'sio-tuned': 'Socket.IO tuned',
  floor: 'floor (bare ws, 2 s keepalive only)',
};

const num = (v: number, unit = '') =>
  Number.isFinite(v)
    ? `${v >= 100 ? Math.round(v).toLocaleString('en-US') : Math.round(v * 10) / 10}${unit}`
    : '–';

/** Holdfast's advantage over a peer on one metric: >1 means Holdfast is better. */
function ratio(hf: number, peer: number, better: Row[2]): string {
  if (better === 'none' || !Number.isFinite(hf) || !Number.isFinite(peer) || hf === 0 || peer === 0)
    return '';
  const r = better === 'lower' ? peer / hf : hf / peer;
  return `${r >= 10 ? Math.round(r) : Math.round(r * 100) / 100}×`;
}

function table<R extends { system: string }>(list: R[], rows: Row[]): string {
  const hf = list.find((r) => r.system === 'holdfast');
  const peers = list.filter((r) => r.system !== 'holdfast');
  const head = ['metric', 'Holdfast', ...peers.flatMap((p) => [LABEL[p.system] ?? p.system, 'HF adv.'])];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map((_, i) => (i ? '---:' : '---')).join('|')}|`];
  for (const [label, get, better, unit] of rows) {
    const g = get as (r: R) => number;
    const h = hf ? g(hf) : Number.NaN;
    const cells = [label, num(h, unit), ...peers.flatMap((p) => [num(g(p), unit), ratio(h, g(p), better)])];
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

const kb = (b: number) => b / 1024;

export function writeReport(results: Record<string, unknown>, outDir: string, updateDoc: boolean): void {
  const md: string[] = [];
  const cap = results.capacity as CapacityResult[] | undefined;
  const capRows: Row[] = [
    ['clients joined', (r: CapacityResult) => r.joined, 'higher'],
    ['server RSS per connection (KB)', (r: CapacityResult) => kb(r.rssPerConn), 'lower'],
    ['server heap per connection (KB)', (r: CapacityResult) => kb(r.heapPerConn), 'lower'],
    ['server CPU at idle (% of one core)', (r: CapacityResult) => r.idleCpuPercent, 'lower'],
    ['time to connect all (s)', (r: CapacityResult) => r.connectAllMs / 1000, 'lower'],
    ['clients silent longer than their detection time', (r: CapacityResult) => r.silentTooLong, 'none'],
    ['load generators CPU (% of one core)', (r: CapacityResult) => r.loadgenCpuPercent, 'none'],
  ];
  if (cap) md.push(`### 1. Capacity, one server process (${cap[0]?.target} clients)\n`, table(cap, capRows));
  const machine = results.machine as CapacityResult[] | undefined;
  if (machine)
    md.push(
      `\n### 1b. Capacity, the machine (${machine[0]?.servers} server processes, ${machine[0]?.target} clients)\n`,
      table(machine, [...capRows, ['servers RSS total (MB)', (r: CapacityResult) => r.serverRssMb, 'lower']]),
    );
  const join = results.join as JoinResult[] | undefined;
  if (join)
    md.push(
      `\n### 2. Join at ${join[0]?.offeredRate} joins/s offered (${join[0]?.offered} joins)\n`,
      table(join, [
        ['joins/s sustained', (r: JoinResult) => r.sustainedRate, 'higher'],
        ['join latency p50 (ms)', (r: JoinResult) => r.latency.p50, 'lower'],
        ['join latency p99 (ms)', (r: JoinResult) => r.latency.p99, 'lower'],
        ['join latency max (ms)', (r: JoinResult) => r.latency.max, 'lower'],
        ['failed joins', (r: JoinResult) => r.failed, 'none'],
        ['server CPU (% of one core)', (r: JoinResult) => r.serverCpuPercent, 'lower'],
      ]),
    );
  const pres = results.presence as PresenceResult[] | undefined;
  for (const m of [...new Set(pres?.map((p) => p.members))])
    md.push(
      `\n### 3. Presence: one join into a channel of ${m}\n`,
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
      ...cols.map((c) => (c.startsWith('holdfast/') ? `Holdfast (${c.slice(9)})` : LABEL[c])),
    ];
    const rows: Array<[string, (r: RecoveryResult) => string]> = [
      ['restore → back in channel, p50 (ms)', (r) => num(r.recovery.p50)],
      ['restore → back in channel, p99 (ms)', (r) => num(r.recovery.p99)],
      ['restore → back in channel, max (ms)', (r) => num(r.recovery.max)],
      ['clients back', (r) => `${r.recovered} / ${r.clients}`],
      [
        'how',
        (r) =>
          Object.entries(r.how)
            .map(([k, v]) => `${k} ${v}`)
            .join(', '),
      ],
      [
        'presence flaps seen by remotes (offline + joined)',
        (r) => `${r.remoteOffline} + ${r.remoteRejoined}`,
      ],
      [
        'server CPU during the storm (ms CPU / ms wall)',
        (r) => `${r.serverCpu.cpuMs} / ${r.serverCpu.wallMs}`,
      ],
      ['server CPU peak (% of one core, 100 ms slots)', (r) => num(r.serverCpu.peakPercent)],
      [
        'whole machine busy during the storm (% of both cores)',
        (r) => (r.machineBusyPercent === undefined ? '–' : num(r.machineBusyPercent)),
      ],
    ];
    md.push(
      `\n### 5. Recovery: network back for ${rec[0]?.clients} clients after ${(rec[0]?.outageMs ?? 0) / 1000} s\n`,
      `| ${head.join(' | ')} |`,
      `|${head.map((_, i) => (i ? '---:' : '---')).join('|')}|`,
      ...rows.map(
        ([label, f]) =>
          `| ${label} | ${cols.map((c) => f(named.find((r) => r.system === c)!)).join(' | ')} |`,
      ),
    );
    writeFileSync(
      `${outDir}/recovery-cdf.svg`,
      cdfSvg(
        `Recovery: ${rec[0]?.clients} clients, network back after ${(rec[0]?.outageMs ?? 0) / 1000} s`,
        'time from network restore to back in the channel',
        named.map((r) => ({ label: head[cols.indexOf(r.system) + 1]!, values: r.samples })),
      ),
    );
  }
  if (det)
    writeFileSync(
      `${outDir}/detection-cdf.svg`,
      cdfSvg(
        `Detection: ${det[0]?.clients} clients cut at once (log scale)`,
        'from the last byte exchanged to link-down (client) / user offline (remote member)',
        det.flatMap((r) => [
          { label: `${LABEL[r.system]}: client down`, values: r.clientSamples },
          { label: `${LABEL[r.system]}: remote offline`, values: r.remoteSamples },
        ]),
        { log: true },
      ),
    );
  if (join)
    writeFileSync(
      `${outDir}/join-cdf.svg`,
      cdfSvg(
        `Join latency at ${join[0]?.offeredRate} joins/s offered`,
        'joinChannel (TCP connect) → joined',
        join.map((r) => ({ label: LABEL[r.system]!, values: r.samples })),
        { log: true },
      ),
    );
  const text = `${md.join('\n')}\n`;
  writeFileSync(`${outDir}/latest.md`, text);
  if (!updateDoc) return;
  const doc = new URL('../../BENCHMARKS.md', import.meta.url);
  let current = '';
  try {
    current = readFileSync(doc, 'utf8');
  } catch {
    return;
  }
  const begin = '<!-- bench:results:begin -->';
  const end = '<!-- bench:results:end -->';
  const a = current.indexOf(begin);
  const b = current.indexOf(end);
  if (a < 0 || b < a) return;
  writeFileSync(doc, `${current.slice(0, a + begin.length)}\n${text}${current.slice(b)}`);
}
