import net from 'node:net';

/**
 * A minimal WebSocket client straight on a TCP socket: the load generator's lean transport.
 * Text frames only, no extensions, no fragmentation (neither server fragments small frames),
 * a zero masking key (valid: the server only requires the mask bit). One object per
 * connection and no timers, so tens of thousands fit in one process.
 */
export interface RawWsHandlers {
  onOpen(): void;
  onText(text: string): void;
  /** `code`: the close frame's code, or 1006 when the socket just died. */
  onClose(code: number): void;
}

/** Encodes a client text frame (masked with a zero key, so the payload bytes stay as they are). */
export function textFrame(text: string): Buffer {
  const payload = Buffer.from(text);
  const len = payload.length;
  const head = len < 126 ? 6 : len < 65536 ? 8 : 14;
  const frame = Buffer.alloc(head + len);
  frame[0] = 0x81;
  if (len < 126) frame[1] = 0x80 | len;
  else if (len < 65536) {
    frame[1] = 0x80 | 126;
    frame.writeUInt16BE(len, 2);
  } else {
    frame[1] = 0x80 | 127;
    frame.writeBigUInt64BE(BigInt(len), 2);
  }
  payload.copy(frame, head); // mask key bytes are already zero
  return frame;
}

const CLOSE_FRAME = Buffer.from([0x88, 0x80, 0, 0, 0, 0]);
const EMPTY = Buffer.alloc(0);

export class RawWs {
  readonly socket: net.Socket;
  #buf: Buffer = EMPTY;
  #open = false;
  #closed = false;

  constructor(
    opts: { host: string; port: number; path: string; localAddress?: string },
    private readonly h: RawWsHandlers,
  ) {
    this.socket = net.connect({
      host: opts.host,
      port: opts.port,
      ...(opts.localAddress ? { localAddress: opts.localAddress } : {}),
    });
    this.socket.setNoDelay(true);
    this.socket.on('connect', () => {
      this.socket.write(
        `GET ${opts.path} HTTP/1.1\r\nHost: ${opts.host}:${opts.port}\r\nUpgrade: websocket\r\n` +
          'Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
      );
    });
    this.socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    this.socket.on('error', () => {});
    this.socket.on('close', () => this.#finish());
  }

  get isOpen(): boolean {
    return this.#open && !this.#closed;
  }

  send(frame: Buffer): void {
    if (this.#open && !this.#closed) this.socket.write(frame);
  }

  sendText(text: string): void {
    this.send(textFrame(text));
  }

  /** Polite close: a close frame, then FIN. */
  close(): void {
    if (this.#closed) return;
    if (this.#open) this.socket.write(CLOSE_FRAME);
    this.socket.end();
    setTimeout(() => this.socket.destroy(), 1000).unref();
  }

  destroy(): void {
    this.socket.destroy();
  }

  #finish(code = 1006): void {
    if (this.#closed) return;
    this.#closed = true;
    this.h.onClose(code);
  }

  #onData(chunk: Buffer): void {
    let buf = this.#buf.length ? Buffer.concat([this.#buf, chunk]) : chunk;
    if (!this.#open) {
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) {
        this.#buf = buf;
        return;
      }
      if (buf.toString('latin1', 9, 12) !== '101') {
        this.socket.destroy();
        return;
      }
      this.#open = true;
      buf = buf.subarray(end + 4);
      this.h.onOpen();
    }
    let off = 0;
    while (buf.length - off >= 2) {
      const b0 = buf[off]!;
      let len = buf[off + 1]! & 0x7f;
      let head = 2;
      if (len === 126) {
        if (buf.length - off < 4) break;
        len = buf.readUInt16BE(off + 2);
        head = 4;
      } else if (len === 127) {
        if (buf.length - off < 10) break;
        len = Number(buf.readBigUInt64BE(off + 2));
        head = 10;
      }
      if (buf.length - off < head + len) break;
      const opcode = b0 & 0x0f;
      const start = off + head;
      off = start + len;
      if (opcode === 1) this.h.onText(buf.toString('utf8', start, start + len));
      else if (opcode === 8) {
        this.socket.end();
        this.#finish();
        return;
      } else if (opcode === 9) {
        const pong = Buffer.alloc(6 + len);
        pong[0] = 0x8a;
        pong[1] = 0x80 | len;
        buf.copy(pong, 6, start, start + len);
        this.socket.write(pong);
      }
    }
    this.#buf = off >= buf.length ? EMPTY : Buffer.from(buf.subarray(off));
  }
}
