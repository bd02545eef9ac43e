/**
 * NetEase NERTC numbering (NEDOC headers, Android `NERtcConstants`, Flutter dartdoc).
 * Values are copied from ../shared/API-FACTS.md §4.
 */

/** Room connection state. Same numbers as Agora's; `unknown` (0) exists on iOS only. */
export const NERtcConnectionState = {
  unknown: 0,
  disconnected: 1,
  connecting: 2,
  connected: 3,
  reconnecting: 4,
  failed: 5,
} as const;
export type NERtcConnectionState = (typeof NERtcConnectionState)[keyof typeof NERtcConnectionState];

/** `NERtcConnectionStateChangeReason` (Flutter names). */
export const NERtcConnectionStateChangeReason = {
  leaveChannel: 1,
  channelClosed: 2,
  serverKicked: 3,
  timeout: 4,
  joinChannel: 5,
  joinSucceed: 6,
  rejoinSucceed: 7,
  /** Reserved for the media connection, which Holdfast does not carry yet. */
  mediaConnectionDisconnected: 8,
  signalDisconnected: 9,
  requestChannelFailed: 10,
  joinChannelFailed: 11,
  reDispatch: 12,
  settingProxyServer: 13,
} as const;
export type NERtcConnectionStateChangeReason =
  (typeof NERtcConnectionStateChangeReason)[keyof typeof NERtcConnectionStateChangeReason];

/** `NERtcSessionLeaveReason` (native numbering; the Web SDK numbers differ). */
export const NERtcSessionLeaveReason = {
  kNERtcSessionLeaveNormal: 0,
  kNERtcSessionLeaveForFailOver: 1,
  kNERtcSessionLeaveUpdate: 2,
  kNERtcSessionLeaveForKick: 3,
  kNERtcSessionLeaveTimeOut: 4,
} as const;
export type NERtcSessionLeaveReason = (typeof NERtcSessionLeaveReason)[keyof typeof NERtcSessionLeaveReason];

/** `NERtcClientRole`: broadcaster 0, audience 1 (Agora uses 1 and 2). */
export const NERtcClientRole = { broadcaster: 0, audience: 1 } as const;
export type NERtcClientRole = (typeof NERtcClientRole)[keyof typeof NERtcClientRole];

/** `NERtcChannelProfile`. */
export const NERtcChannelProfile = { communication: 0, liveBroadcasting: 1 } as const;
export type NERtcChannelProfile = (typeof NERtcChannelProfile)[keyof typeof NERtcChannelProfile];

/** NERTC error codes relevant to joining and connections (Flutter names). */
export const NERtcErrorCode = {
  ok: 0,
  channelPermissionDenied: 403,
  channelRequestTimeOut: 408,
  channelInvalidParameters: 414,
  channelInvalidAppKey: 417,
  channelUnknownError: 500,
  channelOnlySupportTwoUsers: 600,
  channelPermissionKeyError: 901,
  channelPermissionKeyTimeout: 902,
  broadcasterReachedTheLimit: 4001,
  personsInRoomReachedTheLimit: 4003,
  errorFatal: 30001,
  invalidParam: 30003,
  invalidState: 30005,
  connectFail: 30015,
  roomAlreadyJoined: 30100,
  roomNotJoined: 30101,
  roomRepeatedlyLeave: 30102,
  requestJoinRoomFail: 30103,
  invalidUserId: 30106,
  switchChannelInvalidState: 30109,
  userPermKeyAuthFailed: 30121,
  mediaConnectionDisconnected: 30204,
  signalDisconnected: 30205,
  serverKicked: 30206,
  roomClosed: 30207,
  leaveChannelForSwitch: 30208,
  leaveByDuplicateUidLogin: 30209,
} as const;
export type NERtcErrorCode = (typeof NERtcErrorCode)[keyof typeof NERtcErrorCode];

/**
 * `NERtcNetworkStatus` (MEDIA-FACTS §E.2: Flutter dartdoc; C++ `NERtcNetworkQualityType`): the
 * quality in onNetworkQuality. NERTC has no 7 (Unsupported) or 8 (Detecting), unlike Agora.
 */
export const NERtcNetworkStatus = {
  unknown: 0,
  excellent: 1,
  good: 2,
  poor: 3,
  bad: 4,
  veryBad: 5,
  down: 6,
} as const;
export type NERtcNetworkStatus = (typeof NERtcNetworkStatus)[keyof typeof NERtcNetworkStatus];
