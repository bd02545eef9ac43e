import type { WireErrorCode } from '@holdfast/protocol';

/** The five channel connection states (numbered 1–5 in both profiles). */
export type Status = 'disconnected' | 'connecting' | 'connected' | 'reconnecting' | 'failed';

/**
 * Profile-neutral reason for a state change. Each profile maps these to its
 * own numbers (Agora `ConnectionChangedReasonType`, NERTC reasons).
 */
export type Reason =
  | 'connecting'
  | 'join_success'
  | 'interrupted'
  | 'lost'
  | 'banned'
  | 'channel_closed'
  | 'join_failed'
  | 'leave'
  | 'invalid_app_id'
  | 'invalid_channel_name'
  | 'invalid_token'
  | 'token_expired'
  | 'rejected'
  | 'setting_proxy'
  | 'renew_token'
  | 'ip_changed'
  | 'keepalive_timeout'
  | 'rejoin_success'
  /** The server asked the client to reconnect elsewhere (it is shutting down or moving the session). */
  | 'redispatch'
  | 'same_uid_login'
  | 'too_many_broadcasters';

/** Connection state: a discriminated union, never an enum plus booleans. */
export type ConnState =
  | { status: 'disconnected'; reason: Reason | 'initial' }
  | {
      status: 'connecting' | 'reconnecting';
      reason: Reason;
      /** When the join started (connecting) or the connection broke (reconnecting). */
      since: number;
      /** Failed attempts so far. */
      attempt: number;
      /** A transport attempt is in flight (false while waiting out a backoff). */
      attempting: boolean;
    }
  | { status: 'connected'; reason: Reason; since: number; lastDataAt: number }
  | { status: 'failed'; reason: Reason };

export type TimerName = 'interrupt' | 'lost' | 'fail' | 'retry' | 'attempt';

/** Inputs to the machine. */
export type ConnEvent =
  /** `viaProxy`: the join goes through a proxy set with setCloudProxy (reason `setting_proxy`). */
  | { type: 'join'; viaProxy?: boolean }
  | { type: 'leave' }
  | { type: 'transport_open' }
  /** The transport closed or failed. `code` is set when the server said why (close code or `end`). */
  | { type: 'transport_closed'; code?: WireErrorCode }
  | { type: 'joined'; resumed: boolean; sessionExpired: boolean }
  /** The server ended or refused the session with a reason. */
  | { type: 'end'; code: WireErrorCode }
  /** Any frame arrived from the server. */
  | { type: 'data' }
  | { type: 'timer'; timer: TimerName }
  /** The local IP address / network interface changed. */
  | { type: 'network_changed' }
  /** The network came back (browser `online`): retry at once. */
  | { type: 'network_online' }
  | { type: 'renew_token' }
  | { type: 'set_proxy' };

/** Things a callback user is told, besides state changes. */
export type Notice =
  | { type: 'join_success'; elapsed: number }
  | { type: 'rejoin_success'; elapsed: number }
  | { type: 'connection_lost' }
  | { type: 'connection_interrupted' }
  | { type: 'left' }
  | { type: 'banned' }
  | { type: 'request_token' }
  /** `message`: the server's own words when it gave some (e.g. which token check failed). */
  | { type: 'error'; code: WireErrorCode; message?: string };

/** Outputs of the machine: data that a thin driver executes. */
export type Effect =
  | { type: 'state'; status: Status; reason: Reason }
  | { type: 'notify'; notice: Notice }
  /** Open a new transport (the driver closes any current one first). */
  | { type: 'open' }
  | { type: 'close' }
  /** Send the join (or resume) frame on the open transport. */
  | { type: 'send_join' }
  | { type: 'send_leave' }
  /** Drop the resumable session: the next join is a fresh one. */
  | { type: 'forget_session' }
  | { type: 'arm'; timer: TimerName; at: number }
  /** Flush every timer of the state being left, the pinger included. */
  | { type: 'cancel_all' }
  /**
   * Run `effects` once the events that this transition's callbacks queued have run, and only if
   * the state is then still `status`: a leaveChannel called from onJoinChannelSuccess wins over
   * the post-join work.
   */
  | { type: 'when_settled'; status: Status; effects: Effect[] }
  /** Post-join: reconcile the remote members with the joined frame (replaying what was missed on a resume). */
  | { type: 'sync_members'; resumed: boolean }
  /** Post-join: send a keepalive every `keepaliveMs` the server asked for. */
  | { type: 'start_pinger' }
  /** Post-join: tell the engine when the token's join privilege expires. */
  | { type: 'watch_token' }
  /** Post-join: a role chosen while reconnecting is asked of the server now that it is back. */
  | { type: 'restore_role' };

/** Everything timing-related, with the seed's numbers as defaults. */
export interface MachineConfig {
  /** Connected → (Reconnecting, Interrupted) after this long without data. Default 4000. */
  interruptedAfterMs: number;
  /** (Reconnecting, Lost) this long after entering Reconnecting. Default 10000. */
  lostAfterMs: number;
  /** (Failed, JoinFailed) this long after entering Connecting/Reconnecting. Default 1_200_000. */
  failAfterMs: number;
  /** A transport attempt (connect + join handshake) is abandoned after this long. Default 5000. */
  connectTimeoutMs: number;
  policy: ReconnectPolicy;
}

export interface RetryContext {
  /** 1 for the first retry after a failed attempt. */
  attempt: number;
  /** Time since the connection started connecting or broke. */
  elapsedMs: number;
  reason: Reason;
}

/** Decides how long to wait before the next attempt; `null` gives up (Failed, JoinFailed). */
export interface ReconnectPolicy {
  nextDelayMs(ctx: RetryContext): number | null;
}
