import type {
  ChannelProfileType,
  ClientRoleType,
  CloudProxyType,
  ConnectionStateType,
  DataStreamConfig,
  VideoSourceType,
} from '@holdfast/protocol';
import type { ChannelMediaOptions, ClientRoleOptions, RtcEngineContext } from './connection-types.js';
import type { IRtcEngineEventHandler } from './event-handler.js';
import type { EchoTestConfiguration, VideoCanvas } from './media-types.js';

export type {
  ChannelMediaOptions,
  ClientRoleOptions,
  EngineTiming,
  RtcConnection,
  RtcEngineContext,
} from './connection-types.js';
export type { IRtcEngineEventHandler } from './event-handler.js';
export type {
  AudioVolumeInfo,
  EchoTestConfiguration,
  RemoteAudioStats,
  RemoteVideoStats,
  RtcStats,
  VideoCanvas,
} from './media-types.js';

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
