import { type Clock, TestClock } from '@holdfast/protocol';
import { describe, expect, it } from 'vitest';
import { type KeepaliveTarget, KeepaliveWheel, keepaliveMarks } from './keepalive.js';

/** A connection that records when keepalives went out; `write()` stands for any other frame. */
function target(
  clock: Pick<Clock, 'now'>,
): KeepaliveTarget & { sent: number[]; pongs: Array<[number, number, number]>; write(): void } {
  const t = {
    ...keepaliveMarks(),
    lastWriteAt: clock.now(),
    sent: [] as number[],
    /** [client t, held ms, written at] */
    pongs: [] as Array<[number, number, number]>,
    sendKeepalive() {
      t.lastWriteAt = clock.now();
      t.sent.push(clock.now());
    },
    sendPong(pingT: number, held: number) {
      t.lastWriteAt = clock.now();
      t.pongs.push([pingT, held, clock.now()]);
    },
    write() {
      t.lastWriteAt = clock.now();
    },
  };
  return t;
}

/** A started wheel (2 s interval) on a test clock at 0, with `count` connections added. */
function started(count: number, tickMs: number) {
  const clock = new TestClock(0);
  const wheel = new KeepaliveWheel(clock, 2000, tickMs);
  const conns = Array.from({ length: count }, () => target(clock));
  for (const c of conns) wheel.add(c);
  wheel.start();
  return { clock, wheel, conns };
}

describe('KeepaliveWheel', () => {
  it('sends a keepalive once a connection has been quiet for the interval, never earlier', () => {
    const clock = new TestClock(0);
    const wheel = new KeepaliveWheel(clock, 2000, 250);
    const c = target(clock);
    wheel.add(c);
    wheel.start();
    clock.advance(1999);
    expect(c.sent).toEqual([]);
    clock.advance(1);
    expect(c.sent).toEqual([2000]);
    clock.advance(2000);
    expect(c.sent).toEqual([2000, 4000]);
  });

  it('any other frame written pushes the keepalive back: no keepalives where there is traffic', () => {
    const clock = new TestClock(0);
    const wheel = new KeepaliveWheel(clock, 2000, 250);
    const c = target(clock);
    wheel.add(c);
    wheel.start();
    for (let i = 0; i < 10; i++) {
      clock.advance(1500);
      c.write();
    }
    expect(c.sent).toEqual([]);
    clock.advance(2000);
    expect(c.sent).toHaveLength(1);
  });

  it('keeps every quiet gap under interval + tick, whatever the phase of the connection', () => {
    const clock = new TestClock(0);
    const wheel = new KeepaliveWheel(clock, 2000, 250);
    wheel.start();
    const conns = Array.from({ length: 20 }, () => target(clock));
    for (const c of conns) {
      wheel.add(c);
      clock.advance(37);
    }
    const from = clock.now();
    clock.advance(20_000);
    for (const c of conns) {
      const gaps = c.sent.filter((t) => t > from).map((t, i, a) => (i ? t - a[i - 1]! : 0));
      for (const g of gaps.slice(1)) {
        expect(g).toBeGreaterThanOrEqual(2000);
        expect(g).toBeLessThan(2250);
      }
    }
  });

  it('a removed connection gets nothing; stop() stops the wheel', () => {
    const { clock, wheel, conns } = started(2, 250);
    const [a, b] = [conns[0]!, conns[1]!];
    wheel.delete(a);
    expect(wheel.size).toBe(1);
    clock.advance(2000);
    expect(a.sent).toEqual([]);
    expect(b.sent).toEqual([2000]);
    wheel.stop();
    clock.advance(10_000);
    expect(b.sent).toEqual([2000]);
  });

  it('looks at a connection about once per interval, not at every tick', () => {
    const clock = new TestClock(0);
    const wheel = new KeepaliveWheel(clock, 2000, 50);
    const c = target(clock);
    let looks = 0;
    const counted: KeepaliveTarget = {
      ...keepaliveMarks(),
      get lastWriteAt() {
        looks++;
        return c.lastWriteAt;
      },
      sendKeepalive: () => c.sendKeepalive(),
      sendPong: (t, held) => c.sendPong(t, held),
    };
    wheel.add(counted);
    wheel.start();
    // 20 s: 400 ticks; a write every 700 ms pushes the keepalive back each time, then 6 s of quiet.
    for (let i = 0; i < 20; i++) {
      clock.advance(700);
      c.write();
    }
    clock.advance(6000);
    expect(c.sent).toEqual([16_000, 18_000, 20_000]);
    // Filed once, then per look: once to check and once to file again — about 2 per 2 s, not 400.
    expect(looks).toBeLessThan(40);
  });

  it('answers pings with the next tick (a short hold), saying how long each was held; a pong stands in for a keepalive', () => {
    const clock = new TestClock(0);
    const wheel = new KeepaliveWheel(clock, 2000, 50, { pongHoldMs: 0 });
    const a = target(clock);
    const b = target(clock);
    const gone = target(clock);
    for (const c of [a, b, gone]) wheel.add(c);
    wheel.start();
    clock.advance(1990);
    wheel.pong(a, 7);
    wheel.pong(gone, 9);
    wheel.delete(gone);
    expect(a.pongs).toEqual([]);
    clock.advance(5);
    // A second ping while one waits: the waiting pong goes at once (held 5 ms), never two waiting.
    wheel.pong(a, 8);
    expect(a.pongs).toEqual([[7, 5, 1995]]);
    clock.advance(5);
    // The tick at 2000: a's second pong, held 5 ms; b's keepalive; nothing for `gone`.
    expect(a.pongs).toEqual([
      [7, 5, 1995],
      [8, 5, 2000],
    ]);
    expect(a.sent).toEqual([]);
    expect(b.sent).toEqual([2000]);
    expect(gone.pongs).toEqual([]);
    // a's next keepalive counts from its pongs.
    clock.advance(2000);
    expect(a.sent).toEqual([4000]);
    wheel.stop();
    wheel.pong(a, 10);
    clock.advance(5000);
    expect(a.pongs).toHaveLength(2);
  });

  it('by default every pong goes in place of the next keepalive: as many writes as keepalives alone', () => {
    const { clock, wheel, conns } = started(2, 50);
    const [c, quiet] = [conns[0]!, conns[1]!];
    // Pings every 5,950 ms (the SDK's default) at every phase of the keepalive cycle.
    for (let at = 10; at < 60_000; at += 5950) {
      clock.advance(at - clock.now());
      wheel.pong(c, at);
    }
    clock.advance(62_000 - clock.now());
    expect(c.sent.length + c.pongs.length).toBe(quiet.sent.length);
    expect(c.pongs.map(([t]) => t)).toEqual(Array.from({ length: 11 }, (_, i) => 10 + i * 5950));
    for (const [t, held, at] of c.pongs) {
      expect(held).toBe(at - t);
      expect(held).toBeLessThan(2000 + wheel.periodMs);
    }
  });

  it('stop() with writes still to do keeps the connections it had, and never one removed meanwhile', () => {
    const clock = new TestClock(0);
    const deferred: Array<() => void> = [];
    const wheel = new KeepaliveWheel(clock, 2000, 50, { perStep: 1, defer: (fn) => deferred.push(fn) });
    const conns = Array.from({ length: 3 }, () => target(clock));
    for (const c of conns) wheel.add(c);
    expect(wheel.size).toBe(3);
    wheel.start();
    clock.advance(2000);
    expect(conns.map((c) => c.sent.length)).toEqual([1, 0, 0]);
    wheel.delete(conns[1]!);
    wheel.delete(conns[1]!);
    wheel.stop();
    expect(wheel.size).toBe(2);
    wheel.start();
    clock.advance(50);
    while (deferred.length) deferred.shift()!();
    expect(conns.map((c) => c.sent.length)).toEqual([1, 0, 1]);
  });

  it('a ping shortly before the keepalive is due is answered in its place: one write, not two', () => {
    const clock = new TestClock(0);
    const wheel = new KeepaliveWheel(clock, 2000, 50);
    const c = target(clock);
    wheel.add(c);
    wheel.start();
    clock.advance(1200);
    wheel.pong(c, 42); // the keepalive is due in 800 ms: within half an interval
    clock.advance(799);
    expect(c.pongs).toEqual([]);
    clock.advance(1);
    expect(c.pongs).toEqual([[42, 800, 2000]]);
    expect(c.sent).toEqual([]);
    // The next keepalive counts from the pong.
    clock.advance(2000);
    expect(c.sent).toEqual([4000]);
  });

  it('with a shorter hold, a ping long before the keepalive is due is answered at the next tick', () => {
    const clock = new TestClock(0);
    const wheel = new KeepaliveWheel(clock, 2000, 50, { pongHoldMs: 1000 });
    const c = target(clock);
    wheel.add(c);
    wheel.start();
    clock.advance(510);
    wheel.pong(c, 1); // due in 1,490 ms: more than the hold away
    clock.advance(40);
    expect(c.pongs).toEqual([[1, 40, 550]]);
    clock.advance(2000);
    expect(c.sent).toEqual([2550]);
  });

  it('a wheel stalled past a whole ring writes every due connection once, and a clock gone back never files one further than the ring', () => {
    // A clock that can jump both ways (ticks are run by hand); a Date.now()-sized start.
    let now = 1_764_000_000_000;
    const clock = {
      now: () => now,
      set: (t: number) => {
        now = t;
      },
      setTimeout: () => ({}),
      clearTimeout() {},
    };
    const wheel = new KeepaliveWheel(clock, 2000, 50);
    const conns = Array.from({ length: 50 }, () => target(clock));
    for (const c of conns) wheel.add(c);
    clock.set(clock.now() + 10_000); // no tick ran for five intervals (a blocked loop)
    wheel.tick();
    expect(conns.map((c) => c.sent.length)).toEqual(conns.map(() => 1));
    // The clock goes back an hour: nothing is written early, nothing is lost.
    clock.set(clock.now() - 3_600_000);
    for (let i = 0; i < 100; i++) {
      clock.set(clock.now() + 50);
      wheel.tick();
    }
    expect(conns.every((c) => c.sent.length === 1)).toBe(true);
    clock.set(clock.now() + 3_600_000);
    wheel.tick();
    expect(conns.every((c) => c.sent.length === 2)).toBe(true);
    expect(wheel.size).toBe(50);
  });

  it('a connection removed and added again, or added twice, is in the wheel once', () => {
    const clock = new TestClock(0);
    const wheel = new KeepaliveWheel(clock, 2000, 50);
    const [a, b, c] = [target(clock), target(clock), target(clock)];
    for (const t of [a, b, c]) wheel.add(t);
    wheel.delete(b); // from the middle of a slot's list
    wheel.add(b);
    wheel.add(c); // already in: re-filed, not doubled
    expect(wheel.size).toBe(3);
    wheel.start();
    clock.advance(2000);
    expect([a.sent, b.sent, c.sent]).toEqual([[2000], [2000], [2000]]);
    wheel.delete(a);
    wheel.delete(a);
    expect(wheel.size).toBe(2);
    clock.advance(2050);
    expect([a.sent, b.sent, c.sent]).toEqual([[2000], [2000, 4000], [2000, 4000]]);
  });

  it('a held pong goes when the keepalive was due, also when other frames went out meanwhile', () => {
    const clock = new TestClock(0);
    const wheel = new KeepaliveWheel(clock, 2000, 50);
    const c = target(clock);
    wheel.add(c);
    wheel.start();
    clock.advance(1500);
    wheel.pong(c, 5);
    clock.advance(200);
    c.write(); // an event: the keepalive is pushed back, the pong is not
    clock.advance(300);
    expect(c.pongs).toEqual([[5, 500, 2000]]);
    expect(c.sent).toEqual([]);
  });

  it('a removed connection loses its held pong; with a different hold, the threshold moves', () => {
    const clock = new TestClock(0);
    const wheel = new KeepaliveWheel(clock, 2000, 50, { pongHoldMs: 100 });
    const a = target(clock);
    const b = target(clock);
    wheel.add(a);
    wheel.add(b);
    wheel.start();
    clock.advance(1950);
    wheel.pong(a, 1); // held (due in 50 ms)
    wheel.delete(a);
    clock.advance(1000);
    expect(a.pongs).toEqual([]);
    expect(a.heldPongAt).toBeNaN();
    wheel.pong(b, 2); // b wrote at 2000: due at 4000, 1,050 ms away — next tick with a 100 ms hold
    clock.advance(50);
    expect(b.pongs).toEqual([[2, 50, 3000]]);
  });

  it('pongs share the step budget with keepalives and go first', () => {
    const clock = new TestClock(0);
    const deferred: Array<() => void> = [];
    const wheel = new KeepaliveWheel(clock, 2000, 50, { perStep: 2, defer: (fn) => deferred.push(fn) });
    const conns = Array.from({ length: 3 }, () => target(clock));
    for (const c of conns) wheel.add(c);
    wheel.start();
    clock.advance(1999);
    for (const c of conns) wheel.pong(c, 1);
    clock.advance(1);
    expect(conns.map((c) => c.pongs.length)).toEqual([1, 1, 0]);
    deferred.shift()!();
    // The third pong, and no keepalive for anyone: each was just written to.
    expect(conns.map((c) => c.pongs.length)).toEqual([1, 1, 1]);
    expect(conns.flatMap((c) => c.sent)).toEqual([]);
    expect(deferred).toHaveLength(0);
  });

  it('a tick with many due connections writes perStep of them, then the rest after the loop has turned', () => {
    const clock = new TestClock(0);
    const deferred: Array<() => void> = [];
    const wheel = new KeepaliveWheel(clock, 2000, 50, { perStep: 64, defer: (fn) => deferred.push(fn) });
    const conns = Array.from({ length: 200 }, () => target(clock));
    for (const c of conns) wheel.add(c);
    wheel.start();
    clock.advance(2000);
    const sent = () => conns.filter((c) => c.sent.length > 0).length;
    expect(sent()).toBe(64);
    expect(deferred).toHaveLength(1);
    // A connection closed or written to before its step gets nothing.
    wheel.delete(conns[64]!);
    conns[65]!.write();
    deferred.shift()!();
    expect(sent()).toBe(128);
    deferred.shift()!();
    deferred.shift()!();
    expect(deferred).toHaveLength(0);
    expect(sent()).toBe(198);
    expect(conns[64]!.sent).toEqual([]);
    expect(conns[65]!.sent).toEqual([]);
    // Everyone written to is filed again: the next keepalives come one interval later.
    clock.advance(2000);
    while (deferred.length) deferred.shift()!();
    expect(conns.filter((c) => c.sent.length === 2)).toHaveLength(198);
    expect(conns[65]!.sent).toEqual([4000]);
  });

  it('the tick defaults to an eighth of the interval, between 10 and 50 ms', () => {
    const clock = new TestClock(0);
    expect(new KeepaliveWheel(clock, 2000).tickMs).toBe(50);
    expect(new KeepaliveWheel(clock, 300).tickMs).toBe(37);
    expect(new KeepaliveWheel(clock, 40).tickMs).toBe(10);
  });

  it('with many connections the timer ticks less often (5× at 20,000), and quiet gaps stay under interval + period', () => {
    const clock = new TestClock(0);
    // Every step of a tick at once (the steps are the next test's).
    const wheel = new KeepaliveWheel(clock, 2000, undefined, { defer: (fn) => fn() });
    const few = Array.from({ length: 1000 }, () => target(clock));
    for (const t of few) wheel.add(t);
    expect(wheel.periodMs).toBe(50);
    const many = Array.from({ length: 19_000 }, () => target(clock));
    for (const t of many) wheel.add(t);
    expect(wheel.periodMs).toBe(250);
    wheel.start();
    let ticks = 0;
    const counting = wheel.tick.bind(wheel);
    wheel.tick = () => {
      ticks++;
      counting();
    };
    clock.advance(10_000);
    expect(ticks).toBe(40);
    for (const t of [few[0]!, many[500]!]) {
      const gaps = t.sent.map((at, i) => at - (i ? t.sent[i - 1]! : 0));
      expect(Math.max(...gaps)).toBeLessThan(2000 + 250);
      expect(Math.min(...gaps)).toBeGreaterThanOrEqual(2000);
    }
    wheel.stop();
  });
});
