import WebSocket from 'ws';

type Frame = Record<string, unknown> & { type: string };

/**
 * Holdfast's wire protocol by hand over `ws`: joins one channel, pings every 3 s, and hands the
 * media frames to whoever waits for them. What the SDK does, minus its state machine.
 */
export class HoldfastWs {
  readonly #waiters: Array<{ type: string; resolve: (f: Frame) => void }> = [];
  readonly #handlers = new Map<string, (f: Frame) => void>();
  readonly #ping: NodeJS.Timeout;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const f = JSON.parse(data.toString()) as Frame;
      const i = this.#waiters.findIndex((w) => w.type === f.type);
      if (i >= 0) {
        const [w] = this.#waiters.splice(i, 1);
        w?.resolve(f);
        return;
      }
      this.#handlers.get(f.type)?.(f);
    });
    this.#ping = setInterval(() => this.send({ type: 'ping', t: Date.now() }), 3000);
  }

  static async join(
    url: string,
    o: { channel: string; uid: number; role: 'broadcaster' | 'audience'; timeoutMs?: number },
  ): Promise<HoldfastWs> {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    const c = new HoldfastWs(ws);
    const joined = c.next('joined', o.timeoutMs ?? 10_000);
    c.send({
      type: 'join',
      v: 1,
      appId: 'demo',
      channel: o.channel,
      uid: o.uid,
      role: o.role,
      profile: 'live',
    });
    await joined;
    return c;
  }

  send(frame: Frame): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(frame));
  }

  /** The next frame of `type` (rejects after `timeoutMs`). */
  next(type: string, timeoutMs = 10_000): Promise<Frame> {
    return new Promise((resolve, reject) => {
      const w = {
        type,
        resolve: (f: Frame) => {
          clearTimeout(timer);
          resolve(f);
        },
      };
      const timer = setTimeout(() => {
        const i = this.#waiters.indexOf(w);
        if (i >= 0) this.#waiters.splice(i, 1);
        reject(new Error(`no ${type} frame within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#waiters.push(w);
    });
  }

  /** Every frame of `type` nobody waits for. */
  on(type: string, handler: (f: Frame) => void): void {
    this.#handlers.set(type, handler);
  }

  close(): void {
    clearInterval(this.#ping);
    this.send({ type: 'leave' });
    this.ws.close();
  }
}
