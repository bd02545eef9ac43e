import {
  ChannelProfileType,
  ClientRoleType,
  ConnectionStateType,
  ErrorCodeType,
  ConnectionChangedReasonType as R,
  UserOfflineReasonType,
  type WireErrorCode,
  type WireOfflineReason,
  type WireProfile,
  type WireRole,
} from '@holdfast/protocol';
import type { Reason, Status } from '../connection/types.js';

/** The Agora numbering of the neutral states, reasons, roles and codes. */
export const agoraState: Record<Status, ConnectionStateType> = {
  disconnected: ConnectionStateType.ConnectionStateDisconnected,
  connecting: ConnectionStateType.ConnectionStateConnecting,
  connected: ConnectionStateType.ConnectionStateConnected,
  reconnecting: ConnectionStateType.ConnectionStateReconnecting,
  failed: ConnectionStateType.ConnectionStateFailed,
};

export const agoraReason: Record<Reason, R> = {
  connecting: R.ConnectionChangedConnecting,
  join_success: R.ConnectionChangedJoinSuccess,
  interrupted: R.ConnectionChangedInterrupted,
  lost: R.ConnectionChangedLost,
  banned: R.ConnectionChangedBannedByServer,
  // Agora has no "channel closed" reason: closing a channel bans its members.
  channel_closed: R.ConnectionChangedBannedByServer,
  join_failed: R.ConnectionChangedJoinFailed,
  leave: R.ConnectionChangedLeaveChannel,
  invalid_app_id: R.ConnectionChangedInvalidAppId,
  invalid_channel_name: R.ConnectionChangedInvalidChannelName,
  invalid_token: R.ConnectionChangedInvalidToken,
  token_expired: R.ConnectionChangedTokenExpired,
  rejected: R.ConnectionChangedRejectedByServer,
  setting_proxy: R.ConnectionChangedSettingProxyServer,
  renew_token: R.ConnectionChangedRenewToken,
  ip_changed: R.ConnectionChangedClientIpAddressChanged,
  keepalive_timeout: R.ConnectionChangedKeepAliveTimeout,
  rejoin_success: R.ConnectionChangedRejoinSuccess,
  // Agora has no "server moved" reason: the connection to this server was interrupted.
  redispatch: R.ConnectionChangedInterrupted,
  same_uid_login: R.ConnectionChangedSameUidLogin,
  too_many_broadcasters: R.ConnectionChangedTooManyBroadcasters,
};

export const agoraOfflineReason: Record<WireOfflineReason, UserOfflineReasonType> = {
  quit: UserOfflineReasonType.UserOfflineQuit,
  dropped: UserOfflineReasonType.UserOfflineDropped,
  become_audience: UserOfflineReasonType.UserOfflineBecomeAudience,
  // Agora has no "kicked" offline reason; a kicked user stops sending, as a drop does.
  kicked: UserOfflineReasonType.UserOfflineDropped,
};

export function agoraRole(role: WireRole): ClientRoleType {
  return role === 'broadcaster' ? ClientRoleType.ClientRoleBroadcaster : ClientRoleType.ClientRoleAudience;
}
export function wireRoleFromAgora(role: number): WireRole | undefined {
  if (role === ClientRoleType.ClientRoleBroadcaster) return 'broadcaster';
  if (role === ClientRoleType.ClientRoleAudience) return 'audience';
  return undefined;
}
export function wireProfileFromAgora(profile: number): WireProfile | undefined {
  if (profile === ChannelProfileType.ChannelProfileCommunication) return 'communication';
  if (profile === ChannelProfileType.ChannelProfileLiveBroadcasting) return 'live';
  return undefined;
}

/** The `ErrorCodeType` reported through onError for a server-given code. */
export function agoraErrorCode(code: WireErrorCode): ErrorCodeType {
  switch (code) {
    case 'invalid_app_id':
      return ErrorCodeType.ErrInvalidAppId;
    case 'invalid_channel_name':
      return ErrorCodeType.ErrInvalidChannelName;
    case 'invalid_token':
      return ErrorCodeType.ErrInvalidToken;
    case 'token_expired':
      return ErrorCodeType.ErrTokenExpired;
    case 'invalid_uid':
      return ErrorCodeType.ErrInvalidUserId;
    case 'banned':
    case 'channel_closed':
      return ErrorCodeType.ErrClientIsBannedByServer;
    case 'same_uid_login':
      return ErrorCodeType.ErrLoginAlreadyLogin;
    case 'rejected':
    case 'unexpected_frame':
      return ErrorCodeType.ErrJoinChannelRejected;
    case 'too_many_broadcasters':
      return ErrorCodeType.ErrResourceLimited;
    default:
      return ErrorCodeType.ErrFailed;
  }
}
