import {
  type Clock,
  MAX_CLIENT_STREAM_BYTES_PER_WINDOW,
  MAX_STREAM_MESSAGES_PER_WINDOW,
  STREAM_WINDOW_MS,
  type StreamAck,
  type StreamLimits,
  StreamRateLimiter,
} from '@holdfast/protocol';

/**
 * The limits a server holds clients to: the SDK's, twice over. The SDK keeps to the exact numbers
 * before sending; the server only has to stop clients that ignore them, and frames reach it bunched
 * when it (or the network) lags — held to the exact numbers, honest senders at half the limit were
 * refused and then disconnected under load (bench, ten senders on a busy 2-core machine).
 */
export const SERVER_STREAM_LIMITS: Partial<StreamLimits> = Object.freeze({
  maxMessagesPerWindow: 2 * MAX_STREAM_MESSAGES_PER_WINDOW,
  maxBytesPerWindow: 2 * MAX_CLIENT_STREAM_BYTES_PER_WINDOW,
});

/** Refusals one session may earn per window before its connection is closed as a flood. */
export const MAX_STREAM_REFUSALS_PER_WINDOW = 120;

/**
 * One session's data-stream state on the node that holds it: the same sliding-window limits as
 * the SDK (so a raw client that ignores them cannot take more than its share), the acks not yet
 * told to the client, and counters for the console. Created on the session's first message.
 */
export class SessionStreams {
  readonly limiter: StreamRateLimiter;
  /** epoch → last seq accepted, not yet sent in a pong. */
  readonly #pendingAcks = new Map<number, number>();
  #refusalWindowStart = 0;
  #refusals = 0;
  sent = 0;
  refused = 0;

  constructor(
    private readonly clock: Clock,
    limits: Partial<StreamLimits> = {},
  ) {
    this.limiter = new StreamRateLimiter(clock, limits);
  }

  /** Remembers that `seq` on `epoch` is in the channel's log (or was already). */
  acked(epoch: number, seq: number): void {
    if ((this.#pendingAcks.get(epoch) ?? 0) < seq) this.#pendingAcks.set(epoch, seq);
  }

  /** The acks to piggyback on the next pong (and forgets them). */
  takeAcks(): StreamAck[] | undefined {
    if (this.#pendingAcks.size === 0) return undefined;
    const out = [...this.#pendingAcks].map(([epoch, seq]) => ({ epoch, seq }));
    this.#pendingAcks.clear();
    return out;
  }

  /** Counts a refusal; true when the client has been refused too often to keep its connection. */
  refusedOnce(): boolean {
    this.refused++;
    const now = this.clock.now();
    if (now - this.#refusalWindowStart >= STREAM_WINDOW_MS) {
      this.#refusalWindowStart = now;
      this.#refusals = 0;
    }
    return ++this.#refusals > MAX_STREAM_REFUSALS_PER_WINDOW;
  }
}
