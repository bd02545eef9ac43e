import {
  NERtcErrorCode as C,
  type Clock,
  isValidChannelName,
  isValidUid,
  NERtcConnectionState,
  type NERtcConnectionStateChangeReason,
  systemClock,
  type WireProfile,
  type WireRole,
} from '@holdfast/protocol';
import type { Notice, Reason, Status } from '../connection/types.js';
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
import type { ChannelSession } from '../session/channel-session.js';
import type { ProxyRoute } from '../transport/proxy-route.js';
import type {
  NERtcChannelEventCallback,
  NERtcCreateContext,
  NERtcEngine,
  NERtcJoinChannelOptions,
} from './nertc-types.js';
import { setupSession } from './session-setup.js';
import { TokenExpiryWatch } from './token-watch.js';

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

class NERtcEngineImpl implements NERtcEngine {
  #cb: NERtcChannelEventCallback = {};
  #session: ChannelSession | undefined;
  #route: ProxyRoute | undefined;
  #proxyUsable = false;
  #tokenWatch: TokenExpiryWatch | undefined;
  #profile: WireProfile = 'communication';
  #role: WireRole = 'broadcaster';
  #state: NERtcConnectionState = S.disconnected;
  #reason: NERtcConnectionStateChangeReason | undefined;
  /** The current joinChannel has succeeded once: endings are told through onDisconnect from then on. */
  #joined = false;
  #cid = 0;
  #clock: Clock = systemClock;
  #joinStartedAt = 0;

  create(context: NERtcCreateContext): number {
    if (this.#session) return C.invalidState;
    if (!context || typeof context.appKey !== 'string' || context.appKey.length === 0) return C.invalidParam;
    if (!context.channelEventCallback || typeof context.channelEventCallback !== 'object')
      return C.invalidParam;
    const o = context.options ?? {};
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
      {
        state: (status, reason) => this.#onState(status, reason),
        notice: (n) => this.#onNotice(n),
        userJoined: (uid) => this.#emit('onUserJoined', (cb) => cb.onUserJoined?.(uid)),
        userOffline: (uid, reason) =>
          this.#emit('onUserLeave', (cb) => cb.onUserLeave?.(uid, nertcLeaveReason[reason])),
        roleChanged: (from, to) => {
          this.#role = to;
          this.#emit('onClientRoleChange', (cb) => cb.onClientRoleChange?.(nertcRole(from), nertcRole(to)));
        },
        roleChangeFailed: (code, role) => {
          this.#role = role;
          this.#emit('onError', (cb) => cb.onError?.(nertcRequestError(code, 'role')));
        },
        tokenResult: (ok, code) => {
          if (!ok && code) this.#emit('onError', (cb) => cb.onError?.(nertcRequestError(code, 'key')));
        },
        tokenExpiresAt: (at) => this.#tokenWatch?.set(at),
      },
    );
    if (!setup.ok) return setup.error === 'no_websocket' ? C.errorFatal : C.invalidParam;
    this.#cb = context.channelEventCallback;
    this.#session = setup.session;
    this.#route = setup.route;
    this.#proxyUsable = setup.proxyUsable;
    this.#clock = setup.clock;
    this.#tokenWatch = new TokenExpiryWatch(setup.clock, () =>
      this.#emit('onPermissionKeyWillExpire', (cb) => cb.onPermissionKeyWillExpire?.()),
    );
    return 0;
  }

  joinChannel(
    token: string | null,
    channelName: string,
    uid: number,
    options: NERtcJoinChannelOptions = {},
  ): number {
    const session = this.#session;
    if (!session) return C.invalidState;
    // Repeated join: the Flutter joinChannel documents errorFatal (30001) for it.
    if (session.status !== 'disconnected' && session.status !== 'failed') return C.errorFatal;
    if (!isValidChannelName(channelName)) return C.invalidParam;
    if (typeof uid !== 'number' || !Number.isInteger(uid) || !isValidUid(uid)) return C.invalidUserId;
    const credential = options.permissionKey ?? token ?? '';
    if (typeof credential !== 'string') return C.invalidParam;
    this.#joined = false;
    this.#cid = nertcChannelId(channelName);
    this.#joinStartedAt = this.#clock.now();
    session.join(
      { channel: channelName, uid, token: credential || undefined, role: this.#role, profile: this.#profile },
      this.#route?.enabled,
    );
    return 0;
  }

  leaveChannel(): number {
    const session = this.#session;
    if (!session) return C.invalidState;
    // After onDisconnect (or a previous leave) the room is already left as far as the app can see.
    if (this.#state === S.disconnected)
      return this.#reason === nertcReason.leave ? C.roomRepeatedlyLeave : C.roomNotJoined;
    session.leave();
    return 0;
  }

  getConnectionState(): NERtcConnectionState {
    return this.#state;
  }

  setClientRole(role: number): number {
    const session = this.#session;
    if (!session) return C.invalidState;
    const wire = wireRoleFromNERtc(role);
    if (!wire) return C.invalidParam;
    if (session.status === 'disconnected' || session.status === 'failed') this.#role = wire;
    else session.setRole(wire);
    return 0;
  }

  setChannelProfile(profile: number): number {
    const session = this.#session;
    if (!session) return C.invalidState;
    const wire = wireProfileFromNERtc(profile);
    if (!wire) return C.invalidParam;
    if (session.status !== 'disconnected' && session.status !== 'failed') return C.invalidState;
    this.#profile = wire;
    return 0;
  }

  updatePermissionKey(key: string): number {
    const session = this.#session;
    if (!session) return C.invalidState;
    if (typeof key !== 'string' || key.length === 0) return C.invalidParam;
    if (this.#state !== S.connecting && this.#state !== S.connected && this.#state !== S.reconnecting)
      return C.roomNotJoined;
    session.renewToken(key);
    return 0;
  }

  setCloudProxy(proxyType: number): number {
    const session = this.#session;
    const route = this.#route;
    if (!session || !route) return C.invalidState;
    if (proxyType !== 0 && proxyType !== 1) return C.invalidParam;
    if (proxyType === 1 && !this.#proxyUsable) return C.invalidState;
    if (route.set(proxyType === 1) && session.status !== 'disconnected' && session.status !== 'failed')
      session.routeChanged();
    return 0;
  }

  release(): void {
    this.#tokenWatch?.stop();
    this.#session?.dispose();
    this.#session = undefined;
    this.#route = undefined;
    this.#cb = {};
    this.#state = S.disconnected;
    this.#reason = undefined;
  }

  #onState(status: Status, reason: Reason): void {
    if (!isTerminal(status, reason)) {
      const wasConnected = this.#state === S.connected;
      this.#change(nertcState[status], nertcReason[reason]);
      if (wasConnected && status === 'reconnecting')
        this.#emit('onReconnectingStart', (cb) => cb.onReconnectingStart?.());
      return;
    }
    this.#tokenWatch?.stop();
    // Read once: a callback below may call joinChannel, which starts a new, not-yet-joined attempt.
    const joined = this.#joined;
    const cid = this.#cid;
    const elapsed = this.#clock.now() - this.#joinStartedAt;
    const uid = this.#session?.uid ?? 0;
    const ending = nertcEnding(reason, joined);
    for (const [state, r] of ending.changes) this.#change(state, r);
    if (joined) this.#emit('onDisconnect', (cb) => cb.onDisconnect?.(ending.code));
    else this.#emit('onJoinChannel', (cb) => cb.onJoinChannel?.(ending.code, cid, elapsed, uid));
  }

  /** One state change; an identical repeat (Reconnecting/signalDisconnected at the 10 s mark) is not told twice. */
  #change(state: NERtcConnectionState, reason: NERtcConnectionStateChangeReason): void {
    if (state === this.#state && reason === this.#reason) return;
    this.#state = state;
    this.#reason = reason;
    this.#emit('onConnectionStateChanged', (cb) => cb.onConnectionStateChanged?.(state, reason));
  }

  #onNotice(n: Notice): void {
    switch (n.type) {
      case 'join_success':
        this.#joined = true;
        this.#emit('onJoinChannel', (cb) =>
          cb.onJoinChannel?.(0, this.#cid, n.elapsed, this.#session?.uid ?? 0),
        );
        return;
      case 'rejoin_success':
        this.#emit('onReJoinChannel', (cb) => cb.onReJoinChannel?.(0, this.#cid));
        return;
      case 'left':
        this.#tokenWatch?.stop();
        this.#emit('onLeaveChannel', (cb) => cb.onLeaveChannel?.(0));
        return;
      default:
        // Interrupted/lost have no NERTC callbacks; endings are told by onJoinChannel/onDisconnect.
        return;
    }
  }

  #emit(name: keyof NERtcChannelEventCallback, call: (cb: NERtcChannelEventCallback) => void): void {
    try {
      call(this.#cb);
    } catch (err) {
      // A throwing handler must never break the state machine; surface it and go on.
      console.error(`[holdfast] ${name} handler threw`, err);
    }
  }
}
