import { type Clock, systemClock } from '@holdfast/protocol';
import { exponentialBackoff } from '../connection/policy.js';
import type { MachineConfig, ReconnectPolicy } from '../connection/types.js';
import { ChannelSession, type SessionListener } from '../session/channel-session.js';
import { resolveNetworkSource, resolveProxyTransport, resolveWebSocket } from '../transport/platform.js';
import { ProxyRoute } from '../transport/proxy-route.js';
import type {
  NetworkSource,
  ProxyTransportFactory,
  TransportFactory,
  WebSocketConstructor,
} from '../transport/types.js';
import { webSocketTransport } from '../transport/websocket.js';

/** The platform and timing options both engine profiles accept. */
export interface SessionSetupOptions {
  appId: string;
  serverUrl: string | string[];
  timing?: Partial<Omit<MachineConfig, 'policy'>> | undefined;
  reconnectPolicy?: ReconnectPolicy | undefined;
  clock?: Clock | undefined;
  WebSocket?: WebSocketConstructor | undefined;
  transport?: TransportFactory | undefined;
  network?: NetworkSource | null | undefined;
  proxy?: string | undefined;
  proxyTransport?: ProxyTransportFactory | undefined;
  /** Only validated here (the media layer reads it). */
  media?: { videoCodec?: unknown } | undefined;
}

export type SessionSetup =
  | {
      ok: true;
      session: ChannelSession;
      route: ProxyRoute;
      /** False when a proxy cannot be used: Node with no `proxy` URL configured. */
      proxyUsable: boolean;
      clock: Clock;
    }
  | { ok: false; error: 'invalid_argument' | 'no_websocket' };

/**
 * Builds the one ChannelSession an engine drives, from the options every profile shares.
 * Profiles differ only in numbering, callbacks and default timings — never in how the
 * connection works — so this is the single place that wires transport, proxy, network and clock.
 */
export function setupSession(
  options: SessionSetupOptions,
  defaults: Omit<MachineConfig, 'policy'>,
  listener: SessionListener,
): SessionSetup {
  const urls = typeof options.serverUrl === 'string' ? [options.serverUrl] : options.serverUrl;
  if (!Array.isArray(urls) || urls.length === 0 || urls.some((u) => typeof u !== 'string'))
    return { ok: false, error: 'invalid_argument' };
  if (options.proxy !== undefined && !isHttpProxyUrl(options.proxy))
    return { ok: false, error: 'invalid_argument' };
  const videoCodec = options.media?.videoCodec;
  if (videoCodec !== undefined && videoCodec !== 'vp8' && videoCodec !== 'h264')
    return { ok: false, error: 'invalid_argument' };
  let direct = options.transport;
  if (!direct) {
    const ws = resolveWebSocket(options.WebSocket);
    if (!ws) return { ok: false, error: 'no_websocket' };
    direct = webSocketTransport(ws);
  }
  // A custom transport routes by itself unless the caller also says how to proxy it.
  const proxyFactory = options.transport
    ? options.proxyTransport
    : resolveProxyTransport(options.proxyTransport);
  const proxied = proxyFactory && options.proxy ? proxyFactory(options.proxy) : undefined;
  const route = new ProxyRoute(direct, proxied);
  const clock = options.clock ?? systemClock;
  const timing = { ...defaults, ...stripUndefined(options.timing ?? {}) };
  const network = resolveNetworkSource(options.network);
  const session = new ChannelSession(
    {
      appId: options.appId,
      serverUrls: urls,
      clock,
      transport: route.transport,
      config: { ...timing, policy: options.reconnectPolicy ?? exponentialBackoff() },
      ...(network ? { network } : {}),
    },
    listener,
  );
  // Without a proxy factory (browsers) the platform's own proxy applies, so "on" is always possible.
  const proxyUsable = proxied !== undefined || proxyFactory === undefined;
  return { ok: true, session, route, proxyUsable, clock };
}

function isHttpProxyUrl(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
