import { type Clock, systemClock } from '@holdfast/protocol';

/** Real time plus an adjustable offset: lets a test jump a server's clock forward (token expiry, ban end). */
export class SkewClock implements Clock {
  offsetMs = 0;
  now(): number {
    return Date.now() + this.offsetMs;
  }
  setTimeout(fn: () => void, ms: number) {
    return systemClock.setTimeout(fn, ms);
  }
  clearTimeout(handle: unknown): void {
    systemClock.clearTimeout(handle as never);
  }
}
