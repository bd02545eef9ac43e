import type { TestClock } from '@holdfast/protocol';
import { beforeEach, describe, expect, it } from 'vitest';
import type { MemoryEngine } from '../engine/memory.js';
import type { ChannelFanout } from './fanout.js';
import { fanoutFixture, joined, message, ref, seqs } from './fanout.test-support.js';

// What an idle fan-out writes at once (presence, media state) and what still waits for the end of
// the turn (data-stream messages, anything behind pending events or a round).
let clock: TestClock;
let engine: MemoryEngine;
let fanout: ChannelFanout;
let turn: () => void;
let member: ReturnType<typeof fanoutFixture>['member'];

describe('ChannelFanout: presence at once, stream messages per turn (the default)', () => {
  beforeEach(() => {
    ({ clock, engine, fanout, turn, member } = fanoutFixture());
  });

  it('an idle fan-out writes a presence event at once, to every member, in steps of the same size', async () => {
    const ms = await Promise.all([1, 2, 3].map((uid) => member(uid)));
    await engine.publishEvent(ref, joined(10));
    // The first step went out inside the publish; the rest of the round at the end of the turn.
    expect(ms.map((m) => seqs(m.conn))).toEqual([[1], [1], []]);
    turn();
    expect(ms.map((m) => seqs(m.conn))).toEqual([[1], [1], [1]]);
    expect(fanout.counts).toMatchObject({ turns: 1, events: 1 });
  });

  it('a data-stream message waits for the end of the turn, and shares its write with the others', async () => {
    const a = await member(1);
    await member(2);
    await engine.publishEvent(ref, message(2, 1));
    await engine.publishEvent(ref, message(2, 2));
    expect(a.conn.messages).toEqual([]);
    turn();
    expect(a.conn.messages).toHaveLength(1);
    expect(seqs(a.conn)).toEqual([1, 2]);
  });

  it('a presence event behind a pending message waits with it: seq order is kept', async () => {
    const a = await member(1);
    await engine.publishEvent(ref, message(1, 1));
    await engine.publishEvent(ref, message(1, 2));
    await engine.publishEvent(ref, joined(10));
    expect(a.conn.messages).toEqual([]); // its own messages are not sent back to it; nothing yet
    const b = await member(2);
    b.live.lastSeq = 0;
    turn();
    expect(seqs(b.conn)).toEqual([1, 2, 3]);
    expect(b.conn.messages).toHaveLength(1); // one batch
    expect(seqs(a.conn)).toEqual([3]);
  });

  it("a presence event during a big channel's round waits for the next round: the round keeps its pace", async () => {
    const ms = await Promise.all([1, 2, 3, 4, 5].map((uid) => member(uid)));
    await engine.publishEvent(ref, joined(10)); // at once: members 1 and 2
    await engine.publishEvent(ref, joined(11));
    expect(ms.map((m) => seqs(m.conn).length)).toEqual([1, 1, 0, 0, 0]);
    turn();
    for (const m of ms) expect(seqs(m.conn)).toEqual([1, 2]);
  });

  it('while resting after a busy round, a presence event waits for the rest, as any other', async () => {
    const ms = await Promise.all([1, 2].map((uid) => member(uid)));
    const send = ms[0]!.conn.sendEvents;
    ms[0]!.conn.sendEvents = (frames, batch) => {
      clock.advance(5);
      send(frames, batch);
    };
    await engine.publishEvent(ref, joined(10)); // at once: a round of 5 ms
    await engine.publishEvent(ref, joined(11));
    await engine.publishEvent(ref, joined(12));
    turn();
    expect(seqs(ms[1]!.conn)).toEqual([1]);
    clock.advance(5);
    turn();
    expect(seqs(ms[1]!.conn)).toEqual([1, 2, 3]);
    expect(ms[1]!.conn.messages).toHaveLength(2);
  });
});
