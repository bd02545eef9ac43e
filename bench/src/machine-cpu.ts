import { readFileSync } from 'node:fs';

/** The machine's CPU counters (all cores, from /proc/stat), for "how busy was the whole box". */
export interface MachineCpu {
  busy: number;
  total: number;
}

export function machineCpu(): MachineCpu {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = line
    .split(/\s+/)
    .slice(1)
    .map(Number);
  const busy = user + nice + system + irq + softirq + steal;
  return { busy, total: busy + idle + iowait };
}

/** Share of all cores busy between two samples, % (100 = every core busy all the time). */
export const machineBusyPercent = (a: MachineCpu, b: MachineCpu): number =>
  b.total > a.total ? Math.round(((b.busy - a.busy) / (b.total - a.total)) * 1000) / 10 : 0;
