import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { tcpSocket } from '../gateway/handshake.js';
import { acceptProxyProtocol, proxiedSource } from '../gateway/proxy-listener.js';
import { clientAddress, normalizeAddress, TrustedProxies } from './client-address.js';
import { OriginPolicy } from './origins.js';

/**
 * The server's edge rules for one listener: whose X-Forwarded-For is believed (`trustedProxies`)
 * and which browser origins may open a WebSocket (`allowedOrigins`). Bad entries throw a
 * TypeError naming them when the server starts.
 */
export class EdgeSecurity {
  readonly trusted: TrustedProxies;
  readonly origins: OriginPolicy | undefined;

  constructor(opts: {
    trustedProxies?: readonly string[];
    allowedOrigins?: readonly string[];
    proxyProtocol?: boolean;
  }) {
    this.trusted = new TrustedProxies(opts.trustedProxies ?? []);
    this.origins = opts.allowedOrigins ? new OriginPolicy(opts.allowedOrigins) : undefined;
    if (opts.proxyProtocol && this.trusted.size === 0)
      throw new TypeError(
        'proxyProtocol needs trustedProxies: the load balancers whose PROXY headers are believed',
      );
  }

  /**
   * A socket's peer: the client a trusted load balancer's PROXY header named, or the TCP peer.
   * Takes the TCP socket, a TLS socket over it, or the stream the PROXY listener handed on.
   */
  readonly peerOf = (socket: Duplex): string => {
    const tcp = tcpSocket(socket);
    return proxiedSource(tcp) ?? proxiedSource(socket) ?? tcp.remoteAddress ?? '';
  };

  /** Whether a socket's peer is a trusted proxy (its connections are counted per forwarded client). */
  readonly isTrustedPeer = (socket: Duplex): boolean => this.trusted.has(this.peerOf(socket));

  /** The client's address: the peer's, or the one a trusted proxy forwarded (PROXY header, X-Forwarded-For). */
  readonly clientAddressOf = (req: IncomingMessage): string =>
    clientAddress(this.peerOf(req.socket), req.headers['x-forwarded-for'], this.trusted);

  /** Makes `server` read a PROXY protocol header first on every connection (`proxyProtocol`). */
  acceptProxyProtocol(server: Server, timeoutMs: number, tls: boolean): void {
    acceptProxyProtocol(server, { timeoutMs, tls, trusted: (peer) => this.trusted.has(peer) });
  }

  /** Undefined when this upgrade's Origin may connect, or why not. */
  originRefusal(req: IncomingMessage): string | undefined {
    return this.origins?.check(req.headers.origin);
  }
}

/** Answers an upgrade with a plain HTTP error (`{ error, message }` JSON) and closes the socket. */
export function refuseUpgradeHttp(
  socket: Duplex,
  status: 403 | 503,
  code: string,
  message: string,
  retryAfterS?: number,
): void {
  const body = JSON.stringify({ error: code, message });
  const reason = status === 403 ? 'Forbidden' : 'Service Unavailable';
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\n` +
      (retryAfterS !== undefined ? `Retry-After: ${retryAfterS}\r\n` : '') +
      `Content-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

/** One `error` listener for every upgraded socket (`this` is the socket): no closure kept per connection. */
function destroySelf(this: Duplex): void {
  this.destroy();
}
export function destroyOnError(socket: Duplex): void {
  socket.on('error', destroySelf);
}

export { normalizeAddress };
