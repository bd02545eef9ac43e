export {
  ChannelProfileType,
  ClientRoleChangeFailedReason,
  ClientRoleType,
  type Clock,
  CloudProxyType,
  ConnectionChangedReasonType,
  ConnectionStateType,
  ErrorCodeType,
  NERtcChannelProfile,
  NERtcClientRole,
  NERtcConnectionState,
  NERtcConnectionStateChangeReason,
  NERtcErrorCode,
  NERtcSessionLeaveReason,
  systemClock,
  UserOfflineReasonType,
} from '@holdfast/protocol';
export { type BackoffOptions, DEFAULT_TIMING, exponentialBackoff } from './connection/policy.js';
export type { ReconnectPolicy, RetryContext } from './connection/types.js';
export { createNERtcEngine } from './engine/nertc-engine.js';
export type {
  NERtcChannelEventCallback,
  NERtcCreateContext,
  NERtcEngine,
  NERtcJoinChannelOptions,
  NERtcOptions,
} from './engine/nertc-types.js';
export { createRtcEngine } from './engine/rtc-engine.js';
export type {
  ChannelMediaOptions,
  ClientRoleOptions,
  EngineTiming,
  IRtcEngine,
  IRtcEngineEventHandler,
  RtcConnection,
  RtcEngineContext,
  RtcStats,
} from './engine/types.js';
export { NERTC_TIMING, nertcChannelId } from './profiles/nertc.js';
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
