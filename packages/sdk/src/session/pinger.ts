import type { Clock } from '@holdfast/protocol';

/**
 * Sends a keepalive every interval while connected. The server answers each one
 * with a pong, which is the data that keeps the 4 s interrupt timer from firing.
 */
export class Pinger {
  #timer: unknown;

  constructor(private readonly clock: Clock) {}

  start(intervalMs: number, ping: () => void): void {
    this.stop();
    const tick = () => {
      ping();
      this.#timer = this.clock.setTimeout(tick, intervalMs);
    };
    this.#timer = this.clock.setTimeout(tick, intervalMs);
  }

  stop(): void {
    if (this.#timer !== undefined) this.clock.clearTimeout(this.#timer as never);
    this.#timer = undefined;
  }
}
