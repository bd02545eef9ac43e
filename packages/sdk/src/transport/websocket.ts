import type {
  NodeWebSocketConstructor,
  Transport,
  TransportFactory,
  TransportHandlers,
  WebSocketConstructor,
  WebSocketLike,
} from './types.js';

const OPEN = 1;

/**
 * A {@link TransportFactory} over any WHATWG-style WebSocket constructor
 * (`globalThis.WebSocket` in browsers, the `ws` package in Node).
 *
 * @example
 * webSocketTransport(globalThis.WebSocket);
 * // Node only: `ws` client options, e.g. an agent that tunnels through a proxy.
 * webSocketTransport(WebSocket, { agent: new HttpsProxyAgent('http://proxy:3128') });
 */
export function webSocketTransport(WebSocketImpl: WebSocketConstructor): TransportFactory;
export function webSocketTransport(
  WebSocketImpl: NodeWebSocketConstructor,
  clientOptions: Record<string, unknown>,
): TransportFactory;
export function webSocketTransport(
  WebSocketImpl: WebSocketConstructor | NodeWebSocketConstructor,
  clientOptions?: Record<string, unknown>,
): TransportFactory {
  return (url: string, handlers: TransportHandlers): Transport => {
    let closed = false;
    let bytesSent = 0;
    let bytesReceived = 0;
    const finish = (code: number, reason: string) => {
      if (closed) return;
      closed = true;
      handlers.onClose(code, reason);
    };
    let socket: WebSocketLike | undefined;
    try {
      // Only the Node path passes options: a browser WebSocket would read them as sub-protocols.
      socket = clientOptions
        ? new (WebSocketImpl as NodeWebSocketConstructor)(url, clientOptions)
        : new (WebSocketImpl as WebSocketConstructor)(url);
    } catch (err) {
      // An unparsable URL throws synchronously; report it like any failed attempt.
      queueMicrotask(() => finish(1006, err instanceof Error ? err.message : String(err)));
    }
    if (socket) {
      socket.onopen = () => {
        if (!closed) handlers.onOpen();
      };
      socket.onmessage = (ev) => {
        if (closed) return;
        const data = typeof ev.data === 'string' ? ev.data : String(ev.data);
        bytesReceived += data.length;
        handlers.onMessage(data);
      };
      socket.onclose = (ev) => finish(ev.code, ev.reason);
      // An error is always followed by close in both browsers and `ws`; but if the
      // socket never opened some environments skip close, so finish here too.
      // `ws` says why (ECONNREFUSED, a TLS error, an HTTP status); a browser says nothing.
      socket.onerror = (ev) => {
        if (socket && socket.readyState !== OPEN) finish(1006, errorDetail(ev) || 'connection error');
      };
    }
    return {
      send(data) {
        if (closed || !socket || socket.readyState !== OPEN) return false;
        bytesSent += data.length;
        socket.send(data);
        return true;
      },
      close(code = 1000, reason = '') {
        if (closed) return;
        closed = true;
        if (!socket) return;
        socket.onopen = socket.onmessage = socket.onclose = null;
        // `ws` reports closing a still-connecting socket as an error; nobody is listening any more.
        socket.onerror = () => {};
        try {
          socket.close(code, reason);
        } catch {
          // Closing a CONNECTING socket may throw in some environments; it is gone either way.
        }
      },
      get bytesSent() {
        return bytesSent;
      },
      get bytesReceived() {
        return bytesReceived;
      },
    };
  };
}

/** The message of a `ws` ErrorEvent (`message`, or its `error`'s); '' for a browser's bare Event. */
function errorDetail(ev: unknown): string {
  const e = ev as { message?: unknown; error?: { message?: unknown } } | null;
  if (typeof e?.message === 'string' && e.message) return e.message;
  return typeof e?.error?.message === 'string' ? e.error.message : '';
}
