import type { Wire } from './clients/raw.js';

export type SystemId = 'holdfast' | 'sio-default' | 'sio-tuned' | 'floor';

/** One system under test: its server, its wire protocol, and the timings it is configured for. */
export interface SystemDef {
  id: SystemId;
  label: string;
  wire: Wire;
  /** Server entry, relative to bench/dist. */
  server: 'servers/holdfast.js' | 'servers/socketio.js' | 'servers/floor.js';
  params: Record<string, number>;
  /** Configured client-side detection: time without data until the client declares the link down, ms. */
  clientDetectMs: number;
  /** Configured server-side detection: time without data until remote members are told, ms (upper bound). */
  remoteOfflineMs: number;
  /** Lean clients' keepalive interval (Holdfast's client pings; Socket.IO's server pings, the client only answers). */
  keepaliveMs: number;
}

export const HOLDFAST: SystemDef = {
  id: 'holdfast',
  label: 'Holdfast',
  wire: 'holdfast',
  server: 'servers/holdfast.js',
  // The server's defaults: a `ka` to any client it has been quiet to for 2 s; clients ping every 5.95 s.
  params: { keepaliveMs: 2000, offlineAfterMs: 20_000 },
  clientDetectMs: 4000,
  remoteOfflineMs: 20_000,
  keepaliveMs: 5950,
};

/** Socket.IO 4.8 at its defaults (pingInterval 25 s, pingTimeout 20 s), WebSocket transport only. */
export const SIO_DEFAULT: SystemDef = {
  id: 'sio-default',
  label: 'Socket.IO default',
  wire: 'socketio',
  server: 'servers/socketio.js',
  params: {},
  clientDetectMs: 45_000,
  remoteOfflineMs: 45_000,
  keepaliveMs: 25_000,
};

/**
 * Socket.IO 4.8 tuned for ~4 s detection: pingInterval 2 s + pingTimeout 2 s (the client gives up
 * 4 s after the last ping; the server 2–4 s after the cut), and connectionStateRecovery with a 20 s
 * window (Holdfast's offline window), its closest thing to a session resume.
 */
export const SIO_TUNED: SystemDef = {
  id: 'sio-tuned',
  label: 'Socket.IO tuned',
  wire: 'socketio',
  server: 'servers/socketio.js',
  params: { pingInterval: 2000, pingTimeout: 2000, recoveryMs: 20_000 },
  clientDetectMs: 4000,
  remoteOfflineMs: 4000,
  keepaliveMs: 2000,
};

/**
 * A bare `ws` server that does the 2 s keepalive writes and, for the join and presence rows, the
 * least a presence server can do (servers/floor.ts). What it spends at idle is the floor for any
 * server giving 4 s detection on this machine; its join and presence latencies are the floor for
 * any Node server on `ws` here.
 */
export const FLOOR: SystemDef = {
  id: 'floor',
  label: 'floor: bare ws (2 s keepalive, bare join and presence)',
  wire: 'holdfast',
  server: 'servers/floor.js',
  params: { keepaliveMs: 2000 },
  clientDetectMs: 4000,
  remoteOfflineMs: 20_000,
  keepaliveMs: 5950,
};

/**
 * The floor for the latency rows (join, presence): the same server writing its keepalives every
 * 25 ms (1/80 of the clients at a time) instead of every 250 ms. The 250 ms batches — 1,500 writes
 * at once at 12,000 clients — were themselves the join row's tail (4 Dec: 12–16 stalls of the loop
 * over 10 ms in 10 s, p99 16–18 ms; with 25 ms, 1–3 stalls and p99 10.1–10.5 ms). Coarse batches are
 * what makes the idle floor least; fine ones what makes the latency floor least.
 */
export const LATENCY_FLOOR: SystemDef = {
  ...FLOOR,
  label: 'floor: bare ws (keepalives in 25 ms batches, bare join and presence)',
  params: { ...FLOOR.params, tickMs: 25 },
};

/** The floor for the recovery row: answers the real SDK's joins and resumes (see servers/floor.ts). */
export const RESUME_FLOOR: SystemDef = {
  ...FLOOR,
  label: 'floor: bare ws (answers joins and resumes, nothing else)',
  params: { ...FLOOR.params, resumes: 1 },
};

export const SYSTEMS: Record<SystemId, SystemDef> = {
  holdfast: HOLDFAST,
  'sio-default': SIO_DEFAULT,
  'sio-tuned': SIO_TUNED,
  floor: FLOOR,
};
