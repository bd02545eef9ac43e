import { type ChannelEvent, decodeServerFrame, type ServerFrame, TestClock } from '@holdfast/protocol';
import { pino } from 'pino';
import { beforeEach, describe, expect, it } from 'vitest';
import { MemoryEngine } from '../engine/memory.js';
import { type ChannelRef, channelKey, EVENT_LOG_LIMIT } from '../engine/types.js';
import { sessionTransition } from '../session/machine.js';
import { ChannelFanout } from './fanout.js';
import { type Attachment, LiveSession, newAttachmentId, type SharedFrame } from './live-session.js';
import { LocalSessions } from './local-sessions.js';

// The fan-out's batching and backpressure over the memory engine, with a test clock and the
// end-of-turn step run by hand: no sockets, no real time.
const ref: ChannelRef = { appId: 'demo', channel: 'big' };
const key = channelKey(ref);
const log = pino({ level: 'silent' });

/** A transport whose send buffer the test sets; records every WebSocket message it was given. */
interface FakeConn extends Attachment {
  /** One entry per WebSocket message, decoded. */
  messages: ServerFrame[];
  /** What each write was given: the one event, or the batch (undefined when none was). */
  given: Array<SharedFrame | undefined>;
  bufferedBytes: number;
  batches: boolean;
}
function transport(batches: boolean): FakeConn {
  const decode = (data: string | Buffer): ServerFrame => {
    const d = decodeServerFrame(data.toString());
    if (!d.ok) throw new Error(d.message);
    return d.frame;
  };
  const t: FakeConn = {
    attachmentId: newAttachmentId(),
    remoteAddress: '127.0.0.1',
    messages: [],
    given: [],
    bufferedBytes: 0,
    batches,
    send: (f) => void t.messages.push(decode(JSON.stringify(f))),
    sendEncoded: (data) => void t.messages.push(decode(data)),
    sendEvents: (frames, batch) => {
      t.given.push(frames.length === 1 ? frames[0] : batch);
      if (t.batches && frames.length > 1 && batch) t.messages.push(decode(batch.frame));
      else if (t.batches && frames.length > 1)
        t.messages.push({ type: 'batch', frames: frames.map((f) => decode(f.frame) as never) });
      else for (const f of frames) t.messages.push(decode(f.frame));
    },
    end: () => {},
  };
  return t;
}

/** Every event seq the transport got (inside batches too), and the snapshots. */
const seqs = (t: FakeConn): number[] =>
  t.messages.flatMap((m) =>
    m.type === 'event' ? [m.seq] : m.type === 'batch' ? m.frames.map((f) => f.seq) : [],
  );

let clock: TestClock;
let engine: MemoryEngine;
let local: LocalSessions;
let fanout: ChannelFanout;
/** Deferred steps: run by `turn()`, as the event loop would at the end of a turn. */
let deferred: Array<() => void>;
const turn = () => {
  while (deferred.length) deferred.shift()!();
};
const settle = async () => {
  for (let i = 0; i < 20; i++) await Promise.resolve();
};

beforeEach(() => {
  clock = new TestClock();
  engine = new MemoryEngine(clock);
  local = new LocalSessions();
  deferred = [];
  fanout = new ChannelFanout(engine, local, {
    clock,
    log,
    defer: (fn) => void deferred.push(fn),
    behindBytes: 1000,
    drainCheckMs: 50,
    membersPerStep: 2,
    busyClock: () => clock.now(),
    // Batching is what these cases are about: every event waits for the end of its turn.
    immediate: () => false,
  });
  engine.subscribe((m) => {
    if (m.kind === 'channel_event') fanout.push(channelKey(m.ref), m.seq, m.event);
  });
});

/** A member in the engine with its session attached to a fake transport on this node. */
async function member(uid: number, batches = true) {
  await engine.admitMember(
    ref,
    { uid, sessionId: `s${uid}`, role: 'broadcaster', profile: 'communication', joinedAt: 0, nodeId: 'n' },
    { maxBroadcasters: 1000 },
  );
  const conn = transport(batches);
  const live = new LiveSession(`s${uid}`, ref, key, uid, {
    now: 0,
    attachment: conn.attachmentId,
    role: 'broadcaster',
    profile: 'communication',
    offlineAfterMs: 20_000,
  });
  live.transports.set(conn.attachmentId, conn);
  const attached = {
    type: 'attached' as const,
    attachment: conn.attachmentId,
    remote: '127.0.0.1',
    resumed: false,
  };
  live.setState(sessionTransition(live.state, attached, 0).state);
  live.lastSeq = (await engine.snapshot(ref)).seq;
  local.add(live);
  return { live, conn };
}
const joined = (uid: number): ChannelEvent => ({ kind: 'user_joined', uid });
const message = (uid: number, sseq: number): ChannelEvent => ({
  kind: 'stream',
  uid,
  streamId: 1,
  epoch: 1,
  sseq,
  data: 'aGk=',
  sentTs: 0,
  at: 0,
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

describe('ChannelFanout: presence at once, stream messages per turn (the default)', () => {
  beforeEach(() => {
    fanout = new ChannelFanout(engine, local, {
      clock,
      log,
      defer: (fn) => void deferred.push(fn),
      membersPerStep: 2,
      busyClock: () => clock.now(),
    });
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
