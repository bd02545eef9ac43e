/**
 * Media signalling on the existing Holdfast connection (issue 14). Two peer connections per
 * client, as LiveKit does: the client's *publisher* PC (the client offers its tracks, the server
 * answers) and its *subscriber* PC (the server offers the channel's tracks, the client answers).
 * SDPs carry their ICE candidates (no trickle: host candidates on the server are known at once,
 * and the client waits for gathering to complete, which takes milliseconds on a LAN/loopback).
 */

export type MediaKind = 'audio' | 'video';
/**
 * A member's track as others see it: `off` not published (never, or disabled: Agora
 * enableLocalVideo(false) / NERTC enableLocalVideo(false)), `muted` published and muted
 * (muteLocalVideoStream(true)), `on` flowing.
 */
export type TrackState = 'on' | 'muted' | 'off';

// ---------------------------------------------------------------- client → server

/** An offer of the client's publisher PC (its first or a renegotiation). Broadcasters only. */
export interface MediaPublishFrame {
  type: 'media_publish';
  sdp: string;
}
/** What the client publishes, as its remote members should see it (mute / enable changes). */
export interface MediaStateFrame {
  type: 'media_state';
  audio: TrackState;
  video: TrackState;
}
/**
 * The client wants the channel's media (or changes what it wants): `audio` / `video` are the
 * auto-subscribe defaults (Agora autoSubscribeAudio/Video, NERTC: audio yes, video no); `paused`
 * lists remote tracks it does not want forwarded (muteRemoteVideoStream(uid, true) …).
 */
export interface MediaSubscribeFrame {
  type: 'media_subscribe';
  audio: boolean;
  video: boolean;
  paused?: Array<{ uid: number; kind: MediaKind }>;
  /** Remote tracks wanted even though `audio`/`video` is false (NERTC subscribeRemoteVideoStream). */
  wanted?: Array<{ uid: number; kind: MediaKind }>;
  /**
   * Echo test (Agora startEchoTest): the client's own published tracks come back to it after
   * `delayMs` (2,000–10,000), in its subscriber connection like a remote member's.
   */
  echo?: { delayMs: number };
}
/** The answer of the client's subscriber PC to the server's offer `version`. */
export interface MediaAnswerFrame {
  type: 'media_answer';
  version: number;
  sdp: string;
}
/**
 * An offer on the client's *subscriber* connection, made by the client to repair its media path:
 * an ICE restart (`createOffer({ iceRestart: true })`) when the connection went disconnected or
 * failed. The server answers with `media_sub_answer`. (A server-made ICE restart left werift's
 * transport silent in trials here; werift answering a client's restart works, as on the
 * publisher connection.) Sent only while no server offer is unanswered.
 */
export interface MediaSubOfferFrame {
  type: 'media_sub_offer';
  sdp: string;
}
/**
 * The client gives up on its media connections (a repair that an ICE restart did not fix): the
 * server closes both and forgets this client's media, as if it had left; the client then
 * publishes and subscribes again on new connections. Remote members see its tracks stop and start.
 */
export interface MediaResetFrame {
  type: 'media_reset';
}
/** The client stops publishing (left media, became audience): its tracks are removed everywhere. */
export interface MediaUnpublishFrame {
  type: 'media_unpublish';
}

export type ClientMediaFrame =
  | MediaPublishFrame
  | MediaStateFrame
  | MediaSubscribeFrame
  | MediaAnswerFrame
  | MediaSubOfferFrame
  | MediaResetFrame
  | MediaUnpublishFrame;

// ---------------------------------------------------------------- server → client

/** The server's answer to a `media_publish` offer. */
export interface MediaPublishAnswerFrame {
  type: 'media_publish_answer';
  sdp: string;
}
/** One remote track in the subscriber PC: which transceiver (mid) carries whose what. */
export interface MediaTrackInfo {
  mid: string;
  uid: number;
  kind: MediaKind;
  state: TrackState;
}
/** An offer for the client's subscriber PC: every remote track it receives, by mid. */
export interface MediaOfferFrame {
  type: 'media_offer';
  version: number;
  sdp: string;
  tracks: MediaTrackInfo[];
}
/** The server's answer to a `media_sub_offer`. */
export interface MediaSubAnswerFrame {
  type: 'media_sub_answer';
  sdp: string;
}
/**
 * Sent in reply to a client's first `media_subscribe`: what every other member publishes now, so a
 * client that does not subscribe to a kind (NERTC video by default) still knows who has it on.
 * Later changes come as `media` channel events.
 */
export interface MediaSnapshotFrame {
  type: 'media_snapshot';
  members: Array<{ uid: number; audio: TrackState; video: TrackState }>;
}
/** `busy`: a server offer is awaiting the client's answer; answer it, then repair. */
export type MediaErrorCode = 'not_broadcaster' | 'bad_sdp' | 'media_unavailable' | 'busy';
/** A media request the server could not carry out, and why. The signalling session is unaffected. */
export interface MediaErrorFrame {
  type: 'media_error';
  code: MediaErrorCode;
  message: string;
}

/**
 * The channel's media moved to another server node (its host died or gave it up): the client's
 * media connections are gone. It opens new ones (publishes and subscribes again) at once; remote
 * members see its tracks recover, not stop. The signalling session is unaffected.
 */
export interface MediaMovedFrame {
  type: 'media_moved';
}

export type ServerMediaFrame =
  | MediaPublishAnswerFrame
  | MediaMovedFrame
  | MediaOfferFrame
  | MediaSubAnswerFrame
  | MediaSnapshotFrame
  | MediaErrorFrame;

/** The channel event that tells members of a change in a member's published media. */
export interface MediaStateEvent {
  kind: 'media';
  uid: number;
  audio: TrackState;
  video: TrackState;
}

/** Largest SDP accepted from a client (a two-track offer is ~4–6 KB in Chromium). */
export const MAX_SDP_BYTES = 16 * 1024;

/** Agora's echo-test interval bounds (intervalInSeconds 2..10), in ms. */
export const MIN_ECHO_DELAY_MS = 2000;
export const MAX_ECHO_DELAY_MS = 10_000;
