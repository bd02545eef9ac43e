import type { ChannelProfileType, ClientRoleType, Clock } from '@holdfast/protocol';
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
