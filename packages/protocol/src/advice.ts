/**
 * The troubleshooting table: what every connection-state reason means and what to do about it,
 * in English, from the seed's "状态说明及排障指导" (state description and troubleshooting) table and,
 * for the reasons it leaves out, the upstream API doc comments (docs/API-FACTS.md §1.2).
 * The CLI (`holdfast join`) and the web console both read it from here, so the advice a person
 * gets is the same wherever they look.
 */
import { ConnectionChangedReasonType, ConnectionStateType, UserOfflineReasonType } from './enums/agora.js';
import type { ReportedState, WireOfflineReason } from './frames.js';

/** The five state names as the seed writes them. */
export type ConnectionStateName = 'Disconnected' | 'Connecting' | 'Connected' | 'Reconnecting' | 'Failed';

export const CONNECTION_STATE_NAMES: Record<ConnectionStateType, ConnectionStateName> = {
  [ConnectionStateType.ConnectionStateDisconnected]: 'Disconnected',
  [ConnectionStateType.ConnectionStateConnecting]: 'Connecting',
  [ConnectionStateType.ConnectionStateConnected]: 'Connected',
  [ConnectionStateType.ConnectionStateReconnecting]: 'Reconnecting',
  [ConnectionStateType.ConnectionStateFailed]: 'Failed',
};

/**
 * The SDK timings the advice quotes. The seed's are the defaults; a client started with other
 * timings (`holdfast join --fail-after-ms 3000`) gets advice that quotes its own.
 */
export interface AdviceTimings {
  /** Connected → (Reconnecting, Interrupted) after this long without data. */
  interruptedAfterMs: number;
  /** (Reconnecting, Lost) this long after Interrupted. */
  lostAfterMs: number;
  /** (Failed, JoinFailed) this long after the trying began. */
  failAfterMs: number;
}

export const SEED_ADVICE_TIMINGS: Readonly<AdviceTimings> = {
  interruptedAfterMs: 4000,
  lostAfterMs: 10_000,
  failAfterMs: 1_200_000,
};

/** A span as the advice writes it: `4 s`, `1.5 s`, `90 s`, `20 minutes`, `1 minute`. */
export function spanText(ms: number): string {
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000} minute${ms === 60_000 ? '' : 's'}`;
  const s = ms / 1000;
  return `${Number.isInteger(s) || s >= 10 ? Math.round(s) : s.toFixed(1)} s`;
}

/** Fills `{interrupted}`, `{lost}` and `{fail}` with the spans of `t`. */
function fill(text: string, t: AdviceTimings): string {
  return text
    .replaceAll('{interrupted}', spanText(t.interruptedAfterMs))
    .replaceAll('{lost}', spanText(t.lostAfterMs))
    .replaceAll('{fail}', spanText(t.failAfterMs));
}

const STATE_MEANINGS: Record<ConnectionStateName, string> = {
  Disconnected: 'Not in a channel: before joinChannel, or after leaveChannel.',
  Connecting: 'Joining: the moment after joinChannel.',
  Connected: 'In the channel; remote users see this user.',
  Reconnecting:
    'The connection broke and the SDK is rejoining by itself. After {lost} without success it reports Lost ' +
    'and keeps trying.',
  Failed:
    'The SDK has stopped trying ({fail} without success, or the server refused). Call leaveChannel, then ' +
    'joinChannel again.',
};

/** What each state means, quoting `timings` (the seed's by default). */
export function connectionStateMeanings(
  timings: AdviceTimings = SEED_ADVICE_TIMINGS,
): Record<ConnectionStateName, string> {
  const out = {} as Record<ConnectionStateName, string>;
  for (const [name, text] of Object.entries(STATE_MEANINGS))
    out[name as ConnectionStateName] = fill(text, timings);
  return out;
}

/** What one state means (the seed's "连接状态" table), with the seed's timings. */
export const CONNECTION_STATE_MEANINGS: Record<ConnectionStateName, string> = connectionStateMeanings();

export interface ReasonAdvice {
  reason: ConnectionChangedReasonType;
  /** The seed's short name, e.g. `Interrupted` (the enum member without `ConnectionChanged`). */
  name: string;
  /** The state the seed's table lists this reason under; undefined where it lists none. */
  state: ConnectionStateName | undefined;
  /** What happened. */
  meaning: string;
  /** What to do about it. */
  advice: string;
}

const WAIT = 'Wait for the SDK to reconnect to the server; nothing to do unless it lasts.';
const UNUSED = 'Not used by Holdfast; kept so that every upstream reason number has an entry.';

// [state, meaning, advice] per reason. Every reason 0–24 must be here: the Record type checks it.
const TABLE: Record<ConnectionChangedReasonType, [ConnectionStateName | undefined, string, string]> = {
  0: ['Connecting', 'The app is trying to join the channel.', 'Wait for Connected.'],
  1: ['Connected', 'The app joined the channel.', 'Nothing: the user is in the channel.'],
  2: [
    'Reconnecting',
    'The connection was interrupted: no data from the server for {interrupted}, or the socket broke. The SDK ' +
      'reconnects by itself and the state keeps changing until it is back.',
    'Wait: the SDK rejoins automatically. If it lasts, check the network path to the server.',
  ],
  3: [
    'Failed',
    'The user was banned by the server (kicked out by a kicking rule, or the channel was closed).',
    'Find out why the user was banned; call leaveChannel, and join again once the ban ends.',
  ],
  4: [
    'Failed',
    'The SDK kept trying to join for {fail} without success and stopped retrying.',
    'Call leaveChannel to leave the current channel, then joinChannel to join again.',
  ],
  5: ['Disconnected', 'The user left the channel.', 'Nothing: the app called leaveChannel.'],
  6: ['Failed', 'The App ID is not valid on this server.', 'Join the channel with a valid App ID.'],
  7: [
    'Failed',
    'The channel name is not valid (at most 64 bytes of letters, digits, space and the allowed symbols).',
    'Join with a valid channel name.',
  ],
  8: [
    'Disconnected',
    'The token is not valid: none while the app has a certificate, a uid that does not match the token, ' +
      'or a wrong token.',
    'Join the channel with a valid token.',
  ],
  9: [
    'Failed',
    'The token expired.',
    'Get a new token from your app server, then call joinChannel to join the channel.',
  ],
  10: [
    'Failed',
    'The server rejected the join: the app called joinChannel while already in the channel, or called ' +
      'startEchoTest without stopEchoTest.',
    'Do not call joinChannel while in a channel; stop the echo test first.',
  ],
  11: ['Reconnecting', 'Reconnecting because a proxy server was set.', WAIT],
  12: [
    'Reconnecting',
    'The token was renewed and the app is rejoining the channel.',
    'Wait for Connected; nothing to do.',
  ],
  13: ['Reconnecting', "The client's IP address changed (for example Wi-Fi to cellular).", WAIT],
  14: [
    'Reconnecting',
    'The keep-alive between the SDK and the server timed out: the server ended the session after its ' +
      'offline window, so remote users saw this user drop. The SDK reconnects by itself.',
    `${WAIT} Remote users will see the user join again.`,
  ],
  15: ['Connected', 'The app rejoined the channel after an interruption.', 'Nothing: the user is back.'],
  16: [
    'Reconnecting',
    'The connection to the server is lost: still nothing {lost} after it was interrupted. The SDK keeps trying.',
    WAIT,
  ],
  17: [undefined, 'The state changed because of the echo test.', 'Stop the echo test to join a channel.'],
  18: [undefined, 'The user changed the local IP address.', WAIT],
  19: [
    'Failed',
    'Another device joined the same channel with the same uid; this one was replaced.',
    'Give every device its own uid, or join again to take the uid back.',
  ],
  20: [
    'Failed',
    'The channel already has the most broadcasters it allows.',
    'Join as audience, or try again once a broadcaster leaves.',
  ],
  21: [undefined, 'License validation failed (upstream, ignored).', UNUSED],
  22: [undefined, 'Certificate verification failed (upstream, ignored).', UNUSED],
  23: [undefined, 'The stream channel is not available (upstream, ignored).', UNUSED],
  24: [undefined, 'The App ID is not consistent (upstream, ignored).', UNUSED],
};

const PREFIX = 'ConnectionChanged';
const NAMES = new Map<number, string>(
  Object.entries(ConnectionChangedReasonType).map(([key, value]) => [value, key.slice(PREFIX.length)]),
);

/** Every reason 0–24 with its name, state, meaning and advice, quoting `timings` (the seed's by default). */
export function connectionReasonAdvice(
  timings: AdviceTimings = SEED_ADVICE_TIMINGS,
): readonly ReasonAdvice[] {
  return Object.values(ConnectionChangedReasonType)
    .sort((a, b) => a - b)
    .map((reason) => {
      const [state, meaning, advice] = TABLE[reason];
      return {
        reason,
        name: NAMES.get(reason)!,
        state,
        meaning: fill(meaning, timings),
        advice: fill(advice, timings),
      };
    });
}

/** Every reason 0–24 with its name, state, meaning and advice, with the seed's timings. */
export const CONNECTION_REASON_ADVICE: readonly ReasonAdvice[] = connectionReasonAdvice();

/**
 * The advice for an Agora reason number; undefined for a number outside 0–24. With `timings`, the
 * spans it quotes are those (a client configured to fail after 3 s is not told "20 minutes").
 */
export function reasonAdvice(reason: number, timings?: AdviceTimings): ReasonAdvice | undefined {
  const table = timings ? connectionReasonAdvice(timings) : CONNECTION_REASON_ADVICE;
  return table[reason]?.reason === reason ? table[reason] : undefined;
}

/**
 * The Agora reason for each profile-neutral reason name a client reports in its `report` frames
 * (`ReportedState.reason`), so the console can name and explain what a client went through.
 */
export const REPORTED_REASON_TO_AGORA: Readonly<Record<string, ConnectionChangedReasonType>> = {
  connecting: ConnectionChangedReasonType.ConnectionChangedConnecting,
  join_success: ConnectionChangedReasonType.ConnectionChangedJoinSuccess,
  interrupted: ConnectionChangedReasonType.ConnectionChangedInterrupted,
  lost: ConnectionChangedReasonType.ConnectionChangedLost,
  banned: ConnectionChangedReasonType.ConnectionChangedBannedByServer,
  // Agora has no "channel closed" reason: closing a channel bans its members.
  channel_closed: ConnectionChangedReasonType.ConnectionChangedBannedByServer,
  join_failed: ConnectionChangedReasonType.ConnectionChangedJoinFailed,
  leave: ConnectionChangedReasonType.ConnectionChangedLeaveChannel,
  invalid_app_id: ConnectionChangedReasonType.ConnectionChangedInvalidAppId,
  invalid_channel_name: ConnectionChangedReasonType.ConnectionChangedInvalidChannelName,
  invalid_token: ConnectionChangedReasonType.ConnectionChangedInvalidToken,
  token_expired: ConnectionChangedReasonType.ConnectionChangedTokenExpired,
  rejected: ConnectionChangedReasonType.ConnectionChangedRejectedByServer,
  setting_proxy: ConnectionChangedReasonType.ConnectionChangedSettingProxyServer,
  renew_token: ConnectionChangedReasonType.ConnectionChangedRenewToken,
  ip_changed: ConnectionChangedReasonType.ConnectionChangedClientIpAddressChanged,
  keepalive_timeout: ConnectionChangedReasonType.ConnectionChangedKeepAliveTimeout,
  rejoin_success: ConnectionChangedReasonType.ConnectionChangedRejoinSuccess,
  same_uid_login: ConnectionChangedReasonType.ConnectionChangedSameUidLogin,
  too_many_broadcasters: ConnectionChangedReasonType.ConnectionChangedTooManyBroadcasters,
};

/** The state name for a reported (wire) state. */
export const REPORTED_STATE_NAMES: Record<ReportedState['state'], ConnectionStateName> = {
  disconnected: 'Disconnected',
  connecting: 'Connecting',
  connected: 'Connected',
  reconnecting: 'Reconnecting',
  failed: 'Failed',
};

export interface OfflineAdvice {
  /** Agora `UserOfflineReasonType` a remote user receives in onUserOffline. */
  reason: UserOfflineReasonType;
  /** `Quit`, `Dropped`, `BecomeAudience` (the enum member without `UserOffline`). */
  name: string;
  meaning: string;
}

/** What remote users saw when a member went away, per wire offline reason. */
export const OFFLINE_ADVICE: Record<WireOfflineReason, OfflineAdvice> = {
  quit: {
    reason: UserOfflineReasonType.UserOfflineQuit,
    name: 'Quit',
    meaning: 'The user left the channel.',
  },
  dropped: {
    reason: UserOfflineReasonType.UserOfflineDropped,
    name: 'Dropped',
    meaning:
      'No data from the user for the offline window (20 s by default): its network went away, or the app ' +
      'stopped without leaving. If it comes back it joins again.',
  },
  become_audience: {
    reason: UserOfflineReasonType.UserOfflineBecomeAudience,
    name: 'BecomeAudience',
    meaning: 'The broadcaster switched to audience (live broadcasting announces broadcasters only).',
  },
  kicked: {
    // Agora has no "kicked" offline reason: a removed user stops sending, as a dropped one does.
    reason: UserOfflineReasonType.UserOfflineDropped,
    name: 'Dropped',
    meaning: 'The server removed the user (ban, kicking rule, closed channel or the same uid elsewhere).',
  },
};

const OFFLINE_NAMES = new Map<number, string>(
  Object.entries(UserOfflineReasonType).map(([key, value]) => [value, key.slice('UserOffline'.length)]),
);

/** `Quit`, `Dropped` or `BecomeAudience` for an Agora offline reason number. */
export function offlineReasonName(reason: number): string {
  return OFFLINE_NAMES.get(reason) ?? `Unknown`;
}
