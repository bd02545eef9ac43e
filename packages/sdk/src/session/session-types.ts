import type { Clock, WireErrorCode, WireOfflineReason, WireProfile, WireRole } from '@holdfast/protocol';
import type { MachineConfig, Notice, Reason, Status } from '../connection/types.js';
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
