import type { Clock, MediaAnswerFrame, MediaKind, MediaOfferFrame, TrackState } from '@holdfast/protocol';
import { gatheringComplete, type PeerLike, type TrackLike } from './peer.js';

/** A remote track in the subscriber connection, by the server's mid → uid/kind table. */
export interface ReceivedTrack {
  mid: string;
  uid: number;
  kind: MediaKind;
  state: TrackState;
  track: TrackLike;
  /** The transceiver carried another member's track before (its counters do not start at 0). */
  reused: boolean;
}

export interface SubscriberDeps {
  clock: Clock;
  create(): PeerLike;
  /** Sends `media_answer`; false when signalling is down (sent again by `resend`). */
  send(frame: MediaAnswerFrame): boolean;
  /** After each applied offer: every remote track the connection now receives. */
  tracks(list: ReceivedTrack[]): void;
  connectionState(state: string): void;
  failed(err: Error): void;
  /** Sends `media_sub_offer` (this client's ICE restart of the connection); false when signalling is down. */
  sendOffer(sdp: string): boolean;
}

/** How long the server's reply to a `media_sub_offer` is waited for. */
const RESTART_REPLY_MS = 5000;
/** `busy` replies tolerated before a restart is given up (the repair's step 2 follows anyway). */
const RESTART_TRIES = 5;

type RestartReply = { sdp: string; code?: undefined } | { sdp?: undefined; code: string };

/**
 * This client's subscriber connection: the server offers the channel's tracks (a renegotiation of
 * the same connection each time the set changes, `version` increasing) and the client answers
 * with every candidate. Offers are applied one at a time; when several wait, only the newest is
 * answered (it describes the whole set), and an offer older than one applied is ignored.
 */
export class SubscriberTransport {
  #pc: PeerLike | undefined;
  #applied = 0;
  #next: MediaOfferFrame | undefined;
  #running = false;
  #closed = false;
  #unsent: MediaAnswerFrame | undefined;
  /** The answer to the offer applied last. */
  #answer: MediaAnswerFrame | undefined;
  /** mid → the last uid it carried. */
  #carried = new Map<string, number>();
  #received: ReceivedTrack[] = [];
  #restartWanted = false;
  #restartTries = 0;
  #reply: ((r: RestartReply) => void) | undefined;
  #retryTimer: unknown;

  constructor(private readonly deps: SubscriberDeps) {}

  get peer(): PeerLike | undefined {
    return this.#pc;
  }
  get received(): readonly ReceivedTrack[] {
    return this.#received;
  }
  /** The uid and kind a mid carries now. */
  byMid(mid: string): ReceivedTrack | undefined {
    return this.#received.find((r) => r.mid === mid);
  }

  offer(frame: MediaOfferFrame): void {
    if (this.#closed) return;
    // The offer answered last, again (the server resends it after a resume: the answer may have
    // been lost with the connection): the same answer again.
    if (frame.version === this.#applied && this.#answer && !this.#next) {
      this.#unsent = this.deps.send(this.#answer) ? undefined : this.#answer;
      return;
    }
    if (frame.version <= this.#applied) return;
    if (this.#next && this.#next.version >= frame.version) return;
    this.#next = frame;
    void this.#run();
  }

  /** Signalling is back: an answer that could not be sent goes out now. */
  resend(): void {
    const unsent = this.#unsent;
    if (unsent && this.deps.send(unsent)) this.#unsent = undefined;
  }

  /**
   * Repairs the connection's path with an ICE restart offered by this client (`media_sub_offer`,
   * answered by `media_sub_answer`), after any server offer waiting to be applied. A `busy` reply
   * (the server awaits this client's answer to an offer of its own) rolls the restart back; the
   * server's offer is answered first and the restart is tried again.
   */
  restartIce(): void {
    if (this.#closed || !this.#pc) return;
    this.#restartWanted = true;
    this.#restartTries = 0;
    void this.#run();
  }

  /** The server's `media_sub_answer` to this client's restart offer. */
  restartAnswered(sdp: string): void {
    this.#reply?.({ sdp });
  }

  /** A `media_error` while a restart offer waits: it refuses that offer (true), else it is not this connection's. */
  restartRefused(code: string): boolean {
    const reply = this.#reply;
    if (!reply) return false;
    reply({ code });
    return true;
  }

  close(): void {
    this.#closed = true;
    this.#next = undefined;
    this.#reply?.({ code: 'closed' });
    if (this.#retryTimer !== undefined) this.deps.clock.clearTimeout(this.#retryTimer as never);
    this.#pc?.close();
    this.#pc = undefined;
  }

  async #run(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    try {
      // Server offers first (they describe the tracks); a restart when none waits.
      while (!this.#closed) {
        const frame = this.#next;
        if (frame) {
          this.#next = undefined;
          await this.#apply(frame);
          continue;
        }
        if (!this.#restartWanted) break;
        this.#restartWanted = false;
        await this.#restart();
      }
    } finally {
      this.#running = false;
    }
  }

  async #restart(): Promise<void> {
    const pc = this.#pc;
    if (pc?.signalingState !== 'stable') return;
    let reply: RestartReply;
    try {
      await pc.setLocalDescription(await pc.createOffer({ iceRestart: true }));
      await gatheringComplete(pc, this.deps.clock, 3000, true);
      if (this.#pc !== pc) return;
      const sdp = pc.localDescription?.sdp ?? '';
      reply = await new Promise<RestartReply>((resolve) => {
        const timer = this.deps.clock.setTimeout(() => resolve({ code: 'timeout' }), RESTART_REPLY_MS);
        this.#reply = (r) => {
          this.deps.clock.clearTimeout(timer);
          resolve(r);
        };
        if (!this.deps.sendOffer(sdp)) this.#reply({ code: 'offline' });
      });
      this.#reply = undefined;
      if (this.#pc !== pc) return;
      if (reply.sdp !== undefined) {
        await pc.setRemoteDescription({ type: 'answer', sdp: reply.sdp });
        return;
      }
      await pc.setLocalDescription({ type: 'rollback' });
    } catch {
      this.#reply = undefined;
      if (this.#pc === pc) await pc.setLocalDescription({ type: 'rollback' }).catch(() => {});
      return;
    }
    if (reply.code !== 'busy' || ++this.#restartTries > RESTART_TRIES) return;
    // The server offer it waits for is queued here (applied next, then the restart), or this
    // client's answer to it is on its way: try again in a moment.
    if (this.#next) this.#restartWanted = true;
    else
      this.#retryTimer = this.deps.clock.setTimeout(() => {
        this.#retryTimer = undefined;
        if (this.#closed) return;
        this.#restartWanted = true;
        void this.#run();
      }, 250);
  }

  async #apply(frame: MediaOfferFrame): Promise<void> {
    const pc = this.#peer();
    try {
      await pc.setRemoteDescription({ type: 'offer', sdp: frame.sdp });
      await pc.setLocalDescription(await pc.createAnswer());
      await gatheringComplete(pc, this.deps.clock);
      if (this.#pc !== pc) return;
      this.#applied = frame.version;
      const answer: MediaAnswerFrame = {
        type: 'media_answer',
        version: frame.version,
        sdp: pc.localDescription?.sdp ?? '',
      };
      this.#answer = answer;
      this.#unsent = this.deps.send(answer) ? undefined : answer;
      this.#map(pc, frame);
    } catch (err) {
      if (this.#pc === pc) this.deps.failed(err as Error);
    }
  }

  #map(pc: PeerLike, frame: MediaOfferFrame): void {
    const byMid = new Map(pc.getTransceivers().map((t) => [t.mid, t]));
    const list: ReceivedTrack[] = [];
    for (const info of frame.tracks) {
      const transceiver = byMid.get(info.mid);
      if (!transceiver) continue;
      const before = this.#carried.get(info.mid);
      const was = this.#received.find((r) => r.mid === info.mid);
      const reused = before !== undefined && before !== info.uid;
      this.#carried.set(info.mid, info.uid);
      list.push({
        ...info,
        track: transceiver.receiver.track,
        reused: was && was.uid === info.uid ? was.reused : reused,
      });
    }
    this.#received = list;
    this.deps.tracks(list);
  }

  #peer(): PeerLike {
    if (this.#pc) return this.#pc;
    const pc = this.deps.create();
    pc.addEventListener('connectionstatechange', () => {
      if (this.#pc === pc) this.deps.connectionState(pc.connectionState);
    });
    this.#pc = pc;
    return pc;
  }
}
