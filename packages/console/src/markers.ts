/**
 * What each observed event means to a person: a marker on a member's timeline (label, title,
 * meaning and advice from the shared troubleshooting table) and a line for the event log.
 */
import {
  CONNECTION_STATE_MEANINGS,
  type ConnectionStateName,
  OFFLINE_ADVICE,
  REPORTED_REASON_TO_AGORA,
  REPORTED_STATE_NAMES,
  reasonAdvice,
  type StreamRefusalCode,
} from '@holdfast/protocol';
import type { ObservedEvent } from '@holdfast/server';
import { describeMedia } from './media-markers.js';

/** One thing that happened, placed on the member's lane. */
export interface Marker {
  id: string;
  at: number;
  /** `local`: the member's own state changes; `remote`: what other members saw. */
  row: 'local' | 'remote';
  kind:
    | 'state'
    | 'joined'
    | 'offline'
    | 'replaced'
    | 'resumed'
    | 'detached'
    | 'role'
    | 'stream_refused'
    | 'media';
  /** Short text drawn next to the marker. */
  label: string;
  /** Headline of the detail panel. */
  title: string;
  meaning: string;
  advice?: string;
  state?: ConnectionStateName;
  /** A media marker's new state: the media connection's, or a remote track's phase. */
  media?: string;
}

type ClientState = Extract<ObservedEvent, { type: 'client_state' }>;

/**
 * Why the server refuses a data-stream message. The SDK checks the limits and the role itself
 * before sending, so those refusals come from clients that do not (or an older SDK).
 */
export const STREAM_REFUSALS: Record<StreamRefusalCode, { meaning: string; advice: string }> = {
  too_large: {
    meaning: 'A message over 1,024 bytes (ErrSizeTooLarge, 114).',
    advice: 'Send messages of at most 1,024 bytes; split larger data.',
  },
  too_often: {
    meaning: 'More than 60 messages in 1 s on one stream (ErrTooOften, 12).',
    advice: 'Send less often, or put several updates in one message.',
  },
  bitrate: {
    meaning: "More than 30 KB in 1 s across the client's streams (ErrBitrateLimit, 115).",
    advice: 'Send less data per second.',
  },
  not_broadcaster: {
    meaning:
      'An audience member in live broadcasting sent a message: only broadcasters send (ErrRefused, 5).',
    advice: 'Switch the client to broadcaster (setClientRole) before sending.',
  },
  not_sent: {
    meaning:
      'The server could not store the message (its shared state, e.g. Redis, did not answer): it was not delivered.',
    advice: "Check the server's connection to Redis; the client may send the message again.",
  },
};

/** `Interrupted(2)` for a reported reason name (`interrupted`). */
export function reportedReasonLabel(name: string): string {
  const n = REPORTED_REASON_TO_AGORA[name];
  const advice = n === undefined ? undefined : reasonAdvice(n);
  return advice ? `${advice.name}(${advice.reason})` : name;
}

/** A state change the client reported, at `at` on the server's clock. */
export function stateMarker(e: ClientState, at: number, id: string): Marker {
  const state = REPORTED_STATE_NAMES[e.state];
  const n = REPORTED_REASON_TO_AGORA[e.reason];
  const advice = n === undefined ? undefined : reasonAdvice(n);
  return {
    id,
    at,
    row: 'local',
    kind: 'state',
    label: advice?.name ?? e.reason,
    title: `${state} · ${reportedReasonLabel(e.reason)}`,
    meaning: advice?.meaning ?? CONNECTION_STATE_MEANINGS[state],
    ...(advice ? { advice: advice.advice } : {}),
    state,
  };
}

/** A session ended because the same uid joined again elsewhere: the uid never left the channel. */
export const isReplaced = (e: ObservedEvent): boolean =>
  e.type === 'ended' && (e.code === 'same_uid_login' || e.reason === 'none');

/** What the server saw happen to a session, as remote users experienced it. */
export function serverMarker(e: ObservedEvent, id: string): Marker | undefined {
  const base = { id, at: e.at, row: 'remote' as const };
  switch (e.type) {
    case 'joined': {
      const announced = e.profile === 'communication' || e.role === 'broadcaster';
      return {
        ...base,
        kind: 'joined',
        label: announced ? 'joined' : 'joined (silent)',
        title: `Joined as ${e.role}${e.sessionExpired ? ' (its old session had timed out)' : ''}`,
        meaning: announced
          ? 'Remote users received onUserJoined for this uid.'
          : 'An audience member in a live-broadcasting channel: remote users are not told.',
      };
    }
    case 'ended': {
      if (isReplaced(e) || e.reason === 'none')
        return {
          ...base,
          kind: 'replaced',
          label: 'replaced (same uid)',
          title: 'Session replaced: the same uid joined from another connection',
          meaning:
            'The uid stayed in the channel, so remote users saw no change. The old connection gets ' +
            '(Failed, SameUidLogin).',
        };
      const off = OFFLINE_ADVICE[e.reason];
      return {
        ...base,
        kind: 'offline',
        label: `offline · ${off.name}`,
        title: `Remote users: onUserOffline(${off.name}(${off.reason}))${e.code ? ` — server code ${e.code}` : ''}`,
        meaning: off.meaning,
      };
    }
    case 'resumed':
      return {
        ...base,
        kind: 'resumed',
        label: 'resumed',
        title: 'Session resumed inside the offline window',
        meaning: 'The client came back in time: remote users saw nothing, and it got the events it missed.',
      };
    case 'detached':
      return {
        ...base,
        kind: 'detached',
        label: 'socket closed',
        title: 'The transport closed; the session waits',
        meaning:
          'The server saw the connection go. The session is kept for the offline window so the client can resume it.',
      };
    case 'role':
      return {
        ...base,
        kind: 'role',
        label: `→ ${e.role}`,
        title: `Role changed to ${e.role}`,
        meaning: 'In live broadcasting only broadcasters are announced to remote users.',
      };
    case 'stream_refused': {
      const why = STREAM_REFUSALS[e.code];
      return {
        ...base,
        kind: 'stream_refused',
        label: e.count > 1 ? `refused ×${e.count}` : 'refused',
        title: `${refusedCount(e.count)} refused: ${e.code} (stream ${e.streamId})`,
        meaning:
          `${why.meaning} Remote users did not get ${e.count > 1 ? 'them' : 'it'}; the sender was told ` +
          `(onStreamMessageError).${e.count > 1 ? ' Counted since the previous marker; the reason is the last one’s.' : ''}`,
        advice: why.advice,
      };
    }
    default:
      return undefined;
  }
}

/** One line of the event log. */
export function describeEvent(e: ObservedEvent): string {
  switch (e.type) {
    case 'client_state':
      return `client: ${REPORTED_STATE_NAMES[e.state]} · ${reportedReasonLabel(e.reason)}`;
    case 'client_media':
      return describeMedia(e);
    case 'joined':
      return `joined as ${e.role} (${e.profile}) from ${e.remote}${e.sessionExpired ? ', old session had timed out' : ''}`;
    case 'resumed':
      return `resumed from ${e.remote}`;
    case 'detached':
      return 'socket closed; session kept for the offline window';
    case 'ended': {
      if (isReplaced(e) || e.reason === 'none')
        return 'session replaced by the same uid on another connection; remote users saw no change';
      const off = OFFLINE_ADVICE[e.reason];
      return `session ended: remote users saw offline ${off.name}(${off.reason})${e.code ? ` [${e.code}]` : ''}`;
    }
    case 'role':
      return `role → ${e.role}`;
    case 'stream_refused':
      return `${refusedCount(e.count)} refused on stream ${e.streamId}: ${e.code} — ${STREAM_REFUSALS[e.code].meaning}`;
  }
}

const refusedCount = (n: number): string => `${n} data-stream message${n === 1 ? '' : 's'}`;
