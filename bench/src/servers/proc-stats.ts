/** CPU and memory of this process, as the coordinator samples it. */
export interface ProcStats {
  /** CPU time used so far, ms (user + system). */
  cpuMs: number;
  rss: number;
  heapUsed: number;
  external: number;
  at: number;
  /** performance.now() at `at`: lines of `--trace-gc` (ms since the isolate started) map to `at - uptime + t`. */
  uptime: number;
}

export function procStats(collect = false): ProcStats {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (collect && gc) {
    gc();
    gc();
  }
  const cpu = process.cpuUsage();
  const mem = process.memoryUsage();
  return {
    cpuMs: (cpu.user + cpu.system) / 1000,
    rss: mem.rss,
    heapUsed: mem.heapUsed,
    external: mem.external + mem.arrayBuffers,
    at: performance.timeOrigin + performance.now(),
    uptime: performance.now(),
  };
}
