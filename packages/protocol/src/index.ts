export { type Clock, systemClock, type TimerHandle } from './clock.js';
export { type DecodeResult, decodeClientFrame, decodeServerFrame, encodeFrame } from './codec.js';
export {
  ChannelProfileType,
  ClientRoleChangeFailedReason,
  ClientRoleType,
  CloudProxyType,
  ConnectionChangedReasonType,
  ConnectionStateType,
  ErrorCodeType,
  NetworkType,
  UserOfflineReasonType,
} from './enums/agora.js';
export {
  NERtcChannelProfile,
  NERtcClientRole,
  NERtcConnectionState,
  NERtcConnectionStateChangeReason,
  NERtcErrorCode,
  NERtcSessionLeaveReason,
} from './enums/nertc.js';
export {
  CLOSE_NORMAL,
  CloseCode,
  isWireErrorCode,
  ProtocolError,
  WireErrorCode,
  wireErrorFromCloseCode,
} from './errors.js';
export {
  type ChannelEvent,
  type ClientFrame,
  type ClientFrameType,
  type ClientPingFrame,
  type EndFrame,
  type EventFrame,
  type JoinedFrame,
  type JoinFrame,
  type KeepaliveFrame,
  type LeaveFrame,
  type LeftFrame,
  MAX_CLIENT_FRAME_BYTES,
  MAX_SERVER_FRAME_BYTES,
  type MemberInfo,
  type PongFrame,
  PROTOCOL_VERSION,
  type RenewTokenFrame,
  type RoleResultFrame,
  type ServerFrame,
  type ServerFrameType,
  type SetRoleFrame,
  type TokenResultFrame,
  type WireOfflineReason,
  type WireProfile,
  type WireRole,
} from './frames.js';
export { TestClock } from './test-clock.js';
export {
  type ChannelNameProblem,
  channelNameProblem,
  isHex32,
  isValidAppId,
  isValidChannelName,
  isValidUid,
  MAX_CHANNEL_NAME_BYTES,
  MAX_UID,
} from './validation.js';
