import net from 'node:net';

/**
 * - pass: bytes flow both ways.
 * - blackhole: bytes (and FIN/close) in both directions are silently dropped while connections stay open,
 *   like a pulled cable. New connections are accepted but never reach the server.
 * - reset: every connection (client and upstream side) is aborted with a TCP RST; new ones are reset at once.
 */
export type FaultMode = 'pass' | 'blackhole' | 'reset';

export interface FaultProxy {
  readonly port: number;
  /** `ws://127.0.0.1:${port}` */
  readonly url: string;
  mode(): FaultMode;
  setMode(mode: FaultMode): void;
  /** Live client-side connections. */
  connectionCount(): number;
  /**
   * When a byte was last forwarded (Date.now()): `up` client → server, `down` server → client; 0 if
   * never. The 4 s and 20 s rules count from the last data, so timing tests measure from these.
   */
  lastForwarded(): { up: number; down: number };
  /** Closes the listener and destroys every connection. */
  close(): Promise<void>;
}

interface Conn {
  client: net.Socket;
  /** null for connections accepted during a blackhole: they never reach the server. */
  upstream: net.Socket | null;
}

const ignore = (): void => {};

function reset(socket: net.Socket | null): void {
  if (!socket || socket.destroyed) return;
  // resetAndDestroy() on a still-connecting socket waits for the connect; just drop it instead.
  if (socket.connecting) socket.destroy();
  else socket.resetAndDestroy();
}

export async function startFaultProxy(opts: {
  targetHost?: string;
  targetPort: number;
  host?: string;
  port?: number;
}): Promise<FaultProxy> {
  const targetHost = opts.targetHost ?? '127.0.0.1';
  let mode: FaultMode = 'pass';
  const conns = new Set<Conn>();
  const last = { up: 0, down: 0 };

  const forget = (conn: Conn): void => {
    if (conn.client.destroyed && (!conn.upstream || conn.upstream.destroyed)) conns.delete(conn);
  };

  // Forwards only in pass mode, with backpressure: pause the source until the destination drains.
  const forward = (conn: Conn, from: net.Socket, to: net.Socket | null, dir: 'up' | 'down'): void => {
    from.on('data', (chunk: Buffer) => {
      if (mode !== 'pass' || !to || to.destroyed) return;
      last[dir] = Date.now();
      if (!to.write(chunk)) {
        from.pause();
        to.once('drain', () => from.resume());
      }
    });
    // Half-closes and closes propagate only in pass mode; during a blackhole the other side sees nothing
    // (the leftover half is destroyed when the blackhole ends).
    from.on('end', () => {
      if (mode === 'pass' && to && !to.destroyed) to.end();
    });
    from.on('close', () => {
      if (mode === 'pass' && to) to.destroy();
      forget(conn);
    });
  };

  const server = net.createServer({ allowHalfOpen: true }, (client) => {
    client.on('error', ignore);
    if (mode === 'reset') {
      reset(client);
      return;
    }
    let upstream: net.Socket | null = null;
    if (mode === 'pass') {
      upstream = net.connect({ host: targetHost, port: opts.targetPort, allowHalfOpen: true });
      upstream.on('error', ignore); // a failed connect emits 'close', which destroys the client
    }
    const conn: Conn = { client, upstream };
    conns.add(conn);
    forward(conn, client, upstream, 'up');
    if (upstream) forward(conn, upstream, client, 'down');
  });
  server.on('error', ignore);

  const host = opts.host ?? '127.0.0.1';
  if (opts.port !== undefined && opts.port === opts.targetPort && host === targetHost)
    throw new TypeError(`fault proxy: port ${opts.port} is its own target`);
  const listen = () =>
    new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port ?? 0, host, () => {
        server.off('error', reject);
        resolve((server.address() as net.AddressInfo).port);
      });
    });
  let port = await listen();
  // A target port nothing listens on (a test's "dead" port) may be the very port the kernel hands
  // the proxy: it would then connect to itself, each connection making another, without end.
  while (opts.port === undefined && port === opts.targetPort && host === targetHost) {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    port = await listen();
  }

  const destroyAll = (): void => {
    for (const conn of conns) {
      conn.client.destroy();
      conn.upstream?.destroy();
    }
    conns.clear();
  };

  return {
    port,
    url: `ws://127.0.0.1:${port}`,
    mode: () => mode,
    setMode(next) {
      const prev = mode;
      mode = next;
      if (next === 'reset') {
        for (const conn of conns) {
          reset(conn.client);
          reset(conn.upstream);
        }
        conns.clear();
      } else if (prev === 'blackhole' && next === 'pass') {
        // Every connection alive now existed during the blackhole, so bytes were dropped mid-stream and
        // its byte stream is corrupt. Resuming it would deliver stale/partial frames; instead close it so the
        // client sees a close and reconnects. Connections accepted after this point pass normally.
        destroyAll();
      }
    },
    lastForwarded: () => ({ ...last }),
    connectionCount: () => {
      let n = 0;
      for (const conn of conns) if (!conn.client.destroyed) n++;
      return n;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        destroyAll();
      }),
  };
}
