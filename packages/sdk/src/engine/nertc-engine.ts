import {
  NERtcErrorCode as C,
  isValidChannelName,
  isValidUid,
  NERtcConnectionState,
  NERtcConnectionStateChangeReason,
} from '@holdfast/protocol';
import type { Notice, Reason, Status } from '../connection/types.js';
import { withMedia } from '../media/engine-hooks.js';
import { NERtcMedia } from '../media/nertc-media.js';
import {
  isTerminal,
  NERTC_TIMING,
  nertcChannelId,
  nertcEnding,
  nertcLeaveReason,
  nertcReason,
  nertcRequestError,
  nertcRole,
  nertcState,
  wireProfileFromNERtc,
  wireRoleFromNERtc,
} from '../profiles/nertc.js';
import type { SessionListener, ToldState } from '../session/channel-session.js';
import { EngineShell, type ShellTable } from './engine-shell.js';
import { NERtcDataChannel, type NERtcDataExternalFrame } from './nertc-data.js';
import type {
  NERtcChannelEventCallback,
  NERtcCreateContext,
  NERtcEngine,
  NERtcJoinChannelOptions,
} from './nertc-types.js';
import { setupSession } from './session-setup.js';

/**
 * Creates an engine with the NERTC API shape and numbering. It drives the same connection
 * machine and session as the Agora engine; only the numbering, callbacks and default timings
 * (give up after 40 s) differ.
 *
 * @example
 * const engine = createNERtcEngine();
 * engine.create({
 *   appKey: 'demo',
 *   serverUrl: 'ws://127.0.0.1:7700',
 *   channelEventCallback: {
 *     onConnectionStateChanged: (state, reason) => console.log(state, reason),
 *     onDisconnect: (reason) => console.log('call over', reason),
 *   },
 * });
 * engine.joinChannel('', 'room-1', 0);
 */
export function createNERtcEngine(): NERtcEngine {
  return new NERtcEngineImpl();
}

const S = NERtcConnectionState;

/** The NERTC profile's return codes and mappings for the shared shell. */
export const NERTC_SHELL: ShellTable = {
  notInitialized: C.invalidState,
  invalidArgument: C.invalidParam,
  proxyUnavailable: C.invalidState,
  profileLocked: C.invalidState,
  profileOpenIn: ['disconnected', 'failed'],
  role: wireRoleFromNERtc,
  profile: wireProfileFromNERtc,
  proxy: (type) => (type === 0 ? false : type === 1 ? true : undefined),
};

/**
 * The NERTC state and reason for the session's last told change: a pure function of the session.
 * `joined`: the join had succeeded when it happened (an ending is told differently after it).
 */
export function nertcView(
  told: ToldState,
  joined: boolean,
): { state: NERtcConnectionState; reason: NERtcConnectionStateChangeReason | undefined } {
  const { status, reason } = told;
  if (reason === 'initial') return { state: S.disconnected, reason: undefined };
  if (!isTerminal(status, reason)) return { state: nertcState[status], reason: nertcReason[reason] };
  const [state, r] = nertcEnding(reason, joined).changes.at(-1)!;
  return { state, reason: r };
}

/** The NERTC API over the shared shell: validation, numbering and callbacks; no state of its own. */
class NERtcEngineImpl implements NERtcEngine {
  readonly #shell = new EngineShell<NERtcChannelEventCallback>(NERTC_SHELL, {
    role: 'broadcaster',
    profile: 'communication',
  });
  readonly #data = new NERtcDataChannel({
    start: (uid) => this.#shell.emit('onUserDataStart', (cb) => cb.onUserDataStart?.(uid)),
    stop: (uid) => this.#shell.emit('onUserDataStop', (cb) => cb.onUserDataStop?.(uid)),
    message: (uid, data, size) =>
      this.#shell.emit('onUserDataReceiveMessage', (cb) => cb.onUserDataReceiveMessage?.(uid, data, size)),
  });
  readonly #media = new NERtcMedia(this.#shell);

  create(context: NERtcCreateContext): number {
    const shell = this.#shell;
    if (shell.session) return C.invalidState;
    if (!context || typeof context.appKey !== 'string' || context.appKey.length === 0) return C.invalidParam;
    if (!context.channelEventCallback || typeof context.channelEventCallback !== 'object')
      return C.invalidParam;
    const o = context.options ?? {};
    const emit = shell.emit.bind(shell);
    const setup = setupSession(
      {
        appId: context.appKey,
        serverUrl: context.serverUrl,
        timing: o.timing,
        reconnectPolicy: o.reconnectPolicy,
        clock: o.clock,
        WebSocket: o.WebSocket,
        transport: o.transport,
        network: o.network,
        proxy: o.proxy,
        proxyTransport: o.proxyTransport,
      },
      NERTC_TIMING,
      withMedia(this.#listener(), () => this.#media.session),
    );
    if (!setup.ok) return setup.error === 'no_websocket' ? C.errorFatal : C.invalidParam;
    shell.setHandlers([context.channelEventCallback]);
    shell.attach(setup, () => emit('onPermissionKeyWillExpire', (cb) => cb.onPermissionKeyWillExpire?.()));
    this.#media.attach(setup.session, o.media);
    return 0;
  }

  #listener(): SessionListener {
    const emit = this.#shell.emit.bind(this.#shell);
    return this.#shell.listener({
      state: (status, reason) => this.#onState(status, reason),
      notice: (n) => this.#onNotice(n),
      userJoined: (uid) => emit('onUserJoined', (cb) => cb.onUserJoined?.(uid)),
      userOffline: (uid, reason) => {
        this.#data.userLeft(uid);
        emit('onUserLeave', (cb) => cb.onUserLeave?.(uid, nertcLeaveReason[reason]));
      },
      roleChanged: (from, to) =>
        emit('onClientRoleChange', (cb) => cb.onClientRoleChange?.(nertcRole(from), nertcRole(to))),
      roleChangeFailed: (code) => emit('onError', (cb) => cb.onError?.(nertcRequestError(code, 'role'))),
      tokenResult: (ok, code) => {
        if (!ok && code) emit('onError', (cb) => cb.onError?.(nertcRequestError(code, 'key')));
      },
      tokenExpiresAt: () => {},
      streamMessage: (uid, _streamId, data) => this.#data.received(uid, data),
      streamError: (uid, _streamId, code, missed, cached) =>
        emit('onUserDataMessageError', (cb) => cb.onUserDataMessageError?.(uid, code, missed, cached)),
      dataState: (uid, enabled) => this.#data.remoteState(uid, enabled),
    });
  }

  joinChannel(
    token: string | null,
    channelName: string,
    uid: number,
    options: NERtcJoinChannelOptions = {},
  ): number {
    const session = this.#shell.session;
    if (!session) return C.invalidState;
    // Repeated join: the Flutter joinChannel documents errorFatal (30001) for it.
    if (session.status !== 'disconnected' && session.status !== 'failed') return C.errorFatal;
    if (!isValidChannelName(channelName)) return C.invalidParam;
    if (typeof uid !== 'number' || !Number.isInteger(uid) || !isValidUid(uid)) return C.invalidUserId;
    const credential = options.permissionKey ?? token ?? '';
    if (typeof credential !== 'string') return C.invalidParam;
    this.#media.join();
    this.#shell.join({ channel: channelName, uid, token: credential || undefined });
    return 0;
  }

  leaveChannel(): number {
    const session = this.#shell.session;
    if (!session) return C.invalidState;
    const { state, reason } = this.#view();
    // After onDisconnect (or a previous leave) the room is already left as far as the app can see.
    if (state === S.disconnected)
      return reason === nertcReason.leave ? C.roomRepeatedlyLeave : C.roomNotJoined;
    session.leave();
    return 0;
  }

  getConnectionState(): NERtcConnectionState {
    return this.#view().state;
  }

  setClientRole(role: number): number {
    return this.#shell.setClientRole(role);
  }

  setChannelProfile(profile: number): number {
    return this.#shell.setChannelProfile(profile);
  }

  updatePermissionKey(key: string): number {
    const session = this.#shell.session;
    if (!session) return C.invalidState;
    if (typeof key !== 'string' || key.length === 0) return C.invalidParam;
    const { state } = this.#view();
    if (state !== S.connecting && state !== S.connected && state !== S.reconnecting) return C.roomNotJoined;
    session.renewToken(key);
    return 0;
  }

  setCloudProxy(proxyType: number): number {
    return this.#shell.setCloudProxy(proxyType);
  }

  enableLocalData(enabled: boolean): number {
    return this.#data.enable(this.#shell.session, enabled);
  }

  subscribeRemoteData(uid: number, subscribe: boolean): number {
    return this.#data.subscribe(this.#shell.session, uid, subscribe);
  }

  sendData(frame: NERtcDataExternalFrame): number {
    return this.#data.send(this.#shell.session, this.#shell.streamBlocked(), frame);
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
  subscribeRemoteVideoStream(uid: number, _streamType: number, subscribe: boolean): number {
    return this.#media.subscribe('video', uid, subscribe);
  }
  subscribeRemoteAudio(uid: number, subscribe: boolean): number {
    return this.#media.subscribe('audio', uid, subscribe);
  }
  startVideoPreview(): number {
    return this.#media.flag('preview', true);
  }
  stopVideoPreview(): number {
    return this.#media.flag('preview', false);
  }
  setupLocalVideoCanvas(view: HTMLElement | null): number {
    return this.#media.canvas(view, undefined);
  }
  setupRemoteVideoCanvas(view: HTMLElement | null, uid: number): number {
    return this.#media.canvas(view, uid);
  }

  release(): void {
    this.#data.left();
    this.#media.release();
    this.#shell.release();
  }

  /** The NERTC state of the session's last told change (Disconnected after release). */
  #view(): ReturnType<typeof nertcView> {
    const session = this.#shell.session;
    if (!session) return { state: S.disconnected, reason: undefined };
    const view = nertcView(session.reported, session.joinedOnce);
    // A media outage told while signalling is fine: (Reconnecting, mediaConnectionDisconnected).
    if (view.state === S.connected && this.#media.reconnecting)
      return { state: S.reconnecting, reason: NERtcConnectionStateChangeReason.mediaConnectionDisconnected };
    return view;
  }

  #onState(status: Status, reason: Reason): void {
    const session = this.#shell.session;
    const emit = this.#shell.emit.bind(this.#shell);
    if (!session) return;
    if (!isTerminal(status, reason)) {
      const before = nertcView(session.previousReported, session.joinedOnce);
      const state = nertcState[status];
      const r = nertcReason[reason];
      // An identical repeat (Reconnecting/signalDisconnected at the 10 s mark) is not told twice.
      if (state !== before.state || r !== before.reason)
        emit('onConnectionStateChanged', (cb) => cb.onConnectionStateChanged?.(state, r));
      // Not again when a media outage already started the reconnect (NERTC reason 8, then 9).
      if (before.state === S.connected && status === 'reconnecting' && !this.#media.reconnecting)
        emit('onReconnectingStart', (cb) => cb.onReconnectingStart?.());
      return;
    }
    this.#shell.stopTokenWatch();
    // Read once: a callback below may call joinChannel, which starts a new, not-yet-joined attempt.
    const joined = session.joinedOnce;
    const cid = nertcChannelId(session.channel);
    const elapsed = session.clock.now() - session.joinStartedAt;
    const uid = session.uid;
    const ending = nertcEnding(reason, joined);
    for (const [state, r] of ending.changes)
      emit('onConnectionStateChanged', (cb) => cb.onConnectionStateChanged?.(state, r));
    if (joined) emit('onDisconnect', (cb) => cb.onDisconnect?.(ending.code));
    else emit('onJoinChannel', (cb) => cb.onJoinChannel?.(ending.code, cid, elapsed, uid));
  }

  #onNotice(n: Notice): void {
    const session = this.#shell.session;
    const emit = this.#shell.emit.bind(this.#shell);
    const cid = nertcChannelId(session?.channel ?? '');
    switch (n.type) {
      case 'join_success':
        emit('onJoinChannel', (cb) => cb.onJoinChannel?.(0, cid, n.elapsed, session?.uid ?? 0));
        return;
      case 'rejoin_success':
        emit('onReJoinChannel', (cb) => cb.onReJoinChannel?.(0, cid));
        return;
      case 'left':
        this.#data.left();
        this.#shell.stopTokenWatch();
        emit('onLeaveChannel', (cb) => cb.onLeaveChannel?.(0));
        return;
      default:
        // Interrupted/lost have no NERTC callbacks; endings are told by onJoinChannel/onDisconnect.
        return;
    }
  }
}
