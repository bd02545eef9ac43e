import {
  type AdviceTimings,
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
export function formatEvent(e: JoinEvent, paint: Paint = NO_PAINT, timings?: AdviceTimings): string {
  const time = paint.dim(clockTime(e.at));
  switch (e.kind) {
    case 'state': {
      const name = stateName(e.state);
      const advice = reasonAdvice(e.reason, timings);
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
    case 'stream_created':
      return e.streamId > 0
        ? `${time} stream created stream=${e.streamId} ordered=true${paint.dim(' | each line typed is sent as one message on it')}`
        : `${time} stream not_created code=${e.streamId} (${errorName(e.streamId)})${paint.dim(streamAdvice(e.streamId))}`;
    case 'stream_message':
      return (
        `${time} stream message uid=${paint.bold(String(e.uid))} stream=${e.streamId} bytes=${e.bytes} ` +
        `latency=${e.latencyMs}ms | ${paint.bold(escapeText(e.text))}`
      );
    case 'stream_error':
      return (
        `${time} stream error uid=${e.uid} stream=${e.streamId} code=${e.code} (${errorName(e.code)}) ` +
        `missed=${e.missed} cached=${e.cached}${paint.dim(` | ${streamErrorText(e)}`)}`
      );
    case 'stream_sent':
      return `${time} stream sent stream=${e.streamId} bytes=${e.bytes} | ${escapeText(e.text)}`;
    case 'stream_not_sent': {
      const shown = [...e.text].length > 60 ? `${[...e.text].slice(0, 60).join('')}…` : e.text;
      return (
        `${time} stream not_sent code=${e.code} (${errorName(e.code)}) bytes=${e.bytes}` +
        `${paint.dim(streamAdvice(e.code))} | line: ${escapeText(shown)}`
      );
    }
    case 'input_closed':
      return `${time} input closed${paint.dim(' | standard input ended: nothing more to send; still in the channel (Ctrl-C leaves)')}`;
  }
}

/**
 * What a data-stream code means and what to do, by its absolute value: sendStreamMessage and
 * createDataStream return it negated, onStreamMessageError gives it positive.
 */
const STREAM_CODES: Record<number, { meaning: string; advice: string }> = {
  2: { meaning: 'no such data stream, or an empty message', advice: 'send a non-empty line' },
  5: {
    meaning: 'an audience member in live broadcasting cannot send data-stream messages',
    advice: 'join with --role broadcaster to send',
  },
  7: { meaning: 'the engine is not initialized', advice: 'join again' },
  12: {
    meaning: 'more than 60 messages in 1 s on this stream',
    advice: 'send less often: wait a second and send the line again',
  },
  113: {
    meaning: 'not in the channel: not joined yet, or it left or failed',
    advice: 'wait for the "joined" line, then send again',
  },
  114: {
    meaning: 'over 1,024 bytes, the most one data-stream message carries',
    advice: 'send shorter lines',
  },
  115: {
    meaning: "more than 30 KB in 1 s across this client's data streams",
    advice: 'send less data per second',
  },
  116: { meaning: 'no more data streams: at most 5 per channel', advice: 'leave and join again' },
  117: {
    meaning: 'the server could not take the message: it was not delivered',
    advice: 'send the line again',
  },
};

/** ` | <meaning> | what to do: <advice>` for a data-stream code, or '' for an unknown one. */
function streamAdvice(code: number): string {
  const t = STREAM_CODES[Math.abs(code)];
  return t ? ` | ${t.meaning} | what to do: ${t.advice}` : '';
}

const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;

function streamErrorText(e: Extract<JoinEvent, { kind: 'stream_error' }>): string {
  if (e.own)
    return `${plural(e.missed, 'message')} of ours not delivered: ${STREAM_CODES[e.code]?.meaning ?? 'refused'}`;
  const parts: string[] = [];
  if (e.missed > 0)
    parts.push(`${plural(e.missed, 'message')} from uid ${e.uid} on stream ${e.streamId} lost for good`);
  if (e.cached > 0)
    parts.push(
      `${plural(e.cached, 'message')} from uid ${e.uid} on stream ${e.streamId} more than 5 s late ` +
        '(sent while this client was away): they follow',
    );
  return parts.join('; ') || 'late or lost messages';
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: escaping control characters is the point
const UNSAFE = /[\\\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
const NAMED: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * A message's text, safe to print on one line: control characters (a remote user's message could
 * carry terminal escapes), line breaks and bidirectional overrides are shown escaped (`\x1b`,
 * `\n`, `\u202e`), and so is the backslash itself, so the line reads back unambiguously.
 */
export function escapeText(text: string): string {
  return text.replace(UNSAFE, (c) => {
    const named = NAMED[c];
    if (named) return named;
    const n = c.charCodeAt(0);
    return n <= 0xff ? `\\x${n.toString(16).padStart(2, '0')}` : `\\u${n.toString(16).padStart(4, '0')}`;
  });
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
export function formatStatus(s: JoinStatus, now: number, paint: Paint, hint = 'Ctrl-C to leave'): string[] {
  const name = stateName(s.state);
  const trying = name === 'Connecting' || name === 'Reconnecting';
  // While the SDK keeps trying, why it cannot connect is the advice ("nothing is listening at …").
  const advice = trying && s.connectProblem ? s.connectProblem : reasonAdvice(s.reason, s.timings)?.advice;
  const members = [...s.members].sort((a, b) => a - b);
  return [
    paint.dim(`── holdfast join ${s.channel} · uid ${s.uid || '(assigning)'} · ${s.server}`),
    ` ${paint.state(name, `● ${name}`)} ${paint.bold(reasonLabel(s.reason))} for ${duration(now - s.since)}` +
      `   rtt ${s.rttMs === undefined ? '-' : `${s.rttMs} ms`}`,
    advice ? paint.dim(` ${advice}`) : '',
    ` members (${members.length}): ${members.length ? members.join(', ') : '-'}` +
      (s.messagesSent || s.messagesReceived
        ? `   messages: ${s.messagesSent} sent, ${s.messagesReceived} received`
        : ''),
    paint.dim(` ${hint}`),
  ].filter((l) => l !== '');
}
