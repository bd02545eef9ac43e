import {
  type ClientFrame,
  type Clock,
  CloseCode,
  decodeClientFrame,
  encodeFrame,
  type JoinFrame,
  type ServerFrame,
  type TimerHandle,
  type WireErrorCode,
} from '@holdfast/protocol';
import type { Logger } from 'pino';
import type { RawData, WebSocket } from 'ws';
import { batchOf, chunkFrames } from '../channels/batch.js';
import {
  type Attachment,
  type LiveSession,
  newAttachmentId,
  type SharedFrame,
} from '../channels/live-session.js';
import type { ChannelService } from '../channels/service.js';
import { mediaChange, mediaReports } from '../console/media-reports.js';
import { GatewayCounters } from '../observe/counters.js';
import { reportLimiter } from '../observe/report-limiter.js';
import { KEEPALIVE_OUT, type KeepaliveTarget, type KeepaliveWheel } from './keepalive.js';
import { asciiTextFrame, textFrame, writeFrame } from './ws-frames.js';

/**
 * Data-stream frames as the SDK encodes them start with this. They are not counted as frames per
 * second (the stream limits and the refusal count bound them, and a resume re-sends a burst);
 * a frame that starts so but decodes as another type is refused as malformed.
 */
const STREAM_PREFIX = Buffer.from('{"type":"stream",');
const isStreamFrame = (data: Buffer): boolean =>
  data.length > STREAM_PREFIX.length &&
  data.compare(STREAM_PREFIX, 0, STREAM_PREFIX.length, 0, STREAM_PREFIX.length) === 0;

/** Where a socket's shared listeners find their connection. */
const CONNECTION = Symbol('holdfast.connection');
type OwnedSocket = WebSocket & { [CONNECTION]?: ClientConnection };

/** One keepalive frame for every connection: encoded and framed once, never per send. */
const KEEPALIVE = Buffer.from(encodeFrame({ type: 'ka' }));
const KEEPALIVE_FRAME = textFrame(KEEPALIVE);

export interface ConnectionLimits {
  /** Frames allowed per second before the connection is closed as a flood. */
  maxFramesPerSecond: number;
  /** A connection that has not sent its join within this time is closed. */
  joinTimeoutMs: number;
}

/**
 * One WebSocket: decodes frames, enforces the phase (join first), limits and
 * rate, and hands each frame to the channel service. Anything bad closes only
 * this connection, with a reason; the session behind it is untouched.
 */
export class ClientConnection implements Attachment, KeepaliveTarget {
  #phase: 'awaiting_join' | 'joining' | 'joined' | 'closed' = 'awaiting_join';
  lastWriteAt = 0;
  /** The keepalive wheel's marks (see KeepaliveMarks; declared here so every connection keeps one shape). */
  keepaliveSlot = KEEPALIVE_OUT;
  keepalivePrev: KeepaliveTarget | undefined = undefined;
  keepaliveNext: KeepaliveTarget | undefined = undefined;
  heldPongT = Number.NaN;
  heldPongAt = Number.NaN;
  pongT = Number.NaN;
  pongAt = Number.NaN;
  #live: LiveSession | undefined;
  #windowStart = 0;
  #windowCount = 0;
  #joinTimer: TimerHandle | undefined;
  #graceTimer: TimerHandle | undefined;
  readonly attachmentId = newAttachmentId();
  /** The client joined with `batch: true`: several channel events may go in one `batch` message. */
  batches = false;
  /**
   * Frames are handled one after another: a frame's engine work (a join, a role change, a stream
   * message's publish) finishes before the next frame starts, so a message sent right after a
   * role change meets the new role, and queued stream messages reach the engine in send order.
   */
  #chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly ws: WebSocket,
    readonly remoteAddress: string,
    private readonly service: ChannelService,
    private readonly limits: ConnectionLimits,
    private readonly log: Logger,
    private readonly clock: Clock,
    private readonly keepalives: KeepaliveWheel,
    /** The node's gateway counters (/metrics): plain increments, read at scrape time. */
    private readonly counters: GatewayCounters = new GatewayCounters(),
  ) {
    this.#joinTimer = clock.setTimeout(() => {
      // Looked at once more after this turn's reads: on a busy node the timer can come due while
      // the join frame already sits in the socket, read only later in the same turn.
      setImmediate(() => {
        if (this.#phase === 'awaiting_join') this.end('unexpected_frame', 'no join frame received in time');
      });
    }, limits.joinTimeoutMs);
    (ws as OwnedSocket)[CONNECTION] = this;
    ws.on('message', ClientConnection.#message);
    ws.on('close', ClientConnection.#close);
    ws.on('error', ClientConnection.#error);
  }

  // The socket's listeners, one set for every connection (`this` is the socket): closures in the
  // constructor kept three functions and their context alive per connection (~190 bytes).
  static readonly #message = function (this: OwnedSocket, data: RawData, isBinary: boolean): void {
    const conn = this[CONNECTION];
    if (conn) conn.#onMessage(data as Buffer, isBinary);
  };
  static readonly #close = function (this: OwnedSocket): void {
    const conn = this[CONNECTION];
    if (conn) conn.#onClose();
  };
  static readonly #error = function (this: OwnedSocket, err: Error): void {
    this[CONNECTION]?.log.debug({ err: err.message }, 'socket error');
  };

  send(frame: ServerFrame): void {
    this.sendEncoded(encodeFrame(frame));
  }

  /**
   * Sends a frame already encoded (a channel event shared by every member: a Buffer, never copied).
   * `wire`: the same frame as a whole WebSocket frame, written in one go when ws's sender is idle.
   */
  sendEncoded(frame: string | Buffer, wire?: Buffer): void {
    if (this.#phase === 'closed' || this.ws.readyState !== this.ws.OPEN) return;
    this.counters.framesOut++;
    this.lastWriteAt = this.clock.now();
    if (!wire || !writeFrame(this.ws, wire)) this.ws.send(frame, { binary: false });
  }

  sendEvents(frames: readonly SharedFrame[], batch?: SharedFrame): void {
    if (this.#phase === 'closed' || this.ws.readyState !== this.ws.OPEN || frames.length === 0) return;
    // One frame many members get (an event alone, or the turn's batch): its WebSocket frame is built
    // once and written whole by every member's transport (one write, no per-member header).
    if (frames.length === 1) {
      this.#sendShared(frames[0]!);
      return;
    }
    if (this.batches) {
      if (batch) this.#sendShared(batch);
      else
        for (const run of chunkFrames(frames.map((f) => f.frame)))
          this.sendEncoded(run.length === 1 ? run[0]! : batchOf(run));
      return;
    }
    // One write for all of them: the socket is corked while the frames are queued.
    const socket = (this.ws as unknown as { _socket?: { cork(): void; uncork(): void } })._socket;
    socket?.cork();
    for (const f of frames) this.sendEncoded(f.frame);
    socket?.uncork();
  }

  #sendShared(s: SharedFrame): void {
    s.wire ??= textFrame(s.frame);
    this.sendEncoded(s.frame, s.wire);
  }

  /** What the socket holds that the kernel has not taken yet (ws's bufferedAmount). */
  get bufferedBytes(): number {
    return this.ws.bufferedAmount;
  }

  sendKeepalive(): void {
    if (this.#phase === 'joined') this.sendEncoded(KEEPALIVE, KEEPALIVE_FRAME);
  }

  /** Written as JSON.stringify would write it, without building the frame. */
  sendPong(t: number, heldMs: number): void {
    const json = heldMs > 0 ? `{"type":"pong","t":${t},"held":${heldMs}}` : `{"type":"pong","t":${t}}`;
    this.sendEncoded(json, asciiTextFrame(json));
  }

  end(code: WireErrorCode, message: string): void {
    if (this.#phase === 'closed') return;
    // A join that ends before its `joined` frame was refused (the code says why).
    if (this.#phase === 'joining') this.counters.refused(code);
    this.send({ type: 'end', code, message });
    this.#closeWith(CloseCode[code], code);
  }

  #closeWith(closeCode: number, reason: string): void {
    const live = this.#live;
    this.#phase = 'closed';
    this.#stopTimers();
    if (live) this.service.detach(live, this);
    this.ws.close(closeCode, reason);
    // A peer that never answers the close handshake is cut after a grace period.
    this.#graceTimer = this.clock.setTimeout(() => this.ws.terminate(), 2000);
  }

  #onClose(): void {
    if (this.#graceTimer !== undefined) this.clock.clearTimeout(this.#graceTimer);
    this.#graceTimer = undefined;
    if (this.#live) this.service.detach(this.#live, this);
    this.#phase = 'closed';
    this.#stopTimers();
  }

  #stopTimers(): void {
    if (this.#joinTimer !== undefined) this.clock.clearTimeout(this.#joinTimer);
    // Dropped so 20k idle connections do not each keep a spent Timeout object alive.
    this.#joinTimer = undefined;
    this.keepalives.delete(this);
  }

  #flooding(): boolean {
    const now = this.clock.now();
    if (now - this.#windowStart >= 1000) {
      this.#windowStart = now;
      this.#windowCount = 0;
    }
    return ++this.#windowCount > this.limits.maxFramesPerSecond;
  }

  /** Checks that cost nothing to decode: flood and binary frames. */
  #screen(isBinary: boolean, stream: boolean): { code: WireErrorCode; message: string } | undefined {
    if (!stream && this.#flooding())
      return {
        code: 'rate_limited',
        message: `more than ${this.limits.maxFramesPerSecond} frames per second`,
      };
    if (isBinary)
      return { code: 'malformed_frame', message: 'binary frames are not accepted; send JSON text' };
    return undefined;
  }

  #onMessage(data: Buffer, isBinary: boolean): void {
    if (this.#phase === 'closed') return;
    this.counters.framesIn++;
    const stream = !isBinary && isStreamFrame(data);
    const problem = this.#screen(isBinary, stream);
    if (problem) {
      this.log.info({ code: problem.code, remote: this.remoteAddress }, problem.message);
      this.end(problem.code, problem.message);
      return;
    }
    let decoded = decodeClientFrame(data);
    if (decoded.ok && stream && decoded.frame.type !== 'stream')
      decoded = { ok: false, code: 'malformed_frame', message: 'frame has "type" twice' };
    if (!decoded.ok) {
      this.log.info({ code: decoded.code, remote: this.remoteAddress }, decoded.message);
      this.end(decoded.code, decoded.message);
      return;
    }
    const frame = decoded.frame;
    // One `seen` per frame; a ping's RTT sample rides along (a second touch per ping cost a second
    // state transition on the commonest frame of an idle connection).
    if (this.#live) this.service.touch(this.#live, frame.type === 'ping' ? frame.rtt : undefined);
    // Pings and reports change nothing: answered at once (an RTT sample must not wait in line).
    if (frame.type === 'ping' || frame.type === 'report') {
      this.#immediate(frame);
      return;
    }
    this.#chain = this.#chain
      .then(() => this.#onFrame(frame))
      .catch((err: unknown) => {
        this.log.error({ err }, 'frame handling failed');
        this.end('internal_error', 'internal error');
      });
  }

  async #join(frame: JoinFrame): Promise<void> {
    this.#phase = 'joining';
    this.batches = frame.batch === true;
    if (this.#joinTimer !== undefined) this.clock.clearTimeout(this.#joinTimer);
    this.#joinTimer = undefined;
    const started = performance.now();
    const live = await this.service.join(frame, this);
    if (live) this.counters.joinLatency.observe((performance.now() - started) / 1000);
    if ((this.#phase as string) === 'closed') {
      if (!live) return;
      // The socket went away while the join was in flight. A resumed session stays resumable;
      // a fresh one never reached its client (no session id), so nobody could resume it.
      if (frame.resume?.sessionId === live.id) this.service.detach(live, this);
      else await this.service.end(live, 'join_aborted');
      return;
    }
    if (!live) return;
    this.#live = live;
    this.#phase = 'joined';
    this.keepalives.add(this);
  }

  #immediate(frame: Extract<ClientFrame, { type: 'ping' | 'report' }>): void {
    if (frame.type === 'ping') {
      const acks = this.#live?.streams?.takeAcks();
      // Acks free the sender's buffer: at once. A plain pong goes with the wheel's next writes.
      if (acks) this.send({ type: 'pong', t: frame.t, acks });
      else if (this.#phase === 'joined') this.keepalives.pong(this, frame.t);
      else this.sendPong(frame.t, 0);
      return;
    }
    if (frame.type === 'report') {
      const live = this.#live;
      if (!live) return;
      const now = this.clock.now();
      for (const s of reportLimiter.admit(live, frame.states, now))
        this.service.observe(live, {
          type: 'client_state',
          state: s.state,
          reason: s.reason,
          clientAt: s.at,
        });
      // Media figures are kept (one per session, the latest); media changes share the states' budget.
      if (frame.media) mediaReports.set(live, frame.media, now);
      for (const e of reportLimiter.admit(live, frame.mediaEvents ?? [], now))
        this.service.observe(live, { type: 'client_media', clientAt: e.at, ...mediaChange(e) });
    }
  }

  async #onFrame(frame: ClientFrame): Promise<void> {
    if (frame.type === 'ping' || frame.type === 'report') return this.#immediate(frame);
    switch (this.#phase) {
      case 'awaiting_join':
        if (frame.type === 'leave') {
          this.send({ type: 'left' });
          return this.#closeWith(1000, 'left');
        }
        // A data-stream message before joining is the SDK's ErrNotInChannel: refused as out of phase.
        if (frame.type !== 'join') return this.end('unexpected_frame', `"${frame.type}" before join`);
        return this.#join(frame);
      case 'joining':
        // Not reached: frames wait in #chain until the join has finished.
        return;
      case 'joined': {
        const live = this.#live!;
        switch (frame.type) {
          case 'join':
            // The seed's RejectedByServer: joining again while already in the channel.
            return this.end('rejected', 'already joined on this connection');
          case 'leave':
            this.#live = undefined;
            await this.service.leave(live);
            this.send({ type: 'left' });
            return this.#closeWith(1000, 'left');
          case 'set_role':
            await this.service.setRole(live, frame.id, frame.role);
            this.service.media?.roleChanged(live);
            return;
          case 'renew_token':
            return this.service.renewToken(live, frame.id, frame.token);
          case 'media_publish':
          case 'media_answer':
          case 'media_sub_offer':
          case 'media_reset':
          case 'media_subscribe':
          case 'media_state':
          case 'media_unpublish':
            // Not awaited: WebRTC work (an SDP applied, candidates gathered) must never hold up the
            // connection's other frames — a leave queued behind a stuck offer was never handled.
            // The media plane keeps each peer connection's steps in order itself.
            if (this.service.media) {
              this.service.media.handle(live, frame).catch((err: unknown) => {
                this.log.warn({ err, session: live.tag }, 'media frame failed');
              });
              return;
            }
            return this.send({
              type: 'media_error',
              code: 'media_unavailable',
              message: 'this server runs without media (started with media disabled)',
            });
          case 'data_state':
            return this.service.publish(live.ref, {
              kind: 'data_state',
              uid: live.uid,
              enabled: frame.enabled,
            });
          case 'stream':
            if (!(await this.service.streams.handle(live, frame)))
              this.end('rate_limited', 'too many refused data-stream messages in 1 s');
            return;
        }
      }
    }
  }
}
