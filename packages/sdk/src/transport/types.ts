/** Callbacks from a transport to its owner. Each fires for the transport it was given to. */
export interface TransportHandlers {
  onOpen(): void;
  onMessage(data: string): void;
  /** Fires exactly once, after an error too. `code` is the WebSocket close code (1006 when abnormal). */
  onClose(code: number, reason: string): void;
}

/** One connection attempt's byte pipe. */
export interface Transport {
  /** Queues a text frame; returns false when the transport is not open. */
  send(data: string): boolean;
  close(code?: number, reason?: string): void;
  readonly bytesSent: number;
  readonly bytesReceived: number;
}

/** Opens a transport to `url`. The seam that lets one SDK run over browser WebSocket, `ws`, or a test double. */
export type TransportFactory = (url: string, handlers: TransportHandlers) => Transport;

/** The subset of the WHATWG WebSocket that both browsers and the `ws` package provide. */
export interface WebSocketLike {
  readonly readyState: number;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}
export type WebSocketConstructor = new (url: string) => WebSocketLike;
/**
 * The `ws` package's constructor shape: a second argument of client options (for example an
 * `agent` that tunnels through a proxy). Browser WebSocket takes sub-protocols there instead,
 * so this shape is only ever used on the Node path.
 */
export type NodeWebSocketConstructor = new (url: string, options: Record<string, unknown>) => WebSocketLike;

/** What the network did: used to retry at once when it comes back or changes. */
export type NetworkChange = 'online' | 'offline' | 'changed';

/**
 * Builds a transport that reaches the server through an HTTP CONNECT proxy at `proxyUrl`
 * (`http://host:port`). Node supplies one (`ws` with `https-proxy-agent`); browsers have none,
 * because a page cannot choose its proxy: the browser's own proxy settings apply to WebSocket.
 */
export type ProxyTransportFactory = (proxyUrl: string) => TransportFactory;

/** A source of network change notifications (browser events, Node interface polling, or a test double). */
export interface NetworkSource {
  subscribe(listener: (change: NetworkChange) => void): () => void;
}
