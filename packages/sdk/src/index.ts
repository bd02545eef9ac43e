export {
  ChannelProfileType,
  ClientRoleChangeFailedReason,
  ClientRoleType,
  type Clock,
  CloudProxyType,
  ConnectionChangedReasonType,
  ConnectionStateType,
  ErrorCodeType,
  LocalAudioStreamReason,
  LocalAudioStreamState,
  LocalVideoStreamReason,
  LocalVideoStreamState,
  NERtcChannelProfile,
  NERtcClientRole,
  NERtcConnectionState,
  NERtcConnectionStateChangeReason,
  NERtcErrorCode,
  NERtcNetworkStatus,
  NERtcSessionLeaveReason,
  QualityType,
  RemoteAudioState,
  RemoteAudioStateReason,
  RemoteVideoState,
  RemoteVideoStateReason,
  RenderModeType,
  systemClock,
  UserOfflineReasonType,
  VideoMirrorModeType,
  VideoSourceType,
} from '@holdfast/protocol';
export { type BackoffOptions, DEFAULT_TIMING, exponentialBackoff } from './connection/policy.js';
export type { ReconnectPolicy, RetryContext } from './connection/types.js';
export { createNERtcEngine } from './engine/nertc-engine.js';
export type {
  NERtcChannelEventCallback,
  NERtcCreateContext,
  NERtcEngine,
  NERtcJoinChannelOptions,
  NERtcNetworkQualityInfo,
  NERtcOptions,
} from './engine/nertc-types.js';
export { createRtcEngine } from './engine/rtc-engine.js';
export type {
  AudioVolumeInfo,
  ChannelMediaOptions,
  ClientRoleOptions,
  EchoTestConfiguration,
  EngineTiming,
  IRtcEngine,
  IRtcEngineEventHandler,
  RemoteAudioStats,
  RemoteVideoStats,
  RtcConnection,
  RtcEngineContext,
  RtcStats,
  VideoCanvas,
} from './engine/types.js';
export type { MediaDevicesLike } from './media/devices.js';
export type { MediaOptions } from './media/options.js';
export type { PeerConstructor, PeerLike, TrackLike } from './media/peer.js';
export type { AudioSink } from './media/playout.js';
export { NERTC_TIMING, nertcChannelId } from './profiles/nertc.js';
export { classifyDialError, type DialError, type DialErrorKind } from './transport/dial-error.js';
export {
  type InterfacesFn,
  type InterfaceWatchOptions,
  interfaceWatchSource,
} from './transport/node-network.js';
export {
  setDefaultNetworkSource,
  setDefaultProxyTransport,
  setDefaultWebSocket,
} from './transport/platform.js';
export type {
  NetworkChange,
  NetworkSource,
  NodeWebSocketConstructor,
  ProxyTransportFactory,
  Transport,
  TransportFactory,
  TransportHandlers,
  WebSocketConstructor,
  WebSocketLike,
} from './transport/types.js';
export { webSocketTransport } from './transport/websocket.js';
