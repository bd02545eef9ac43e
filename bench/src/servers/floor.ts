import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';
import { serve } from '../rpc.js';
import { procStats } from './proc-stats.js';
import { profileStart, profileStop } from './profiler.js';

/**
 * The floor, not a product: the least a Node WebSocket server can do and still give its clients
 * 4 s detection — one pre-encoded 13-byte frame to every connection every `keepaliveMs`, from
 * one timer, and nothing else (pings are read and dropped). What it costs at idle is what one
 * small write per connection per 2 s costs on this machine: no server that meets the 4 s rule can
 * go below it.
 *
 * For the join and presence rows it is the least a presence server can do: a join is parsed, its
 * `user_joined` is encoded and framed once and the whole frame written to every other member of the
 * channel from inside the handler, one write call each (as the bench's Socket.IO server does, before
 * its ack, and as Holdfast's fan-out does), then a bare `joined` goes back
 * (no member list, no session, no token, no event log); a leave or a close tells the others
 * `user_offline` the same way. No server that announces a join to M members can do it faster here.
 *
 * With `resumes` (the recovery row) it is the least a server can do for the real SDK coming back:
 * a join is answered with a `joined` the SDK accepts (the channel's member list, `resumed` when
 * the join asked for a resume — no session is looked up, no secret checked, nothing announced), and
 * a close is not announced (a server with a resume window would say nothing within it either).
 */
/** Writes a whole frame to the socket past ws's sender, while the sender is idle (ws 8 internals). */
function writeWhole(ws: WebSocket, wire: Buffer): boolean {
  const { _socket: socket, _sender: sender } = ws as unknown as {
    _socket?: { write(b: Buffer): boolean };
    _sender?: { _state?: number; _queue?: unknown[] };
  };
  if (
    ws.readyState !== ws.OPEN ||
    !socket ||
    !sender ||
    sender._state !== 0 ||
    (sender._queue?.length ?? 1) > 0
  )
    return false;
  socket.write(wire);
  return true;
}

let http: HttpServer | undefined;
let timer: NodeJS.Timeout | undefined;
const KA = Buffer.from('{"type":"ka"}');
const JOINED = '{"type":"joined","seq":0}';

serve({
  start: async (p: { host: string; keepaliveMs: number; resumes?: number; tickMs?: number }) => {
    const conns = new Map<WebSocket, number>();
    const channels = new Map<string, Set<WebSocket>>();
    const memberOf = new Map<WebSocket, { channel: string; uid: number }>();
    let seq = 0;
    const announce = (ws: WebSocket, kind: 'user_joined' | 'user_offline', channel: string, uid: number) => {
      const frame = Buffer.from(`{"type":"event","seq":${++seq},"event":{"kind":"${kind}","uid":${uid}}}`);
      // Framed once, written whole to every member (what Socket.IO's broadcast and Holdfast's
      // fan-out do): one write call per member, no per-member header.
      const wire = frame.length < 126 ? Buffer.concat([Buffer.from([0x81, frame.length]), frame]) : undefined;
      for (const other of channels.get(channel) ?? [])
        if (other !== ws) {
          if (!wire || !writeWhole(other, wire)) other.send(frame, { binary: false });
          conns.set(other, Date.now());
        }
    };
    /** A `joined` the SDK accepts: the channel's other members, `resumed` when a resume was asked for. */
    const sdkJoined = (
      join: { channel: string; uid: number; role: string; resume?: object },
      set: Set<WebSocket>,
    ) => {
      const members = [...set].flatMap((other) => {
        const m = memberOf.get(other);
        return m && m.uid !== join.uid ? [{ uid: m.uid }] : [];
      });
      return JSON.stringify({
        type: 'joined',
        sessionId: `floor-${join.uid}`,
        ...(join.resume ? {} : { resumeSecret: 'floor' }),
        uid: join.uid,
        channel: join.channel,
        role: join.role,
        resumed: join.resume !== undefined,
        members,
        seq,
        keepaliveMs: 5950,
        offlineAfterMs: 20_000,
        serverTime: Date.now(),
      });
    };
    const leave = (ws: WebSocket) => {
      const m = memberOf.get(ws);
      if (!m) return;
      memberOf.delete(ws);
      const set = channels.get(m.channel);
      set?.delete(ws);
      if (set?.size === 0) channels.delete(m.channel);
      announce(ws, 'user_offline', m.channel, m.uid);
    };
    http = createServer();
    const wss = new WebSocketServer({ server: http, perMessageDeflate: false, clientTracking: false });
    wss.on('connection', (ws) => {
      conns.set(ws, Date.now());
      ws.on('message', (data) => {
        const text = data.toString();
        if (text.startsWith('{"type":"join"')) {
          const join = JSON.parse(text) as { channel: string; uid: number; role: string; resume?: object };
          const { channel, uid } = join;
          if (!p.resumes || !join.resume) announce(ws, 'user_joined', channel, uid);
          const set = channels.get(channel) ?? new Set<WebSocket>();
          channels.set(channel, set);
          ws.send(p.resumes ? sdkJoined(join, set) : JOINED);
          set.add(ws);
          memberOf.set(ws, { channel, uid });
          conns.set(ws, Date.now());
        } else if (text.startsWith('{"type":"leave"')) leave(ws);
      });
      ws.on('close', () => {
        if (p.resumes) {
          const m = memberOf.get(ws);
          if (m) channels.get(m.channel)?.delete(ws);
          memberOf.delete(ws);
        } else leave(ws);
        conns.delete(ws);
      });
      ws.on('error', () => {});
    });
    // Every 250 ms by default (the least CPU at idle); the latency rows ask for a finer tick.
    const tick = p.tickMs ?? Math.min(250, Math.floor(p.keepaliveMs / 8));
    timer = setInterval(() => {
      const due = Date.now() - p.keepaliveMs;
      for (const [ws, last] of conns)
        if (last <= due) {
          ws.send(KA, { binary: false });
          conns.set(ws, Date.now());
        }
    }, tick);
    await new Promise<void>((resolve) => http!.listen({ port: 0, host: p.host, backlog: 4096 }, resolve));
    return { host: p.host, port: (http.address() as AddressInfo).port };
  },
  stats: (p: { gc?: boolean }) => procStats(p.gc),
  profileStart: () => profileStart(),
  profileStop: (p: { file: string }) => profileStop(p.file),
  stop: async () => {
    clearInterval(timer);
    http?.closeAllConnections();
    await new Promise<void>((resolve) => (http ? http.close(() => resolve()) : resolve()));
  },
});
