/**
 * Items ordered by a due time (a binary min-heap), for timers that must fire on time without one
 * `setTimeout` per item or a sweep over every item. An item may be in the queue more than once;
 * the owner re-checks an item when it comes due and puts it back if it is not (lazy removal).
 */
export class DeadlineQueue<T> {
  #at: number[] = [];
  #items: T[] = [];

  get size(): number {
    return this.#at.length;
  }

  /** The earliest due time, or undefined when empty. */
  peek(): number | undefined {
    return this.#at[0];
  }

  /** The item with the earliest due time, or undefined when empty. */
  peekItem(): T | undefined {
    return this.#items[0];
  }

  /** Removes the item with the earliest due time (see peekItem). */
  shift(): T | undefined {
    return this.#at.length > 0 ? this.#pop() : undefined;
  }

  push(at: number, item: T): void {
    const at_ = this.#at;
    const items = this.#items;
    let i = at_.length;
    at_.push(at);
    items.push(item);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (at_[parent]! <= at) break;
      at_[i] = at_[parent]!;
      items[i] = items[parent]!;
      i = parent;
    }
    at_[i] = at;
    items[i] = item;
  }

  /** Removes and returns every item due at or before `now`, earliest first. */
  popDue(now: number): T[] {
    const out: T[] = [];
    while (this.#at.length > 0 && this.#at[0]! <= now) out.push(this.#pop());
    return out;
  }

  clear(): void {
    this.#at = [];
    this.#items = [];
  }

  #pop(): T {
    const at_ = this.#at;
    const items = this.#items;
    const top = items[0]!;
    const lastAt = at_.pop()!;
    const last = items.pop()!;
    const n = at_.length;
    if (n > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const c = r < n && at_[r]! < at_[l]! ? r : l;
        if (at_[c]! >= lastAt) break;
        at_[i] = at_[c]!;
        items[i] = items[c]!;
        i = c;
      }
      at_[i] = lastAt;
      items[i] = last;
    }
    return top;
  }
}
