import type {
  ChannelProfileType,
  ClientRoleChangeFailedReason,
  ClientRoleType,
  Clock,
  CloudProxyType,
  ConnectionChangedReasonType,
  ConnectionStateType,
  DataStreamConfig,
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
  RenderModeType,
  UserOfflineReasonType,
  VideoMirrorModeType,
  VideoSourceType,
} from '@holdfast/protocol';
import type { ReconnectPolicy } from '../connection/types.js';
import type { MediaOptions } from '../media/options.js';
import type {
  NetworkSource,
  ProxyTransportFactory,
  TransportFactory,
  WebSocketConstructor,
} from '../transport/types.js';

/** Identifies the channel connection a callback is about. */
export interface RtcConnection {
  channelId?: string;
  /** The real uid, including one the server assigned for a join with uid 0. */
  localUid?: number;
}

/** Statistics passed to onLeaveChannel and, every 2 s in a channel, to onRtcStats (Agora RtcStats). */
export interface RtcStats {
  /** Seconds in the channel. */
  duration?: number;
  /** Bytes sent and received: signalling plus media. */
  txBytes?: number;
  rxBytes?: number;
  userCount?: number;
  connectTimeMs?: number;
  /** Last measured round-trip time, ms: to the media endpoint when media flows, else the signalling one. */
  lastmileDelay?: number;
  txAudioBytes?: number;
  txVideoBytes?: number;
  rxAudioBytes?: number;
  rxVideoBytes?: number;
  /** Kbps over the last 2 s. */
  txKBitRate?: number;
  rxKBitRate?: number;
  txAudioKBitRate?: number;
  rxAudioKBitRate?: number;
  txVideoKBitRate?: number;
  rxVideoKBitRate?: number;
  /** % of what this client sent that the server lost (its RTCP reports), over the last reports. */
  txPacketLossRate?: number;
  /** % of what this client should have received that it lost, over the last 2 s. */
  rxPacketLossRate?: number;
}

/** onRemoteVideoStats, every 2 s per remote user whose video this client receives (main fields). */
export interface RemoteVideoStats {
  uid?: number;
  /** Mean jitter-buffer delay, ms (Agora's deprecated `delay`). */
  delay?: number;
  width?: number;
  height?: number;
  /** Kbps. */
  receivedBitrate?: number;
  decoderOutputFrameRate?: number;
  rendererOutputFrameRate?: number;
  /** % over the last 2 s. */
  packetLossRate?: number;
  /** ms frozen since the user's video started (a freeze: no new frame for 600 ms). */
  totalFrozenTime?: number;
  /** % of the time since the video started. */
  frozenRate?: number;
}

/** onRemoteAudioStats, every 2 s per remote user whose audio this client receives (main fields). */
export interface RemoteAudioStats {
  uid?: number;
  quality?: QualityType;
  /** Half the round-trip time to the media endpoint, ms. */
  networkTransportDelay?: number;
  jitterBufferDelay?: number;
  /** % over the last 2 s. */
  audioLossRate?: number;
  /** Kbps. */
  receivedBitrate?: number;
  totalFrozenTime?: number;
  frozenRate?: number;
}

/** One entry of onAudioVolumeIndication. `uid` 0 is the local user. */
export interface AudioVolumeInfo {
  uid?: number;
  /** 0..255. */
  volume?: number;
  /** Local: 1 while the microphone hears voice (with reportVad), else 0; remote: always 1 (as Agora). */
  vad?: number;
  voicePitch?: number;
}

/**
 * Where a video is drawn (Agora VideoCanvas): `view` is an HTML element the SDK puts a `<video>`
 * in (null unbinds). `renderMode` defaults to Hidden (crop to fill); the local view is mirrored
 * unless `mirrorMode` is Disabled, a remote view only when it is Enabled.
 */
export interface VideoCanvas {
  uid?: number;
  view?: HTMLElement | null;
  renderMode?: RenderModeType;
  mirrorMode?: VideoMirrorModeType;
  sourceType?: VideoSourceType;
}

/** Agora's EchoTestConfiguration (startEchoTest). */
export interface EchoTestConfiguration {
  /** Where the echoed video is drawn (an HTML element); only with `enableVideo`. */
  view?: HTMLElement | null;
  /** Test the microphone (default true). */
  enableAudio?: boolean;
  /** Test the camera too (default false, as the RN/Web docs; the native docs' true is not taken). */
  enableVideo?: boolean;
  /** A token for `channelId` and uid 0xFFFFFFFF, when the app has a certificate. */
  token?: string;
  /** The test's channel: one per device, never a channel others join. */
  channelId?: string;
  /** How long until the user hears (and sees) themselves, 2..10 s (default 2). */
  intervalInSeconds?: number;
}

export interface ClientRoleOptions {
  audienceLatencyLevel?: number;
}

export interface ChannelMediaOptions {
  clientRoleType?: ClientRoleType;
  channelProfile?: ChannelProfileType;
  token?: string;
  /** Publish the microphone (default true; broadcasters and the communication profile only). */
  publishMicrophoneTrack?: boolean;
  /** Publish the camera (default true; it is captured once enableVideo was called). */
  publishCameraTrack?: boolean;
  /** Receive every remote user's audio (default true). */
  autoSubscribeAudio?: boolean;
  /** Receive every remote user's video (default true; needs enableVideo). */
  autoSubscribeVideo?: boolean;
}

/** Timing configuration, with the seed's numbers as defaults. */
export interface EngineTiming {
  /** Connected → (Reconnecting, Interrupted) after this long without data from the server. Default 4000. */
  interruptedAfterMs?: number;
  /** (Reconnecting, Lost) + onConnectionLost this long after Interrupted. Default 10000. */
  lostAfterMs?: number;
  /** (Failed, JoinFailed) this long after entering Reconnecting (or Connecting). Default 1_200_000. */
  failAfterMs?: number;
  /** A connection attempt that hangs is abandoned after this long. Default 5000. */
  connectTimeoutMs?: number;
}

export interface RtcEngineContext {
  appId: string;
  /** `ws://host:port` of a Holdfast server, or several to move through on failure. */
  serverUrl: string | string[];
  channelProfile?: ChannelProfileType;
  timing?: EngineTiming;
  reconnectPolicy?: ReconnectPolicy;
  /** Time source; pass a `TestClock` from `@holdfast/sdk/testing` in tests. */
  clock?: Clock;
  /** WebSocket implementation (defaults to the global one; the Node entry point supplies `ws`). */
  WebSocket?: WebSocketConstructor;
  /** Replaces the WebSocket transport entirely (tests, custom transports). */
  transport?: TransportFactory;
  /**
   * Network change notifications; defaults to the platform's (Node: the local address set, polled
   * every 2 s; browsers: online/offline and Network Information `change`). Pass `null` to disable.
   */
  network?: NetworkSource | null;
  /**
   * An HTTP proxy, `http://host:port`, used once `setCloudProxy(CloudProxyType.TcpProxy)` is called.
   * Node tunnels the WebSocket through it with HTTP CONNECT. Browsers ignore it: a page cannot pick
   * its proxy, and the browser's own proxy settings already apply to its WebSocket.
   */
  proxy?: string;
  /** How to reach the server through `proxy`; defaults to the platform's (Node: `ws` + `https-proxy-agent`). */
  proxyTransport?: ProxyTransportFactory;
  /** Audio and video: the WebRTC implementation, devices and ICE servers (browser defaults). */
  media?: MediaOptions;
}

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

/** The engine, Agora NG method shapes. Methods return 0 or a negative `ErrorCodeType`. */
export interface IRtcEngine {
  initialize(context: RtcEngineContext): number;
  registerEventHandler(eventHandler: IRtcEngineEventHandler): boolean;
  unregisterEventHandler(eventHandler: IRtcEngineEventHandler): boolean;
  joinChannel(token: string | null, channelId: string, uid: number, options?: ChannelMediaOptions): number;
  leaveChannel(): number;
  renewToken(token: string): number;
  getConnectionState(): ConnectionStateType;
  setClientRole(role: ClientRoleType, options?: ClientRoleOptions): number;
  setChannelProfile(profile: ChannelProfileType): number;
  /**
   * `TcpProxy` (2): connect through the `proxy` given to `initialize` (-8 when Node has none);
   * `NoneProxy` (0): connect directly; `UdpProxy` (1): refused with -2, Holdfast runs over TCP only.
   * Before joining, the join reports (Connecting, SettingProxyServer); in a channel the engine
   * reconnects at once through the new route: (Reconnecting, SettingProxyServer) then
   * (Connected, RejoinSuccess), with the session resumed (remote users see nothing).
   */
  setCloudProxy(proxyType: CloudProxyType): number;
  /**
   * A data stream (at most 5 per channel lifetime; destroyed on leaving): its id (> 0), or -116
   * ErrTooManyDataStreams. `syncWithAudio` is accepted and has no effect until media exists.
   * Every stream is reliable and ordered, whatever `ordered` says (see the README).
   */
  createDataStream(config?: DataStreamConfig): number;
  /**
   * Sends `length` bytes of `data` on a stream to every other member: 0, or -113 not in a channel,
   * -2 unknown stream or bad arguments, -5 an audience member in live broadcasting, -114 over
   * 1,024 bytes, -12 over 60 messages in 1 s on the stream, -115 over 30 KB in 1 s.
   */
  sendStreamMessage(streamId: number, data: Uint8Array, length: number): number;
  /** Changes the channel options in a channel (publish/subscribe, role, token): 0, or -8 when not in one. */
  updateChannelMediaOptions(options: ChannelMediaOptions): number;
  /** The audio module (on by default): capture, publishing and playback. Resets enableLocalAudio and the remote audio mutes. */
  enableAudio(): number;
  disableAudio(): number;
  /** The video module (off by default; stays on after leaving). Resets enableLocalVideo and the remote video mutes. */
  enableVideo(): number;
  disableVideo(): number;
  /** Microphone capture on/off (on by default); off also stops sending it. Remote users see Stopped/RemoteMuted. */
  enableLocalAudio(enabled: boolean): number;
  /** Camera capture on/off (on by default once enableVideo); persists after leaving. */
  enableLocalVideo(enabled: boolean): number;
  /** Stops/resumes sending the microphone (capture goes on); remote users get onUserMuteAudio. */
  muteLocalAudioStream(mute: boolean): number;
  /** Stops/resumes sending the camera; remote users get onUserMuteVideo. */
  muteLocalVideoStream(mute: boolean): number;
  /** Stops/resumes receiving one user's audio. */
  muteRemoteAudioStream(uid: number, mute: boolean): number;
  muteRemoteVideoStream(uid: number, mute: boolean): number;
  /** Stops/resumes receiving every user's audio, also of users who join later (clears the per-user choices). */
  muteAllRemoteAudioStreams(mute: boolean): number;
  muteAllRemoteVideoStreams(mute: boolean): number;
  /** Starts the camera outside a channel too (needs enableVideo); stays on after leaving. */
  startPreview(sourceType?: VideoSourceType): number;
  stopPreview(sourceType?: VideoSourceType): number;
  /** Draws the local camera in `canvas.view` (an HTML element; null unbinds). The binding stays after leaving. */
  setupLocalVideo(canvas: VideoCanvas): number;
  /** Draws `canvas.uid`'s video in `canvas.view`; set it before or after the user publishes. Cleared on leaving. */
  setupRemoteVideo(canvas: VideoCanvas): number;
  /** onAudioVolumeIndication every `interval` ms (≤ 0: off); `smooth` 0..10 (3 recommended). */
  enableAudioVolumeIndication(interval: number, smooth: number, reportVad: boolean): number;
  /**
   * Joins `config.channelId` as uid 0xFFFFFFFF, publishes the microphone (and the camera) and plays
   * them back after `intervalInSeconds`: 0, or -2 bad config, -7 not initialized, -8 already in a
   * channel or a test, -5 an audience member in live broadcasting. joinChannel returns -8 until
   * stopEchoTest.
   */
  startEchoTest(config: EchoTestConfiguration): number;
  /** Ends the echo test (leaves its channel): 0, or -5 when none is running. */
  stopEchoTest(): number;
  release(sync?: boolean): void;
}
