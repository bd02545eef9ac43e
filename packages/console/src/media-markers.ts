/**
 * The member's media on the console: its reported media state changes as timeline markers (its
 * media connection's state, and other members' tracks going Frozen or Decoding as it received
 * them), and its latest figures as the member row shows them. Pure: no DOM.
 */
import type { MediaLinkState, RemoteTrackPhase } from '@holdfast/protocol';
import type { ConsoleMediaInfo, ObservedEvent } from '@holdfast/server';
import type { Marker } from './markers.js';

type ClientMedia = Extract<ObservedEvent, { type: 'client_media' }>;

/** What each media connection state means, and what to do about it. */
export const LINK_MEANINGS: Record<MediaLinkState, { label: string; meaning: string; advice?: string }> = {
  none: {
    label: 'no media',
    meaning: 'The client has no media connection (not publishing or subscribing yet).',
  },
  connecting: {
    label: 'media connecting',
    meaning: 'A media connection (publisher or subscriber) is being set up.',
  },
  up: { label: 'media up', meaning: 'Both media connections are connected and media flows.' },
  fault: {
    label: 'media fault',
    meaning:
      'A media connection is disconnected, or media stopped flowing, for less than 4 s: the SDK waits for ICE to recover.',
    advice: 'Nothing yet: after 4 s it becomes an outage and the SDK repairs it.',
  },
  down: {
    label: 'media down',
    meaning:
      'A media outage (4 s): the app was told (Reconnecting, Interrupted) and the SDK repairs the connections (ICE restart, then new connections).',
    advice:
      "Wait; if it lasts, check the client's UDP path to the server's media ports (firewall, --media-ip).",
  },
};

const PHASE_MEANINGS: Record<RemoteTrackPhase, string> = {
  stopped: 'stopped: not received (not published, unsubscribed, or the member left)',
  starting: 'starting: subscribed, waiting for the first packets',
  decoding: 'decoding: arriving and played',
  frozen: 'frozen: no media for 600 ms or more (network congestion or the sender’s path)',
  failed: 'failed: the receiving connection failed',
};

/** A reported media change, at `at` on the server's clock. */
export function mediaMarker(e: ClientMedia, at: number, id: string): Marker {
  const base = { id, at, row: 'local' as const, kind: 'media' as const };
  if ('link' in e) {
    const m = LINK_MEANINGS[e.link];
    return {
      ...base,
      label: m.label,
      title: `Media connection: ${e.link}`,
      meaning: m.meaning,
      ...(m.advice ? { advice: m.advice } : {}),
      media: e.link,
    };
  }
  return {
    ...base,
    label: `uid ${e.remoteUid} ${e.kind} ${e.phase}`,
    title: `Received uid ${e.remoteUid}'s ${e.kind}: ${e.phase}`,
    meaning: `As this client received it, uid ${e.remoteUid}'s ${e.kind} is ${PHASE_MEANINGS[e.phase]}.`,
    media: e.phase,
  };
}

/** One line of the event log for a reported media change. */
export function describeMedia(e: ClientMedia): string {
  return 'link' in e
    ? `client media: ${e.link} — ${LINK_MEANINGS[e.link].meaning}`
    : `client media: uid ${e.remoteUid} ${e.kind} ${e.phase}`;
}

/** A client with media reports every 2 s: figures older than this are stale. */
export const MEDIA_STALE_MS = 6000;

/** The member row's media cells: publishing, the figures, the media connection. */
export function mediaCells(m: ConsoleMediaInfo | undefined, now: number) {
  if (!m) return undefined;
  const kinds = (['audio', 'video'] as const).filter((k) => m[k] !== 'off');
  const publishing = kinds.length
    ? kinds.map((k) => (m[k] === 'muted' ? `${k} (muted)` : k)).join(' + ')
    : 'nothing';
  return {
    publishing,
    rates: `↑ ${Math.round(m.txKbps)} kbps · ↓ ${Math.round(m.rxKbps)} kbps`,
    loss: `${m.txLoss} % / ${m.rxLoss} %`,
    rtt: m.rttMs !== undefined ? `${m.rttMs} ms` : '–',
    link: m.link,
    stale: now - m.at > MEDIA_STALE_MS,
  };
}
