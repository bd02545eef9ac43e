/**
 * Agora RTC NG numbering (react-native-agora 4.6.4 `AgoraBase.ts`, identical in the
 * Electron SDK and Flutter 6.x). Values are copied from ../shared/API-FACTS.md §1.
 */

/** `ConnectionStateType`: the five channel connection states. */
export const ConnectionStateType = {
  ConnectionStateDisconnected: 1,
  ConnectionStateConnecting: 2,
  ConnectionStateConnected: 3,
  ConnectionStateReconnecting: 4,
  ConnectionStateFailed: 5,
} as const;
export type ConnectionStateType = (typeof ConnectionStateType)[keyof typeof ConnectionStateType];

/** `ConnectionChangedReasonType`: why the connection state changed (complete list, 0–24). */
export const ConnectionChangedReasonType = {
  ConnectionChangedConnecting: 0,
  ConnectionChangedJoinSuccess: 1,
  ConnectionChangedInterrupted: 2,
  ConnectionChangedBannedByServer: 3,
  ConnectionChangedJoinFailed: 4,
  ConnectionChangedLeaveChannel: 5,
  ConnectionChangedInvalidAppId: 6,
  ConnectionChangedInvalidChannelName: 7,
  ConnectionChangedInvalidToken: 8,
  ConnectionChangedTokenExpired: 9,
  ConnectionChangedRejectedByServer: 10,
  ConnectionChangedSettingProxyServer: 11,
  ConnectionChangedRenewToken: 12,
  ConnectionChangedClientIpAddressChanged: 13,
  ConnectionChangedKeepAliveTimeout: 14,
  ConnectionChangedRejoinSuccess: 15,
  ConnectionChangedLost: 16,
  ConnectionChangedEchoTest: 17,
  ConnectionChangedClientIpAddressChangedByUser: 18,
  ConnectionChangedSameUidLogin: 19,
  ConnectionChangedTooManyBroadcasters: 20,
  ConnectionChangedLicenseValidationFailure: 21,
  /** The "Veryfy" spelling is in the upstream source. */
  ConnectionChangedCertificationVeryfyFailure: 22,
  ConnectionChangedStreamChannelNotAvailable: 23,
  ConnectionChangedInconsistentAppid: 24,
} as const;
export type ConnectionChangedReasonType =
  (typeof ConnectionChangedReasonType)[keyof typeof ConnectionChangedReasonType];

/** `UserOfflineReasonType`: why a remote user left. */
export const UserOfflineReasonType = {
  UserOfflineQuit: 0,
  /** No data from the user for the offline window (20 s), or a missed leave message. */
  UserOfflineDropped: 1,
  UserOfflineBecomeAudience: 2,
} as const;
export type UserOfflineReasonType = (typeof UserOfflineReasonType)[keyof typeof UserOfflineReasonType];

/** `ClientRoleType` (Agora: broadcaster 1, audience 2; NERTC differs). */
export const ClientRoleType = {
  ClientRoleBroadcaster: 1,
  ClientRoleAudience: 2,
} as const;
export type ClientRoleType = (typeof ClientRoleType)[keyof typeof ClientRoleType];

/** `ChannelProfileType`. Game(2) and CloudGaming(3) are deprecated upstream. */
export const ChannelProfileType = {
  ChannelProfileCommunication: 0,
  ChannelProfileLiveBroadcasting: 1,
  ChannelProfileGame: 2,
  ChannelProfileCloudGaming: 3,
  ChannelProfileCommunication1v1: 4,
} as const;
export type ChannelProfileType = (typeof ChannelProfileType)[keyof typeof ChannelProfileType];

/** `ClientRoleChangeFailedReason`. */
export const ClientRoleChangeFailedReason = {
  ClientRoleChangeFailedTooManyBroadcasters: 1,
  ClientRoleChangeFailedNotAuthorized: 2,
  ClientRoleChangeFailedRequestTimeOut: 3,
  ClientRoleChangeFailedConnectionFailed: 4,
} as const;
export type ClientRoleChangeFailedReason =
  (typeof ClientRoleChangeFailedReason)[keyof typeof ClientRoleChangeFailedReason];

/** `CloudProxyType`. */
export const CloudProxyType = {
  NoneProxy: 0,
  UdpProxy: 1,
  TcpProxy: 2,
} as const;
export type CloudProxyType = (typeof CloudProxyType)[keyof typeof CloudProxyType];

/**
 * `ErrorCodeType`: the entries that matter for joining and connections.
 * Methods return them negated (joinChannel returns -17 when already joined).
 */
export const ErrorCodeType = {
  ErrOk: 0,
  ErrFailed: 1,
  ErrInvalidArgument: 2,
  ErrNotReady: 3,
  ErrRefused: 5,
  ErrNotInitialized: 7,
  ErrInvalidState: 8,
  ErrTimedout: 10,
  ErrTooOften: 12,
  ErrJoinChannelRejected: 17,
  ErrLeaveChannelRejected: 18,
  ErrAlreadyInUse: 19,
  ErrResourceLimited: 22,
  ErrInvalidAppId: 101,
  ErrInvalidChannelName: 102,
  ErrNoServerResources: 103,
  ErrTokenExpired: 109,
  ErrInvalidToken: 110,
  ErrConnectionInterrupted: 111,
  ErrConnectionLost: 112,
  ErrNotInChannel: 113,
  ErrSizeTooLarge: 114,
  ErrBitrateLimit: 115,
  ErrTooManyDataStreams: 116,
  ErrStreamMessageTimeout: 117,
  ErrSetClientRoleNotAuthorized: 119,
  ErrInvalidUserId: 121,
  ErrClientIsBannedByServer: 123,
  ErrInvalidUserAccount: 134,
  ErrLoginAlreadyLogin: 428,
} as const;
export type ErrorCodeType = (typeof ErrorCodeType)[keyof typeof ErrorCodeType];

/** `NetworkType`. */
export const NetworkType = {
  NetworkTypeUnknown: -1,
  NetworkTypeDisconnected: 0,
  NetworkTypeLan: 1,
  NetworkTypeWifi: 2,
  NetworkTypeMobile2g: 3,
  NetworkTypeMobile3g: 4,
  NetworkTypeMobile4g: 5,
  NetworkTypeMobile5g: 6,
} as const;
export type NetworkType = (typeof NetworkType)[keyof typeof NetworkType];
