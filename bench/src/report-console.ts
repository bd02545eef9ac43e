import { median, spread } from './report.js';
import type { ConsoleResult } from './scenarios/console.js';

/** Issue 16 item 3's goal: 500 viewers and 20,000 channels cost < 10 % of one core and add < 5 ms to join p99. */
export function consoleSection(list: ConsoleResult[] | undefined): string[] {
  if (!list?.length) return [];
  const r0 = list[0]!;
  const row = (label: string, f: (r: ConsoleResult) => number, unit = '') =>
    `| ${label} | ${spread(list.map(f), unit)} |`;
  const cost = list.map((r) => r.with.serverCpuPercent - r.without.serverCpuPercent);
  const addedP99 = list.map((r) => r.with.joinLatency.p99 - r.without.joinLatency.p99);
  return [
    `\n### 3c. Console viewers: ${r0.viewersOffered} viewers on a node with ${r0.channels.toLocaleString('en-US')} channels (Holdfast only)\n`,
    `Goal (issue 16 item 3): the viewers cost < 10 % of one core and add < 5 ms to join p99. ` +
      `Measured: ${median(cost).toFixed(1)} % of a core, ${median(addedP99).toFixed(1)} ms added to join p99 (medians over the trials).\n`,
    '| metric | Holdfast |',
    '|---|---:|',
    row('viewers accepted (the rest refused 503 by the viewer cap)', (r) => r.viewersAccepted),
    row('server CPU without viewers (% of one core)', (r) => r.without.serverCpuPercent),
    row('server CPU with viewers (% of one core)', (r) => r.with.serverCpuPercent),
    row('cost of the viewers (% of one core)', (r) => r.with.serverCpuPercent - r.without.serverCpuPercent),
    row('join p50 without viewers (ms)', (r) => r.without.joinLatency.p50),
    row('join p50 with viewers (ms)', (r) => r.with.joinLatency.p50),
    row('join p99 without viewers (ms)', (r) => r.without.joinLatency.p99),
    row('join p99 with viewers (ms)', (r) => r.with.joinLatency.p99),
    row('failed joins (with viewers)', (r) => r.with.failedJoins),
    row('bytes/s to all viewers', (r) => r.viewerBytesPerSecond),
    row(
      'machine load before the trial (1-min, per core)',
      (r) => (r as { loadPerCore?: number }).loadPerCore ?? Number.NaN,
    ),
  ];
}
