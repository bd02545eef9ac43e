import type { ServerFrame } from '@holdfast/protocol';
import { type ClientOptions, type RawData, WebSocket } from 'ws';

/** How the socket closed, as seen by the client. */
export interface CloseInfo {
  code: number;
  reason: string;
}

/**
 * A bare WebSocket client that speaks the wire protocol by hand: it sends whatever
 * it is given (bad input included) and records every frame and the close code.
 */
export class RawClient {
  /** Every frame received, in order (non-JSON text is kept as `{ type: '<raw>' }`). */
  readonly frames: ServerFrame[] = [];
  /** Resolves when the socket has closed. */
  readonly closed: Promise<CloseInfo>;
  #closeInfo: CloseInfo | undefined;
  #waiters = new Set<() => void>();

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data: RawData, isBinary: boolean) => {
      const text = isBinary ? '' : data.toString();
      let frame: ServerFrame;
      try {
        frame = JSON.parse(text) as ServerFrame;
      } catch {
        frame = { type: '<raw>' } as unknown as ServerFrame;
      }
      this.frames.push(frame);
      this.#wake();
    });
    // Errors (e.g. ECONNRESET after the server closes) end in 'close'; never let them throw.
    ws.on('error', () => {});
    this.closed = new Promise((resolve) =>
      ws.on('close', (code: number, reason: Buffer) => {
        this.#closeInfo = { code, reason: reason.toString() };
        resolve(this.#closeInfo);
        this.#wake();
      }),
    );
  }

  /**
   * Opens a socket to `url` and resolves once it is open. `options` go to `ws` (headers such as
   * Origin or X-Forwarded-For, `localAddress`, a TLS `ca`).
   */
  static async connect(url: string, options?: ClientOptions): Promise<RawClient> {
    const ws = new WebSocket(url, options);
    const client = new RawClient(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return client;
  }

  get isOpen(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  get closeInfo(): CloseInfo | undefined {
    return this.#closeInfo;
  }

  /** Sends an object as JSON text, or a string / buffer as is (a buffer goes as a binary frame). */
  send(data: object | string | Buffer): void {
    if (typeof data === 'string' || Buffer.isBuffer(data)) this.ws.send(data);
    else this.ws.send(JSON.stringify(data));
  }

  /** Frames of one type received so far. */
  framesOf<T extends ServerFrame['type']>(type: T): Extract<ServerFrame, { type: T }>[] {
    return this.frames.filter((f): f is Extract<ServerFrame, { type: T }> => f.type === type);
  }

  /** Resolves with the first received frame (past or future) of `type` matching `match`. */
  async next<T extends ServerFrame['type']>(
    type: T,
    match: (f: Extract<ServerFrame, { type: T }>) => boolean = () => true,
    timeoutMs = 3000,
  ): Promise<Extract<ServerFrame, { type: T }>> {
    const find = () => this.framesOf(type).find(match);
    await this.#until(() => find() !== undefined, `a "${type}" frame`, timeoutMs);
    return find()!;
  }

  /** Resolves once the socket has closed, failing after `timeoutMs`. */
  async waitClosed(timeoutMs = 3000): Promise<CloseInfo> {
    await this.#until(() => this.#closeInfo !== undefined, 'the socket to close', timeoutMs);
    return this.#closeInfo!;
  }

  /** Sends a ping and resolves with the matching pong. */
  async ping(t: number, timeoutMs = 3000): Promise<void> {
    this.send({ type: 'ping', t });
    await this.next('pong', (p) => p.t === t, timeoutMs);
  }

  /** Closes the socket (if still open) and waits for the close to finish. */
  async close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return;
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING)
      this.ws.terminate();
    await this.closed;
  }

  #until(done: () => boolean, what: string, timeoutMs: number): Promise<void> {
    if (done()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!done()) return;
        clearTimeout(timer);
        this.#waiters.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(check);
        reject(
          new Error(
            `timed out after ${timeoutMs} ms waiting for ${what}; got ${JSON.stringify(this.frames).slice(0, 500)}`,
          ),
        );
      }, timeoutMs);
      this.#waiters.add(check);
    });
  }

  #wake(): void {
    for (const w of [...this.#waiters]) w();
  }
}
