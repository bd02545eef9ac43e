import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { type Clock, CloseCode, encodeFrame, type TimerHandle } from '@holdfast/protocol';
import type { Logger } from 'pino';
import type { WebSocket } from 'ws';
import { AddressLimiter, type AddressLimits } from './limits.js';

export interface GateOptions extends AddressLimits {
  /** A new socket must finish its HTTP request head (an upgrade or a plain request) within this. */
  handshakeTimeoutMs: number;
}

const REQUEST_TIMEOUT_MS = 30_000;

/** The address a socket is counted on: its peer address unless a caller knows better (trusted proxy). */
export type AddressOf = (socket: Socket) => string;
const peerAddress: AddressOf = (socket) => socket.remoteAddress ?? '';

/**
 * The socket the listener's `connection` event gave, under a request's socket: over TLS,
 * `req.socket` is a TLSSocket wrapping it (Node keeps a TCP socket as `_parent`, a JS stream — the
 * PROXY protocol listener's — as its handle's `_parentWrap.stream`). Internal fields: the TLS tests
 * with a short handshake deadline fail if a Node upgrade moves them.
 */
export function tcpSocket(socket: Duplex): Socket {
  const s = socket as { _parent?: unknown; _handle?: { _parentWrap?: { stream?: unknown } } | null };
  const parent = s._parent ?? s._handle?._parentWrap?.stream;
  return (parent && typeof parent === 'object' ? parent : socket) as Socket;
}

/**
 * Guards the HTTP listener before anything reaches the WebSocket gateway or the router:
 * - every new socket must deliver its request head (upgrade or plain HTTP) within
 *   `handshakeTimeoutMs`, or it is destroyed (slowloris: half an upgrade, then nothing);
 * - one address holds at most `maxConnectionsPerAddress` sockets; a few over that are kept to
 *   be told why (typed `rate_limited` on upgrade, 429 over HTTP), the rest are destroyed on accept;
 * - one address starts at most `maxJoinsPerSecondPerAddress` upgrades per second.
 * One sweep timer per node, not one per socket.
 */
export class ConnectionGate {
  readonly limiter: AddressLimiter;
  /** Sockets that have not delivered a request head yet → their deadline (clock ms). */
  #pending = new Map<Socket, number>();
  #refused = new WeakSet<Duplex>();
  /** Sockets from a trusted proxy: counted at their upgrade, on the client address it forwarded. */
  #uncounted = new WeakSet<Socket>();
  #timer: TimerHandle | undefined;
  readonly sweepMs: number;

  constructor(
    private readonly opts: GateOptions,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly addressOf: AddressOf = peerAddress,
    /** Sockets not counted on accept (a trusted proxy's: many clients share its address). */
    private readonly countAtUpgrade: (socket: Socket) => boolean = () => false,
  ) {
    this.limiter = new AddressLimiter(opts, () => clock.now());
    this.sweepMs = Math.max(20, Math.min(250, Math.floor(opts.handshakeTimeoutMs / 8)));
  }

  /** Sockets still inside their handshake deadline. */
  get pending(): number {
    return this.#pending.size;
  }

  /** Hooks the listener's `connection` event; headers must also arrive within the deadline. */
  attach(http: Server): void {
    http.headersTimeout = Math.min(http.headersTimeout, this.opts.handshakeTimeoutMs);
    // A whole request (an admin body) within 30 s; an SSE stream's request is complete at once.
    http.requestTimeout = Math.min(http.requestTimeout || REQUEST_TIMEOUT_MS, REQUEST_TIMEOUT_MS);
    http.on('connection', (socket: Socket) => this.#onConnection(socket));
  }

  #onConnection(socket: Socket): void {
    if (this.countAtUpgrade(socket)) {
      this.#uncounted.add(socket);
      this.#pending.set(socket, this.clock.now() + this.opts.handshakeTimeoutMs);
      // `on`, not `once`: a socket closes once, and `once` keeps a wrapper per socket for its life.
      socket.on('close', () => this.#pending.delete(socket));
      return;
    }
    const address = this.addressOf(socket);
    const verdict = this.limiter.open(address);
    if (verdict === 'drop') {
      socket.destroy();
      return;
    }
    if (verdict === 'refuse') this.#refused.add(socket);
    this.#pending.set(socket, this.clock.now() + this.opts.handshakeTimeoutMs);
    socket.on('close', this.#released);
  }

  /**
   * Every counted socket's `close` listener, one for all (`this` is the socket): a closure per
   * socket kept ~100 bytes alive per connection. The address is the one it was counted on (the
   * peer's, read on accept and cached by the socket; or a PROXY header's source).
   */
  readonly #released = ((gate: ConnectionGate) =>
    function released(this: Socket): void {
      gate.#pending.delete(this);
      gate.limiter.release(gate.addressOf(this));
    })(this);

  /**
   * A plain HTTP request arrived: its handshake is done. False when the socket is over its
   * address's cap: a 429 has been sent and the router must not run.
   */
  admitRequest(req: IncomingMessage, res: ServerResponse): boolean {
    const socket = tcpSocket(req.socket);
    this.#pending.delete(socket);
    if (!this.#refused.has(socket)) return true;
    const body = JSON.stringify({ error: 'rate_limited', message: 'too many connections from this address' });
    res.writeHead(429, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(body),
      connection: 'close',
      'retry-after': '1',
    });
    res.end(body);
    return false;
  }

  /**
   * An upgrade arrived from `address` (the client's address as the caller knows it: the peer
   * address, or the one a trusted proxy forwarded): undefined to go ahead, or why it must be
   * refused (`rate_limited`). Joins per second are counted on `address`; connections were
   * counted on accept, on `addressOf(socket)`, except a trusted proxy's: those are counted here,
   * on `address`, until the socket closes.
   */
  upgrade(upgraded: Duplex, address: string = this.addressOf(tcpSocket(upgraded))): string | undefined {
    const socket = tcpSocket(upgraded);
    this.#pending.delete(socket);
    if (this.#uncounted.has(socket)) {
      this.#uncounted.delete(socket);
      const verdict = this.limiter.open(address);
      if (verdict !== 'drop') socket.on('close', () => this.limiter.release(address));
      if (verdict !== 'ok') return 'too many connections from this address';
    }
    if (this.#refused.has(socket)) return 'too many connections from this address';
    if (!this.limiter.allowJoin(address))
      return `more than ${this.opts.maxJoinsPerSecondPerAddress} joins per second from this address`;
    return undefined;
  }

  /** Destroys every socket past its handshake deadline. */
  sweep(): void {
    const now = this.clock.now();
    let cut = 0;
    for (const [socket, deadline] of this.#pending) {
      // Insertion order is deadline order (one fixed timeout), so the first live one ends the scan.
      if (deadline > now) break;
      this.#pending.delete(socket);
      socket.destroy();
      cut++;
    }
    if (cut > 0) this.log.info({ cut }, 'closed sockets that did not finish their handshake in time');
    this.limiter.sweep();
  }

  start(): void {
    this.stop();
    const tick = () => {
      // After this turn's reads: on a busy node the timer can come due while a request head that
      // arrived in time still sits unread in its socket.
      setImmediate(() => this.sweep());
      this.#timer = this.clock.setTimeout(tick, this.sweepMs);
    };
    this.#timer = this.clock.setTimeout(tick, this.sweepMs);
  }

  stop(): void {
    if (this.#timer !== undefined) this.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}

/** Ends a just-upgraded WebSocket with a typed `rate_limited` refusal (close code 4429). */
export function refuseWebSocket(ws: WebSocket, message: string): void {
  ws.send(encodeFrame({ type: 'end', code: 'rate_limited', message }));
  ws.close(CloseCode.rate_limited, 'rate_limited');
  setTimeout(() => ws.terminate(), 2000).unref();
}
