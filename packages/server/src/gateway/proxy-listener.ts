import type { Server, Socket } from 'node:net';
import { Duplex } from 'node:stream';
import { parseProxyHeader } from './proxy-protocol.js';

/** Client addresses read from PROXY headers, by the socket (or TLS wrapper) handed to the server. */
const sources = new WeakMap<object, string>();

/** The client address a trusted load balancer's PROXY header gave for this socket, if any. */
export function proxiedSource(socket: object): string | undefined {
  return sources.get(socket);
}

export interface ProxyListenerOptions {
  /** The header must arrive within this, or the socket is destroyed. */
  timeoutMs: number;
  /** The server is TLS: the header comes before the TLS handshake. */
  tls: boolean;
  /** Whether this TCP peer's header is believed (a trusted proxy); others' headers are read and ignored. */
  trusted: (peer: string) => boolean;
}

/**
 * Makes `server` expect a PROXY protocol header (v1 or v2) at the start of every connection: the
 * server's own `connection` listeners (HTTP, TLS, the handshake gate) run only once the header is
 * read, and see the connection as if it started after it. A connection that does not start with
 * a valid header is destroyed.
 */
export function acceptProxyProtocol(server: Server, opts: ProxyListenerOptions): void {
  const listeners = server.listeners('connection') as Array<(socket: Duplex) => void>;
  server.removeAllListeners('connection');
  server.on('connection', (socket: Socket) => {
    let buffered: Buffer = Buffer.alloc(0);
    socket.setTimeout(opts.timeoutMs, () => socket.destroy());
    socket.on('error', () => socket.destroy());
    const onData = (chunk: Buffer) => {
      buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
      const header = parseProxyHeader(buffered);
      if (header.kind === 'incomplete') return;
      socket.off('data', onData);
      socket.pause();
      if (header.kind === 'error') {
        socket.destroy();
        return;
      }
      socket.setTimeout(0);
      const rest = buffered.subarray(header.length);
      // Over TLS the TLS layer reads the socket's handle directly and would miss bytes put back
      // into the stream: it is handed a stream wrapper instead.
      const handed = opts.tls ? streamOf(socket) : socket;
      if (header.source !== undefined && opts.trusted(socket.remoteAddress ?? ''))
        sources.set(handed, header.source);
      if (rest.length > 0) (handed === socket ? socket : (handed as Duplex)).unshift(rest);
      for (const listener of listeners) listener.call(server, handed);
      socket.resume();
    };
    socket.on('data', onData);
  });
}

/** A Duplex over `socket` (its address fields copied), for TLS to wrap as a JS stream. */
function streamOf(socket: Socket): Duplex {
  const stream = new Duplex({
    read() {
      socket.resume();
    },
    write(chunk: Buffer, _encoding, callback) {
      socket.write(chunk, callback);
    },
    final(callback) {
      socket.end(callback);
    },
    destroy(err, callback) {
      socket.destroy(err ?? undefined);
      callback(err);
    },
  });
  socket.on('data', (chunk: Buffer) => {
    if (!stream.push(chunk)) socket.pause();
  });
  socket.on('end', () => stream.push(null));
  socket.on('close', () => stream.destroy());
  Object.assign(stream, {
    remoteAddress: socket.remoteAddress,
    remotePort: socket.remotePort,
    remoteFamily: socket.remoteFamily,
    localAddress: socket.localAddress,
    localPort: socket.localPort,
    setTimeout: (ms: number, cb?: () => void) => socket.setTimeout(ms, cb),
    setNoDelay: (on?: boolean) => socket.setNoDelay(on),
    setKeepAlive: (on?: boolean, delay?: number) => socket.setKeepAlive(on, delay),
  });
  return stream;
}
