import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server, type ServerOptions } from 'socket.io';
import { serve } from '../rpc.js';
import { procStats } from './proc-stats.js';
import { profileStart, profileStop } from './profiler.js';

/**
 * A Socket.IO 4.8 server in its own process with the obvious presence layer: a `join` event
 * (acknowledged with the room's member list) puts the socket in the room and tells the room
 * `user_joined`; a disconnect tells the room `user_offline` with Socket.IO's reason. A `stream`
 * event is relayed to the rest of the room (`socket.to(room).emit('stream', uid, msg)`).
 */
let io: Server | undefined;
let http: HttpServer | undefined;

interface Params {
  host: string;
  pingInterval?: number;
  pingTimeout?: number;
  /** connectionStateRecovery.maxDisconnectionDuration, ms; absent = off (the default). */
  recoveryMs?: number;
}

function attachPresence(server: Server): void {
  const rooms = new Map<string, Set<number>>();
  const add = (room: string, uid: number) => {
    const set = rooms.get(room) ?? new Set<number>();
    set.add(uid);
    rooms.set(room, set);
    return set;
  };
  server.on('connection', (socket) => {
    const data = socket.data as { room?: string; uid?: number };
    // A recovered session (connectionStateRecovery) is back in its room: it was announced as gone, so re-announce.
    if (socket.recovered && data.room !== undefined && data.uid !== undefined) {
      add(data.room, data.uid);
      socket.to(data.room).emit('user_joined', data.uid);
    }
    socket.on('join', (msg: { room: string; uid: number }, ack?: (members: number[]) => void) => {
      data.room = msg.room;
      data.uid = msg.uid;
      void socket.join(msg.room);
      const set = add(msg.room, msg.uid);
      socket.to(msg.room).emit('user_joined', msg.uid);
      ack?.([...set].filter((u) => u !== msg.uid));
    });
    // Data streams (the `streams` scenario): the obvious relay, the message as received, to the rest of the room.
    socket.on('stream', (msg: unknown) => {
      if (data.room !== undefined) socket.to(data.room).emit('stream', data.uid, msg);
    });
    socket.on('disconnect', (reason) => {
      if (data.room === undefined || data.uid === undefined) return;
      const set = rooms.get(data.room);
      set?.delete(data.uid);
      if (set?.size === 0) rooms.delete(data.room);
      socket.to(data.room).emit('user_offline', data.uid, reason);
    });
  });
}

serve({
  start: async (p: Params) => {
    http = createServer();
    const opts: Partial<ServerOptions> = {
      transports: ['websocket'],
      serveClient: false,
      ...(p.pingInterval ? { pingInterval: p.pingInterval } : {}),
      ...(p.pingTimeout ? { pingTimeout: p.pingTimeout } : {}),
      ...(p.recoveryMs
        ? { connectionStateRecovery: { maxDisconnectionDuration: p.recoveryMs, skipMiddlewares: true } }
        : {}),
    };
    io = new Server(http, opts);
    attachPresence(io);
    const srv = http;
    await new Promise<void>((resolve) => srv.listen(0, p.host, resolve));
    return { host: p.host, port: (srv.address() as AddressInfo).port };
  },
  stats: (p: { gc?: boolean }) => procStats(p.gc),
  profileStart: () => profileStart(),
  profileStop: (p: { file: string }) => profileStop(p.file),
  stop: async () => {
    const server = io;
    io = undefined;
    if (!server) return;
    server.disconnectSockets(true);
    await new Promise<void>((resolve) => server.close(() => resolve()));
  },
});
