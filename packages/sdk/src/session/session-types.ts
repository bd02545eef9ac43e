import type { Clock, WireErrorCode, WireOfflineReason, WireProfile, WireRole } from '@holdfast/protocol';
import type { MachineConfig, Notice, Reason, Status } from '../connection/types.js';
import type { DialError } from '../transport/dial-error.js';
import type { NetworkSource, TransportFactory } from '../transport/types.js';

/** What a session tells the engine that owns it. Profile-neutral. */
export interface SessionListener {
  state(status: Status, reason: Reason): void;
  notice(notice: Notice): void;
  userJoined(uid: number, elapsed: number): void;
  userOffline(uid: number, reason: WireOfflineReason): void;
  roleChanged(oldRole: WireRole, newRole: WireRole): void;
  roleChangeFailed(code: WireErrorCode, role: WireRole): void;
  tokenResult(ok: boolean, code?: WireErrorCode): void;
  /** Unix ms when the join privilege of the current token expires (after a join or a renewal). */
  tokenExpiresAt(at: number | undefined): void;
  /** A data-stream message from a remote member (in send order per sender and stream, once). */
  streamMessage(uid: number, streamId: number, data: Uint8Array, sentTs: number): void;
  /** Late (cached), lost (missed) or refused data-stream messages; `uid` is the local one for our own. */
  streamError(uid: number, streamId: number, code: number, missed: number, cached: number): void;
  /** A remote member started or stopped sending data (NERTC). */
  dataState(uid: number, enabled: boolean): void;
  /** A connection attempt failed before it opened, and why (told once per cause until one opens). */
  connectionError?(error: DialError): void;
}

export interface SessionOptions {
  appId: string;
  /** One URL, or several to move through on failure. */
  serverUrls: string[];
  clock: Clock;
  transport: TransportFactory;
  config: MachineConfig;
  network?: NetworkSource;
}

export interface JoinParams {
  channel: string;
  uid: number;
  token: string | undefined;
  role: WireRole;
  profile: WireProfile;
}

/** Connection statistics reported with onLeaveChannel. */
export interface SessionStats {
  /** Seconds in the channel. */
  duration: number;
  txBytes: number;
  rxBytes: number;
  userCount: number;
  connectTimeMs: number;
  lastRttMs: number;
}
