/**
 * One chain of calls per channel member: each call runs after the ones made before it (to the
 * member's media host, in the order they were made); a chain leaves nothing behind once it is done.
 */
export class CallChains {
  readonly #chains = new Map<string, Promise<void>>();

  /** Chains that have calls in flight. */
  get size(): number {
    return this.#chains.size;
  }

  /** Runs `task` after the calls queued for the member before it; `onError` takes what it throws. */
  run(key: string, uid: number, task: () => Promise<void>, onError: (err: unknown) => void): Promise<void> {
    const id = `${key}\u0000${uid}`;
    const next = (this.#chains.get(id) ?? Promise.resolve()).then(task).catch(onError);
    this.#chains.set(id, next);
    void next.then(() => {
      if (this.#chains.get(id) === next) this.#chains.delete(id);
    });
    return next;
  }
}
