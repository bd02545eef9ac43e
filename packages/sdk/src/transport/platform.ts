import type { NetworkChange, NetworkSource, ProxyTransportFactory, WebSocketConstructor } from './types.js';

let defaultWebSocket: WebSocketConstructor | undefined;

/** Set by the Node entry point (to `ws`); browsers use the global WebSocket. */
export function setDefaultWebSocket(impl: WebSocketConstructor): void {
  defaultWebSocket = impl;
}

export function resolveWebSocket(explicit?: WebSocketConstructor): WebSocketConstructor | undefined {
  return explicit ?? defaultWebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
}

type EventTargetLike = {
  addEventListener(type: string, fn: () => void): void;
  removeEventListener(type: string, fn: () => void): void;
};

/**
 * Browser network changes: `online`/`offline` on window, and the Network
 * Information API's `change` where it exists (a Wi-Fi ↔ cellular switch).
 */
export function browserNetworkSource(): NetworkSource | undefined {
  const win = globalThis as { addEventListener?: unknown; navigator?: { connection?: EventTargetLike } };
  if (typeof win.addEventListener !== 'function') return undefined;
  const target = win as unknown as EventTargetLike;
  return {
    subscribe(listener: (change: NetworkChange) => void) {
      const online = () => listener('online');
      const offline = () => listener('offline');
      const changed = () => listener('changed');
      target.addEventListener('online', online);
      target.addEventListener('offline', offline);
      const conn = win.navigator?.connection;
      conn?.addEventListener('change', changed);
      return () => {
        target.removeEventListener('online', online);
        target.removeEventListener('offline', offline);
        conn?.removeEventListener('change', changed);
      };
    },
  };
}

let defaultNetwork: () => NetworkSource | undefined = browserNetworkSource;

/** Set by the Node entry point (interface polling). */
export function setDefaultNetworkSource(factory: () => NetworkSource | undefined): void {
  defaultNetwork = factory;
}
export function resolveNetworkSource(explicit: NetworkSource | null | undefined): NetworkSource | undefined {
  if (explicit === null) return undefined;
  return explicit ?? defaultNetwork();
}

let defaultProxyTransport: ProxyTransportFactory | undefined;

/** Set by the Node entry point (`ws` + `https-proxy-agent`). Browsers leave it unset. */
export function setDefaultProxyTransport(factory: ProxyTransportFactory | undefined): void {
  defaultProxyTransport = factory;
}
export function resolveProxyTransport(explicit?: ProxyTransportFactory): ProxyTransportFactory | undefined {
  return explicit ?? defaultProxyTransport;
}
