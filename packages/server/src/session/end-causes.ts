import type { WireErrorCode, WireOfflineReason } from '@holdfast/protocol';

/**
 * Every way a server session ends. One row each: what the client is told, what remote members
 * see, and what is undone. {@link sessionTransition} is the only place that reads this table.
 */
export type EndCause =
  /** The client sent `leave`. */
  | 'left'
  /** Nothing arrived from the client for its offline window. */
  | 'timed_out'
  /** The token's join privilege expired. */
  | 'token_expired'
  /** A kicking rule matched. */
  | 'banned'
  /** The operator closed the channel. */
  | 'channel_closed'
  /** The socket closed while a fresh join was in flight: its client never learned the session id. */
  | 'join_aborted'
  /** An engine step of a join, resume, takeover or leave failed. */
  | 'engine_failed'
  /** Another session of the same uid holds the member now (same-uid login). */
  | 'same_uid_login'
  /** Another node announced this session as dropped (its deadline passed while this node looked dead). */
  | 'orphan_claimed'
  /** The client resumed the session on another node. */
  | 'moved'
  /** This node claimed the session of a dead node and announces it as dropped. */
  | 'orphan_dropped'
  /** This node is shutting down: the session stays in the engine for another node to resume. */
  | 'shutdown'
  /** This node stops like a crashed process (tests): nothing is said or undone. */
  | 'abandoned';

/**
 * - release: this session still holds its member: delete the session, remove the member, announce.
 * - let_go: someone else holds the member now: forget the session locally, announce nothing.
 * - keep: leave the shared state for another node (shutdown).
 * - none: touch nothing (a crash).
 */
export type Cleanup = 'release' | 'let_go' | 'keep' | 'none';

export interface EndRow {
  /** Sent to the client in `end` (and as the close code); none: the client is not told (it left). */
  code?: WireErrorCode;
  message: (offlineAfterMs: number) => string;
  /** What remote members see (`user_offline` reason) when the member is removed; none: nothing. */
  offline: WireOfflineReason | 'none';
  cleanup: Cleanup;
  /** Whether the console's timeline records the end (a move or a shutdown is not an end there). */
  observed: boolean;
  /** Tell the node that held the session to let go (a claimed orphan's owner may be alive after all). */
  notifyOwner?: boolean;
}

const fixed = (text: string) => () => text;

export const END_CAUSES: Readonly<Record<EndCause, EndRow>> = {
  left: { message: fixed('left'), offline: 'quit', cleanup: 'release', observed: true },
  timed_out: {
    code: 'session_expired',
    message: (ms) => `no data from the client for ${ms} ms`,
    offline: 'dropped',
    cleanup: 'release',
    observed: true,
  },
  token_expired: {
    code: 'token_expired',
    message: fixed('the join privilege of the token expired'),
    offline: 'kicked',
    cleanup: 'release',
    observed: true,
  },
  banned: {
    code: 'banned',
    message: fixed('banned by a server rule'),
    offline: 'kicked',
    cleanup: 'release',
    observed: true,
  },
  channel_closed: {
    code: 'channel_closed',
    message: fixed('the channel was closed'),
    offline: 'kicked',
    cleanup: 'release',
    observed: true,
  },
  join_aborted: {
    code: 'session_expired',
    message: fixed('connection closed during join'),
    offline: 'dropped',
    cleanup: 'release',
    observed: true,
  },
  engine_failed: {
    code: 'internal_error',
    message: fixed('the server could not reach its shared state; join again'),
    offline: 'dropped',
    cleanup: 'release',
    observed: true,
  },
  same_uid_login: {
    code: 'same_uid_login',
    message: fixed('the same uid joined this channel from another device'),
    offline: 'none',
    cleanup: 'let_go',
    observed: true,
  },
  orphan_claimed: {
    code: 'session_expired',
    message: fixed('the session timed out'),
    offline: 'dropped',
    cleanup: 'let_go',
    observed: true,
  },
  moved: {
    code: 'replaced',
    message: fixed('session resumed on another node'),
    offline: 'none',
    cleanup: 'let_go',
    observed: false,
  },
  orphan_dropped: {
    message: fixed('the session timed out'),
    offline: 'dropped',
    cleanup: 'release',
    observed: false,
    notifyOwner: true,
  },
  shutdown: {
    code: 'server_shutdown',
    message: fixed('server is shutting down'),
    offline: 'none',
    cleanup: 'keep',
    observed: false,
  },
  abandoned: { message: fixed(''), offline: 'none', cleanup: 'none', observed: false },
};

/** The wire code of an end that another node asked for on the bus. */
export const BUS_END_CAUSE = {
  same_uid_login: 'same_uid_login',
  session_expired: 'orphan_claimed',
} as const satisfies Record<string, EndCause>;
