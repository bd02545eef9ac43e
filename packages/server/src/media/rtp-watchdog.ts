/**
 * Whether a published track's RTP is flowing. werift reports no state change for a publisher
 * that goes silent (45 s in a trial), so the server watches the packets itself: after a gap of
 * `gapMs` the next packet is a resumption, and subscribers need a keyframe to decode again.
 * Pure: time comes in as `now`.
 */
export class RtpWatchdog {
  #last: number | undefined;

  constructor(private readonly gapMs = 1500) {}

  /** A packet arrived at `now`: 'resumed' when it ends a gap (not for the first packet). */
  packet(now: number): 'resumed' | undefined {
    const last = this.#last;
    this.#last = now;
    return last !== undefined && now - last >= this.gapMs ? 'resumed' : undefined;
  }

  /** No packet for `gapMs` at `now` (or none ever): the track is stalled. */
  stalled(now: number): boolean {
    return this.#last === undefined || now - this.#last >= this.gapMs;
  }
}
