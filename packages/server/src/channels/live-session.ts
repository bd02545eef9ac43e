import type { ChannelEvent, ServerFrame, WireErrorCode, WireProfile, WireRole } from '@holdfast/protocol';
import type { ChannelRef } from '../engine/types.js';
import { initialSession, type SessionState } from '../session/machine.js';
import { sessionTag } from './session-id.js';
import type { SessionStreams } from './session-streams.js';

/** The transport currently attached to a session (one WebSocket). */
export interface Attachment {
  /** Unique per transport on this node (the session machine compares these). */
  readonly attachmentId: number;
  send(frame: ServerFrame): void;
  /** Sends a frame already encoded, as JSON text (one channel event, encoded once for all its members). */
  sendEncoded(frame: string | Buffer): void;
  /** Sends `end` with the code, then closes the socket with the matching close code. */
  end(code: WireErrorCode, message: string): void;
  readonly remoteAddress: string;
}

let nextAttachment = 1;
/** A fresh attachment id. */
export const newAttachmentId = (): number => nextAttachment++;

/**
 * A session on the node that holds it: its lifecycle state (owned by the session machine; only
 * {@link ChannelService.dispatch} replaces it), the transports it knows by attachment id, and
 * the delivery of channel events to the attached one. Missed events for a resume come from the
 * channel's log in the engine, so any node can serve the resume.
 */
export class LiveSession {
  #state: SessionState;
  /** Transports by attachment id: the attached or attaching one (and, for a moment, the one it replaces). */
  readonly transports = new Map<number, Attachment>();
  /** Seq of the last channel event delivered (or reflected in the join snapshot). */
  lastSeq = 0;
  /** Last round-trip time the client reported, ms (console). */
  rttMs = 0;
  /** Remote address of the attached (or last) transport (kicking rules by IP, console). */
  remote = '';
  /** The offline deadline last published to the engine (engine time); undefined: not yet / again. */
  publishedDeadline: number | undefined;
  /** Data-stream limits, acks and counters (from the first message on; see StreamRelay). */
  streams: SessionStreams | undefined;
  /** Data-stream messages of other members sent to this session's transport (console). */
  streamsReceived = 0;
  /** SHA-256 of the resume secret (what a re-assert puts back into the engine); never the secret. */
  secretHash = '';
  #tag: string | undefined;
  #held: Array<{ seq: number; event: ChannelEvent }> | undefined;

  constructor(
    readonly id: string,
    readonly ref: ChannelRef,
    readonly key: string,
    readonly uid: number,
    init: Parameters<typeof initialSession>[0],
  ) {
    this.#state = initialSession(init);
  }

  /** What the console and the event feed show instead of the session id ({@link sessionTag}). */
  get tag(): string {
    this.#tag ??= sessionTag(this.id);
    return this.#tag;
  }

  get state(): SessionState {
    return this.#state;
  }
  /** Only the session driver calls this, with the machine's next state. */
  setState(next: SessionState): void {
    this.#state = next;
  }
  get role(): WireRole {
    return this.#state.role;
  }
  get profile(): WireProfile {
    return this.#state.profile;
  }
  get lastSeenAt(): number {
    return this.#state.lastSeenAt;
  }
  get offlineAfterMs(): number {
    return this.#state.offlineAfterMs;
  }
  get tokenExpiresAt(): number | undefined {
    return this.#state.tokenExpiresAt;
  }
  /** The attached transport, if any. */
  get conn(): Attachment | undefined {
    return this.#state.phase === 'attached' ? this.transports.get(this.#state.attachment) : undefined;
  }

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
    const conn = this.conn;
    if (!conn) return;
    if (event.kind === 'stream') this.streamsReceived++;
    if (encoded !== undefined) conn.sendEncoded(encoded);
    else conn.send({ type: 'event', seq, event });
  }

  /**
   * A join or resume is being answered: hold live events until the `joined`
   * frame (with its snapshot at some seq) is out, so none is lost or reordered.
   */
  hold(): void {
    this.#held ??= [];
  }

  /** After `joined` (reflecting events up to `seq`) and the attach: sends what arrived meanwhile. */
  release(seq: number): void {
    const held = this.#held ?? [];
    this.#held = undefined;
    this.lastSeq = Math.max(this.lastSeq, seq);
    for (const e of held) this.deliver(e.seq, e.event);
  }
}
