import {
  base64DecodedBytes,
  type ClientStreamFrame,
  type Clock,
  type StreamLimits,
  type StreamMessageEvent,
  type StreamRefusalCode,
} from '@holdfast/protocol';
import type { Logger } from 'pino';
import type { ChannelStore } from '../engine/seams.js';
import { streamRefused } from '../observe/stream-refusals.js';
import type { LiveSession } from './live-session.js';
import { SessionStreams } from './session-streams.js';

const MESSAGES: Record<StreamRefusalCode, string> = {
  too_large: 'message exceeds 1,024 bytes (ErrSizeTooLarge)',
  too_often: 'far more than 60 messages in 1 s on this stream (ErrTooOften)',
  bitrate: "far more than 30 KB in 1 s across the client's streams (ErrBitrateLimit)",
  not_broadcaster: 'only broadcasters send data-stream messages in live broadcasting',
  not_sent: 'the server could not store the message; it was not delivered',
};

/**
 * Takes a client's data-stream messages into the channel: checks the sender's role and the limits
 * (the SDK checks the same ones first, so only a raw client meets a refusal), then hands the
 * message to the engine, which numbers it in the channel's log, drops a duplicate a reconnecting
 * sender sent again, and fans it out to every node. Every message is either accepted (acked in a
 * pong) or refused with a typed `stream_refused`; none is dropped silently.
 */
export class StreamRelay {
  /** Messages stored in the channel's log (/metrics reads these at scrape time). */
  accepted = 0;
  /** Messages refused, by the code their sender was told. */
  readonly refused: Record<StreamRefusalCode, number> = {
    too_large: 0,
    too_often: 0,
    bitrate: 0,
    not_broadcaster: 0,
    not_sent: 0,
  };
  /** Messages the engine failed to store (a Redis error; each also refused as `not_sent`). */
  engineErrors = 0;

  constructor(
    private readonly engine: ChannelStore,
    private readonly clock: Clock,
    private readonly log: Logger,
    /** Default: the SDK's exact limits; the server passes SERVER_STREAM_LIMITS. */
    private readonly limits: Partial<StreamLimits> = {},
  ) {}

  state(live: LiveSession): SessionStreams {
    live.streams ??= new SessionStreams(this.clock, this.limits);
    return live.streams;
  }

  /** After an outage of `outageMs`, what the client sends again is not held against its limits. */
  grant(live: LiveSession, outageMs: number): void {
    if (outageMs > 0) this.state(live).limiter.grant(outageMs);
  }

  /** Returns false when the client keeps sending what is refused (the caller closes it as a flood). */
  handle(live: LiveSession, frame: ClientStreamFrame): Promise<boolean> | boolean {
    const streams = this.state(live);
    if (live.profile === 'live' && live.role !== 'broadcaster')
      return this.#refuse(live, frame, 'not_broadcaster');
    const bytes = base64DecodedBytes(frame.data) ?? Number.POSITIVE_INFINITY;
    const limit = streams.limiter.consume(frame.streamId, bytes);
    if (!limit.ok) return this.#refuse(live, frame, limit.reason);
    const event: StreamMessageEvent = {
      kind: 'stream',
      uid: live.uid,
      streamId: frame.streamId,
      epoch: frame.epoch,
      sseq: frame.seq,
      data: frame.data,
      sentTs: frame.sentTs,
      at: this.clock.now(),
      ...(frame.ordered ? { ordered: true } : {}),
    };
    // No await before this call: frames of one connection reach the engine in arrival order.
    return this.engine.publishStream(live.ref, event).then(
      (r) => {
        if (r.ok) {
          this.accepted++;
          streams.sent++;
          streams.acked(frame.epoch, frame.seq);
        } else if (r.reason === 'duplicate') streams.acked(frame.epoch, r.last);
        else return this.#refuse(live, frame, 'not_sent');
        return true;
      },
      (err: unknown) => {
        this.engineErrors++;
        this.log.warn({ err, session: live.tag }, 'stream message not stored');
        return this.#refuse(live, frame, 'not_sent');
      },
    );
  }

  #refuse(live: LiveSession, frame: ClientStreamFrame, code: StreamRefusalCode): boolean {
    this.refused[code]++;
    streamRefused(this, live, code, frame.streamId);
    live.conn?.send({
      type: 'stream_refused',
      streamId: frame.streamId,
      epoch: frame.epoch,
      seq: frame.seq,
      code,
      message: MESSAGES[code],
    });
    return !this.state(live).refusedOnce();
  }
}
