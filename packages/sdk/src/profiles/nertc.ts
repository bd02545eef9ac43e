import {
  NERtcErrorCode as C,
  NERtcSessionLeaveReason as Leave,
  NERtcChannelProfile,
  NERtcClientRole,
  NERtcConnectionState,
  NERtcConnectionStateChangeReason as NR,
  type WireErrorCode,
  type WireOfflineReason,
  type WireProfile,
  type WireRole,
} from '@holdfast/protocol';
import type { MachineConfig, Reason, Status } from '../connection/types.js';

/**
 * The NERTC profile: NetEase numbering for the neutral states and reasons, and NERTC's timings.
 * The connection itself (machine, session, transport) is shared with the Agora profile; only
 * what the app is told differs. Values: ../shared/API-FACTS.md §4.
 */

/**
 * NERTC defaults. Give-up: the NERTC guides say Failed after "30 s to 50 s" of reconnect attempts;
 * Holdfast picks the middle, 40 s, counted from entering Reconnecting (a silent network therefore
 * gives up 44 s after the last byte: 4 s to notice, 40 s of trying). NERTC documents no
 * "interrupted" or "lost" stage; the 4 s detection is kept because something must notice a silent
 * network, and the 10 s "lost" mark is invisible in this profile (it maps to the reason already shown).
 */
export const NERTC_TIMING: Omit<MachineConfig, 'policy'> = {
  interruptedAfterMs: 4000,
  lostAfterMs: 10_000,
  failAfterMs: 40_000,
  connectTimeoutMs: 5000,
};

export const nertcState: Record<Status, NERtcConnectionState> = {
  disconnected: NERtcConnectionState.disconnected,
  connecting: NERtcConnectionState.connecting,
  connected: NERtcConnectionState.connected,
  reconnecting: NERtcConnectionState.reconnecting,
  failed: NERtcConnectionState.failed,
};

/**
 * The NERTC reason for a non-terminal change. Every way of losing the signalling connection —
 * silence, a reset, a changed local address, the server timing the session out, a renewed key
 * restarting the attempt — is `signalDisconnected` (9): NERTC has one reason for all of them.
 * `mediaConnectionDisconnected` (8) is the media connection's: the media monitor reports it for a
 * media outage while signalling is fine (media/link-machine.ts), not through this table.
 */
export const nertcReason: Record<Reason, NR> = {
  connecting: NR.joinChannel,
  setting_proxy: NR.settingProxyServer,
  join_success: NR.joinSucceed,
  rejoin_success: NR.rejoinSucceed,
  interrupted: NR.signalDisconnected,
  lost: NR.signalDisconnected,
  keepalive_timeout: NR.signalDisconnected,
  ip_changed: NR.signalDisconnected,
  renew_token: NR.signalDisconnected,
  redispatch: NR.reDispatch,
  leave: NR.leaveChannel,
  // Terminal reasons: see nertcEnding, which also decides the state.
  banned: NR.serverKicked,
  channel_closed: NR.channelClosed,
  same_uid_login: NR.serverKicked,
  token_expired: NR.serverKicked,
  join_failed: NR.joinChannelFailed,
  invalid_app_id: NR.requestChannelFailed,
  invalid_channel_name: NR.requestChannelFailed,
  invalid_token: NR.requestChannelFailed,
  rejected: NR.requestChannelFailed,
  too_many_broadcasters: NR.requestChannelFailed,
};

/** True when the neutral change ends the session (the machine went to Failed, or refused a token). */
export function isTerminal(status: Status, reason: Reason): boolean {
  return status === 'failed' || (status === 'disconnected' && reason !== 'leave');
}

/** How a session's end is told in NERTC terms. */
export interface NERtcEnding {
  /** State changes to report, in order. */
  changes: Array<[NERtcConnectionState, NR]>;
  /**
   * Before the first successful join: the `result` of onJoinChannel. After it: the `reason`
   * of onDisconnect (the call is over).
   */
  code: number;
}

type Kind = 'kicked' | 'closed' | 'refused' | 'gave_up';
const ENDINGS: Partial<Record<Reason, { kind: Kind; beforeJoin: number; afterJoin: number }>> = {
  banned: { kind: 'kicked', beforeJoin: C.channelPermissionDenied, afterJoin: C.serverKicked },
  channel_closed: { kind: 'closed', beforeJoin: C.roomClosed, afterJoin: C.roomClosed },
  same_uid_login: {
    kind: 'kicked',
    beforeJoin: C.leaveByDuplicateUidLogin,
    afterJoin: C.leaveByDuplicateUidLogin,
  },
  // The join privilege (NERTC: the permission key) ran out and the server removed the user.
  token_expired: {
    kind: 'kicked',
    beforeJoin: C.channelPermissionKeyTimeout,
    afterJoin: C.channelPermissionKeyTimeout,
  },
  invalid_app_id: { kind: 'refused', beforeJoin: C.channelInvalidAppKey, afterJoin: C.channelInvalidAppKey },
  // The NERTC Web SDK reports a bad token as 414 ("check checksum error").
  invalid_token: {
    kind: 'refused',
    beforeJoin: C.channelInvalidParameters,
    afterJoin: C.channelInvalidParameters,
  },
  invalid_channel_name: { kind: 'refused', beforeJoin: C.invalidParam, afterJoin: C.invalidParam },
  too_many_broadcasters: {
    kind: 'refused',
    beforeJoin: C.broadcasterReachedTheLimit,
    afterJoin: C.broadcasterReachedTheLimit,
  },
  rejected: { kind: 'refused', beforeJoin: C.requestJoinRoomFail, afterJoin: C.requestJoinRoomFail },
  join_failed: { kind: 'gave_up', beforeJoin: C.connectFail, afterJoin: C.signalDisconnected },
};

const S = NERtcConnectionState;

/**
 * Maps a terminal neutral change to NERTC. Before the first successful join, the app hears
 * Failed with `requestChannelFailed` (the room could not be obtained) or `joinChannelFailed`
 * (the long connection could not be established), plus onJoinChannel(code). After it, the call
 * ends Disconnected with onDisconnect(code): `serverKicked` / `channelClosed` at once, or — when the
 * SDK gave up reconnecting, or a rejoin was refused — Failed first, then Disconnected/`timeout`,
 * the sequence the seed's example switch handles.
 */
export function nertcEnding(reason: Reason, joined: boolean): NERtcEnding {
  const e = ENDINGS[reason] ?? { kind: 'refused', beforeJoin: C.errorFatal, afterJoin: C.errorFatal };
  const failReason = e.kind === 'gave_up' ? NR.joinChannelFailed : NR.requestChannelFailed;
  if (!joined) {
    // A kick or a closed room at join time is still "could not obtain the room".
    return { changes: [[S.failed, failReason]], code: e.beforeJoin };
  }
  if (e.kind === 'kicked') return { changes: [[S.disconnected, NR.serverKicked]], code: e.afterJoin };
  if (e.kind === 'closed') return { changes: [[S.disconnected, NR.channelClosed]], code: e.afterJoin };
  return {
    changes: [
      [S.failed, failReason],
      [S.disconnected, NR.timeout],
    ],
    code: e.afterJoin,
  };
}

/**
 * Why a remote user left, NERTC native numbering (§4.4). A peer the server stops hearing from is
 * removed when its offline window times out: `kNERtcSessionLeaveTimeOut` (4). `ForFailOver` (1) and
 * `Update` (2) describe NERTC's own media failover and are never produced.
 */
export const nertcLeaveReason: Record<WireOfflineReason, number> = {
  quit: Leave.kNERtcSessionLeaveNormal,
  dropped: Leave.kNERtcSessionLeaveTimeOut,
  kicked: Leave.kNERtcSessionLeaveForKick,
  // A broadcaster who became audience leaves the announced set normally.
  become_audience: Leave.kNERtcSessionLeaveNormal,
};

export function nertcRole(role: WireRole): NERtcClientRole {
  return role === 'broadcaster' ? NERtcClientRole.broadcaster : NERtcClientRole.audience;
}
export function wireRoleFromNERtc(role: unknown): WireRole | undefined {
  if (role === NERtcClientRole.broadcaster) return 'broadcaster';
  if (role === NERtcClientRole.audience) return 'audience';
  return undefined;
}
export function wireProfileFromNERtc(profile: unknown): WireProfile | undefined {
  if (profile === NERtcChannelProfile.communication) return 'communication';
  if (profile === NERtcChannelProfile.liveBroadcasting) return 'live';
  return undefined;
}

/** onError code for a refused role switch or permission-key renewal. */
export function nertcRequestError(code: WireErrorCode, what: 'role' | 'key'): number {
  if (code === 'too_many_broadcasters') return C.broadcasterReachedTheLimit;
  if (code === 'token_expired') return C.channelPermissionKeyTimeout;
  return what === 'key' ? C.channelPermissionKeyError : C.channelPermissionDenied;
}

/**
 * NERTC reports a numeric room id (`channelId`) that its server assigns. Holdfast rooms are named,
 * so the id is a stable 32-bit FNV-1a hash of the name: every client in one room sees the same id.
 */
export function nertcChannelId(channelName: string): number {
  let h = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(channelName)) {
    h ^= byte;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}
