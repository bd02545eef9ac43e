import {
  type ChannelProfileType,
  ClientRoleChangeFailedReason,
  type ClientRoleType,
  CloudProxyType,
  type ConnectionStateType,
  ErrorCodeType,
  isValidChannelName,
  isValidUid,
  type WireProfile,
  type WireRole,
} from '@holdfast/protocol';
import { DEFAULT_TIMING } from '../connection/policy.js';
import type { Notice } from '../connection/types.js';
import {
  agoraErrorCode,
  agoraOfflineReason,
  agoraReason,
  agoraRole,
  agoraState,
  wireProfileFromAgora,
  wireRoleFromAgora,
} from '../profiles/agora.js';
import type { ChannelSession } from '../session/channel-session.js';
import type { ProxyRoute } from '../transport/proxy-route.js';
import { setupSession } from './session-setup.js';
import { TokenExpiryWatch } from './token-watch.js';
import type {
  ChannelMediaOptions,
  ClientRoleOptions,
  IRtcEngine,
  IRtcEngineEventHandler,
  RtcConnection,
  RtcEngineContext,
} from './types.js';

const E = ErrorCodeType;

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

class RtcEngine implements IRtcEngine {
  #handlers: IRtcEngineEventHandler[] = [];
  #session: ChannelSession | undefined;
  #profile: WireProfile = 'live';
  #role: WireRole = 'audience';
  #tokenWatch: TokenExpiryWatch | undefined;
  #state: ConnectionStateType = agoraState.disconnected;
  #route: ProxyRoute | undefined;
  #proxyUsable = false;

  initialize(context: RtcEngineContext): number {
    if (this.#session) return -E.ErrInvalidState;
    if (!context || typeof context.appId !== 'string' || context.appId.length === 0)
      return -E.ErrInvalidAppId;
    if (context.channelProfile !== undefined) {
      const profile = wireProfileFromAgora(context.channelProfile);
      if (!profile) return -E.ErrInvalidArgument;
      this.#profile = profile;
    }
    const setup = setupSession(context, DEFAULT_TIMING, {
      state: (status, reason) => {
        this.#state = agoraState[status];
        this.#emit('onConnectionStateChanged', (h) =>
          h.onConnectionStateChanged?.(this.#connection(), agoraState[status], agoraReason[reason]),
        );
      },
      notice: (n) => this.#notice(n),
      userJoined: (uid, elapsed) =>
        this.#emit('onUserJoined', (h) => h.onUserJoined?.(this.#connection(), uid, elapsed)),
      userOffline: (uid, reason) =>
        this.#emit('onUserOffline', (h) =>
          h.onUserOffline?.(this.#connection(), uid, agoraOfflineReason[reason]),
        ),
      roleChanged: (from, to) => {
        this.#role = to;
        this.#emit('onClientRoleChanged', (h) =>
          h.onClientRoleChanged?.(this.#connection(), agoraRole(from), agoraRole(to), {}),
        );
      },
      roleChangeFailed: (code, role) => {
        this.#role = role;
        const reason =
          code === 'too_many_broadcasters'
            ? ClientRoleChangeFailedReason.ClientRoleChangeFailedTooManyBroadcasters
            : ClientRoleChangeFailedReason.ClientRoleChangeFailedNotAuthorized;
        this.#emit('onClientRoleChangeFailed', (h) =>
          h.onClientRoleChangeFailed?.(this.#connection(), reason, agoraRole(role)),
        );
      },
      tokenResult: (ok, code) => {
        if (!ok && code)
          this.#emit('onError', (h) => h.onError?.(agoraErrorCode(code), `renewToken: ${code}`));
      },
      tokenExpiresAt: (at) => this.#tokenWatch?.set(at),
    });
    if (!setup.ok) return setup.error === 'no_websocket' ? -E.ErrNotReady : -E.ErrInvalidArgument;
    const { clock } = setup;
    this.#session = setup.session;
    this.#route = setup.route;
    this.#proxyUsable = setup.proxyUsable;
    this.#tokenWatch = new TokenExpiryWatch(clock, () => {
      const token = this.#session?.token ?? '';
      this.#emit('onTokenPrivilegeWillExpire', (h) =>
        h.onTokenPrivilegeWillExpire?.(this.#connection(), token),
      );
    });
    return 0;
  }

  registerEventHandler(eventHandler: IRtcEngineEventHandler): boolean {
    if (!eventHandler || typeof eventHandler !== 'object') return false;
    if (!this.#handlers.includes(eventHandler)) this.#handlers.push(eventHandler);
    return true;
  }

  unregisterEventHandler(eventHandler: IRtcEngineEventHandler): boolean {
    const before = this.#handlers.length;
    this.#handlers = this.#handlers.filter((h) => h !== eventHandler);
    return this.#handlers.length !== before;
  }

  joinChannel(
    token: string | null,
    channelId: string,
    uid: number,
    options: ChannelMediaOptions = {},
  ): number {
    const session = this.#session;
    if (!session) return -E.ErrNotInitialized;
    if (session.status !== 'disconnected') return -E.ErrJoinChannelRejected;
    if (!isValidChannelName(channelId)) return -E.ErrInvalidChannelName;
    if (typeof uid !== 'number' || !Number.isInteger(uid)) return -E.ErrInvalidArgument;
    if (!isValidUid(uid)) return -E.ErrInvalidUserId;
    const tok = options.token ?? token ?? '';
    if (typeof tok !== 'string') return -E.ErrInvalidArgument;
    let role = this.#role;
    if (options.clientRoleType !== undefined) {
      const r = wireRoleFromAgora(options.clientRoleType);
      if (!r) return -E.ErrInvalidArgument;
      role = r;
    }
    let profile = this.#profile;
    if (options.channelProfile !== undefined) {
      const p = wireProfileFromAgora(options.channelProfile);
      if (!p) return -E.ErrInvalidArgument;
      profile = p;
    }
    this.#role = role;
    session.join({ channel: channelId, uid, token: tok || undefined, role, profile }, this.#route?.enabled);
    return 0;
  }

  leaveChannel(): number {
    const session = this.#session;
    if (!session) return -E.ErrNotInitialized;
    if (session.status === 'disconnected') return -E.ErrLeaveChannelRejected;
    session.leave();
    return 0;
  }

  renewToken(token: string): number {
    const session = this.#session;
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
    const session = this.#session;
    const route = this.#route;
    if (!session || !route) return -E.ErrNotInitialized;
    let on: boolean;
    if (proxyType === CloudProxyType.NoneProxy) on = false;
    else if (proxyType === CloudProxyType.TcpProxy) {
      // Node needs to know where the proxy is: initialize({ proxy: 'http://host:port' }).
      if (!this.#proxyUsable) return -E.ErrInvalidState;
      on = true;
    }
    // UdpProxy forces UDP, and Holdfast's only transport is a WebSocket over TCP: refused, unchanged.
    else return -E.ErrInvalidArgument;
    // In a channel the new route takes effect at once: Reconnecting/SettingProxyServer, then a rejoin.
    if (route.set(on) && session.status !== 'disconnected' && session.status !== 'failed')
      session.routeChanged();
    return 0;
  }

  getConnectionState(): ConnectionStateType {
    return this.#state;
  }

  setClientRole(role: ClientRoleType, _options?: ClientRoleOptions): number {
    if (!this.#session) return -E.ErrNotInitialized;
    const wire = wireRoleFromAgora(role);
    if (!wire) return -E.ErrInvalidArgument;
    // Before joining the role is just remembered (no onClientRoleChanged, as upstream).
    if (this.#session.status === 'disconnected' || this.#session.status === 'failed') this.#role = wire;
    else this.#session.setRole(wire);
    return 0;
  }

  setChannelProfile(profile: ChannelProfileType): number {
    if (!this.#session) return -E.ErrNotInitialized;
    const wire = wireProfileFromAgora(profile);
    if (!wire) return -E.ErrInvalidArgument;
    if (this.#session.status !== 'disconnected') return -E.ErrRefused;
    this.#profile = wire;
    return 0;
  }

  release(): void {
    this.#tokenWatch?.stop();
    this.#session?.dispose();
    this.#session = undefined;
    this.#route = undefined;
    this.#handlers = [];
    this.#state = agoraState.disconnected;
  }

  #connection(): RtcConnection {
    return { channelId: this.#session?.channel ?? '', localUid: this.#session?.uid ?? 0 };
  }

  #notice(n: Notice): void {
    const conn = this.#connection();
    switch (n.type) {
      case 'join_success':
        this.#emit('onJoinChannelSuccess', (h) => h.onJoinChannelSuccess?.(conn, n.elapsed));
        return;
      case 'rejoin_success':
        this.#emit('onRejoinChannelSuccess', (h) => h.onRejoinChannelSuccess?.(conn, n.elapsed));
        return;
      case 'connection_lost':
        this.#emit('onConnectionLost', (h) => h.onConnectionLost?.(conn));
        return;
      case 'connection_interrupted':
        this.#emit('onConnectionInterrupted', (h) => h.onConnectionInterrupted?.(conn));
        return;
      case 'banned':
        this.#emit('onConnectionBanned', (h) => h.onConnectionBanned?.(conn));
        return;
      case 'request_token':
        this.#tokenWatch?.stop();
        this.#emit('onRequestToken', (h) => h.onRequestToken?.(conn));
        return;
      case 'left': {
        this.#tokenWatch?.stop();
        const s = this.#session?.stats();
        const stats = s && {
          duration: s.duration,
          txBytes: s.txBytes,
          rxBytes: s.rxBytes,
          userCount: s.userCount,
          connectTimeMs: s.connectTimeMs,
          lastmileDelay: s.lastRttMs,
        };
        this.#emit('onLeaveChannel', (h) => h.onLeaveChannel?.(conn, stats ?? {}));
        return;
      }
      case 'error':
        this.#emit('onError', (h) => h.onError?.(agoraErrorCode(n.code), n.code));
        return;
    }
  }

  #emit(name: keyof IRtcEngineEventHandler, call: (h: IRtcEngineEventHandler) => void): void {
    for (const h of [...this.#handlers]) {
      try {
        call(h);
      } catch (err) {
        // A throwing handler must never break the state machine; surface it and go on.
        console.error(`[holdfast] ${name} handler threw`, err);
      }
    }
  }
}
