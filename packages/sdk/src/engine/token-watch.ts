import type { Clock } from '@holdfast/protocol';

/** How early the app is told that the join privilege will expire (both seeds: 30 s). */
export const TOKEN_WARNING_MS = 30_000;

/** Fires once, 30 s before the current token's join privilege expires. Re-armed by every new expiry. */
export class TokenExpiryWatch {
  #timer: unknown;

  constructor(
    private readonly clock: Clock,
    private readonly onWillExpire: () => void,
  ) {}

  set(expiresAt: number | undefined): void {
    this.stop();
    if (expiresAt === undefined) return;
    const delay = Math.max(0, expiresAt - TOKEN_WARNING_MS - this.clock.now());
    this.#timer = this.clock.setTimeout(() => {
      this.#timer = undefined;
      this.onWillExpire();
    }, delay);
  }

  stop(): void {
    if (this.#timer !== undefined) this.clock.clearTimeout(this.#timer as never);
    this.#timer = undefined;
  }
}
