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

// ---------------------------------------------------------------- media (MEDIA-FACTS §C, RN AgoraBase.ts / AgoraMediaBase.ts)

/** `RemoteAudioState` (RN AgoraBase.ts L2734). */
export const RemoteAudioState = {
  RemoteAudioStateStopped: 0,
  RemoteAudioStateStarting: 1,
  RemoteAudioStateDecoding: 2,
  RemoteAudioStateFrozen: 3,
  RemoteAudioStateFailed: 4,
} as const;
export type RemoteAudioState = (typeof RemoteAudioState)[keyof typeof RemoteAudioState];

/** `RemoteAudioStateReason` (RN AgoraBase.ts L2760). */
export const RemoteAudioStateReason = {
  RemoteAudioReasonInternal: 0,
  RemoteAudioReasonNetworkCongestion: 1,
  RemoteAudioReasonNetworkRecovery: 2,
  RemoteAudioReasonLocalMuted: 3,
  RemoteAudioReasonLocalUnmuted: 4,
  RemoteAudioReasonRemoteMuted: 5,
  RemoteAudioReasonRemoteUnmuted: 6,
  RemoteAudioReasonRemoteOffline: 7,
  RemoteAudioReasonNoPacketReceive: 8,
  RemoteAudioReasonLocalPlayFailed: 9,
} as const;
export type RemoteAudioStateReason = (typeof RemoteAudioStateReason)[keyof typeof RemoteAudioStateReason];

/** `RemoteVideoState` (RN AgoraBase.ts L2806). */
export const RemoteVideoState = {
  RemoteVideoStateStopped: 0,
  RemoteVideoStateStarting: 1,
  RemoteVideoStateDecoding: 2,
  RemoteVideoStateFrozen: 3,
  RemoteVideoStateFailed: 4,
} as const;
export type RemoteVideoState = (typeof RemoteVideoState)[keyof typeof RemoteVideoState];

/** `RemoteVideoStateReason` (RN AgoraBase.ts L2832). */
export const RemoteVideoStateReason = {
  RemoteVideoStateReasonInternal: 0,
  RemoteVideoStateReasonNetworkCongestion: 1,
  RemoteVideoStateReasonNetworkRecovery: 2,
  RemoteVideoStateReasonLocalMuted: 3,
  RemoteVideoStateReasonLocalUnmuted: 4,
  RemoteVideoStateReasonRemoteMuted: 5,
  RemoteVideoStateReasonRemoteUnmuted: 6,
  RemoteVideoStateReasonRemoteOffline: 7,
  RemoteVideoStateReasonAudioFallback: 8,
  RemoteVideoStateReasonAudioFallbackRecovery: 9,
  RemoteVideoStateReasonVideoStreamTypeChangeToLow: 10,
  RemoteVideoStateReasonVideoStreamTypeChangeToHigh: 11,
  RemoteVideoStateReasonSdkInBackground: 12,
  RemoteVideoStateReasonCodecNotSupport: 13,
} as const;
export type RemoteVideoStateReason = (typeof RemoteVideoStateReason)[keyof typeof RemoteVideoStateReason];

/** `LocalAudioStreamState` (RN AgoraBase.ts L2484). */
export const LocalAudioStreamState = {
  LocalAudioStreamStateStopped: 0,
  LocalAudioStreamStateRecording: 1,
  LocalAudioStreamStateEncoding: 2,
  LocalAudioStreamStateFailed: 3,
} as const;
export type LocalAudioStreamState = (typeof LocalAudioStreamState)[keyof typeof LocalAudioStreamState];

/** `LocalAudioStreamReason` (RN AgoraBase.ts L2506; `LocalAudioStreamError` before v4.3.0). */
export const LocalAudioStreamReason = {
  LocalAudioStreamReasonOk: 0,
  LocalAudioStreamReasonFailure: 1,
  LocalAudioStreamReasonDeviceNoPermission: 2,
  LocalAudioStreamReasonDeviceBusy: 3,
  LocalAudioStreamReasonRecordFailure: 4,
  LocalAudioStreamReasonEncodeFailure: 5,
  LocalAudioStreamReasonNoRecordingDevice: 6,
  LocalAudioStreamReasonNoPlayoutDevice: 7,
  LocalAudioStreamReasonInterrupted: 8,
  LocalAudioStreamReasonRecordInvalidId: 9,
  LocalAudioStreamReasonPlayoutInvalidId: 10,
} as const;
export type LocalAudioStreamReason = (typeof LocalAudioStreamReason)[keyof typeof LocalAudioStreamReason];

/** `LocalVideoStreamState` (RN AgoraBase.ts L2556). */
export const LocalVideoStreamState = {
  LocalVideoStreamStateStopped: 0,
  LocalVideoStreamStateCapturing: 1,
  LocalVideoStreamStateEncoding: 2,
  LocalVideoStreamStateFailed: 3,
} as const;
export type LocalVideoStreamState = (typeof LocalVideoStreamState)[keyof typeof LocalVideoStreamState];

/**
 * `LocalVideoStreamReason` (RN AgoraBase.ts L2602; `LocalVideoStreamError` before v4.3.0). The
 * ScreenCapture* values (11–13, 20–34, all `@ignore` in RN) are left out: MEDIA-FACTS lists no names.
 */
export const LocalVideoStreamReason = {
  LocalVideoStreamReasonOk: 0,
  LocalVideoStreamReasonFailure: 1,
  LocalVideoStreamReasonDeviceNoPermission: 2,
  LocalVideoStreamReasonDeviceBusy: 3,
  LocalVideoStreamReasonCaptureFailure: 4,
  LocalVideoStreamReasonCodecNotSupport: 5,
  LocalVideoStreamReasonCaptureInbackground: 6,
  LocalVideoStreamReasonCaptureMultipleForegroundApps: 7,
  LocalVideoStreamReasonDeviceNotFound: 8,
  LocalVideoStreamReasonDeviceDisconnected: 9,
  LocalVideoStreamReasonDeviceInvalidId: 10,
  LocalVideoStreamReasonDeviceInterrupt: 14,
  LocalVideoStreamReasonDeviceFatalError: 15,
  LocalVideoStreamReasonDeviceSystemPressure: 101,
} as const;
export type LocalVideoStreamReason = (typeof LocalVideoStreamReason)[keyof typeof LocalVideoStreamReason];

/** `QualityType` (RN AgoraBase.ts L622): network quality in onNetworkQuality and the stats. */
export const QualityType = {
  QualityUnknown: 0,
  QualityExcellent: 1,
  QualityGood: 2,
  QualityPoor: 3,
  QualityBad: 4,
  QualityVbad: 5,
  QualityDown: 6,
  QualityUnsupported: 7,
  QualityDetecting: 8,
} as const;
export type QualityType = (typeof QualityType)[keyof typeof QualityType];

/** `RenderModeType` (RN AgoraMediaBase.ts L465): Hidden crops to fill the view, Fit letterboxes. */
export const RenderModeType = {
  RenderModeHidden: 1,
  RenderModeFit: 2,
  RenderModeAdaptive: 3,
} as const;
export type RenderModeType = (typeof RenderModeType)[keyof typeof RenderModeType];

/** `VideoMirrorModeType` (RN AgoraBase.ts L1349). */
export const VideoMirrorModeType = {
  VideoMirrorModeAuto: 0,
  VideoMirrorModeEnabled: 1,
  VideoMirrorModeDisabled: 2,
} as const;
export type VideoMirrorModeType = (typeof VideoMirrorModeType)[keyof typeof VideoMirrorModeType];

/** `VideoSourceType` (RN AgoraMediaBase.ts L29). */
export const VideoSourceType = {
  VideoSourceCameraPrimary: 0,
  VideoSourceCameraSecondary: 1,
  VideoSourceScreenPrimary: 2,
  VideoSourceScreenSecondary: 3,
  VideoSourceCustom: 4,
  VideoSourceMediaPlayer: 5,
  VideoSourceRtcImagePng: 6,
  VideoSourceRtcImageJpeg: 7,
  VideoSourceRtcImageGif: 8,
  VideoSourceRemote: 9,
  VideoSourceTranscoded: 10,
  VideoSourceCameraThird: 11,
  VideoSourceCameraFourth: 12,
  VideoSourceScreenThird: 13,
  VideoSourceScreenFourth: 14,
  VideoSourceSpeechDriven: 15,
  VideoSourceUnknown: 100,
} as const;
export type VideoSourceType = (typeof VideoSourceType)[keyof typeof VideoSourceType];
