import net from 'node:net';

/**
 * A TCP relay to a server that keeps a copy of everything the server sent: an on-path observer of
 * a plain `ws://` connection (the WebSocket frames from a server are unmasked and not compressed,
 * so their JSON is readable in the stream). What an attacker on the network would learn.
 */
export interface WireTap {
  readonly url: string;
  readonly port: number;
  /** Everything the server sent through the tap so far, as latin1 text. */
  readonly seen: string;
  /** Connections made through the tap so far. */
  readonly connections: number;
  close(): Promise<void>;
}

export async function startWireTap(targetPort: number): Promise<WireTap> {
  let seen = '';
  let connections = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    connections++;
    const upstream = net.connect(targetPort, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => {});
      s.on('close', () => {
        sockets.delete(s);
        client.destroy();
        upstream.destroy();
      });
    }
    upstream.on('data', (d: Buffer) => {
      seen += d.toString('latin1');
    });
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}`,
    port,
    get seen() {
      return seen;
    },
    get connections() {
      return connections;
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The session id and resume secret of the last fresh `joined` frame that went through the tap. */
export function sniffSession(tap: WireTap): { sessionId: string; secret: string } {
  // One joined frame: from its start to its resumeSecret, never into the next joined frame.
  const fresh =
    /\{"type":"joined","sessionId":"([A-Za-z0-9_-]+)"(?:(?!"type":"joined").)*?"resumeSecret":"([A-Za-z0-9_-]+)"/gs;
  const [, sessionId, secret] = [...tap.seen.matchAll(fresh)].at(-1) ?? [];
  if (!sessionId || !secret) throw new Error('no fresh joined frame seen on the wire');
  return { sessionId, secret };
}
