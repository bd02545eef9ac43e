import type { WebSocket } from 'ws';

/** The header length of a server-to-client frame with a payload of `n` bytes (never masked). */
const headerLength = (n: number): number => (n < 126 ? 2 : n < 65_536 ? 4 : 10);

function writeHeader(out: Buffer, n: number): void {
  out[0] = 0x81; // FIN, text
  if (n < 126) out[1] = n;
  else if (n < 65_536) {
    out[1] = 126;
    out.writeUInt16BE(n, 2);
  } else {
    out[1] = 127;
    out.writeUInt32BE(Math.floor(n / 2 ** 32), 2);
    out.writeUInt32BE(n >>> 0, 6);
  }
}

/** A whole server-to-client WebSocket text frame (FIN, unmasked): header and UTF-8 payload in one buffer. */
export function textFrame(payload: string | Uint8Array): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload) : payload;
  const head = headerLength(body.length);
  const out = Buffer.allocUnsafe(head + body.length);
  writeHeader(out, body.length);
  out.set(body, head);
  return out;
}

/** The same for a payload known to be ASCII (a pong: digits and punctuation): one allocation. */
export function asciiTextFrame(payload: string): Buffer {
  const head = headerLength(payload.length);
  const out = Buffer.allocUnsafe(head + payload.length);
  writeHeader(out, payload.length);
  out.write(payload, head, 'latin1');
  return out;
}

/** What of ws's WebSocket this reaches past its API for (ws 8). */
interface WsInternals {
  _socket?: { write(chunk: Buffer): boolean };
  _sender?: { _state?: number; _queue?: unknown[] };
}

/**
 * Writes a frame built by {@link textFrame} straight to the socket, past ws's sender: one write
 * call and no per-write buffers, where `ws.send` builds a header, corks, writes twice and uncorks —
 * at 19,900 idle clients that path was about half of what the node allocated (keepalives, pongs).
 * Only while the sender is idle (nothing queued behind a compression or a blob; this server never
 * compresses), so frames keep their order. False when it did not write: use `ws.send`.
 */
export function writeFrame(ws: WebSocket, frame: Buffer): boolean {
  const { _socket: socket, _sender: sender } = ws as unknown as WsInternals;
  if (!socket || !sender || sender._state !== 0 || (sender._queue?.length ?? 1) > 0) return false;
  socket.write(frame);
  return true;
}
