import { now, sleep } from '../stats.js';
import { RawClient, type RawClientListener, type RawTarget } from './raw.js';

export interface Member {
  uid: number;
  channel: string;
}

/** Result of opening a batch of clients. */
export interface OpenResult {
  joined: number;
  failed: number;
  /** Per client: joinChannel (TCP connect) → joined, ms. */
  latencies: number[];
  firstStart: number;
  lastJoined: number;
}

/**
 * The lean clients of one load-generator process, and their shared keepalive ticker:
 * one timer for the whole process walks the clients in buckets, so each sends a ping
 * every `keepaliveMs` without one timer per connection.
 */
export class RawPool {
  readonly clients = new Set<RawClient>();
  #buckets: Set<RawClient>[] = [];
  #bucketOf = new Map<RawClient, number>();
  #ticker: NodeJS.Timeout | undefined;
  #tick = 0;
  #nextBucket = 0;
  /** uid → arrival times of `user_joined(uid)` at members of this pool (presence scenario). */
  readonly joinSeen = new Map<number, number[]>();
  readonly offlineSeen = new Map<number, number[]>();
  recordPresence = false;
  /** Clients closed after joining, by the `end` code the server gave (or `socket` without one). */
  readonly closes = new Map<string, number>();
  #waiters = new Map<RawClient, (ok: boolean) => void>();

  readonly listener: RawClientListener = {
    joined: (client) => this.#waiters.get(client)?.(true),
    presence: (_client, kind, uid, at) => {
      if (!this.recordPresence) return;
      const map = kind === 'joined' ? this.joinSeen : this.offlineSeen;
      const list = map.get(uid);
      if (list) list.push(at);
      else map.set(uid, [at]);
    },
    closed: (client) => {
      if (client.joined) {
        const why = client.endCode ?? 'socket';
        this.closes.set(why, (this.closes.get(why) ?? 0) + 1);
      }
      this.#waiters.get(client)?.(false);
      this.#forget(client);
    },
  };

  constructor(keepaliveMs: number) {
    const TICK_MS = 25;
    const n = Math.max(1, Math.round(keepaliveMs / TICK_MS));
    this.#buckets = Array.from({ length: n }, () => new Set());
    // Paced by the clock, not by the timer's firings: a load generator busy with a connect storm
    // fires its 25 ms timer late (100+ ms), and one bucket per firing stretched every client's ping
    // period past the server's 20 s offline window (73,781 of 102,000 clients ended as
    // session_expired in the machine run of 4 Dec, each ~20 s after its last ping). A late firing
    // pings every bucket that came due meanwhile.
    const start = now();
    this.#ticker = setInterval(() => {
      const due = Math.floor((now() - start) / TICK_MS);
      // At most one period's worth at once (a stall longer than that pings everyone once).
      if (due - this.#tick > n) this.#tick = due - n;
      while (this.#tick < due) for (const c of this.#buckets[this.#tick++ % n]!) c.ping();
    }, TICK_MS);
  }

  /** Opens one client and resolves when it has joined (or failed). */
  openOne(target: RawTarget, m: Member): Promise<{ client: RawClient; ok: boolean }> {
    return new Promise((resolve) => {
      const client = new RawClient(target, m.uid, m.channel, this.listener);
      this.clients.add(client);
      const b = this.#nextBucket++ % this.#buckets.length;
      this.#buckets[b]!.add(client);
      this.#bucketOf.set(client, b);
      // Bounded: a join that has not completed in 15 s counts as failed.
      const timer = setTimeout(() => {
        this.#waiters.get(client)?.(false);
        client.ws.destroy();
      }, 15_000);
      this.#waiters.set(client, (ok) => {
        clearTimeout(timer);
        this.#waiters.delete(client);
        resolve({ client, ok });
      });
    });
  }

  /** Opens `members` with at most `concurrency` joins in flight. */
  async open(
    target: RawTarget,
    members: Member[],
    concurrency: number,
    deadline = Infinity,
  ): Promise<OpenResult> {
    const res: OpenResult = { joined: 0, failed: 0, latencies: [], firstStart: now(), lastJoined: 0 };
    let next = 0;
    const lane = async () => {
      while (next < members.length && now() < deadline) {
        const m = members[next++]!;
        const { client, ok } = await this.openOne(target, m);
        if (ok) {
          res.joined++;
          res.latencies.push(client.joinedAt - client.startedAt);
          res.lastJoined = Math.max(res.lastJoined, client.joinedAt);
        } else res.failed++;
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, members.length) }, lane));
    return res;
  }

  /** Open loop: starts one join every 1000/rate ms from `startAt`, whatever the previous ones are doing. */
  async openAtRate(
    target: RawTarget,
    members: Member[],
    rate: number,
    startAt: number,
  ): Promise<OpenResult & { lateStarts: number; uids: number[]; refused: number }> {
    const res = {
      joined: 0,
      failed: 0,
      latencies: [] as number[],
      /** The uid of each entry of `latencies`. */
      uids: [] as number[],
      /** Failed joins the server ended with an `end` frame (the others timed out after 15 s). */
      refused: 0,
      firstStart: 0,
      lastJoined: 0,
      lateStarts: 0,
    };
    const pending: Promise<void>[] = [];
    const interval = 1000 / rate;
    for (let i = 0; i < members.length; i++) {
      const due = startAt + i * interval;
      const wait = due - now();
      if (wait > 1) await sleep(wait);
      if (now() - due > 5) res.lateStarts++;
      if (i === 0) res.firstStart = now();
      pending.push(
        this.openOne(target, members[i]!).then(({ client, ok }) => {
          if (!ok) {
            res.failed++;
            if (client.endCode) res.refused++;
            return;
          }
          res.joined++;
          res.latencies.push(client.joinedAt - client.startedAt);
          res.uids.push(client.uid);
          res.lastJoined = Math.max(res.lastJoined, client.joinedAt);
        }),
      );
    }
    await Promise.all(pending);
    return res;
  }

  /** Open clients whose member count is `expected` (every other member known), and `sync`s received. */
  complete(expected: number): {
    open: number;
    complete: number;
    syncs: number;
    known: number[];
    closes: Record<string, number>;
  } {
    let open = 0;
    let complete = 0;
    let syncs = 0;
    const known: number[] = [];
    for (const c of this.clients) {
      if (!c.ws.isOpen || !c.joined) continue;
      open++;
      syncs += c.syncs;
      if (c.known === expected) complete++;
      else if (known.length < 5) known.push(c.known);
    }
    return { open, complete, syncs, known, closes: Object.fromEntries(this.closes) };
  }

  /** Starts the gap watch: afterwards {@link gaps} tells how many clients went silent too long. */
  resetGaps(): void {
    const at = now();
    for (const c of this.clients) c.resetGap(at);
  }

  gaps(limitMs: number): {
    clients: number;
    overLimit: number;
    maxGap: number;
    closed: number;
    /** Joined clients closed so far, by why (see {@link closes}). */
    closes: Record<string, number>;
  } {
    const at = now();
    let over = 0;
    let max = 0;
    let open = 0;
    for (const c of this.clients) {
      if (!c.ws.isOpen) continue;
      open++;
      const gap = Math.max(c.maxGap, at - c.lastDataAt);
      if (gap > limitMs) over++;
      if (gap > max) max = gap;
    }
    return {
      clients: open,
      overLimit: over,
      maxGap: Math.round(max),
      closed: this.clients.size - open,
      closes: Object.fromEntries(this.closes),
    };
  }

  find(uid: number): RawClient | undefined {
    for (const c of this.clients) if (c.uid === uid) return c;
    return undefined;
  }

  async closeAll(): Promise<void> {
    for (const c of this.clients) c.ws.destroy();
    this.clients.clear();
    for (const b of this.#buckets) b.clear();
    this.#bucketOf.clear();
    this.joinSeen.clear();
    this.offlineSeen.clear();
    this.closes.clear();
    await sleep(50);
  }

  dispose(): void {
    clearInterval(this.#ticker);
  }

  #forget(client: RawClient): void {
    this.clients.delete(client);
    const b = this.#bucketOf.get(client);
    if (b !== undefined) this.#buckets[b]!.delete(client);
    this.#bucketOf.delete(client);
  }
}
