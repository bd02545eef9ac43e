import type { Clock, TimerHandle } from '@holdfast/protocol';

/** What the keepalive wheel needs of a connection. */
export interface KeepaliveTarget {
  /** Local time of the last frame written to this connection (0: nothing yet). */
  readonly lastWriteAt: number;
  /**
   * The wheel's own mark: the tick this connection is filed under (undefined: not in the wheel).
   * Kept on the connection, not in a Map: a lookup per look was 3.6 % of an idle node's CPU.
   */
  keepaliveSlot?: number | undefined;
  /** The wheel's own mark: a pong held to go out in place of this connection's next keepalive. */
  heldPong?: { t: number; at: number } | undefined;
  /** Writes the shared keepalive frame (only once the connection is joined). */
  sendKeepalive(): void;
  /** Writes the pong of the ping sent at client time `t`, held by the server for `heldMs`. */
  sendPong(t: number, heldMs: number): void;
}

/** A ping waiting for its pong (answered with the wheel's next tick). */
interface PendingPong {
  target: KeepaliveTarget;
  t: number;
  at: number;
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
   * in the keepalive's place (default half the interval: 1,000 ms at 2 s).
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
 */
export class KeepaliveWheel {
  /** Targets in the wheel. Each carries its slot (tick number); a slot's list may hold stale entries, skipped by it. */
  #size = 0;
  #slots = new Map<number, KeepaliveTarget[]>();
  #timer: TimerHandle | undefined;
  /** Due connections of the last tick(s) not written to yet, from index `#next` on. */
  #due: KeepaliveTarget[] = [];
  #next = 0;
  /** Connections written to last at or before this (local time) get a keepalive. */
  #dueBefore = 0;
  #draining = false;
  /** Pings not answered yet, in arrival order; from index `#nextPong` on. */
  #pongs: PendingPong[] = [];
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
    this.#pongHoldMs = options.pongHoldMs ?? intervalMs / 2;
    this.#defer = options.defer ?? ((fn) => void setImmediate(fn));
  }

  get size(): number {
    return this.#size;
  }

  add(target: KeepaliveTarget): void {
    this.#file(target, Math.floor(this.clock.now() / this.tickMs));
  }

  delete(target: KeepaliveTarget): void {
    if (target.keepaliveSlot === undefined) return;
    target.keepaliveSlot = undefined;
    target.heldPong = undefined;
    this.#size--;
  }

  /**
   * Answers a ping with the next tick's writes instead of at once. Every write to a quiet client
   * wakes its process, and a write alone costs more than one among many: a bare-ws server that
   * answered each ping at once cost 33.5–34.5 % of a core at 19,900 idle clients against 24.3–25.5
   * % without (pings every 5,950 ms). And a ping that arrives when the connection's keepalive is
   * due within `pongHoldMs` is answered in the keepalive's place, one write instead of two (the
   * SDK pings just under every third keepalive; at 19,900 idle clients 28.1–28.9 % of a core
   * against 29.8–29.9 % answering at the next tick). The pong says how long it was held (`held`,
   * ms), so the client's RTT sample stays exact; a pong waits at most `pongHoldMs` + one period.
   */
  pong(target: KeepaliveTarget, t: number): void {
    const now = this.clock.now();
    const held = target.heldPong;
    if (held) {
      // A second ping meanwhile: both go with the next tick, in order.
      target.heldPong = undefined;
      this.#pongs.push({ target, t: held.t, at: held.at });
    } else if (
      target.keepaliveSlot !== undefined &&
      target.lastWriteAt + this.intervalMs - now <= this.#pongHoldMs
    ) {
      target.heldPong = { t, at: now };
      return;
    }
    this.#pongs.push({ target, t, at: now });
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
    this.#pongs = [];
    this.#nextPong = 0;
    for (let i = this.#next; i < this.#due.length; i++) {
      const t = this.#due[i]!;
      if (t.keepaliveSlot !== undefined) this.#file(t, 0);
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
    const current = Math.floor(now / this.tickMs);
    this.#dueBefore = now - this.intervalMs;
    for (const [slot, targets] of this.#slots) {
      if (slot > current) continue;
      this.#slots.delete(slot);
      for (const t of targets) {
        if (t.keepaliveSlot !== slot) continue;
        // A held pong goes at the slot it was held for, even if other writes went out meanwhile.
        if (t.lastWriteAt <= this.#dueBefore || t.heldPong) this.#due.push(t);
        else this.#file(t, current);
      }
    }
    this.#drain();
  }

  /**
   * Writes the pending pongs, then keepalives to the due connections (a pong written stands in for
   * a keepalive), `perStep` writes at a time; defers the rest to the next turn of the loop.
   */
  #drain(): void {
    const now = this.clock.now();
    const current = Math.floor(now / this.tickMs);
    let budget = this.#perStep;
    while (budget > 0 && this.#nextPong < this.#pongs.length) {
      const p = this.#pongs[this.#nextPong++]!;
      if (p.target.keepaliveSlot === undefined) continue; // closed meanwhile
      p.target.sendPong(p.t, now - p.at);
      budget--;
    }
    if (this.#nextPong >= this.#pongs.length) {
      this.#pongs = [];
      this.#nextPong = 0;
    }
    while (budget > 0 && this.#next < this.#due.length) {
      const t = this.#due[this.#next++]!;
      if (t.keepaliveSlot === undefined) continue; // closed meanwhile
      const held = t.heldPong;
      if (held) {
        t.heldPong = undefined;
        t.sendPong(held.t, now - held.at);
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

  /** Files `target` under the first tick at or after it falls due, and after `current`. */
  #file(target: KeepaliveTarget, current: number): void {
    const slot = Math.max(current + 1, Math.ceil((target.lastWriteAt + this.intervalMs) / this.tickMs));
    if (target.keepaliveSlot === undefined) this.#size++;
    target.keepaliveSlot = slot;
    const list = this.#slots.get(slot);
    if (list) list.push(target);
    else this.#slots.set(slot, [target]);
  }
}
