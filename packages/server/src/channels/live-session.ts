import type { ChannelEvent, ServerFrame, WireErrorCode, WireProfile, WireRole } from '@holdfast/protocol';
import type { ChannelRef } from '../engine/types.js';

/** The transport currently attached to a session (one WebSocket). */
export interface Attachment {
  send(frame: ServerFrame): void;
  /** Sends a frame already encoded, as JSON text (one channel event, encoded once for all its members). */
  sendEncoded(frame: string | Buffer): void;
  /** Sends `end` with the code, then closes the socket with the matching close code. */
  end(code: WireErrorCode, message: string): void;
  readonly remoteAddress: string;
}

/**
 * A session's live state on the node that holds it: the attached transport (if
 * any), when anything last arrived from the client, and the last channel event
 * sent. Missed events for a resume come from the channel's log in the engine,
 * so any node can serve the resume.
 */
export class LiveSession {
  /** Seq of the last channel event delivered (or reflected in the join snapshot). */
  lastSeq = 0;
  lastSeenAt: number;
  tokenExpiresAt: number | undefined;
  conn: Attachment | undefined;
  /** This session's remote offline window (per app). */
  offlineAfterMs = 20_000;
  /** Last round-trip time the client reported, ms. */
  rttMs = 0;
  /** Remote address of the attached (or last) transport. */
  remote = '';
  /** The offline deadline last published to the engine (engine time); undefined: not yet / again. */
  publishedDeadline: number | undefined;

  constructor(
    readonly id: string,
    readonly ref: ChannelRef,
    readonly key: string,
    readonly uid: number,
    public role: WireRole,
    readonly profile: WireProfile,
    now: number,
  ) {
    this.lastSeenAt = now;
  }

  #held: Array<{ seq: number; event: ChannelEvent }> | undefined;

  /**
   * Sends a channel event if a transport is attached; duplicates and stale events are skipped.
   * `encoded` is the event frame already encoded: seqs are channel-wide, so one encoding serves
   * every member of the channel.
   */
  deliver(seq: number, event: ChannelEvent, encoded?: string | Buffer): void {
    if (this.#held) {
      this.#held.push({ seq, event });
      return;
    }
    if (seq <= this.lastSeq) return;
    this.lastSeq = seq;
    if (event.uid === this.uid) return;
    if (!this.conn) return;
    if (encoded !== undefined) this.conn.sendEncoded(encoded);
    else this.conn.send({ type: 'event', seq, event });
  }

  /**
   * A join or resume is being answered: hold live events until the `joined`
   * frame (with its snapshot at some seq) is out, so none is lost or reordered.
   */
  hold(): void {
    this.#held ??= [];
  }

  /** Attaches `conn` after its `joined` (reflecting events up to `seq`), then sends what arrived meanwhile. */
  release(conn: Attachment, seq: number): void {
    const held = this.#held ?? [];
    this.#held = undefined;
    this.conn = conn;
    this.remote = conn.remoteAddress;
    this.lastSeq = Math.max(this.lastSeq, seq);
    for (const e of held) this.deliver(e.seq, e.event);
  }
}
