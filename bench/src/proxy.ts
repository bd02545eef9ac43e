import net from 'node:net';
import { serve } from './rpc.js';
import { now } from './stats.js';

/**
 * The bench's fault proxy, in its own process: the same semantics as the project's
 * `startFaultProxy` (pass, blackhole = a pulled cable: bytes and closes silently dropped,
 * new connections accepted but never forwarded; back to pass = every connection that lived
 * through the blackhole is destroyed, so each client sees its socket die and reconnects),
 * plus what the detection scenario needs: per client tag (`tag=<uid>` in the upgrade
 * request), when bytes last went up to the server and down to the client before the cut.
 */
interface Conn {
  client: net.Socket;
  upstream: net.Socket | null;
  tag: number;
}

let mode: 'pass' | 'blackhole' = 'pass';
const conns = new Set<Conn>();
/** tag → [last byte to the server, last byte to the client] (ms). */
const seen = new Map<number, [number, number]>();
let server: net.Server | undefined;

function touch(tag: number, dir: 0 | 1): void {
  if (tag < 0) return;
  const s = seen.get(tag) ?? [0, 0];
  s[dir] = now();
  seen.set(tag, s);
}

function pipe(conn: Conn, from: net.Socket, to: net.Socket | null, dir: 0 | 1): void {
  from.on('data', (chunk: Buffer) => {
    if (conn.tag < 0 && dir === 0) {
      const m = /tag=(\d+)/.exec(chunk.toString('latin1', 0, Math.min(chunk.length, 512)));
      conn.tag = m ? Number(m[1]) : 0;
    }
    if (mode !== 'pass' || !to || to.destroyed) return;
    touch(conn.tag, dir);
    if (!to.write(chunk)) {
      from.pause();
      to.once('drain', () => from.resume());
    }
  });
  from.on('end', () => {
    if (mode === 'pass' && to && !to.destroyed) to.end();
  });
  from.on('close', () => {
    if (mode === 'pass' && to) to.destroy();
    if (conn.client.destroyed && (!conn.upstream || conn.upstream.destroyed)) conns.delete(conn);
  });
  from.on('error', () => {});
}

serve({
  start: async (p: { host: string; targetHost: string; targetPort: number }) => {
    server = net.createServer({ allowHalfOpen: true, noDelay: true }, (client) => {
      let upstream: net.Socket | null = null;
      if (mode === 'pass') {
        upstream = net.connect({
          host: p.targetHost,
          port: p.targetPort,
          allowHalfOpen: true,
          noDelay: true,
        });
      }
      const conn: Conn = { client, upstream, tag: -1 };
      conns.add(conn);
      pipe(conn, client, upstream, 0);
      if (upstream) pipe(conn, upstream, client, 1);
    });
    const srv = server;
    // A deep accept queue: a storm of 1,000 reconnects must not overflow the proxy's own backlog.
    await new Promise<void>((resolve) => srv.listen({ port: 0, host: p.host, backlog: 8192 }, resolve));
    return { port: (srv.address() as net.AddressInfo).port };
  },
  /** Pulls the cable; returns when, and each tag's last byte times before it. */
  cut: () => {
    mode = 'blackhole';
    const at = now();
    return { at, seen: [...seen.entries()].map(([tag, [up, down]]) => [tag, up, down]) };
  },
  /** Gives the network back; returns when. */
  restore: () => {
    mode = 'pass';
    const at = now();
    for (const c of conns) {
      c.client.destroy();
      c.upstream?.destroy();
    }
    conns.clear();
    return { at };
  },
  count: () => conns.size,
  stop: async () => {
    for (const c of conns) {
      c.client.destroy();
      c.upstream?.destroy();
    }
    conns.clear();
    seen.clear();
    const srv = server;
    server = undefined;
    if (srv) await new Promise<void>((resolve) => srv.close(() => resolve()));
  },
});
