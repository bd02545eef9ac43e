import type {
  ChannelEvent,
  EventFrame,
  MediaStateEvent,
  MemberInfo,
  StreamMessageEvent,
  WireOfflineReason,
} from '@holdfast/protocol';

export interface PresenceListener {
  userJoined(uid: number): void;
  userOffline(uid: number, reason: WireOfflineReason): void;
  /** A data-stream message from a member this client knows (others' are dropped: gone, or never seen). */
  stream?(event: StreamMessageEvent): void;
  /** A member started or stopped sending data (NERTC enableLocalData). */
  dataState?(uid: number, enabled: boolean): void;
  /** A member's published media changed (on / muted / off per kind). */
  media?(event: MediaStateEvent): void;
}

/**
 * The remote members this client knows of, kept in step with the server's
 * event stream: events apply in `seq` order, duplicates are dropped, and a
 * snapshot reconciles whatever could not be replayed.
 */
export class RemoteMembers {
  #uids = new Set<number>();
  #lastSeq = 0;

  constructor(private readonly listener: PresenceListener) {}

  get lastSeq(): number {
    return this.#lastSeq;
  }
  get size(): number {
    return this.#uids.size;
  }
  has(uid: number): boolean {
    return this.#uids.has(uid);
  }
  list(): number[] {
    return [...this.#uids];
  }

  /** Applies one event; returns false for a duplicate or an out-of-date one. */
  apply(frame: EventFrame): boolean {
    if (frame.seq <= this.#lastSeq) return false;
    this.#lastSeq = frame.seq;
    this.#applyEvent(frame.event);
    return true;
  }

  /**
   * After a join or resume: replay what was missed (if the server had it), then make the
   * set equal the snapshot. Members that vanished without a replayed event count as dropped.
   */
  reconcile(snapshot: MemberInfo[], seq: number, missed: EventFrame[] | undefined): void {
    for (const frame of missed ?? []) this.apply(frame);
    const target = new Set(snapshot.map((m) => m.uid));
    for (const uid of [...this.#uids])
      if (!target.has(uid)) this.#applyEvent({ kind: 'user_offline', uid, reason: 'dropped' });
    for (const uid of target) if (!this.#uids.has(uid)) this.#applyEvent({ kind: 'user_joined', uid });
    this.#lastSeq = seq;
  }

  /** Forgets everyone without telling anyone (local leave: no onUserOffline for remotes). */
  clear(): void {
    this.#uids.clear();
    this.#lastSeq = 0;
  }

  /** A fresh session restarts the sequence; the member set stays for the next reconcile. */
  resetSequence(): void {
    this.#lastSeq = 0;
  }

  #applyEvent(event: ChannelEvent): void {
    if (event.kind === 'stream') {
      // Nothing from a member after its offline event: a message is delivered only from a known member.
      if (this.#uids.has(event.uid)) this.listener.stream?.(event);
      return;
    }
    if (event.kind === 'media') {
      if (this.#uids.has(event.uid)) this.listener.media?.(event);
      return;
    }
    if (event.kind === 'data_state') {
      if (this.#uids.has(event.uid)) this.listener.dataState?.(event.uid, event.enabled);
      return;
    }
    if (event.kind === 'user_joined') {
      if (this.#uids.has(event.uid)) return;
      this.#uids.add(event.uid);
      this.listener.userJoined(event.uid);
    } else {
      if (!this.#uids.delete(event.uid)) return;
      this.listener.userOffline(event.uid, event.reason);
    }
  }
}
