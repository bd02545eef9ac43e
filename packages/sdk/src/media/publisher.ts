import type { Clock, MediaKind } from '@holdfast/protocol';
import { gatheringComplete, type PeerLike, type TrackLike, type TransceiverLike } from './peer.js';

export interface PublisherDeps {
  clock: Clock;
  create(): PeerLike;
  /** Sends `media_publish` with the offer; false when signalling is down (sent again by `resend`). */
  send(sdp: string): boolean;
  /** The server answered an offer (the tracks now in the connection are published). */
  negotiated(): void;
  /** The server refused the offer (`media_error` while one was waiting). */
  refused(code: string, message: string): void;
  connectionState(state: string): void;
  /** A kind's transceiver was added, before its first offer (the video codec preference). */
  added?(kind: MediaKind, transceiver: TransceiverLike): void;
}

/**
 * This client's publisher connection: one sendonly transceiver per kind, added the first time a
 * track of that kind is published and kept afterwards (a mute or a disable sends no track on it
 * and needs no renegotiation). Offers go out with every ICE candidate (no trickle) and are
 * answered by the server; one negotiation runs at a time and a change during one runs after it.
 */
export class PublisherTransport {
  #pc: PeerLike | undefined;
  #transceivers: Partial<Record<MediaKind, TransceiverLike>> = {};
  #needsOffer = false;
  #running = false;
  #closed = false;
  /** The next offer is an ICE restart (the media connection machine's repair, step 1). */
  #iceRestart = false;
  #awaiting: { resolve(sdp: string): void; reject(err: Error): void; sdp: string } | undefined;

  constructor(private readonly deps: PublisherDeps) {}

  get peer(): PeerLike | undefined {
    return this.#pc;
  }
  /** Kinds that have a transceiver (negotiated or about to be). */
  has(kind: MediaKind): boolean {
    return this.#transceivers[kind] !== undefined;
  }
  /** An offer is out and its answer has not come yet. */
  get waiting(): boolean {
    return this.#awaiting !== undefined;
  }
  /** A negotiation is due, running, or waiting for its answer. */
  get busy(): boolean {
    return this.#needsOffer || this.#running;
  }

  /** Sends `track` (or nothing, with null) on the kind's transceiver, adding it (and renegotiating) the first time. */
  setTrack(kind: MediaKind, track: TrackLike | null): void {
    if (this.#closed) return;
    let transceiver = this.#transceivers[kind];
    if (!transceiver) {
      if (!track) return;
      transceiver = this.#peer().addTransceiver(kind, { direction: 'sendonly' });
      this.deps.added?.(kind, transceiver);
      this.#transceivers[kind] = transceiver;
      this.#needsOffer = true;
    }
    if (transceiver.sender.track !== track)
      transceiver.sender.replaceTrack(track).catch((err) => console.error('[holdfast] replaceTrack', err));
    if (this.#needsOffer) void this.#run();
  }

  /** The server's answer to the waiting offer (an answer with none waiting is a stale duplicate). */
  answer(sdp: string): void {
    this.#awaiting?.resolve(sdp);
  }

  /** A `media_error`: refuses the waiting offer, if there is one. Returns whether it did. */
  refuse(code: string, message: string): boolean {
    const waiting = this.#awaiting;
    if (!waiting) return false;
    waiting.reject(Object.assign(new Error(message), { code }));
    return true;
  }

  /**
   * Repairs the connection's path: the next offer restarts ICE (new credentials, candidates
   * gathered again), sent as `media_publish` and answered by the server like any renegotiation.
   */
  restartIce(): void {
    if (this.#closed || !this.#pc) return;
    this.#iceRestart = true;
    this.#needsOffer = true;
    void this.#run();
  }

  /** Signalling is back: an offer still waiting for its answer goes out again. */
  resend(): void {
    const waiting = this.#awaiting;
    if (waiting) this.deps.send(waiting.sdp);
  }

  close(): void {
    this.#closed = true;
    this.#awaiting?.reject(Object.assign(new Error('closed'), { code: 'closed' }));
    this.#awaiting = undefined;
    this.#pc?.close();
    this.#pc = undefined;
    this.#transceivers = {};
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

  async #run(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    let ok = false;
    try {
      // Changes made in the same turn (both kinds at once) go into one offer.
      await Promise.resolve();
      while (this.#needsOffer && !this.#closed) {
        this.#needsOffer = false;
        ok = await this.#negotiate();
      }
    } finally {
      this.#running = false;
    }
    // Told once the connection is stable, with nothing more to offer.
    if (ok && !this.#closed) this.deps.negotiated();
  }

  async #negotiate(): Promise<boolean> {
    const pc = this.#peer();
    const restart = this.#iceRestart;
    this.#iceRestart = false;
    try {
      await pc.setLocalDescription(await (restart ? pc.createOffer({ iceRestart: true }) : pc.createOffer()));
      await gatheringComplete(pc, this.deps.clock, 3000, restart);
      if (this.#pc !== pc) return false;
      const sdp = pc.localDescription?.sdp ?? '';
      const answer = await new Promise<string>((resolve, reject) => {
        this.#awaiting = { resolve, reject, sdp };
        this.deps.send(sdp);
      });
      this.#awaiting = undefined;
      if (this.#pc !== pc) return false;
      await pc.setRemoteDescription({ type: 'answer', sdp: answer });
      return true;
    } catch (err) {
      this.#awaiting = undefined;
      const code = (err as { code?: string }).code ?? 'bad_sdp';
      if (code === 'closed' || this.#pc !== pc) return false;
      // Back to stable, so a later change can offer again.
      await pc.setLocalDescription({ type: 'rollback' }).catch(() => {});
      this.deps.refused(code, (err as Error).message);
      return false;
    }
  }
}
