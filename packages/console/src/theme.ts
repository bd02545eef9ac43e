import type { ConnectionStateName } from '@holdfast/protocol';

/** One colour per state, the same on every view (and close to the CLI's terminal colours). */
export const STATE_COLOURS: Record<ConnectionStateName | 'unknown', string> = {
  Disconnected: '#9ca3af',
  Connecting: '#0891b2',
  Connected: '#16a34a',
  Reconnecting: '#f59e0b',
  Failed: '#dc2626',
  unknown: '#64748b',
};

/** `HH:MM:SS` (or `HH:MM:SS.s`), local time. */
export function timeOfDay(at: number, tenths = false): string {
  const d = new Date(at);
  const p = (n: number) => String(n).padStart(2, '0');
  const base = `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
  return tenths ? `${base}.${Math.floor(d.getMilliseconds() / 100)}` : base;
}

/** `850 ms`, `12 s`, `3 min`, `2 h`. */
export function ago(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  if (ms < 60_000) return `${Math.round(ms / 1000)} s`;
  if (ms < 3_600_000) return `${Math.round(ms / 60_000)} min`;
  return `${Math.round(ms / 3_600_000)} h`;
}

/** Media markers: the media connection's states and remote tracks' phases (violet when unknown). */
export const MEDIA_COLOURS: Record<string, string> = {
  none: '#9ca3af',
  stopped: '#9ca3af',
  connecting: '#0891b2',
  starting: '#0891b2',
  up: '#16a34a',
  decoding: '#16a34a',
  fault: '#f59e0b',
  frozen: '#f59e0b',
  down: '#dc2626',
  failed: '#dc2626',
};
