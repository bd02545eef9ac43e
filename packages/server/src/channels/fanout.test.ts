import type { TestClock } from '@holdfast/protocol';
import { beforeEach, describe, expect, it } from 'vitest';
import type { MemoryEngine } from '../engine/memory.js';
import { EVENT_LOG_LIMIT } from '../engine/types.js';
import type { ChannelFanout } from './fanout.js';
import { fanoutFixture, joined, ref, seqs, settle } from './fanout.test-support.js';

// The fan-out's batching and backpressure (every event waits for the end of its turn here; what an
// idle fan-out writes at once is fanout-immediate.test.ts).
let clock: TestClock;
let engine: MemoryEngine;
let fanout: ChannelFanout;
let deferred: Array<() => void>;
let turn: () => void;
let member: ReturnType<typeof fanoutFixture>['member'];

beforeEach(() => {
  ({ clock, engine, fanout, deferred, turn, member } = fanoutFixture({ immediate: () => false }));
});

describe('ChannelFanout: batching', () => {
  it('the events of one turn go to each member in one message, built once for the channel', async () => {
    const a = await member(1);
    const b = await member(2);
    for (const uid of [10, 11, 12]) await engine.publishEvent(ref, joined(uid));
    expect(a.conn.messages).toEqual([]); // nothing before the end of the turn
    turn();
    expect(a.conn.messages).toHaveLength(1);
    expect(a.conn.messages[0]).toMatchObject({ type: 'batch' });
    expect(seqs(a.conn)).toEqual([1, 2, 3]);
    expect(seqs(b.conn)).toEqual([1, 2, 3]);
    expect(fanout.counts).toMatchObject({ turns: 1, events: 3 });
  });

  it('every member is given the one shared frame object (a transport builds its WebSocket frame once for all)', async () => {
    const ms = await Promise.all([1, 2, 3].map((uid) => member(uid)));
    await engine.publishEvent(ref, joined(10));
    turn();
    for (const uid of [11, 12]) await engine.publishEvent(ref, joined(uid));
    turn();
    const [single, batch] = ms[0]!.conn.given;
    expect(single?.frame.toString()).toContain('"seq":1');
    expect(batch?.frame.toString()).toMatch(/^\{"type":"batch"/);
    for (const m of ms) {
      expect(m.conn.given).toHaveLength(2);
      expect(m.conn.given[0]).toBe(single);
      expect(m.conn.given[1]).toBe(batch);
    }
  });

  it("a member's own event is left out of its batch; the others still get the shared one", async () => {
    const a = await member(1);
    const b = await member(2);
    await engine.publishEvent(ref, joined(3));
    await engine.publishEvent(ref, { kind: 'data_state', uid: 1, enabled: true });
    turn();
    expect(seqs(a.conn)).toEqual([1]);
    expect(a.conn.messages).toEqual([{ type: 'event', seq: 1, event: joined(3) }]);
    expect(seqs(b.conn)).toEqual([1, 2]);
  });

  it('a client that did not ask for batches gets one event frame per message, in order', async () => {
    const a = await member(1, false);
    for (const uid of [10, 11]) await engine.publishEvent(ref, joined(uid));
    turn();
    expect(a.conn.messages.map((m) => m.type)).toEqual(['event', 'event']);
    expect(seqs(a.conn)).toEqual([1, 2]);
  });

  it('a round of a big channel is written in steps; events that arrive meanwhile wait for the next round', async () => {
    const ms = await Promise.all([1, 2, 3, 4, 5].map((uid) => member(uid)));
    await engine.publishEvent(ref, joined(10));
    deferred.shift()!(); // first step: members 1 and 2
    expect(ms.map((m) => seqs(m.conn).length)).toEqual([1, 1, 0, 0, 0]);
    await engine.publishEvent(ref, joined(11));
    await engine.publishEvent(ref, joined(12));
    turn();
    for (const m of ms) expect(seqs(m.conn)).toEqual([1, 2, 3]);
    // Members 3-5 got seq 1 alone, then 2 and 3 in one batch: never out of order.
    expect(ms[4]!.conn.messages.map((m) => m.type)).toEqual(['event', 'batch']);
    expect(fanout.counts.turns).toBe(2);
  });

  it('after a round that kept the node busy, the next one rests as long: its events share one write', async () => {
    const ms = await Promise.all([1, 2, 3, 4].map((uid) => member(uid)));
    // Each write takes 5 ms of the node's time.
    for (const m of ms) {
      const send = m.conn.sendEvents;
      m.conn.sendEvents = (frames, batch) => {
        clock.advance(5);
        send(frames, batch);
      };
    }
    await engine.publishEvent(ref, joined(10));
    turn(); // a round of 20 ms
    for (const uid of [11, 12, 13]) await engine.publishEvent(ref, joined(uid));
    turn();
    expect(seqs(ms[0]!.conn)).toEqual([1]); // resting
    clock.advance(19);
    turn();
    expect(seqs(ms[0]!.conn)).toEqual([1]);
    clock.advance(1);
    turn();
    for (const m of ms) expect(m.conn.messages.map((f) => f.type)).toEqual(['event', 'batch']);
    for (const m of ms) expect(seqs(m.conn)).toEqual([1, 2, 3, 4]);
  });

  it('a session that is answering a join or resume holds the events, then gets them after its seq', async () => {
    const a = await member(1);
    a.live.hold();
    await engine.publishEvent(ref, joined(10));
    await engine.publishEvent(ref, joined(11));
    turn();
    expect(a.conn.messages).toEqual([]);
    a.live.release(1);
    expect(seqs(a.conn)).toEqual([2]);
  });
});

describe('ChannelFanout: backpressure', () => {
  it('a member over the bound is skipped, then replayed every event from the log once drained', async () => {
    const slow = await member(1);
    const fast = await member(2);
    await engine.publishEvent(ref, joined(10));
    turn();
    slow.conn.bufferedBytes = 5000;
    for (const uid of [11, 12, 13]) await engine.publishEvent(ref, joined(uid));
    turn();
    expect(seqs(slow.conn)).toEqual([1]);
    expect(slow.live.behind).toBe(true);
    expect(fanout.behindCount).toBe(1);
    expect(seqs(fast.conn)).toEqual([1, 2, 3, 4]);
    // Still over half the bound: not yet.
    slow.conn.bufferedBytes = 600;
    clock.advance(50);
    await settle();
    expect(seqs(slow.conn)).toEqual([1]);
    slow.conn.bufferedBytes = 0;
    clock.advance(50);
    await engine.publishEvent(ref, joined(14)); // arrives while the catch-up is in flight
    await settle();
    turn();
    expect(seqs(slow.conn)).toEqual([1, 2, 3, 4, 5]);
    expect(slow.live.behind).toBe(false);
    expect(fanout.counts).toMatchObject({ behind: 1, replays: 1, snapshots: 0 });
    expect(slow.conn.messages.filter((m) => m.type === 'sync')).toEqual([]);
  });

  it('when the log no longer reaches back, the drained member gets a sync snapshot (members + seq)', async () => {
    const slow = await member(1);
    slow.conn.bufferedBytes = 5000;
    await engine.publishEvent(ref, joined(10));
    turn();
    expect(slow.live.behind).toBe(true);
    // The log wraps past what the member skipped.
    for (let i = 0; i < EVENT_LOG_LIMIT + 5; i++)
      await engine.publishEvent(ref, { kind: 'data_state', uid: 10, enabled: i % 2 === 0 });
    turn();
    await engine.admitMember(
      ref,
      { uid: 20, sessionId: 's20', role: 'broadcaster', profile: 'communication', joinedAt: 0, nodeId: 'n' },
      { maxBroadcasters: 1000 },
    );
    slow.conn.bufferedBytes = 0;
    clock.advance(50);
    await settle();
    const sync = slow.conn.messages.find((m) => m.type === 'sync');
    const { seq } = await engine.snapshot(ref);
    expect(sync).toEqual({ type: 'sync', seq, members: [{ uid: 20 }] });
    expect(slow.live.lastSeq).toBe(seq);
    expect(fanout.counts.snapshots).toBe(1);
    // And live events continue after the snapshot's seq.
    await engine.publishEvent(ref, joined(21));
    turn();
    expect(seqs(slow.conn)).toEqual([seq + 1]);
  });

  it('a behind member that resumes on a new transport is caught up by its joined frame, not twice', async () => {
    const slow = await member(1);
    slow.conn.bufferedBytes = 5000;
    await engine.publishEvent(ref, joined(10));
    turn();
    expect(slow.live.behind).toBe(true);
    // The resume: hold, joined (reflecting seq 1), release.
    slow.live.hold();
    slow.live.release(1);
    expect(slow.live.behind).toBe(false);
    slow.conn.bufferedBytes = 0;
    clock.advance(50);
    await settle();
    expect(fanout.behindCount).toBe(0);
    expect(slow.conn.messages).toEqual([]);
  });

  it('a catch-up that fails (engine down) is tried again: nothing released with a gap', async () => {
    const slow = await member(1);
    slow.conn.bufferedBytes = 5000;
    await engine.publishEvent(ref, joined(10));
    turn();
    const real = engine.snapshot.bind(engine);
    let fail = true;
    engine.snapshot = (r) => (fail ? Promise.reject(new Error('engine down')) : real(r));
    slow.conn.bufferedBytes = 0;
    clock.advance(50);
    await settle();
    await engine.publishEvent(ref, joined(11));
    turn();
    expect(seqs(slow.conn)).toEqual([]);
    expect(slow.live.behind).toBe(true);
    fail = false;
    clock.advance(50);
    await settle();
    turn();
    expect(seqs(slow.conn)).toEqual([1, 2]);
  });
});
