import type { Clock } from '@holdfast/protocol';
import type { TimerName } from './types.js';

/**
 * The machine's named timers on a real (or test) clock: arming a name replaces
 * its previous timer, and every timer can be flushed at once when a state is left.
 */
export class MachineTimers {
  #handles = new Map<TimerName, unknown>();

  constructor(
    private readonly clock: Clock,
    private readonly fire: (name: TimerName) => void,
  ) {}

  /** Arms `name` to fire at absolute time `at` (clock time). */
  arm(name: TimerName, at: number): void {
    const old = this.#handles.get(name);
    if (old !== undefined) this.clock.clearTimeout(old as never);
    const handle = this.clock.setTimeout(
      () => {
        this.#handles.delete(name);
        this.fire(name);
      },
      Math.max(0, at - this.clock.now()),
    );
    this.#handles.set(name, handle);
  }

  cancelAll(): void {
    for (const handle of this.#handles.values()) this.clock.clearTimeout(handle as never);
    this.#handles.clear();
  }
}
