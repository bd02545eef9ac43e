import type { Clock, TimerHandle } from '@holdfast/protocol';

/**
 * The wheel's bookkeeping, kept on each connection as plain fields: no Map, no list per slot, no
 * object per ping. At 19,900 idle connections anything the wheel allocated lived a second or two —
 * long enough to survive a scavenge and be promoted — and every major GC marked it again.
 */
export interface KeepaliveMarks {
  /** The tick (counted from the wheel's start) this connection is filed under; OUT or DUE otherwise. */
  keepaliveSlot: number;
  /** Neighbours in the slot's list (a doubly linked list through the connections themselves). */
  keepalivePrev: KeepaliveTarget | undefined;
  keepaliveNext: KeepaliveTarget | undefined;
  /** A pong held to go in place of the next keepalive: its ping's client time, and when it came (NaN: none). */
  heldPongT: number;
  heldPongAt: number;
  /** A pong to go with the wheel's next step (NaN: none). */
  pongT: number;
  pongAt: number;
}

/** `keepaliveSlot` of a connection not in the wheel. */
export const KEEPALIVE_OUT = -1;
/** `keepaliveSlot` of a connection taken from its slot and waiting for its turn in a step. */
const KEEPALIVE_DUE = -2;

/** The marks of a connection not in any wheel (a new connection's fields start so). */
export function keepaliveMarks(): KeepaliveMarks {
  return {
    keepaliveSlot: KEEPALIVE_OUT,
    keepalivePrev: undefined,
    keepaliveNext: undefined,
    heldPongT: Number.NaN,
    heldPongAt: Number.NaN,
    pongT: Number.NaN,
    pongAt: Number.NaN,
  };
}

/** What the keepalive wheel needs of a connection: its last write, the wheel's marks, two writes. */
export interface KeepaliveTarget extends KeepaliveMarks {
  /** Local time of the last frame written to this connection (0: nothing yet). */
  readonly lastWriteAt: number;
  /** Writes the shared keepalive frame (only once the connection is joined). */
  sendKeepalive(): void;
  /** Writes the pong of the ping sent at client time `t`, held by the server for `heldMs`. */
  sendPong(t: number, heldMs: number): void;
}

/**
 * How often the wheel looks for quiet connections: an eighth of the interval, 10–50 ms. Fine
 * enough that keepalives leave in many small batches rather than a few big ones (clients that
 * joined together would otherwise all hear last from the server in the same instant, and all reach
 * their 4 s timer in the same instant after a cut); a scan of 20k connections costs ~0.1 ms.
 */
export function keepaliveTickMs(intervalMs: number): number {
  return Math.max(10, Math.min(50, Math.floor(intervalMs / 8)));
}

export interface KeepaliveWheelOptions {
  /** Keepalives written per step of a tick (default 64: ~1.6 ms of writes on this machine). */
  perStep?: number;
  /** Runs `fn` after the event loop's next turn of I/O (default `setImmediate`); tests pass their own. */
  defer?: (fn: () => void) => void;
  /**
   * A ping that arrives at most this long before its connection's keepalive falls due is answered
   * in the keepalive's place (default the whole interval: every pong of a joined connection).
   */
  pongHoldMs?: number;
}

/**
 * The server side of the 4 s rule: a healthy client must never go 4 s without data,
 * so every connection the server has written nothing to for `intervalMs` gets a
 * `ka` frame. One timer for the whole node ticks every `tickMs` (instead of a timer per
 * connection), and a connection that just got an event or a pong is skipped — keepalives cost
 * nothing where there is traffic anyway. The gap between two frames to a quiet client is in
 * [intervalMs, intervalMs + tickMs).
 *
 * A tick looks only at the connections that may be due: each connection sits in the slot of the
 * tick at or after `lastWriteAt + intervalMs` as it was when it was filed, and is filed again
 * under its new time when a write since then has pushed it back (writes themselves never touch
 * the wheel). So each connection is looked at about once per interval, not once per tick: at
 * 20,000 idle connections and a 50 ms tick that is ~10,000 checks a second instead of 400,000.
 * The slots are a ring of `intervalMs / tickMs + 2` list heads (no connection is ever filed
 * further ahead), and ticks are counted from the wheel's start, so a slot number stays a small
 * integer (a Date.now()-sized tick number was a heap-allocated double at every filing).
 */
export class KeepaliveWheel {
  /** Targets in the wheel (filed in a slot, or due in a step). */
  #size = 0;
  /** Slot lists (first and last), slot `s` at `s % ring.length`: each holds one slot's connections, in filing order. */
  readonly #ring: Array<KeepaliveTarget | undefined>;
  readonly #tails: Array<KeepaliveTarget | undefined>;
  readonly #epoch: number;
  /** The last tick looked at; the wheel's own count never goes back, whatever the clock does. */
  #lastTick = 0;
  #timer: TimerHandle | undefined;
  /** Due connections of the last tick(s) not written to yet, from index `#next` on. */
  #due: KeepaliveTarget[] = [];
  #next = 0;
  /** Connections written to last at or before this (local time) get a keepalive. */
  #dueBefore = 0;
  #draining = false;
  /** Connections with a pong for the next step (`pongT`), in arrival order, from `#nextPong` on. */
  #pongs: KeepaliveTarget[] = [];
  #nextPong = 0;
  readonly tickMs: number;
  readonly #perStep: number;
  readonly #pongHoldMs: number;
  readonly #defer: (fn: () => void) => void;

  constructor(
    private readonly clock: Clock,
    readonly intervalMs: number,
    tickMs?: number,
    options: KeepaliveWheelOptions = {},
  ) {
    this.tickMs = tickMs ?? keepaliveTickMs(intervalMs);
    this.#perStep = options.perStep ?? 64;
    this.#pongHoldMs = options.pongHoldMs ?? intervalMs;
    this.#defer = options.defer ?? ((fn) => void setImmediate(fn));
    this.#ring = new Array(Math.ceil(intervalMs / this.tickMs) + 2).fill(undefined);
    this.#tails = new Array(this.#ring.length).fill(undefined);
    this.#epoch = Math.floor(clock.now() / this.tickMs);
  }

  get size(): number {
    return this.#size;
  }

  add(target: KeepaliveTarget): void {
    if (target.keepaliveSlot !== KEEPALIVE_OUT) this.delete(target);
    this.#size++;
    this.#file(target, this.#current());
  }

  delete(target: KeepaliveTarget): void {
    const slot = target.keepaliveSlot;
    if (slot === KEEPALIVE_OUT) return;
    if (slot >= 0) this.#unlink(target, slot);
    // A due connection stays in `#due`; the step skips it (its slot is no longer DUE).
    target.keepaliveSlot = KEEPALIVE_OUT;
    target.heldPongAt = Number.NaN;
    target.pongAt = Number.NaN;
    this.#size--;
  }

  /**
   * Answers a ping with the wheel's writes instead of at once. Every write to a quiet client wakes
   * its process, and a write alone costs more than one among many: a bare-ws server that answered
   * each ping at once cost 33.5–34.5 % of a core at 19,900 idle clients against 24.3–25.5 % without
   * (pings every 5,950 ms). By default every pong goes in place of the connection's next keepalive
   * — one write instead of two, at most an interval (+ one period) later; with a shorter
   * `pongHoldMs` a ping that comes earlier is answered with the next tick. The pong says how long
   * it was held (`held`, ms), so the client's RTT sample stays exact. A second ping while one waits
   * sends the waiting pong at once (never two waiting: a flood of pings holds nothing).
   */
  pong(target: KeepaliveTarget, t: number): void {
    const now = this.clock.now();
    if (target.keepaliveSlot === KEEPALIVE_OUT) {
      target.sendPong(t, 0);
      return;
    }
    if (!Number.isNaN(target.heldPongAt)) {
      target.sendPong(target.heldPongT, now - target.heldPongAt);
      target.heldPongAt = Number.NaN;
    }
    if (!Number.isNaN(target.pongAt)) {
      target.sendPong(target.pongT, now - target.pongAt);
      target.pongAt = Number.NaN;
    }
    if (target.lastWriteAt + this.intervalMs - now <= this.#pongHoldMs) {
      target.heldPongT = t;
      target.heldPongAt = now;
      return;
    }
    target.pongT = t;
    target.pongAt = now;
    this.#pongs.push(target);
  }

  /**
   * How long the timer waits between ticks: `tickMs` up to 4,000 connections, then one more
   * `tickMs` per 4,000 up to 5× (250 ms at 20,000 with the default 2 s interval). Each write to a
   * quiet client wakes its process; in bigger batches those wakeups cost less (measured at 19,900
   * idle clients: 62.5 % of a core at 50 ms, 52.1 % at 250 ms, against the bare-ws floor's 43.7 %),
   * while with few clients the fine tick keeps them from all hearing last from the server in the
   * same instant (the detection spread after a cut). The gap between two frames to a quiet client
   * is in [intervalMs, intervalMs + periodMs).
   */
  get periodMs(): number {
    return this.tickMs * Math.min(5, Math.max(1, Math.round(this.size / 4000)));
  }

  start(): void {
    this.stop();
    const tick = () => {
      this.tick();
      this.#timer = this.clock.setTimeout(tick, this.periodMs);
    };
    this.#timer = this.clock.setTimeout(tick, this.periodMs);
  }

  stop(): void {
    if (this.#timer !== undefined) this.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    for (let i = this.#nextPong; i < this.#pongs.length; i++) this.#pongs[i]!.pongAt = Number.NaN;
    this.#pongs = [];
    this.#nextPong = 0;
    const current = this.#current();
    for (let i = this.#next; i < this.#due.length; i++) {
      const t = this.#due[i]!;
      if (t.keepaliveSlot === KEEPALIVE_DUE) this.#file(t, current);
    }
    this.#due = [];
    this.#next = 0;
  }

  /**
   * Sends a keepalive to every connection quiet for at least `intervalMs`: `perStep` of them now,
   * the rest in further steps, each after the event loop has had its turn (a tick of 500 due
   * connections wrote for ~12 ms in one go, and joins arriving meanwhile waited that long).
   */
  tick(): void {
    const now = this.clock.now();
    const current = this.#current();
    this.#dueBefore = now - this.intervalMs;
    const ring = this.#ring;
    // Each slot after the last tick up to this one; after a stall of a whole ring, each list once.
    const last = Math.min(current, this.#lastTick + ring.length);
    for (let slot = this.#lastTick + 1; slot <= last; slot++) {
      const at = slot % ring.length;
      let t = ring[at];
      ring[at] = undefined;
      this.#tails[at] = undefined;
      while (t) {
        const next = t.keepaliveNext;
        t.keepalivePrev = undefined;
        t.keepaliveNext = undefined;
        // A held pong goes at the slot it was held for, even if other writes went out meanwhile.
        if (t.lastWriteAt <= this.#dueBefore || !Number.isNaN(t.heldPongAt)) {
          t.keepaliveSlot = KEEPALIVE_DUE;
          this.#due.push(t);
        } else this.#file(t, current);
        t = next;
      }
    }
    this.#lastTick = current;
    this.#drain();
  }

  /**
   * Writes the pending pongs, then keepalives to the due connections (a pong written stands in for
   * a keepalive), `perStep` writes at a time; defers the rest to the next turn of the loop.
   */
  #drain(): void {
    const now = this.clock.now();
    const current = this.#current();
    let budget = this.#perStep;
    while (budget > 0 && this.#nextPong < this.#pongs.length) {
      const t = this.#pongs[this.#nextPong++]!;
      if (Number.isNaN(t.pongAt)) continue; // answered meanwhile, or closed
      t.sendPong(t.pongT, now - t.pongAt);
      t.pongAt = Number.NaN;
      budget--;
    }
    if (this.#nextPong >= this.#pongs.length) {
      this.#pongs = [];
      this.#nextPong = 0;
    }
    while (budget > 0 && this.#next < this.#due.length) {
      const t = this.#due[this.#next++]!;
      if (t.keepaliveSlot !== KEEPALIVE_DUE) continue; // closed (or removed and added again) meanwhile
      if (!Number.isNaN(t.heldPongAt)) {
        t.sendPong(t.heldPongT, now - t.heldPongAt);
        t.heldPongAt = Number.NaN;
        budget--;
      } else if (t.lastWriteAt <= this.#dueBefore) {
        t.sendKeepalive();
        budget--;
      }
      this.#file(t, current);
    }
    if (this.#next < this.#due.length || this.#pongs.length > 0) {
      if (this.#draining) return;
      this.#draining = true;
      this.#defer(() => {
        this.#draining = false;
        this.#drain();
      });
    } else {
      this.#due = [];
      this.#next = 0;
    }
  }

  /** This tick, counted from the wheel's start; never before the last tick looked at. */
  #current(): number {
    return Math.max(this.#lastTick, Math.floor(this.clock.now() / this.tickMs) - this.#epoch);
  }

  /** Files `target` (in no list) under the first tick at or after it falls due, after `current`. */
  #file(target: KeepaliveTarget, current: number): void {
    const due = Math.ceil((target.lastWriteAt + this.intervalMs) / this.tickMs) - this.#epoch;
    // Never further than the ring reaches (a write stamped after `now`, with a clock gone back).
    const slot = Math.min(current + this.#ring.length - 1, Math.max(current + 1, due));
    const at = slot % this.#ring.length;
    const tail = this.#tails[at];
    target.keepaliveSlot = slot;
    target.keepalivePrev = tail;
    target.keepaliveNext = undefined;
    if (tail) tail.keepaliveNext = target;
    else this.#ring[at] = target;
    this.#tails[at] = target;
  }

  #unlink(target: KeepaliveTarget, slot: number): void {
    const at = slot % this.#ring.length;
    const prev = target.keepalivePrev;
    const next = target.keepaliveNext;
    if (prev) prev.keepaliveNext = next;
    else this.#ring[at] = next;
    if (next) next.keepalivePrev = prev;
    else this.#tails[at] = prev;
    target.keepalivePrev = undefined;
    target.keepaliveNext = undefined;
  }
}
