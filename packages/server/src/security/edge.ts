import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
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

  constructor(opts: { trustedProxies?: readonly string[]; allowedOrigins?: readonly string[] }) {
    this.trusted = new TrustedProxies(opts.trustedProxies ?? []);
    this.origins = opts.allowedOrigins ? new OriginPolicy(opts.allowedOrigins) : undefined;
  }

  /** Whether a socket's peer is a trusted proxy (its connections are counted per forwarded client). */
  readonly isTrustedPeer = (socket: Socket): boolean => this.trusted.has(socket.remoteAddress ?? '');

  /** The client's address: the peer's, or the one a trusted proxy forwarded. */
  readonly clientAddressOf = (req: IncomingMessage): string =>
    clientAddress(req.socket.remoteAddress ?? '', req.headers['x-forwarded-for'], this.trusted);

  /** Undefined when this upgrade's Origin may connect, or why not. */
  originRefusal(req: IncomingMessage): string | undefined {
    return this.origins?.check(req.headers.origin);
  }
}

/** Answers an upgrade with a plain HTTP error (`{ error, message }` JSON) and closes the socket. */
export function refuseUpgradeHttp(socket: Duplex, status: number, code: string, message: string): void {
  const body = JSON.stringify({ error: code, message });
  const reason = status === 403 ? 'Forbidden' : 'Error';
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\n` +
      `Content-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

export { normalizeAddress };
