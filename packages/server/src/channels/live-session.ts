import type {
  ChannelEvent,
  EventFrame,
  ServerFrame,
  WireErrorCode,
  WireProfile,
  WireRole,
} from '@holdfast/protocol';
import type { ChannelRef } from '../engine/types.js';

/** Events kept for a resume; older ones fall back to a member snapshot. */
export const OUTBOX_LIMIT = 1024;

/** The transport currently attached to a session (one WebSocket). */
export interface Attachment {
  send(frame: ServerFrame): void;
  /** Sends `end` with the code, then closes the socket with the matching close code. */
  end(code: WireErrorCode, message: string): void;
  readonly remoteAddress: string;
}

/**
 * A session's live state on the node that holds it: the attached transport (if
 * any), the last time anything arrived from the client, and the events sent
 * since the client's last acknowledgement, so a resume can replay them in order.
 */
export class LiveSession {
  readonly key: string;
  seq = 0;
  lastSeenAt: number;
  /** This session's remote offline window (per app). */
  offlineAfterMs = 20_000;
  /** Last round-trip time the client reported, ms. */
  rttMs = 0;
  /** Remote address of the attached (or last) transport. */
  remote = '';
  tokenExpiresAt: number | undefined;
  conn: Attachment | undefined;
  #outbox: EventFrame[] = [];
  /** Highest seq no longer in the outbox (acked or evicted). */
  #floor = 0;

  constructor(
    readonly id: string,
    readonly ref: ChannelRef,
    readonly uid: number,
    public role: WireRole,
    readonly profile: WireProfile,
    key: string,
    now: number,
  ) {
    this.key = key;
    this.lastSeenAt = now;
  }

  /** Queues an event for the client and sends it if a transport is attached. */
  deliver(event: ChannelEvent): void {
    const frame: EventFrame = { type: 'event', seq: ++this.seq, event };
    this.#outbox.push(frame);
    if (this.#outbox.length > OUTBOX_LIMIT) this.#floor = this.#outbox.shift()!.seq;
    this.conn?.send(frame);
  }

  /** The client has everything up to `seq`. */
  ack(seq: number): void {
    if (seq <= this.#floor) return;
    let drop = 0;
    while (drop < this.#outbox.length && this.#outbox[drop]!.seq <= seq) drop++;
    if (drop > 0) this.#floor = this.#outbox[drop - 1]!.seq;
    this.#outbox.splice(0, drop);
  }

  /** Events after `lastSeq`, or undefined when some were already evicted. */
  missedSince(lastSeq: number): EventFrame[] | undefined {
    if (lastSeq < this.#floor || lastSeq > this.seq) return undefined;
    return this.#outbox.filter((f) => f.seq > lastSeq);
  }
}
