import type {
  MediaKind,
  MediaStateEvent,
  MediaSubscribeFrame,
  ServerMediaFrame,
  TrackState,
} from '@holdfast/protocol';
import type { MediaStreamTrack, RTCPeerConnection, RTCRtpReceiver, RTCRtpTransceiver } from 'werift';
import type { VideoCodec } from './config.js';
import type { KeyframeGate } from './keyframe-gate.js';
import type { Serial } from './peer.js';
import type { RtpWatchdog } from './rtp-watchdog.js';

/** A remote track's key in a room: whose, and which kind. */
export const key = (uid: number, kind: MediaKind): string => `${uid}:${kind}`;

/** A track a member publishes, as the server receives it. */
export interface Published {
  kind: MediaKind;
  track: MediaStreamTrack;
  receiver: RTCRtpReceiver;
  ssrc: number;
  /** A video track's codec as negotiated (the first of its answer), undefined for another codec or audio. */
  codec?: VideoCodec;
  stop: () => void;
  watchdog: RtpWatchdog;
}

export interface SubTrack {
  uid: number;
  kind: MediaKind;
  transceiver: RTCRtpTransceiver;
  /** Forwarding on (not paused by the subscriber, and its answer arrived). */
  live: boolean;
  paused: boolean;
  /** The codec the track is offered in (its publisher's), for a video track. */
  codec?: VideoCodec;
  /** A VP8 or H.264 track: shut until its first keyframe is forwarded (keyframe-gate.ts). */
  gate?: KeyframeGate;
}

export interface Subscriber {
  pc: RTCPeerConnection;
  version: number;
  /** The offer `version` sent and not yet answered (0: none), and that offer (sent again on a resume). */
  awaiting: number;
  lastOffer?: ServerMediaFrame;

  /** An offer is being made (between the decision and `awaiting`): one negotiation at a time. */
  busy: boolean;
  dirty: boolean;
  tracks: Map<string, SubTrack>;
  /** Whose track each transceiver carries now (its PLIs go to that publisher). */
  carries: Map<RTCRtpTransceiver, number>;
  serial: Serial;
}

export interface Member {
  uid: number;
  prefs: MediaSubscribeFrame | undefined;
  state: { audio: TrackState; video: TrackState };
  pub?: { pc: RTCPeerConnection; tracks: Map<MediaKind, Published>; serial: Serial };
  sub?: Subscriber;
}

/** What the room needs of the node: time, a way to reach a member, and the channel's event log. */
export interface RoomPorts {
  now(): number;
  /** The server's clock's timers (the echo test's delay line). */
  later(fn: () => void, ms: number): void;
  /** Sends a media frame to the member's attached connection (dropped while it has none). */
  send(uid: number, frame: ServerMediaFrame): void;
  /** Publishes a member's media state to the whole channel (through the engine, in order). */
  publishState(event: MediaStateEvent): void;
  warn(msg: string, err?: unknown): void;
}
