/** Opaque timer handle returned by a {@link Clock}. */
export type TimerHandle = { readonly __timer: unique symbol } | number | object;

/**
 * The one source of time for an engine or a server. Injected so that every timing
 * (4 s interrupted, 10 s lost, 20 s offline, 20 min give-up) can be tested with a
 * simulated clock instead of real waiting.
 */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/** Wall-clock time with the host's timers. */
export const systemClock: Clock = {
  now: () => Date.now(),
  // Timers are not unref'd: a client waiting out a reconnect backoff must keep its
  // process alive, exactly as a socket would.
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as Parameters<typeof clearTimeout>[0]),
};
