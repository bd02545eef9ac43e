import {
  base64ToBytes,
  bytesToBase64,
  type ClientStreamFrame,
  type Clock,
  type DataStreamConfig,
  DataStreamIds,
  type EventFrame,
  refusalErrorCode,
  refusalToReturnCode,
  STREAM_MESSAGE_TIMEOUT_CODE,
  type StreamAck,
  type StreamMessageEvent,
  StreamRateLimiter,
  type StreamRefusedFrame,
  StreamReturnCode,
} from '@holdfast/protocol';

/** A replayed message accepted by the server this long before the resume counts as late (Agora's 5 s). */
export const STREAM_LATE_MS = 5000;
/** Messages a sender keeps until the server acknowledges them (sent or waiting for a reconnect). */
export const MAX_UNACKED_MESSAGES = 4096;
/** Remote streams whose last sequence number is remembered (for duplicates and gaps). */
const MAX_REMOTE_STREAMS = 1024;

/** What the data streams tell the engine: profile-neutral, the engines map them to their callbacks. */
export interface StreamListener {
  message(uid: number, streamId: number, data: Uint8Array, sentTs: number): void;
  /** `uid` is the sender; the local uid for the client's own messages that were not sent. */
  error(uid: number, streamId: number, code: number, missed: number, cached: number): void;
}

interface Unacked {
  frame: ClientStreamFrame;
  /** Put on the wire at least once (a resend after a reconnect does not count again). */
  sent: boolean;
}

/**
 * One engine's data streams in a channel: ids and limits (the same definitions as the server's),
 * sending with sequence numbers, keeping every message until the server acknowledges it (sent
 * again after a resume or re-join; the server drops what it already has), and receiving with
 * duplicate and gap detection per sender and stream. Pure of I/O: the session gives it a way to
 * transmit, time, and the frames that concern it.
 */
export class DataStreams {
  readonly #ids = new DataStreamIds();
  readonly #limiter: StreamRateLimiter;
  /** streamId → its epoch (a random name for the stream across sessions) and next seq. */
  #out = new Map<number, { epoch: number; next: number; ordered: boolean }>();
  #unacked: Unacked[] = [];
  /** `${uid}:${epoch}` → last sseq delivered. */
  #lastIn = new Map<string, number>();
  sentCount = 0;
  receivedCount = 0;
  missedCount = 0;

  constructor(
    private readonly clock: Clock,
    private readonly listener: StreamListener,
    /** Puts a frame on the wire if the channel is connected; false to keep it for the next join. */
    private readonly transmit: (frame: ClientStreamFrame) => boolean,
    /** The uid messages are sent as (the sender's own errors carry it). */
    private readonly localUid: () => number,
    private readonly random: () => number = Math.random,
  ) {
    this.#limiter = new StreamRateLimiter(clock);
  }

  /** `createDataStream`: a new stream id, or -116 once the channel lifetime's five are used. */
  create(config: DataStreamConfig = {}): number {
    const id = this.#ids.create(config);
    if (id > 0)
      this.#out.set(id, {
        epoch: 1 + Math.floor(this.random() * (Number.MAX_SAFE_INTEGER - 1)),
        next: 1,
        ordered: config.ordered === true,
      });
    return id;
  }

  has(streamId: number): boolean {
    return this.#ids.has(streamId);
  }

  /**
   * Sends `data` on `streamId` (the caller has checked the channel and the role). Returns 0, or
   * the negative code of the limit it exceeds. While the connection is being restored the message
   * waits and goes out after the resume, in order.
   */
  send(streamId: number, data: Uint8Array): number {
    const out = this.#out.get(streamId);
    if (!out) return StreamReturnCode.InvalidArgument;
    const limit = this.#limiter.consume(streamId, data.byteLength);
    if (!limit.ok) return refusalToReturnCode(limit.reason);
    const frame: ClientStreamFrame = {
      type: 'stream',
      streamId,
      epoch: out.epoch,
      seq: out.next++,
      data: bytesToBase64(data),
      sentTs: this.clock.now(),
      ...(out.ordered ? { ordered: true } : {}),
    };
    this.#keep({ frame, sent: this.transmit(frame) });
    this.sentCount++;
    return StreamReturnCode.Ok;
  }

  #keep(entry: Unacked): void {
    this.#unacked.push(entry);
    if (this.#unacked.length <= MAX_UNACKED_MESSAGES) return;
    const dropped = this.#unacked.shift()!;
    this.listener.error(this.localUid(), dropped.frame.streamId, STREAM_MESSAGE_TIMEOUT_CODE, 1, 0);
  }

  /** Messages the server has taken: forgotten. */
  acked(acks: readonly StreamAck[] | undefined): void {
    if (!acks?.length) return;
    const last = new Map(acks.map((a) => [a.epoch, a.seq]));
    this.#unacked = this.#unacked.filter((u) => u.frame.seq > (last.get(u.frame.epoch) ?? 0));
  }

  /**
   * After a join or resume (connected again): forgets what the server says it has, and sends the
   * rest again, in order. The server drops any it took but could not acknowledge.
   */
  rejoined(acks: readonly StreamAck[] | undefined): void {
    this.acked(acks);
    for (const u of this.#unacked) u.sent = this.transmit(u.frame) || u.sent;
  }

  /** The server refused one of our messages: it is not delivered, and the app is told. */
  refused(frame: StreamRefusedFrame): void {
    const i = this.#unacked.findIndex((u) => u.frame.epoch === frame.epoch && u.frame.seq === frame.seq);
    if (i >= 0) this.#unacked.splice(i, 1);
    this.listener.error(this.localUid(), frame.streamId, refusalErrorCode(frame.code), 1, 0);
  }

  /** Messages waiting for an acknowledgement (tests, console). */
  get unacked(): number {
    return this.#unacked.length;
  }

  /**
   * A resume's replay is about to be delivered: for each sender and stream with messages the
   * server took more than 5 s before now, one `error(117, missed 0, cached n)` first.
   */
  replayStarting(
    missed: readonly EventFrame[],
    serverTime: number,
    isMember: (uid: number) => boolean,
  ): void {
    const late = new Map<string, { uid: number; streamId: number; n: number }>();
    // Membership as the replay itself changes it: a member who joined during the outage counts.
    const joined = new Set<number>();
    const left = new Set<number>();
    const member = (uid: number) => joined.has(uid) || (!left.has(uid) && isMember(uid));
    for (const f of missed) {
      const e = f.event;
      if (e.kind === 'user_joined') {
        joined.add(e.uid);
        left.delete(e.uid);
      } else if (e.kind === 'user_offline') {
        joined.delete(e.uid);
        left.add(e.uid);
      }
      if (e.kind !== 'stream' || serverTime - e.at <= STREAM_LATE_MS || !member(e.uid)) continue;
      if (e.sseq <= (this.#lastIn.get(`${e.uid}:${e.epoch}`) ?? 0)) continue;
      const key = `${e.uid}:${e.streamId}`;
      const g = late.get(key) ?? { uid: e.uid, streamId: e.streamId, n: 0 };
      g.n++;
      late.set(key, g);
    }
    for (const g of late.values())
      this.listener.error(g.uid, g.streamId, STREAM_MESSAGE_TIMEOUT_CODE, 0, g.n);
  }

  /**
   * A message from the channel, in the log's order. A duplicate is dropped; a jump in the sender's
   * sequence is told as `error(117, missed n, cached 0)` before the message (lost for good).
   */
  receive(e: StreamMessageEvent): void {
    const key = `${e.uid}:${e.epoch}`;
    const last = this.#lastIn.get(key) ?? 0;
    if (e.sseq <= last) return;
    if (last > 0 && e.sseq > last + 1) {
      const missed = e.sseq - last - 1;
      this.missedCount += missed;
      this.listener.error(e.uid, e.streamId, STREAM_MESSAGE_TIMEOUT_CODE, missed, 0);
    }
    this.#lastIn.delete(key);
    this.#lastIn.set(key, e.sseq);
    if (this.#lastIn.size > MAX_REMOTE_STREAMS) this.#lastIn.delete(this.#lastIn.keys().next().value!);
    this.receivedCount++;
    let data: Uint8Array;
    try {
      data = base64ToBytes(e.data);
    } catch {
      return;
    }
    this.listener.message(e.uid, e.streamId, data, e.sentTs);
  }

  /** Failed for good: messages that never reached the server are told as not sent and dropped. */
  dropUnsent(): void {
    this.#reportUnsent();
    this.#unacked = this.#unacked.filter((u) => u.sent);
  }

  #reportUnsent(): void {
    const byStream = new Map<number, number>();
    for (const u of this.#unacked)
      if (!u.sent) byStream.set(u.frame.streamId, (byStream.get(u.frame.streamId) ?? 0) + 1);
    for (const [streamId, n] of byStream)
      this.listener.error(this.localUid(), streamId, STREAM_MESSAGE_TIMEOUT_CODE, n, 0);
  }

  /**
   * The channel is over for this engine (left, or failed for good): streams are destroyed, as
   * Agora's are on leaving. With `reportUnsent`, messages that never left this client are told.
   */
  reset(reportUnsent: boolean): void {
    if (reportUnsent) this.#reportUnsent();
    this.#unacked = [];
    this.#out.clear();
    this.#ids.reset();
    this.#limiter.reset();
    this.#lastIn.clear();
  }
}
