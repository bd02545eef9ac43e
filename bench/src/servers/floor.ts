import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';
import { serve } from '../rpc.js';
import { procStats } from './proc-stats.js';
import { profileStart, profileStop } from './profiler.js';

/**
 * The floor, not a product: the least a Node WebSocket server can do and still give its clients
 * 4 s detection — one pre-encoded 13-byte frame to every connection every `keepaliveMs`, from
 * one timer, and nothing else (pings are read and dropped, a join is answered with a bare
 * `joined` so the bench's clients count it). What it costs at idle is what one small write per
 * connection per 2 s costs on this machine: no server that meets the 4 s rule can go below it.
 */
let http: HttpServer | undefined;
let timer: NodeJS.Timeout | undefined;
const KA = Buffer.from('{"type":"ka"}');
const JOINED = '{"type":"joined","seq":0}';

serve({
  start: async (p: { host: string; keepaliveMs: number }) => {
    const conns = new Map<WebSocket, number>();
    http = createServer();
    const wss = new WebSocketServer({ server: http, perMessageDeflate: false, clientTracking: false });
    wss.on('connection', (ws) => {
      conns.set(ws, Date.now());
      ws.on('message', (data) => {
        if (data.toString().startsWith('{"type":"join"')) {
          ws.send(JOINED);
          conns.set(ws, Date.now());
        }
      });
      ws.on('close', () => conns.delete(ws));
      ws.on('error', () => {});
    });
    const tick = Math.min(250, Math.floor(p.keepaliveMs / 8));
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
