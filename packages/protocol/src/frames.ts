import type { WireErrorCode } from './errors.js';
import type { ClientMediaFrame, MediaStateEvent, ServerMediaFrame } from './media/frames.js';
import type { ReportedMedia, ReportedMediaEvent } from './media/report.js';
import type { ClientStreamFrame, StreamAck, StreamRefusedFrame } from './streams/frames.js';

/** Protocol version spoken by this package. */
export const PROTOCOL_VERSION = 1;
/** Largest frame a client may send (a join carries a token of up to ~2 KB). */
export const MAX_CLIENT_FRAME_BYTES = 8 * 1024;
/** Largest frame a server may send (a join snapshot of a big communication channel). */
export const MAX_SERVER_FRAME_BYTES = 4 * 1024 * 1024;

/** Role on the wire, independent of any SDK's numbering. */
export type WireRole = 'broadcaster' | 'audience';
/** Channel profile on the wire: in `live`, only broadcasters are announced. */
export type WireProfile = 'communication' | 'live';
/** Why a remote member went away. */
export type WireOfflineReason = 'quit' | 'dropped' | 'become_audience' | 'kicked';

// ---------------------------------------------------------------- client → server

/** First frame on every connection: join a channel, or resume an existing session. */
export interface JoinFrame {
  type: 'join';
  v: number;
  appId: string;
  channel: string;
  /** 0 asks the server to assign a uid. */
  uid: number;
  token?: string;
  role: WireRole;
  profile: WireProfile;
  /**
   * Present when the client had a session and wants it back (inside the offline window). `secret`
   * is the `resumeSecret` of the session's first `joined` frame: without it a resume is refused.
   * `media`: whether the client holds media connections in the channel (a publisher or a
   * subscriber). False: the server skips the media re-offer and never sends `media_moved` (there is
   * nothing to move); absent (older clients): the server looks up the channel's media host as before.
   */
  resume?: { sessionId: string; secret: string; lastSeq: number; media?: boolean };
  /**
   * The client reads `batch` frames: the channel events of one server turn may then arrive in one
   * WebSocket message instead of one message each. Without it the server sends them one by one.
   */
  batch?: boolean;
}
/** Explicit leave: remote members see `quit` at once. */
export interface LeaveFrame {
  type: 'leave';
}
/** Client keepalive; `t` is echoed back in `pong` (RTT), `ack` is the last event seq received. */
export interface ClientPingFrame {
  type: 'ping';
  t: number;
  ack?: number;
  /** The client's last measured round-trip time, ms (shown in the console). */
  rtt?: number;
}
/** One connection state change as the client saw it (its own clock, unix ms). */
export interface ReportedState {
  at: number;
  state: 'disconnected' | 'connecting' | 'connected' | 'reconnecting' | 'failed';
  /** Profile-neutral reason name (e.g. 'interrupted', 'rejoin_success'). */
  reason: string;
}
/**
 * Client telemetry: state changes the client went through, sent once it is
 * connected again (so a console can draw what the client saw during an outage).
 */
export interface ReportFrame {
  type: 'report';
  states: ReportedState[];
  /** The client's media figures now (every 2 s in a channel with media; see media/report.ts). */
  media?: ReportedMedia;
  /** Media state changes since the previous report, oldest first (at most 16). */
  mediaEvents?: ReportedMediaEvent[];
}
export interface SetRoleFrame {
  type: 'set_role';
  id: number;
  role: WireRole;
}
export interface RenewTokenFrame {
  type: 'renew_token';
  id: number;
  token: string;
}
/** NERTC `enableLocalData`: the client starts or stops sending data (remote: onUserDataStart/Stop). */
export interface DataStateFrame {
  type: 'data_state';
  enabled: boolean;
}
export type ClientFrame =
  | JoinFrame
  | LeaveFrame
  | ClientPingFrame
  | SetRoleFrame
  | RenewTokenFrame
  | ReportFrame
  | ClientStreamFrame
  | DataStateFrame
  | ClientMediaFrame;
export type ClientFrameType = ClientFrame['type'];

// ---------------------------------------------------------------- server → client

export interface MemberInfo {
  uid: number;
}
/**
 * A data-stream message as the channel's log holds it: `uid` sent it on `streamId` (`epoch` names
 * that stream across the sender's sessions, `sseq` is its place in it); `at` is the server's time
 * when it was accepted (receivers tell late replays by it), `sentTs` the sender's.
 */
export interface StreamMessageEvent {
  kind: 'stream';
  uid: number;
  streamId: number;
  epoch: number;
  sseq: number;
  data: string;
  sentTs: number;
  at: number;
  ordered?: boolean;
}
export type ChannelEvent =
  | { kind: 'user_joined'; uid: number }
  | { kind: 'user_offline'; uid: number; reason: WireOfflineReason }
  | StreamMessageEvent
  | { kind: 'data_state'; uid: number; enabled: boolean }
  | MediaStateEvent;

export interface JoinedFrame {
  type: 'joined';
  sessionId: string;
  /**
   * On a fresh join only: the secret a `resume` of this session must present (128+ random bits,
   * sent to this client alone, never shown anywhere else). A resumed `joined` leaves it out: the
   * client keeps the one it has.
   */
  resumeSecret?: string;
  uid: number;
  channel: string;
  role: WireRole;
  /** true: the old session was resumed and missed events follow as `event` frames. */
  resumed: boolean;
  /** true: a resume was asked for but that session had already timed out; this is a fresh join. */
  sessionExpired?: boolean;
  /** Announced members other than the joiner, at the time of `seq`. */
  members: MemberInfo[];
  /**
   * On a resume: the events the client missed since its `lastSeq`, in order
   * (absent when the server no longer has all of them; the client then diffs `members`).
   */
  missed?: EventFrame[];
  /** Sequence number of the last event already reflected in `members`. */
  seq: number;
  /** How often the client should send a keepalive when it has nothing else to send. */
  keepaliveMs: number;
  /** Server-side remote offline window. */
  offlineAfterMs: number;
  /** Unix ms when the join privilege of the token expires, if a token was used. */
  tokenExpiresAt?: number;
  serverTime: number;
  /** The last seq the server accepted on each of this uid's data streams (what need not be sent again). */
  streamAcks?: StreamAck[];
}
export interface EventFrame {
  type: 'event';
  seq: number;
  event: ChannelEvent;
}
/**
 * Several channel events in one WebSocket message, in seq order: what the node had for this client
 * in one turn of its event loop (only to clients that joined with `batch: true`). The client applies
 * them as if each had arrived alone.
 */
export interface BatchFrame {
  type: 'batch';
  frames: EventFrame[];
}
/**
 * The current member list, unasked: sent after the server's shared state was
 * rebuilt (e.g. Redis restarted), when some events may have been lost, and to a
 * client that fell behind (its socket's send buffer over the server's bound, so
 * events were skipped) once it has drained and the channel's log no longer holds
 * what it skipped. The client reconciles its member list with it (joined and
 * offline callbacks for the differences only) and continues from `seq`.
 */
export interface SyncFrame {
  type: 'sync';
  members: MemberInfo[];
  seq: number;
}
/** Server keepalive: sent whenever the server has been quiet for a keepalive interval. */
export interface KeepaliveFrame {
  type: 'ka';
}
export interface PongFrame {
  type: 'pong';
  t: number;
  /** Data-stream messages accepted since the last pong (the sender may forget them). */
  acks?: StreamAck[];
  /**
   * How long the server held the ping before answering, ms (absent: 0). Pongs go out with the
   * server's next batch of writes, so the RTT is the time from ping to pong less this.
   */
  held?: number;
}
export type RoleResultFrame =
  | { type: 'role_result'; id: number; ok: true; role: WireRole }
  | { type: 'role_result'; id: number; ok: false; role: WireRole; code: WireErrorCode; message: string };
export type TokenResultFrame =
  | { type: 'token_result'; id: number; ok: true; tokenExpiresAt?: number }
  | { type: 'token_result'; id: number; ok: false; code: WireErrorCode; message: string };
/** The session is over (refused join, kick, ban, timeout…). The socket closes right after. */
export interface EndFrame {
  type: 'end';
  code: WireErrorCode;
  message: string;
}
/** Acknowledges a `leave`; the socket closes right after. */
export interface LeftFrame {
  type: 'left';
}
export type ServerFrame =
  | JoinedFrame
  | SyncFrame
  | EventFrame
  | BatchFrame
  | KeepaliveFrame
  | PongFrame
  | RoleResultFrame
  | TokenResultFrame
  | EndFrame
  | LeftFrame
  | StreamRefusedFrame
  | ServerMediaFrame;
export type ServerFrameType = ServerFrame['type'];
