import {
  type ChannelEvent,
  encodeFrame,
  type ServerFrame,
  type WireErrorCode,
  type WireProfile,
  type WireRole,
} from '@holdfast/protocol';
import type { ChannelRef } from '../engine/types.js';
import type { EndCause } from '../session/end-causes.js';
import {
  dueCause,
  initialSession,
  nextDueAt,
  type SessionState,
  sessionTransition,
} from '../session/machine.js';
import { Attachments } from './attachments.js';
import { sessionTag } from './session-id.js';
import type { SessionStreams } from './session-streams.js';

/** The transport currently attached to a session (one WebSocket). */
export interface Attachment {
  /** Unique per transport on this node (the session machine compares these). */
  readonly attachmentId: number;
  send(frame: ServerFrame): void;
  /** Sends a frame already encoded, as JSON text (one channel event, encoded once for all its members). */
  sendEncoded(frame: string | Buffer): void;
  /**
   * Sends channel `event` frames already encoded, in order, in one write: as the one `batch`
   * message given (or built from them) when the client reads batches and there are several,
   * else one message each. Frames shared by many members (one event, or the turn's batch) may
   * carry their whole WebSocket frame, built by the first member's write for the rest.
   */
  sendEvents(frames: readonly SharedFrame[], batch?: SharedFrame): void;
  /** The client joined with `batch: true`. */
  readonly batches: boolean;
  /** Bytes written to this transport that the kernel has not taken yet (its socket's backlog). */
  readonly bufferedBytes: number;
  /** Sends `end` with the code, then closes the socket with the matching close code. */
  end(code: WireErrorCode, message: string): void;
  readonly remoteAddress: string;
}

/**
 * A frame written to many members: its JSON bytes and, once the first member's transport built it,
 * the whole WebSocket frame (header and payload in one buffer: the other members' writes reuse it).
 */
export interface SharedFrame {
  readonly frame: Buffer;
  wire?: Buffer;
}

/** A channel event with its `event` frame, encoded once for every member on this node. */
export interface EncodedEvent extends SharedFrame {
  seq: number;
  event: ChannelEvent;
}

/** What {@link LiveSession.deliverAll} did with a turn's events. */
export type Delivery = 'sent' | 'nothing' | 'held' | 'behind';

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
  readonly transports = new Attachments();
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
  /**
   * The transport's send buffer went over the fan-out's bound: events are skipped (`lastSeq` stays at
   * the last one sent) until it drains and the fan-out catches the client up from the log or with
   * a snapshot. A new transport (resume) clears it: its `joined` frame brings the client up to date.
   */
  behind = false;
  #tag: string | undefined;
  #held: EncodedEvent[] | undefined;
  /** The latest frame's time not yet given to the machine as its `seen` event (0: none). */
  #seenAt = 0;

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

  /**
   * The machine's state, with the latest frame's `seen` event given to it first. A frame only moves
   * `lastSeenAt` later, so the driver keeps the latest one ({@link seen}) and the machine gets it
   * when its state is next needed: the state is not copied for every ping (each copy lived ~6 s,
   * long enough for V8 to promote it: a third of what an idle node promoted).
   */
  get state(): SessionState {
    if (this.#seenAt > this.#state.lastSeenAt)
      this.#state = sessionTransition(this.#state, { type: 'seen' }, this.#seenAt).state;
    return this.#state;
  }

  /** A frame arrived from the client at `now` (its `seen` event, given to the machine lazily). */
  seen(now: number): void {
    if (now > this.#seenAt) this.#seenAt = now;
  }

  /** The machine's {@link dueCause} with the pending `seen` taken into account, without applying it. */
  dueCause(now: number): EndCause | undefined {
    return dueCause(this.#state, now, this.#seenAt);
  }

  /** The machine's {@link nextDueAt} likewise. */
  nextDueAt(): number | undefined {
    return nextDueAt(this.#state, this.#seenAt);
  }
  /**
   * Told when a new state may come due sooner than the one before (a token renewed, or a resume,
   * with an earlier expiry): the sweeper queues the session again under the earlier time.
   */
  onDueSooner: ((live: LiveSession) => void) | undefined;

  /** Only the session driver calls this, with the machine's next state. */
  setState(next: SessionState): void {
    const before = this.onDueSooner && nextDueAt(this.#state);
    this.#state = next;
    if (before === undefined) return;
    const after = nextDueAt(next);
    if (after !== undefined && after < before) this.onDueSooner?.(this);
  }
  get role(): WireRole {
    return this.#state.role;
  }
  get profile(): WireProfile {
    return this.#state.profile;
  }
  get lastSeenAt(): number {
    return this.#state.phase === 'ended'
      ? this.#state.lastSeenAt
      : Math.max(this.#seenAt, this.#state.lastSeenAt);
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
      const frame =
        encoded === undefined
          ? Buffer.from(encodeFrame({ type: 'event', seq, event }))
          : Buffer.isBuffer(encoded)
            ? encoded
            : Buffer.from(encoded);
      this.#held.push({ seq, event, frame });
      return;
    }
    if (this.behind || seq <= this.lastSeq) return;
    this.lastSeq = seq;
    if (event.uid === this.uid) return;
    const conn = this.conn;
    if (!conn) return;
    if (event.kind === 'stream') this.streamsReceived++;
    if (encoded !== undefined) conn.sendEncoded(encoded);
    else conn.send({ type: 'event', seq, event });
  }

  /**
   * One turn's channel events (in seq order), as the fan-out hands them to every member: the ones
   * this client has not had and did not cause go out in one write — as `batch`, the one the fan-out
   * built for the whole channel, when this member gets all of them. A transport whose send buffer
   * is over `behindBytes` gets nothing: the session is marked {@link behind} ('behind') and the
   * fan-out catches it up once it drains. Without a transport the events are passed over (the
   * client resumes from its own last seq).
   */
  deliverAll(events: readonly EncodedEvent[], batch: SharedFrame | undefined, behindBytes: number): Delivery {
    if (this.#held) {
      for (const e of events) this.#held.push(e);
      return 'held';
    }
    if (this.behind) return 'behind';
    const conn = this.conn;
    if (conn && conn.bufferedBytes > behindBytes) {
      this.behind = true;
      return 'behind';
    }
    const out: EncodedEvent[] = [];
    for (const e of events) {
      if (e.seq <= this.lastSeq) continue;
      this.lastSeq = e.seq;
      if (e.event.uid === this.uid || !conn) continue;
      if (e.event.kind === 'stream') this.streamsReceived++;
      out.push(e);
    }
    if (!conn || out.length === 0) return 'nothing';
    conn.sendEvents(out, out.length === events.length ? batch : undefined);
    return 'sent';
  }

  /**
   * A join or resume is being answered: hold live events until the `joined`
   * frame (with its snapshot at some seq) is out, so none is lost or reordered.
   */
  hold(): void {
    this.#held ??= [];
  }

  /** Whether live events are being held (a join, resume or catch-up is being answered). */
  get holding(): boolean {
    return this.#held !== undefined;
  }

  /**
   * After `joined` or a catch-up (reflecting events up to `seq`) and the attach: sends what arrived
   * meanwhile. The client is up to date at `seq`, so it is no longer behind.
   */
  release(seq: number): void {
    const held = this.#held ?? [];
    this.#held = undefined;
    this.behind = false;
    this.lastSeq = Math.max(this.lastSeq, seq);
    if (held.length) this.deliverAll(held, undefined, Number.POSITIVE_INFINITY);
  }

  /** A catch-up that failed: what was held is dropped, and the session stays behind for the next try. */
  dropHeld(): void {
    this.#held = undefined;
  }
}
