import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/** The machine's CPU counters (all cores, from /proc/stat), for "how busy was the whole box". */
export interface MachineCpu {
  busy: number;
  total: number;
  /** Time the hypervisor ran something else while this VM's vCPUs wanted to run (counted in `busy`). */
  steal: number;
}

export function machineCpu(): MachineCpu {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = line
    .split(/\s+/)
    .slice(1)
    .map(Number);
  const busy = user + nice + system + irq + softirq + steal;
  return { busy, total: busy + idle + iowait, steal };
}

/** Share of all cores busy between two samples, % (100 = every core busy all the time). */
export const machineBusyPercent = (a: MachineCpu, b: MachineCpu): number =>
  b.total > a.total ? Math.round(((b.busy - a.busy) / (b.total - a.total)) * 1000) / 10 : 0;

/**
 * Share of all cores the hypervisor took between two samples, %: on a VM, time-sensitive tails
 * (join p99, presence) move with it — a trial with a few % of steal is the machine's, not the system's.
 */
export const machineStealPercent = (a: MachineCpu, b: MachineCpu): number =>
  b.total > a.total ? Math.round(((b.steal - a.steal) / (b.total - a.total)) * 1000) / 10 : 0;

/** CPU time used so far by these processes (user + system, ms; /proc, 10 ms ticks); 0 for any gone. */
export function processCpuMs(pids: readonly number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // exited
    }
  }
  return ticks * 10;
}

/**
 * Waits until the whole machine is at most `belowPercent` busy over 300 ms, or `maxWaitMs` has
 * passed; returns how long it waited and how busy the machine was then (% of all cores).
 */
export async function untilQuiet(
  belowPercent: number,
  maxWaitMs: number,
): Promise<{ waitedMs: number; busy: number }> {
  const t0 = performance.now();
  for (;;) {
    const a = machineCpu();
    await sleep(300);
    const busy = machineBusyPercent(a, machineCpu());
    if (busy <= belowPercent || performance.now() - t0 >= maxWaitMs)
      return { waitedMs: Math.round(performance.now() - t0), busy };
  }
}
