import { isValidUid } from '../validation.js';
import type { MediaKind, TrackState } from './frames.js';

/**
 * The client's media figures for the console (issue 14 item 7), carried by the `report` frame
 * every 2 s while the client is in a channel with media: what it publishes, its send and receive
 * bitrates and losses, the media RTT and its media connection's state, plus the media state
 * changes since the previous report (the console's timeline markers).
 */

/**
 * The media connection as the client's monitor sees it (link-machine.ts): `none` no connection
 * yet, `connecting` one is being set up, `up` flowing, `fault` a fault shorter than the 4 s
 * outage rule, `down` an outage told (the SDK reports Reconnecting and repairs).
 */
export type MediaLinkState = 'none' | 'connecting' | 'up' | 'fault' | 'down';
/** A remote track as this client receives it (Agora RemoteVideoState / RemoteAudioState). */
export type RemoteTrackPhase = 'stopped' | 'starting' | 'decoding' | 'frozen' | 'failed';

export interface ReportedMedia {
  link: MediaLinkState;
  /** What it publishes, as remote members see it. */
  audio: TrackState;
  video: TrackState;
  /** kbit/s sent and received over the last window (2 s). */
  txKbps: number;
  rxKbps: number;
  /** % of packets lost: of what it sends (the server's RTCP reports), of what it receives. */
  txLoss: number;
  rxLoss: number;
  /** Round-trip time to the server's media endpoint, ms (absent until measured). */
  rttMs?: number;
}

/** A media state change, on the client's clock (unix ms): its link, or a remote track's phase. */
export type ReportedMediaEvent =
  | { at: number; link: MediaLinkState }
  | { at: number; uid: number; kind: MediaKind; phase: RemoteTrackPhase };

/** Most media state changes one report carries (the SDK keeps the latest). */
export const MAX_REPORTED_MEDIA_EVENTS = 16;
/** Bounds of the figures: anything beyond is not a measurement. */
const MAX_KBPS = 10_000_000;
const MAX_RTT_MS = 600_000;

const LINKS = new Set<string>(['none', 'connecting', 'up', 'fault', 'down']);
const PHASES = new Set<string>(['stopped', 'starting', 'decoding', 'frozen', 'failed']);
const TRACK = new Set<string>(['on', 'muted', 'off']);

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const inRange = (v: unknown, max: number): v is number =>
  typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= max;

export type MediaReportRead =
  | { ok: true; media: ReportedMedia | undefined; events: ReportedMediaEvent[] }
  | { ok: false; problem: string };

/**
 * Reads a report's `media` and `mediaEvents` (both optional): a copy of the known fields only, or
 * the first thing wrong with them, for the codec's typed refusal (malformed_frame).
 */
export function readMediaReport(media: unknown, events: unknown): MediaReportRead {
  let out: ReportedMedia | undefined;
  if (media !== undefined) {
    if (!isObj(media)) return { ok: false, problem: 'report.media must be an object' };
    const m = media;
    if (!LINKS.has(m.link as string))
      return { ok: false, problem: 'report.media.link must be none, connecting, up, fault or down' };
    if (!TRACK.has(m.audio as string) || !TRACK.has(m.video as string))
      return { ok: false, problem: 'report.media.audio and .video must be on, muted or off' };
    if (!inRange(m.txKbps, MAX_KBPS) || !inRange(m.rxKbps, MAX_KBPS))
      return { ok: false, problem: `report.media.txKbps and .rxKbps must be numbers in 0..${MAX_KBPS}` };
    if (!inRange(m.txLoss, 100) || !inRange(m.rxLoss, 100))
      return { ok: false, problem: 'report.media.txLoss and .rxLoss must be percentages (0..100)' };
    if (m.rttMs !== undefined && !inRange(m.rttMs, MAX_RTT_MS))
      return { ok: false, problem: `report.media.rttMs must be a number in 0..${MAX_RTT_MS}` };
    out = {
      link: m.link as MediaLinkState,
      audio: m.audio as TrackState,
      video: m.video as TrackState,
      txKbps: m.txKbps,
      rxKbps: m.rxKbps,
      txLoss: m.txLoss,
      rxLoss: m.rxLoss,
      ...(m.rttMs !== undefined ? { rttMs: m.rttMs } : {}),
    };
  }
  const list: ReportedMediaEvent[] = [];
  if (events !== undefined) {
    if (!Array.isArray(events) || events.length > MAX_REPORTED_MEDIA_EVENTS)
      return {
        ok: false,
        problem: `report.mediaEvents must be a list of at most ${MAX_REPORTED_MEDIA_EVENTS}`,
      };
    for (const e of events) {
      if (!isObj(e) || typeof e.at !== 'number' || !Number.isFinite(e.at))
        return { ok: false, problem: 'report.mediaEvents entries must have a time `at`' };
      if ('link' in e) {
        if (!LINKS.has(e.link as string))
          return { ok: false, problem: 'report.mediaEvents link is not a link state' };
        list.push({ at: e.at, link: e.link as MediaLinkState });
      } else {
        if (
          !isValidUid(e.uid) ||
          (e.kind !== 'audio' && e.kind !== 'video') ||
          !PHASES.has(e.phase as string)
        )
          return {
            ok: false,
            problem: 'report.mediaEvents entries must be { at, link } or { at, uid, kind, phase }',
          };
        list.push({ at: e.at, uid: e.uid as number, kind: e.kind, phase: e.phase as RemoteTrackPhase });
      }
    }
  }
  return { ok: true, media: out, events: list };
}
