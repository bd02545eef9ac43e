/**
 * Wire-level reason codes. Every refusal or server-side end of a session carries
 * one of these stable strings plus a human sentence; each SDK profile maps them
 * to its own numbering (Agora reasons, NERTC reasons and error codes).
 */
export const WireErrorCode = {
  /** Frame was not valid JSON or did not match any frame shape. */
  MalformedFrame: 'malformed_frame',
  /** Valid JSON with a `type` this server does not know. */
  UnknownFrameType: 'unknown_frame_type',
  /** Frame larger than the negotiated limit. */
  FrameTooLarge: 'frame_too_large',
  /** A frame that is not allowed in the connection's current phase (e.g. a second join). */
  UnexpectedFrame: 'unexpected_frame',
  /** Protocol version not supported. */
  UnsupportedVersion: 'unsupported_version',
  InvalidAppId: 'invalid_app_id',
  InvalidChannelName: 'invalid_channel_name',
  InvalidUid: 'invalid_uid',
  InvalidToken: 'invalid_token',
  TokenExpired: 'token_expired',
  /** Kicked or banned by a server-side rule. */
  Banned: 'banned',
  /** The channel was closed by the operator. */
  ChannelClosed: 'channel_closed',
  /** The join was refused (e.g. a resume of a session that belongs to someone else). */
  Rejected: 'rejected',
  /** Another device joined the same channel with the same uid; this session ends. */
  SameUidLogin: 'same_uid_login',
  /** The server ended the session because nothing arrived for the offline window. */
  SessionExpired: 'session_expired',
  TooManyBroadcasters: 'too_many_broadcasters',
  /** Too many frames in too short a time. */
  RateLimited: 'rate_limited',
  /** The session was taken over by a newer transport (a resume on another socket). */
  Replaced: 'replaced',
  /** The server is shutting down; reconnect elsewhere. */
  ServerShutdown: 'server_shutdown',
  Internal: 'internal_error',
} as const;
export type WireErrorCode = (typeof WireErrorCode)[keyof typeof WireErrorCode];

const WIRE_CODES = new Set<string>(Object.values(WireErrorCode));
export function isWireErrorCode(value: unknown): value is WireErrorCode {
  return typeof value === 'string' && WIRE_CODES.has(value);
}

/**
 * WebSocket close codes (4000–4999 is the application range). The close code
 * carries the reason even when the `end` frame was lost.
 */
export const CloseCode: Record<WireErrorCode, number> = {
  malformed_frame: 4400,
  unknown_frame_type: 4401,
  frame_too_large: 4413,
  unexpected_frame: 4409,
  unsupported_version: 4426,
  invalid_app_id: 4101,
  invalid_channel_name: 4102,
  invalid_uid: 4121,
  invalid_token: 4110,
  token_expired: 4109,
  banned: 4123,
  channel_closed: 4207,
  rejected: 4017,
  same_uid_login: 4209,
  session_expired: 4408,
  too_many_broadcasters: 4020,
  rate_limited: 4429,
  replaced: 4001,
  server_shutdown: 4503,
  internal_error: 4500,
};

const BY_CLOSE_CODE = new Map<number, WireErrorCode>(
  Object.entries(CloseCode).map(([k, v]) => [v, k as WireErrorCode]),
);
export function wireErrorFromCloseCode(code: number): WireErrorCode | undefined {
  return BY_CLOSE_CODE.get(code);
}

/** Normal closure after an explicit leave. */
export const CLOSE_NORMAL = 1000;
