/** Listeners of one kind: added with a disposer, called in order on a copy (a listener may remove itself). */
export class Listeners<A extends unknown[]> {
  readonly #set = new Set<(...args: A) => void>();

  add(listener: (...args: A) => void): () => void {
    this.#set.add(listener);
    return () => this.#set.delete(listener);
  }

  emit(...args: A): void {
    for (const l of [...this.#set]) l(...args);
  }

  clear(): void {
    this.#set.clear();
  }
}
