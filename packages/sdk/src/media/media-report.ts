import {
  MAX_REPORTED_MEDIA_EVENTS,
  type MediaKind,
  type MediaLinkState,
  type ReportedMedia,
  type ReportedMediaEvent,
  type ReportFrame,
  type TrackState,
} from '@holdfast/protocol';
import type { LinkState } from './link-machine.js';
import type { RemotePhase } from './remote-state.js';
import type { MediaReport } from './session-stats.js';

/**
 * The media connection's state for the server's console, from the monitor's machine: `none`
 * before there is a connection, `connecting` while one is set up, `fault` a fault not yet 4 s
 * old, `down` an outage told, else `up`.
 */
export function linkSummary(s: LinkState): MediaLinkState {
  if (s.phase === 'off') return 'none';
  if (s.phase === 'down') return 'down';
  if (s.detectAt !== undefined) return 'fault';
  const peers = Object.values(s.peers);
  if (peers.length === 0) return 'none';
  return peers.some((p) => p !== 'connected') ? 'connecting' : 'up';
}

/** One stats window's figures as the report frame carries them (kbit/s, %, ms). */
export function reportedMedia(
  r: MediaReport,
  link: MediaLinkState,
  sending: { audio: TrackState; video: TrackState } | undefined,
): ReportedMedia {
  const t = r.transport;
  return {
    link,
    audio: sending?.audio ?? 'off',
    video: sending?.video ?? 'off',
    txKbps: t.txKBitRate,
    rxKbps: t.rxKBitRate,
    txLoss: t.txPacketLossRate,
    rxLoss: t.rxPacketLossRate,
    ...(t.rttMs !== undefined ? { rttMs: Math.round(t.rttMs) } : {}),
  };
}

/**
 * The media side of the client's console report: the media state changes since the last report
 * (the link's, sampled every flow tick; remote tracks' phases as the remote-state machine decides
 * them), at most the latest 16, sent with the figures of each 2 s stats window.
 */
export class MediaTelemetry {
  #events: ReportedMediaEvent[] = [];
  #link: MediaLinkState | undefined;

  /** The link as of `at`: a change is an event. */
  link(at: number, state: LinkState): void {
    const now = linkSummary(state);
    if (now === this.#link) return;
    this.#link = now;
    this.#push({ at, link: now });
  }

  remote(at: number, uid: number, kind: MediaKind, phase: RemotePhase): void {
    this.#push({ at, uid, kind, phase });
  }

  /** Sends one report (the figures and the changes); the changes are dropped only once sent. */
  report(
    r: MediaReport,
    state: LinkState,
    sending: { audio: TrackState; video: TrackState } | undefined,
    send: (frame: ReportFrame) => boolean,
  ): void {
    const frame: ReportFrame = {
      type: 'report',
      states: [],
      media: reportedMedia(r, linkSummary(state), sending),
    };
    if (this.#events.length) frame.mediaEvents = this.#events;
    if (send(frame)) this.#events = [];
  }

  #push(e: ReportedMediaEvent): void {
    this.#events.push(e);
    if (this.#events.length > MAX_REPORTED_MEDIA_EVENTS) this.#events.shift();
  }
}
