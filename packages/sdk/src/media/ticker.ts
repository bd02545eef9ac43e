import type { Clock } from '@holdfast/protocol';

/**
 * Runs `fn` every `ms` on the engine's Clock while started. A tick whose previous run (a getStats
 * round trip) has not finished is skipped rather than stacked; `stop` cancels the next tick.
 */
export class Ticker {
  #timer: unknown;
  #busy = false;
  #running = false;

  constructor(
    private readonly clock: Clock,
    private ms: number,
    private readonly fn: () => Promise<void> | void,
  ) {}

  get running(): boolean {
    return this.#running;
  }

  start(ms = this.ms): void {
    if (this.#running && ms === this.ms) return;
    this.stop();
    this.ms = ms;
    this.#running = true;
    this.#arm();
  }

  stop(): void {
    this.#running = false;
    if (this.#timer !== undefined) this.clock.clearTimeout(this.#timer as never);
    this.#timer = undefined;
  }

  #arm(): void {
    this.#timer = this.clock.setTimeout(() => {
      if (!this.#running) return;
      this.#arm();
      if (this.#busy) return;
      this.#busy = true;
      Promise.resolve()
        .then(this.fn)
        .catch((err) => console.error('[holdfast] media tick', err))
        .finally(() => {
          this.#busy = false;
        });
    }, this.ms);
  }
}
