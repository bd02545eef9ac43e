import type { Clock } from '@holdfast/protocol';
import {
  INITIAL_LINK,
  LINK_DEFAULTS,
  type LinkChange,
  type LinkConfig,
  type LinkEffect,
  type LinkEvent,
  type LinkState,
  type LinkTimer,
  mediaTransition,
} from './link-machine.js';

/** What the media connection machine's effects do, in the media session. */
export interface LinkPorts {
  report(change: LinkChange, elapsed: number): void;
  /** Step 1: ICE restarts of the connections there are. */
  restartIce(): void;
  /** Step 2: media_reset and new connections. */
  reset(): void;
}

/**
 * The driver of the pure media connection machine: feeds it events with the clock's `now`, keeps
 * its named timers on the clock, and runs its other effects through the ports. Events raised while
 * effects run (a callback that leaves, a reset that makes new connections) are queued and run
 * after the current transition, so one transition's effects never interleave with another's.
 */
export class LinkMonitor {
  #state: LinkState = INITIAL_LINK;
  #queue: LinkEvent[] = [];
  #running = false;
  readonly #timers = new Map<LinkTimer, unknown>();
  readonly #cfg: LinkConfig;

  constructor(
    private readonly clock: Clock,
    private readonly ports: LinkPorts,
    cfg: Partial<LinkConfig> = {},
  ) {
    this.#cfg = { ...LINK_DEFAULTS, ...cfg };
  }

  get state(): LinkState {
    return this.#state;
  }
  /** An outage is told and not over: what the engines report as the connection state. */
  get down(): boolean {
    return this.#state.phase === 'down';
  }

  dispatch(event: LinkEvent): void {
    this.#queue.push(event);
    if (this.#running) return;
    this.#running = true;
    try {
      for (let next = this.#queue.shift(); next; next = this.#queue.shift()) {
        const result = mediaTransition(this.#state, next, this.clock.now(), this.#cfg);
        this.#state = result.state;
        for (const effect of result.effects) this.#run(effect);
      }
    } finally {
      this.#running = false;
    }
  }

  /** Stops every timer (engine release). */
  dispose(): void {
    this.#cancelAll();
    this.#queue = [];
    this.#state = INITIAL_LINK;
  }

  #run(effect: LinkEffect): void {
    switch (effect.type) {
      case 'report':
        this.ports.report(effect.change, effect.elapsed);
        return;
      case 'restart_ice':
        this.ports.restartIce();
        return;
      case 'reset':
        this.ports.reset();
        return;
      case 'arm': {
        const old = this.#timers.get(effect.timer);
        if (old !== undefined) this.clock.clearTimeout(old as never);
        const timer = effect.timer;
        const handle = this.clock.setTimeout(
          () => {
            this.#timers.delete(timer);
            this.dispatch({ type: 'timer', timer });
          },
          Math.max(0, effect.at - this.clock.now()),
        );
        this.#timers.set(timer, handle);
        return;
      }
      case 'cancel_all':
        this.#cancelAll();
        return;
    }
  }

  #cancelAll(): void {
    for (const handle of this.#timers.values()) this.clock.clearTimeout(handle as never);
    this.#timers.clear();
  }
}
