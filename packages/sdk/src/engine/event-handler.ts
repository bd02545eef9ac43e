import type {
  ClientRoleChangeFailedReason,
  ClientRoleType,
  ConnectionChangedReasonType,
  ConnectionStateType,
  ErrorCodeType,
  LocalAudioStreamReason,
  LocalAudioStreamState,
  LocalVideoStreamReason,
  LocalVideoStreamState,
  QualityType,
  RemoteAudioState,
  RemoteAudioStateReason,
  RemoteVideoState,
  RemoteVideoStateReason,
  UserOfflineReasonType,
  VideoSourceType,
} from '@holdfast/protocol';
import type { ClientRoleOptions, RtcConnection } from './connection-types.js';
import type { AudioVolumeInfo, RemoteAudioStats, RemoteVideoStats, RtcStats } from './media-types.js';

/**
 * Callbacks, Agora NG shape. Every member is optional. Handlers run synchronously
 * from the engine; an exception thrown by a handler is caught and never breaks the engine.
 */
export interface IRtcEngineEventHandler {
  /** The connection state changed; `reason` says why. The main state signal. */
  onConnectionStateChanged?(
    connection: RtcConnection,
    state: ConnectionStateType,
    reason: ConnectionChangedReasonType,
  ): void;
  /** Joined; `elapsed` = ms since joinChannel. */
  onJoinChannelSuccess?(connection: RtcConnection, elapsed: number): void;
  /** Rejoined after an interruption; `elapsed` = ms since the connection broke. */
  onRejoinChannelSuccess?(connection: RtcConnection, elapsed: number): void;
  onLeaveChannel?(connection: RtcConnection, stats: RtcStats): void;
  /** No connection to the server 10 s after it broke (or after joinChannel). */
  onConnectionLost?(connection: RtcConnection): void;
  /** @deprecated upstream; use onConnectionStateChanged. Fires 4 s after data stopped. */
  onConnectionInterrupted?(connection: RtcConnection): void;
  /** @deprecated upstream; use onConnectionStateChanged. Banned or kicked by the server. */
  onConnectionBanned?(connection: RtcConnection): void;
  /** A remote user joined (communication: everyone; live broadcasting: broadcasters only). */
  onUserJoined?(connection: RtcConnection, remoteUid: number, elapsed: number): void;
  onUserOffline?(connection: RtcConnection, remoteUid: number, reason: UserOfflineReasonType): void;
  onTokenPrivilegeWillExpire?(connection: RtcConnection, token: string): void;
  onRequestToken?(connection: RtcConnection): void;
  onError?(err: ErrorCodeType, msg: string): void;
  onClientRoleChanged?(
    connection: RtcConnection,
    oldRole: ClientRoleType,
    newRole: ClientRoleType,
    newRoleOptions: ClientRoleOptions,
  ): void;
  onClientRoleChangeFailed?(
    connection: RtcConnection,
    reason: ClientRoleChangeFailedReason,
    currentRole: ClientRoleType,
  ): void;
  /**
   * A data-stream message from `remoteUid`: in send order per sender and stream, exactly once,
   * also across reconnects. `sentTs` is the sender's unix ms when it called sendStreamMessage.
   */
  onStreamMessage?(
    connection: RtcConnection,
    remoteUid: number,
    streamId: number,
    data: Uint8Array,
    length: number,
    sentTs: number,
  ): void;
  /**
   * Data-stream messages that are late or lost. `code` 117 (ErrStreamMessageTimeout): `cached`
   * messages more than 5 s late follow this call; `missed` were lost for good. For the local uid,
   * the engine's own messages that were not sent (`missed`), with the code of the refusal.
   */
  onStreamMessageError?(
    connection: RtcConnection,
    remoteUid: number,
    streamId: number,
    code: ErrorCodeType,
    missed: number,
    cached: number,
  ): void;
  /** `remoteUid` muted (true) or unmuted its audio (muteLocalAudioStream). */
  onUserMuteAudio?(connection: RtcConnection, remoteUid: number, muted: boolean): void;
  /** `remoteUid` muted (true) or unmuted its video (muteLocalVideoStream). */
  onUserMuteVideo?(connection: RtcConnection, remoteUid: number, muted: boolean): void;
  /** `remoteUid` turned its video on or off (enableLocalVideo / enableVideo, disableVideo). */
  onUserEnableVideo?(connection: RtcConnection, remoteUid: number, enabled: boolean): void;
  /**
   * A remote user's audio changed state: Stopped (with RemoteMuted, LocalMuted, RemoteOffline),
   * Starting, Decoding (Internal, RemoteUnmuted, LocalUnmuted, NetworkRecovery), Frozen
   * (NetworkCongestion: no packet for 600 ms), Failed. `elapsed`: ms since joinChannel.
   */
  onRemoteAudioStateChanged?(
    connection: RtcConnection,
    remoteUid: number,
    state: RemoteAudioState,
    reason: RemoteAudioStateReason,
    elapsed: number,
  ): void;
  /** A remote user's video changed state; as onRemoteAudioStateChanged, frozen = no frame decoded for 600 ms. */
  onRemoteVideoStateChanged?(
    connection: RtcConnection,
    remoteUid: number,
    state: RemoteVideoState,
    reason: RemoteVideoStateReason,
    elapsed: number,
  ): void;
  /** The microphone: Stopped, Recording (captured), Encoding (sent), Failed with a reason. */
  onLocalAudioStateChanged?(
    connection: RtcConnection,
    state: LocalAudioStreamState,
    reason: LocalAudioStreamReason,
  ): void;
  /** The camera: Stopped, Capturing, Encoding (sent), Failed with a reason. No connection argument (as Agora). */
  onLocalVideoStateChanged?(
    source: VideoSourceType,
    state: LocalVideoStreamState,
    reason: LocalVideoStreamReason,
  ): void;
  /** The first video frame of `remoteUid` was decoded (again after it went offline or disabled video). */
  onFirstRemoteVideoDecoded?(
    connection: RtcConnection,
    remoteUid: number,
    width: number,
    height: number,
    elapsed: number,
  ): void;
  /** The first video frame of `remoteUid` was drawn in its view (setupRemoteVideo). */
  onFirstRemoteVideoFrame?(
    connection: RtcConnection,
    remoteUid: number,
    width: number,
    height: number,
    elapsed: number,
  ): void;
  /** The camera's first frame; `elapsed` from joinChannel, or from startPreview when that came first. */
  onFirstLocalVideoFrame?(source: VideoSourceType, width: number, height: number, elapsed: number): void;
  /** Every 2 s in a channel: `remoteUid` 0 is this client (tx: what it sends, rx: what it receives). */
  onNetworkQuality?(
    connection: RtcConnection,
    remoteUid: number,
    txQuality: QualityType,
    rxQuality: QualityType,
  ): void;
  /** Every 2 s in a channel. */
  onRtcStats?(connection: RtcConnection, stats: RtcStats): void;
  onRemoteAudioStats?(connection: RtcConnection, stats: RemoteAudioStats): void;
  onRemoteVideoStats?(connection: RtcConnection, stats: RemoteVideoStats): void;
  /**
   * After enableAudioVolumeIndication, every interval: once for the local user (speakerNumber 1,
   * uid 0) and once for the loudest (up to 3) remote users.
   */
  onAudioVolumeIndication?(
    connection: RtcConnection,
    speakers: AudioVolumeInfo[],
    speakerNumber: number,
    totalVolume: number,
  ): void;
}
