/**
 * One direction of an impaired link, as a pure decision per datagram: random loss, then a
 * bottleneck of `rateKbps` with a drop-tail queue of at most `queueMs` (a datagram that would wait
 * longer is dropped). Time and randomness are injected; the caller sends each kept datagram
 * `delayMs` later (in arrival order: each departure is after the previous one).
 */
export interface Impairment {
  /** Share of datagrams dropped at random, 0–100. */
  lossPercent: number;
  /** Bottleneck rate, kbit/s; 0: none. */
  rateKbps: number;
  /** Longest queueing delay before a datagram is dropped, ms. */
  queueMs: number;
}

export const NO_IMPAIRMENT: Impairment = { lossPercent: 0, rateKbps: 0, queueMs: 100 };

export class Shaper {
  #busyUntil = 0;
  impairment: Impairment = NO_IMPAIRMENT;

  constructor(private readonly random: () => number = Math.random) {}

  /** What to do with a datagram of `bytes` arriving at `now` (ms). */
  datagram(now: number, bytes: number): { drop: true } | { drop: false; delayMs: number } {
    const { lossPercent, rateKbps, queueMs } = this.impairment;
    if (lossPercent > 0 && this.random() * 100 < lossPercent) return { drop: true };
    if (rateKbps <= 0) return { drop: false, delayMs: 0 };
    const start = Math.max(now, this.#busyUntil);
    if (start - now > queueMs) return { drop: true };
    this.#busyUntil = start + (bytes * 8) / rateKbps;
    return { drop: false, delayMs: this.#busyUntil - now };
  }
}
