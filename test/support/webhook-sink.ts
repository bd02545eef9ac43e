import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { verifyHoldfastWebhook } from '../../examples/webhook-receiver.js';

/** One webhook the sink accepted (answered 204), with the headers it came with. */
export interface SunkWebhook {
  id: string;
  event: string;
  appId: string;
  channel: string;
  uid?: number;
  role?: string;
  previousRole?: string;
  reason?: string;
  cause?: string;
  at: number;
  nodeId: string;
  /** The `Holdfast-Event-Id` header. */
  headerId: string;
}

/**
 * A real HTTP receiver on loopback that checks every request with the example receiver's
 * `verifyHoldfastWebhook` and records it. It can answer 500 for a while (`mode = 'error'`) or stop
 * listening altogether (`refuse()`: connections are refused) and come back on the same port.
 */
export class WebhookSink {
  /** Accepted events, in arrival order (duplicates kept: a test asserts there are none). */
  readonly accepted: SunkWebhook[] = [];
  /** Every request, with what was answered. */
  readonly requests: Array<{ status: number; id: string | undefined }> = [];
  /** Requests whose signature did not verify, with the reason. */
  readonly refused: string[] = [];
  mode: 'ok' | 'error' = 'ok';
  /** Each answer waits this long (a slow receiver). */
  delayMs = 0;
  #server: Server;
  #sockets = new Set<Socket>();
  #waiters = new Set<() => void>();

  private constructor(
    readonly secret: string,
    readonly port: number,
    server: Server,
  ) {
    this.#server = server;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/holdfast`;
  }

  static async start(secret: string): Promise<WebhookSink> {
    const holder: { sink?: WebhookSink } = {};
    const server = createServer((req, res) => holder.sink?.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const sink = new WebhookSink(secret, (server.address() as AddressInfo).port, server);
    holder.sink = sink;
    sink.#track(server);
    return sink;
  }

  #track(server: Server): void {
    server.on('connection', (s: Socket) => {
      this.#sockets.add(s);
      s.on('close', () => this.#sockets.delete(s));
    });
  }

  handle(req: IncomingMessage, res: import('node:http').ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const id = req.headers['holdfast-event-id'] as string | undefined;
      const answer = (status: number) =>
        setTimeout(() => {
          this.requests.push({ status, id });
          res.writeHead(status).end();
          for (const w of this.#waiters) w();
        }, this.delayMs);
      if (this.mode === 'error') {
        answer(500);
        return;
      }
      const check = verifyHoldfastWebhook(
        req.headers['holdfast-signature'] as string | undefined,
        body,
        this.secret,
      );
      if (!check.ok) {
        this.refused.push(check.reason);
        answer(401);
        return;
      }
      const event = { ...(JSON.parse(body) as Omit<SunkWebhook, 'headerId'>), headerId: id ?? '' };
      setTimeout(() => this.accepted.push(event), this.delayMs);
      answer(204);
    });
  }

  /** Stops listening and cuts open connections: the next attempts are refused (ECONNREFUSED). */
  async refuse(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    for (const s of this.#sockets) s.destroy();
    await closed;
  }

  /** Listens again on the same port. */
  async resume(): Promise<void> {
    const server = createServer((req, res) => this.handle(req, res));
    this.#track(server);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.#server = server;
  }

  /** Accepted events of one channel. */
  of(channel: string): SunkWebhook[] {
    return this.accepted.filter((e) => e.channel === channel);
  }

  /** Resolves once `pred` holds (checked after each request); rejects after `timeoutMs`. */
  async until(pred: () => boolean, timeoutMs = 10_000, what = 'webhooks'): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!pred()) {
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(
          `timed out waiting for ${what}; accepted: ${JSON.stringify(this.accepted.map(short))}`,
        );
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(t);
          this.#waiters.delete(done);
          resolve();
        };
        const t = setTimeout(done, Math.min(left, 200));
        this.#waiters.add(done);
      });
    }
  }

  async close(): Promise<void> {
    await this.refuse().catch(() => {});
  }
}

/** `event:uid` (or just the event), for compact sequence assertions. */
export const short = (e: { event: string; uid?: number }): string =>
  e.uid === undefined ? e.event : `${e.event}:${e.uid}`;
