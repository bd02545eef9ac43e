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
  UserOfflineReasonType,
} from '@holdfast/protocol';
import type { ReconnectPolicy } from '../connection/types.js';
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

/** Statistics passed to onLeaveChannel. */
export interface RtcStats {
  /** Seconds in the channel. */
  duration?: number;
  txBytes?: number;
  rxBytes?: number;
  userCount?: number;
  connectTimeMs?: number;
  /** Last measured round-trip time to the server, ms. */
  lastmileDelay?: number;
}

export interface ClientRoleOptions {
  audienceLatencyLevel?: number;
}

export interface ChannelMediaOptions {
  clientRoleType?: ClientRoleType;
  channelProfile?: ChannelProfileType;
  token?: string;
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
  release(sync?: boolean): void;
}
