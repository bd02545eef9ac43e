import type { Clock, TimerHandle } from './clock.js';

interface Pending {
  id: number;
  at: number;
  fn: () => void;
}

/**
 * A simulated {@link Clock}: time moves only when `advance()` is called, and
 * timers fire in due order, each seeing `now()` equal to its due time.
 *
 * @example
 * const clock = new TestClock();
 * const engine = createRtcEngine({ clock, transport });
 * clock.advance(3999); // nothing yet
 * clock.advance(1);    // (Reconnecting, Interrupted)
 */
export class TestClock implements Clock {
  #now: number;
  #nextId = 1;
  #pending: Pending[] = [];

  constructor(start = 1_700_000_000_000) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = this.#nextId++;
    this.#pending.push({ id, at: this.#now + Math.max(0, ms), fn });
    return { id };
  }

  clearTimeout(handle: TimerHandle): void {
    const id = (handle as { id?: number }).id;
    this.#pending = this.#pending.filter((p) => p.id !== id);
  }

  /** Number of timers not yet fired. */
  pendingTimers(): number {
    return this.#pending.length;
  }

  /** Moves time forward by `ms`, firing every timer that falls due, in order. */
  advance(ms: number): void {
    const end = this.#now + ms;
    for (;;) {
      let next: Pending | undefined;
      for (const p of this.#pending) if (p.at <= end && (!next || p.at < next.at)) next = p;
      if (!next) break;
      const due = next;
      this.#pending = this.#pending.filter((p) => p !== due);
      this.#now = due.at;
      due.fn();
    }
    this.#now = end;
  }

  /** Runs timers until none is due within `limitMs`; returns the time advanced. */
  runAll(limitMs = 24 * 3600_000): number {
    const start = this.#now;
    this.advance(limitMs);
    return this.#now - start;
  }
}
