import type { ConsoleMember } from '@holdfast/server';

/**
 * Slack over the ping interval before a member's last data counts as late: its round trip and
 * the timers of both ends. A healthy client sends a ping every `pingIntervalMs` (5.95 s by
 * default), so "last data 5 s ago" is normal and must not be flagged.
 */
export const LATE_SLACK_MS = 1000;
/**
 * What another node knows of its members reaches this one through its published deadlines,
 * which move in 1 s beats and only by more than 250 ms: that much more slack for them.
 */
export const ENGINE_SLACK_MS = 1250;

/** Whether `silentMs` without data is past the keepalive rule (a ping is overdue). */
export function lastDataLate(silentMs: number, pingIntervalMs: number, viaEngine = false): boolean {
  return silentMs > pingIntervalMs + LATE_SLACK_MS + (viaEngine ? ENGINE_SLACK_MS : 0);
}

/**
 * When the member's last data arrived and who says so: this node (`live`), the engine (a member
 * another node holds: `seen`), or nobody yet.
 */
export function lastData(m: ConsoleMember): { at: number; viaEngine: boolean } | undefined {
  if (m.live) return { at: m.live.lastSeenAt, viaEngine: false };
  if (m.seen) return { at: m.seen.lastSeenAt, viaEngine: true };
  return undefined;
}

/**
 * The state to show for a member this node has no timeline for (another node holds it):
 * Connected while its node has data from it within the keepalive rule, else unknown.
 */
export function remoteState(m: ConsoleMember, now: number, pingIntervalMs: number): 'Connected' | 'unknown' {
  if (m.live || !m.seen) return 'unknown';
  return lastDataLate(now - m.seen.lastSeenAt, pingIntervalMs, true) ? 'unknown' : 'Connected';
}
