/**
 * When a keyframe request (PLI) may go to a publisher: at most one per `intervalMs` per
 * requester, so one subscriber asking often cannot starve another's first request (a single
 * global throttle starved the second of two subscribers). Pure: time comes in as `now`.
 */
export class KeyframeThrottle {
  readonly #last = new Map<string, number>();

  constructor(private readonly intervalMs = 500) {}

  /** True (and remembered) when `requester` may ask now. */
  allow(requester: string, now: number): boolean {
    const last = this.#last.get(requester);
    if (last !== undefined && now - last < this.intervalMs) return false;
    this.#last.set(requester, now);
    return true;
  }

  forget(requester: string): void {
    this.#last.delete(requester);
  }

  get size(): number {
    return this.#last.size;
  }
}
