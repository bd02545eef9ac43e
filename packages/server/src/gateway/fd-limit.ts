import { readFileSync } from 'node:fs';

/** File descriptors kept for everything that is not a client socket (logs, Redis, listeners, files). */
export const FD_RESERVE = 64;

export interface OpenFileLimit {
  soft: number;
  hard: number;
}

/**
 * Parses the "Max open files" line of /proc/<pid>/limits (`ulimit -n` is the soft value).
 * `unlimited` reads as Infinity. Undefined when the line is missing.
 */
export function parseOpenFileLimit(limits: string): OpenFileLimit | undefined {
  const m = /^Max open files\s+(\S+)\s+(\S+)/m.exec(limits);
  if (!m) return undefined;
  const num = (v: string) => (v === 'unlimited' ? Number.POSITIVE_INFINITY : Number(v));
  const soft = num(m[1]!);
  const hard = num(m[2]!);
  return Number.isNaN(soft) || Number.isNaN(hard) ? undefined : { soft, hard };
}

/** This process's open-file limit, or undefined where /proc is not there (macOS, Windows). */
export function readOpenFileLimit(file = '/proc/self/limits'): OpenFileLimit | undefined {
  try {
    return parseOpenFileLimit(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

/**
 * A warning when the soft open-file limit cannot hold `capacity` client sockets plus a reserve:
 * past it, accept() fails with EMFILE and every new client is reset, whoever it is.
 */
export function openFileWarning(limit: OpenFileLimit | undefined, capacity: number): string | undefined {
  if (!limit || limit.soft >= capacity + FD_RESERVE) return undefined;
  return (
    `open-file limit (ulimit -n) is ${limit.soft} (hard ${limit.hard}): this node can hold about ` +
    `${Math.max(0, limit.soft - FD_RESERVE)} connections, fewer than its capacity of ${capacity}; ` +
    'raise it (systemd: LimitNOFILE=65536; docker: --ulimit nofile=65536:65536; shell: ulimit -n 65536)'
  );
}
