import {
  CONNECTION_STATE_NAMES,
  type ConnectionStateName,
  ErrorCodeType,
  offlineReasonName,
  reasonAdvice,
} from '@holdfast/protocol';
import type { JoinEvent, JoinStatus } from './events.js';

/** How text is styled: identity for plain output, ANSI escapes on a colour terminal. */
export interface Paint {
  state(name: ConnectionStateName, text: string): string;
  bold(text: string): string;
  dim(text: string): string;
}

export const NO_PAINT: Paint = { state: (_n, t) => t, bold: (t) => t, dim: (t) => t };

const ESC = '\u001b[';
const STATE_COLOUR: Record<ConnectionStateName, string> = {
  Disconnected: '90', // grey
  Connecting: '36', // cyan
  Connected: '32', // green
  Reconnecting: '33', // yellow
  Failed: '31', // red
};

export const ANSI_PAINT: Paint = {
  state: (name, text) => `${ESC}1;${STATE_COLOUR[name]}m${text}${ESC}0m`,
  bold: (text) => `${ESC}1m${text}${ESC}22m`,
  dim: (text) => `${ESC}2m${text}${ESC}22m`,
};

/** `HH:MM:SS.mmm`, local time. */
export function clockTime(at: number): string {
  const d = new Date(at);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
}

export function stateName(state: number): ConnectionStateName {
  return CONNECTION_STATE_NAMES[state as keyof typeof CONNECTION_STATE_NAMES] ?? 'Disconnected';
}

/** `Interrupted(2)`. */
export function reasonLabel(reason: number): string {
  return `${reasonAdvice(reason)?.name ?? 'Unknown'}(${reason})`;
}

const ERROR_NAMES = new Map<number, string>(Object.entries(ErrorCodeType).map(([k, v]) => [v, k]));
export function errorName(code: number): string {
  return ERROR_NAMES.get(Math.abs(code)) ?? 'ErrUnknown';
}

/**
 * One event as one line: `<time> <kind> <key=value…> | <meaning> | what to do: <advice>`.
 * The fields before the first `|` are stable for scripts; the text after it is for people.
 */
export function formatEvent(e: JoinEvent, paint: Paint = NO_PAINT): string {
  const time = paint.dim(clockTime(e.at));
  switch (e.kind) {
    case 'state': {
      const name = stateName(e.state);
      const advice = reasonAdvice(e.reason);
      const text = advice ? ` | ${advice.meaning} | what to do: ${advice.advice}` : '';
      return `${time} state ${paint.state(name, name)} reason=${paint.bold(reasonLabel(e.reason))}${paint.dim(text)}`;
    }
    case 'joined':
      return `${time} ${e.rejoin ? 'rejoined' : 'joined'} channel=${e.channel} uid=${e.uid} elapsed=${e.elapsedMs}ms`;
    case 'member_joined':
      return `${time} member joined uid=${paint.bold(String(e.uid))}`;
    case 'member_offline': {
      const label = `${offlineReasonName(e.reason)}(${e.reason})`;
      return `${time} member offline uid=${paint.bold(String(e.uid))} reason=${label}${paint.dim(` | ${OFFLINE_TEXT[e.reason] ?? ''}`)}`;
    }
    case 'role':
      return `${time} role ${e.role}`;
    case 'error':
      return `${time} error code=${e.code} (${errorName(e.code)}) ${e.message}`;
    case 'token':
      return `${time} token ${e.message}`;
    case 'stats':
      return `${time} stats rtt=${e.rttMs === undefined ? '-' : `${e.rttMs}ms`} members=${[...e.members].join(',') || '-'}`;
    case 'left':
      return `${time} left duration=${e.durationS ?? '-'}s lastmileDelay=${e.lastmileDelayMs ?? '-'}ms`;
  }
}

// What a remote user going away means, in the remote view's words (UserOfflineReasonType).
const OFFLINE_TEXT: Record<number, string> = {
  0: 'the user left the channel',
  1: 'no data from the user for the offline window: its network went away, or it stopped without leaving',
  2: 'the broadcaster switched to audience',
};

/** `3.2 s`, `12 s`, `4 min 05 s`. */
export function duration(ms: number): string {
  const s = Math.max(0, ms) / 1000;
  if (s < 10) return `${s.toFixed(1)} s`;
  if (s < 60) return `${Math.floor(s)} s`;
  const m = Math.floor(s / 60);
  return `${m} min ${String(Math.floor(s % 60)).padStart(2, '0')} s`;
}

/** The live status block a terminal shows under the scrolling events. */
export function formatStatus(s: JoinStatus, now: number, paint: Paint): string[] {
  const name = stateName(s.state);
  const advice = reasonAdvice(s.reason);
  const members = [...s.members].sort((a, b) => a - b);
  return [
    paint.dim(`── holdfast join ${s.channel} · uid ${s.uid || '(assigning)'} · ${s.server}`),
    ` ${paint.state(name, `● ${name}`)} ${paint.bold(reasonLabel(s.reason))} for ${duration(now - s.since)}` +
      `   rtt ${s.rttMs === undefined ? '-' : `${s.rttMs} ms`}`,
    advice ? paint.dim(` ${advice.advice}`) : '',
    ` members (${members.length}): ${members.length ? members.join(', ') : '-'}`,
    paint.dim(' Ctrl-C to leave'),
  ].filter((l) => l !== '');
}
