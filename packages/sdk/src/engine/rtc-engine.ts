import {
  type ChannelProfileType,
  type ClientRoleType,
  CloudProxyType,
  type ConnectionStateType,
  type DataStreamConfig,
  ErrorCodeType,
  isValidChannelName,
  isValidUid,
  MAX_STREAM_MESSAGE_BYTES,
  type VideoSourceType,
} from '@holdfast/protocol';
import { DEFAULT_TIMING } from '../connection/policy.js';
import { AgoraMedia } from '../media/agora-media.js';
import { withMedia } from '../media/engine-hooks.js';
import { agoraState, wireProfileFromAgora, wireRoleFromAgora } from '../profiles/agora.js';
import type { ChannelSession, SessionListener } from '../session/channel-session.js';
import { agoraSessionListener } from './agora-events.js';
import { ECHO_TEST_UID, echoTestRequest } from './echo-test.js';
import { EngineShell, type ShellTable } from './engine-shell.js';
import { setupSession } from './session-setup.js';
import type {
  ChannelMediaOptions,
  ClientRoleOptions,
  EchoTestConfiguration,
  IRtcEngine,
  IRtcEngineEventHandler,
  RtcConnection,
  RtcEngineContext,
  VideoCanvas,
} from './types.js';

const E = ErrorCodeType;

/** The Agora profile's return codes and mappings for the shared shell. */
export const AGORA_SHELL: ShellTable = {
  notInitialized: -E.ErrNotInitialized,
  invalidArgument: -E.ErrInvalidArgument,
  proxyUnavailable: -E.ErrInvalidState,
  profileLocked: -E.ErrRefused,
  profileOpenIn: ['disconnected'],
  role: wireRoleFromAgora,
  profile: wireProfileFromAgora,
  // UdpProxy forces UDP, and Holdfast's only transport is a WebSocket over TCP: refused, unchanged.
  // TcpProxy in Node needs to know where the proxy is: initialize({ proxy: 'http://host:port' }).
  proxy: (type) =>
    type === CloudProxyType.NoneProxy ? false : type === CloudProxyType.TcpProxy ? true : undefined,
};

/**
 * Creates an engine with the Agora NG API shape. One engine joins one channel at a time.
 *
 * @example
 * const engine = createRtcEngine();
 * engine.initialize({ appId: 'demo', serverUrl: 'ws://127.0.0.1:7700' });
 * engine.registerEventHandler({
 *   onConnectionStateChanged: (conn, state, reason) => console.log(state, reason),
 *   onUserOffline: (conn, uid, reason) => console.log('offline', uid, reason),
 * });
 * engine.joinChannel('', 'room-1', 0, { clientRoleType: ClientRoleType.ClientRoleBroadcaster });
 */
export function createRtcEngine(): IRtcEngine {
  return new RtcEngine();
}

/** The Agora API over the shared shell: validation, numbering and callbacks; no state of its own. */
class RtcEngine implements IRtcEngine {
  readonly #shell = new EngineShell<IRtcEngineEventHandler>(AGORA_SHELL, {
    role: 'audience',
    profile: 'live',
  });
  /** Audio and video: the media calls below delegate to it. */
  readonly #media = new AgoraMedia(this.#shell, () => this.#connection());
  /** startEchoTest ran and stopEchoTest has not: the session is the test's. */
  #echo = false;

  initialize(context: RtcEngineContext): number {
    const shell = this.#shell;
    if (shell.session) return -E.ErrInvalidState;
    if (!context || typeof context.appId !== 'string' || context.appId.length === 0)
      return -E.ErrInvalidAppId;
    if (context.channelProfile !== undefined) {
      const profile = wireProfileFromAgora(context.channelProfile);
      if (!profile) return -E.ErrInvalidArgument;
      shell.profile = profile;
    }
    const emit = shell.emit.bind(shell);
    const conn = () => this.#connection();
    const setup = setupSession(
      context,
      DEFAULT_TIMING,
      withMedia(this.#listener(), () => this.#media.session),
    );
    if (!setup.ok) return setup.error === 'no_websocket' ? -E.ErrNotReady : -E.ErrInvalidArgument;
    shell.attach(setup, () => {
      const token = shell.session?.token ?? '';
      emit('onTokenPrivilegeWillExpire', (h) => h.onTokenPrivilegeWillExpire?.(conn(), token));
    });
    this.#media.attach(setup.session, context.media);
    return 0;
  }

  #listener(): SessionListener {
    return agoraSessionListener({
      shell: this.#shell,
      media: this.#media,
      echo: () => this.#echo,
      connection: () => this.#connection(),
    });
  }

  registerEventHandler(eventHandler: IRtcEngineEventHandler): boolean {
    if (!eventHandler || typeof eventHandler !== 'object') return false;
    this.#shell.addHandler(eventHandler);
    return true;
  }

  unregisterEventHandler(eventHandler: IRtcEngineEventHandler): boolean {
    return this.#shell.removeHandler(eventHandler);
  }

  joinChannel(
    token: string | null,
    channelId: string,
    uid: number,
    options: ChannelMediaOptions = {},
  ): number {
    const session = this.#shell.session;
    if (!session) return -E.ErrNotInitialized;
    // Agora's joinChannel doc: -8 while startEchoTest runs (until stopEchoTest).
    if (this.#echo) return -E.ErrInvalidState;
    if (session.status !== 'disconnected') return -E.ErrJoinChannelRejected;
    if (!isValidChannelName(channelId)) return -E.ErrInvalidChannelName;
    if (typeof uid !== 'number' || !Number.isInteger(uid)) return -E.ErrInvalidArgument;
    if (!isValidUid(uid)) return -E.ErrInvalidUserId;
    const tok = options.token ?? token ?? '';
    if (typeof tok !== 'string') return -E.ErrInvalidArgument;
    let role = this.#shell.role;
    if (options.clientRoleType !== undefined) {
      const r = wireRoleFromAgora(options.clientRoleType);
      if (!r) return -E.ErrInvalidArgument;
      role = r;
    }
    let profile = this.#shell.profile;
    if (options.channelProfile !== undefined) {
      const p = wireProfileFromAgora(options.channelProfile);
      if (!p) return -E.ErrInvalidArgument;
      profile = p;
    }
    const media = this.#media.join(options);
    if (media !== 0) return media;
    this.#shell.role = role;
    // The profile in the options is for this join only; the role is remembered.
    this.#shell.join({ channel: channelId, uid, token: tok || undefined, profile });
    return 0;
  }

  leaveChannel(): number {
    const session = this.#shell.session;
    if (!session) return -E.ErrNotInitialized;
    if (session.status === 'disconnected') return -E.ErrLeaveChannelRejected;
    session.leave();
    return 0;
  }

  renewToken(token: string): number {
    const session = this.#shell.session;
    if (!session) return -E.ErrNotInitialized;
    if (typeof token !== 'string' || token.length === 0) return -E.ErrInvalidArgument;
    const s = session.state;
    // After Failed/TokenExpired a new token rejoins (onRequestToken's remedy); other endings need a join.
    if (s.status === 'disconnected' || (s.status === 'failed' && s.reason !== 'token_expired'))
      return -E.ErrNotReady;
    session.renewToken(token);
    return 0;
  }

  setCloudProxy(proxyType: CloudProxyType): number {
    return this.#shell.setCloudProxy(proxyType);
  }

  /** The state last told to the handlers, read from the session. */
  getConnectionState(): ConnectionStateType {
    const status = this.#shell.session?.reported.status ?? 'disconnected';
    // A media outage told while signalling is fine is Reconnecting too (see the media section of the README).
    return agoraState[status === 'connected' && this.#media.reconnecting ? 'reconnecting' : status];
  }

  setClientRole(role: ClientRoleType, _options?: ClientRoleOptions): number {
    return this.#shell.setClientRole(role);
  }

  setChannelProfile(profile: ChannelProfileType): number {
    return this.#shell.setChannelProfile(profile);
  }

  createDataStream(config: DataStreamConfig = {}): number {
    const session = this.#shell.session;
    if (!session) return -E.ErrNotInitialized;
    if (typeof config !== 'object' || config === null) return -E.ErrInvalidArgument;
    return session.streams.create(config);
  }

  sendStreamMessage(streamId: number, data: Uint8Array, length: number): number {
    const session = this.#shell.session;
    const blocked = this.#shell.streamBlocked();
    if (!session || blocked === 'not_initialized') return -E.ErrNotInitialized;
    if (!(data instanceof Uint8Array) || !Number.isInteger(length) || length <= 0 || length > data.byteLength)
      return -E.ErrInvalidArgument;
    if (blocked === 'not_in_channel') return -E.ErrNotInChannel;
    if (!session.streams.has(streamId)) return -E.ErrInvalidArgument;
    // -5 ErrRefused: the arguments are fine, the caller's role is what is refused (README).
    if (blocked === 'audience') return -E.ErrRefused;
    if (length > MAX_STREAM_MESSAGE_BYTES) return -E.ErrSizeTooLarge;
    return session.streams.send(streamId, data.subarray(0, length));
  }

  updateChannelMediaOptions(options: ChannelMediaOptions): number {
    const session = this.#shell.session;
    if (!session) return -E.ErrNotInitialized;
    if (!options || typeof options !== 'object') return -E.ErrInvalidArgument;
    if (session.status === 'disconnected' || session.status === 'failed') return -E.ErrInvalidState;
    const rc = this.#media.updateOptions(options);
    if (rc !== 0) return rc;
    if (options.clientRoleType !== undefined) {
      const role = this.setClientRole(options.clientRoleType);
      if (role !== 0) return role;
    }
    return options.token ? this.renewToken(options.token) : 0;
  }

  enableAudio(): number {
    return this.#media.enableAudio(true);
  }
  disableAudio(): number {
    return this.#media.enableAudio(false);
  }
  enableVideo(): number {
    return this.#media.enableVideo(true);
  }
  disableVideo(): number {
    return this.#media.enableVideo(false);
  }
  enableLocalAudio(enabled: boolean): number {
    return this.#media.flag('localAudio', enabled);
  }
  enableLocalVideo(enabled: boolean): number {
    return this.#media.flag('localVideo', enabled);
  }
  muteLocalAudioStream(mute: boolean): number {
    return this.#media.flag('muteAudio', mute);
  }
  muteLocalVideoStream(mute: boolean): number {
    return this.#media.flag('muteVideo', mute);
  }
  muteRemoteAudioStream(uid: number, mute: boolean): number {
    return this.#media.muteRemote('audio', uid, mute);
  }
  muteRemoteVideoStream(uid: number, mute: boolean): number {
    return this.#media.muteRemote('video', uid, mute);
  }
  muteAllRemoteAudioStreams(mute: boolean): number {
    return this.#media.muteAll('audio', mute);
  }
  muteAllRemoteVideoStreams(mute: boolean): number {
    return this.#media.muteAll('video', mute);
  }
  startPreview(_sourceType?: VideoSourceType): number {
    return this.#media.flag('preview', true);
  }
  stopPreview(_sourceType?: VideoSourceType): number {
    return this.#media.flag('preview', false);
  }
  setupLocalVideo(canvas: VideoCanvas): number {
    return this.#media.setupVideo(canvas, true);
  }
  setupRemoteVideo(canvas: VideoCanvas): number {
    return this.#media.setupVideo(canvas, false);
  }
  enableAudioVolumeIndication(interval: number, smooth: number, reportVad: boolean): number {
    return this.#media.enableVolumeIndication(interval, smooth, reportVad);
  }

  startEchoTest(config: EchoTestConfiguration): number {
    const shell = this.#shell;
    const session = shell.session;
    const checked = echoTestRequest(config, {
      initialized: session !== undefined,
      running: this.#echo,
      inChannel: session !== undefined && session.status !== 'disconnected',
      role: shell.role,
      profile: shell.profile,
    });
    if (!checked.ok) return checked.code;
    const r = checked.request;
    const rc = this.#media.startEcho(r);
    if (rc !== 0) return rc;
    this.#echo = true;
    // A channel of its own, where it may publish whatever the app's profile and role.
    shell.join({ channel: r.channel, uid: ECHO_TEST_UID, token: r.token, profile: 'communication' });
    return 0;
  }

  stopEchoTest(): number {
    const session = this.#shell.session;
    if (!session) return -E.ErrNotInitialized;
    if (!this.#echo) return -E.ErrRefused;
    // Disconnected at once, told with reason EchoTest; joinChannel may follow straight away.
    if (session.status !== 'disconnected') session.leave();
    this.#echo = false;
    this.#media.stopEcho();
    return 0;
  }

  release(): void {
    this.#echo = false;
    this.#media.release();
    this.#shell.release();
  }

  #connection(): RtcConnection {
    const session: ChannelSession | undefined = this.#shell.session;
    return { channelId: session?.channel ?? '', localUid: session?.uid ?? 0 };
  }
}
