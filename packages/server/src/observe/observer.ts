import type {
  ReportedMediaEvent,
  ReportedState,
  StreamRefusalCode,
  WireErrorCode,
  WireOfflineReason,
  WireProfile,
  WireRole,
} from '@holdfast/protocol';

interface Base {
  /** Server time, unix ms. */
  at: number;
  node: string;
  appId: string;
  channel: string;
  uid: number;
  /**
   * The session's tag (first 8 hex characters of the SHA-256 of its id): tells a member's sessions
   * apart without naming the session. The id itself is never in the feed.
   */
  sessionTag: string;
}

/** Something that happened to a session, as the server saw it (or as its client reported). */
export type ObservedEvent = Base &
  (
    | { type: 'joined'; role: WireRole; profile: WireProfile; remote: string; sessionExpired: boolean }
    | { type: 'resumed'; remote: string }
    /** The transport went away; the session waits for a resume until the offline window ends. */
    | { type: 'detached' }
    /**
     * The session is over; `reason` is how remote members saw it ('none': they saw nothing, the
     * uid lives on in a newer session), `code` why the server ended it.
     */
    | { type: 'ended'; reason: WireOfflineReason | 'none'; code?: WireErrorCode }
    | { type: 'role'; role: WireRole }
    /** A state change the client reported (its own clock in `clientAt`). */
    | { type: 'client_state'; state: ReportedState['state']; reason: string; clientAt: number }
    /**
     * A media state change the client reported (its own clock in `clientAt`): its media
     * connection's state (`link`), or a remote member's track phase (`remoteUid`, `kind`, `phase`).
     */
    | ({ type: 'client_media'; clientAt: number } & MediaChange)
    /**
     * The server refused `count` of the member's data-stream messages since the previous such
     * event (the last one on `streamId`, with `code`): they reached nobody. At most about one a
     * second per session (see observe/stream-refusals.ts).
     */
    | { type: 'stream_refused'; code: StreamRefusalCode; streamId: number; count: number }
  );

/** A reported media change without its client time. */
export type MediaChange =
  | { link: Extract<ReportedMediaEvent, { link: unknown }>['link'] }
  | {
      remoteUid: number;
      kind: Extract<ReportedMediaEvent, { uid: number }>['kind'];
      phase: Extract<ReportedMediaEvent, { uid: number }>['phase'];
    };

export type ObservedListener = (event: ObservedEvent) => void;

/**
 * The server's event feed for operators: the console's live timelines and the
 * event log read from here. Keeps the most recent events for late subscribers.
 */
export class Observer {
  #listeners = new Set<ObservedListener>();
  /** A ring of the last `keep` events: `#next` is where the next one goes. */
  #ring: ObservedEvent[] = [];
  #next = 0;

  constructor(private readonly keep = 5000) {}

  emit(event: ObservedEvent): void {
    if (this.#ring.length < this.keep) this.#ring.push(event);
    else this.#ring[this.#next] = event;
    this.#next = (this.#next + 1) % this.keep;
    for (const l of this.#listeners) {
      try {
        l(event);
      } catch {
        // An observer must never break the server.
      }
    }
  }

  subscribe(listener: ObservedListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Most recent events, oldest first. */
  recent(): readonly ObservedEvent[] {
    if (this.#ring.length < this.keep) return [...this.#ring];
    return [...this.#ring.slice(this.#next), ...this.#ring.slice(0, this.#next)];
  }
}
