/**
 * Per-address fairness: how many connections one address may hold open at once and how many
 * joins (WebSocket upgrades: a connection carries at most one join) it may start per second.
 * The address is whatever the caller counts on — the socket's peer address today; a trusted
 * proxy setting can hand in the real client address instead, nothing here assumes which.
 */
export interface AddressLimits {
  /** Connections one address may hold open at once (HTTP and WebSocket alike). */
  maxConnectionsPerAddress: number;
  /** Joins (upgrades) one address may start per second. */
  maxJoinsPerSecondPerAddress: number;
}

/**
 * A connection over its address's cap is not cut at once: up to this many more are kept just
 * long enough to be told why (`rate_limited` at upgrade, 429 over HTTP). Past that, they are
 * destroyed on accept, so an attacker cannot turn the refusals themselves into held sockets.
 */
export const REFUSAL_SLACK = 16;

/** `ok`: admitted; `refuse`: keep it only to send a typed refusal; `drop`: destroy it now. */
export type Verdict = 'ok' | 'refuse' | 'drop';

interface Window {
  start: number;
  count: number;
}

export class AddressLimiter {
  #open = new Map<string, number>();
  #joins = new Map<string, Window>();

  constructor(
    private readonly limits: AddressLimits,
    private readonly now: () => number,
  ) {}

  /** Open connections per address right now (tests, metrics). */
  openCount(address: string): number {
    return this.#open.get(address) ?? 0;
  }

  /** Addresses tracked (open connections or a join window): bounded by live traffic. */
  get trackedAddresses(): number {
    return new Set([...this.#open.keys(), ...this.#joins.keys()]).size;
  }

  /**
   * A connection arrived from `address`. Unless the verdict is `drop`, it now counts against the
   * address until `release(address)` (call that exactly once, when the socket closes).
   */
  open(address: string): Verdict {
    const n = this.#open.get(address) ?? 0;
    const max = this.limits.maxConnectionsPerAddress;
    if (n >= max + REFUSAL_SLACK) return 'drop';
    this.#open.set(address, n + 1);
    return n < max ? 'ok' : 'refuse';
  }

  release(address: string): void {
    const n = this.#open.get(address) ?? 0;
    if (n <= 1) this.#open.delete(address);
    else this.#open.set(address, n - 1);
  }

  /** A join (upgrade) from `address`: false when it already started its share this second. */
  allowJoin(address: string): boolean {
    const now = this.now();
    let w = this.#joins.get(address);
    if (!w || now - w.start >= 1000) {
      w = { start: now, count: 0 };
      this.#joins.set(address, w);
    }
    return ++w.count <= this.limits.maxJoinsPerSecondPerAddress;
  }

  /** Forgets join windows that have run out, so one-off addresses do not accumulate. */
  sweep(): void {
    const now = this.now();
    for (const [address, w] of this.#joins) if (now - w.start >= 1000) this.#joins.delete(address);
  }
}
