import type { BigChannelResult } from './scenarios/bigchannel.js';

const ms = (v: number | undefined) =>
  v === undefined || !Number.isFinite(v)
    ? '–'
    : v >= 100
      ? Math.round(v).toLocaleString('en-US')
      : `${Math.round(v * 10) / 10}`;

const median = (v: number[]): number => {
  const s = v.filter(Number.isFinite).sort((a, b) => a - b);
  if (!s.length) return Number.NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
/** "median (min–max)" over the trials. */
const spread = (all: number[]) => {
  const v = all.filter(Number.isFinite);
  const missing = all.length - v.length;
  const text = v.length > 1 ? `${ms(median(v))} (${ms(Math.min(...v))}–${ms(Math.max(...v))})` : ms(v[0]);
  return missing ? `${text}; ${missing} trial(s) never` : text;
};

/** The big-channel section (issue 16 item 4): one row per metric, the trials' median and range. */
export function bigChannelSection(
  list: BigChannelResult[] | undefined,
  meta: { commit?: string; date?: string; params?: { rate?: number } },
): string[] {
  const hf = (list ?? []).filter((r) => r.system === 'holdfast');
  if (!hf.length) return [];
  const sizes = hf[0]!.blocks.map((b) => b.members);
  const block = (m: number, f: (r: BigChannelResult['blocks'][number]) => number) =>
    spread(hf.map((r) => f(r.blocks.find((b) => b.members === m)!)));
  return [
    `\n### 8. Big channel: ${hf[0]!.members.toLocaleString('en-US')} members join one communication channel (Holdfast; median (min–max) of ${hf.length} trials)\n`,
    `Run of ${meta.date ?? '?'} at commit ${meta.commit ?? '?'}; ${meta.params?.rate ?? '?'} joins/s offered (open loop), 2 load-generator processes; "at M members": the block of 100 joins that brought the channel to M.\n`,
    '| metric | value |',
    '|---|---:|',
    ...sizes.flatMap((m) => [
      `| join p50 at ${m.toLocaleString('en-US')} members (ms) | ${block(m, (b) => b.join.p50)} |`,
      `| join p99 at ${m.toLocaleString('en-US')} members (ms) | ${block(m, (b) => b.join.p99)} |`,
    ]),
    `| joins refused (\`end\` frame) | ${hf.map((r) => r.refused).join(', ')} |`,
    `| joins with no answer within 15 s | ${hf.map((r) => r.timedOut).join(', ')} |`,
    `| members with the complete member list | ${hf.map((r) => `${r.complete.toLocaleString('en-US')} / ${r.open.toLocaleString('en-US')}`).join(', ')} |`,
    `| last join → every member complete (ms) | ${spread(hf.map((r) => r.settledMs ?? Number.NaN))} |`,
    `| \`sync\` snapshots (members that fell behind) | ${hf.map((r) => r.snapshots).join(', ')} |`,
    `| members closed after joining (by reason) | ${hf.map((r) => (r.closes ? JSON.stringify(r.closes) : 'not recorded')).join(', ')} |`,
    `| server CPU while joining (% of one core) | ${spread(hf.map((r) => r.serverCpuPercent))} |`,
    `| machine load before the trial (1-min, per core) | ${hf.map((r) => r.loadPerCore).join(', ')} |`,
  ];
}
