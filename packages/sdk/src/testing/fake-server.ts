import {
  type ClientFrame,
  decodeClientFrame,
  encodeFrame,
  type JoinedFrame,
  type ServerFrame,
} from '@holdfast/protocol';
import type { Transport, TransportFactory, TransportHandlers } from '../transport/types.js';

/** One fake connection: the test decides when it opens, what it receives, and when it drops. */
export class FakeConnection implements Transport {
  readonly sent: ClientFrame[] = [];
  closed = false;
  closeCode: number | undefined;
  bytesSent = 0;
  bytesReceived = 0;

  constructor(
    readonly url: string,
    private readonly handlers: TransportHandlers,
    private readonly server: FakeServer,
  ) {}

  /** Completes the connection; the client then sends its join frame. */
  open(): this {
    if (!this.closed) this.handlers.onOpen();
    return this;
  }

  /** Delivers a server frame to the client. */
  receive(frame: ServerFrame): this {
    if (this.closed) return this;
    const text = encodeFrame(frame);
    this.bytesReceived += text.length;
    this.handlers.onMessage(text);
    return this;
  }

  /** The server side goes away (1006 = abnormal, or an application close code with a reason). */
  drop(code = 1006, reason = ''): void {
    if (this.closed) return;
    this.closed = true;
    this.closeCode = code;
    this.handlers.onClose(code, reason);
  }

  /** The last join frame the client sent on this connection. */
  lastJoin(): Extract<ClientFrame, { type: 'join' }> | undefined {
    return this.sent.filter((f) => f.type === 'join').at(-1) as
      | Extract<ClientFrame, { type: 'join' }>
      | undefined;
  }

  /**
   * Opens and answers the join with `joined` (fresh unless the client asked to resume and `resumed`
   * is true). A fresh `joined` carries the resume secret `secret-<sessionId>` unless told otherwise.
   */
  accept(overrides: Partial<JoinedFrame> = {}): this {
    this.open();
    const join = this.lastJoin();
    if (!join) throw new Error('the client sent no join frame');
    this.server.sessions++;
    const frame: JoinedFrame = {
      type: 'joined',
      sessionId: join.resume?.sessionId ?? `s${this.server.sessions}`,
      uid: join.uid === 0 ? 4242 : join.uid,
      channel: join.channel,
      role: join.role,
      resumed: join.resume !== undefined,
      members: [],
      seq: join.resume?.lastSeq ?? 0,
      keepaliveMs: 1500,
      offlineAfterMs: 20_000,
      serverTime: 0,
      ...overrides,
    };
    if (!frame.resumed && !('resumeSecret' in overrides)) frame.resumeSecret = `secret-${frame.sessionId}`;
    this.receive(frame);
    return this;
  }

  send(data: string): boolean {
    if (this.closed) return false;
    const decoded = decodeClientFrame(data);
    if (!decoded.ok) throw new Error(`client sent an invalid frame: ${decoded.message}`);
    this.bytesSent += data.length;
    this.sent.push(decoded.frame);
    return true;
  }

  close(code = 1000): void {
    if (this.closed) return;
    this.closed = true;
    this.closeCode = code;
  }
}

/**
 * An in-process stand-in for a Holdfast server, for testing SDK behaviour (and
 * your own handlers) with a `TestClock` and no sockets. Pass `server.transport`
 * as the engine's `transport` option; each connection attempt appears in
 * `connections` and waits for the test to `open()`, `accept()` or `drop()` it.
 *
 * @example
 * const clock = new TestClock();
 * const server = new FakeServer();
 * engine.initialize({ appId: 'a', serverUrl: 'ws://fake', clock, transport: server.transport });
 * engine.joinChannel('', 'room', 1, {});
 * server.latest().accept();   // (Connected, JoinSuccess)
 * clock.advance(4000);        // (Reconnecting, Interrupted)
 */
export class FakeServer {
  readonly connections: FakeConnection[] = [];
  sessions = 0;

  readonly transport: TransportFactory = (url, handlers) => {
    const conn = new FakeConnection(url, handlers, this);
    this.connections.push(conn);
    return conn;
  };

  /** The most recent connection attempt. */
  latest(): FakeConnection {
    const c = this.connections.at(-1);
    if (!c) throw new Error('no connection attempt yet');
    return c;
  }

  /** Connection attempts that are neither closed by the client nor dropped. */
  live(): FakeConnection[] {
    return this.connections.filter((c) => !c.closed);
  }
}
