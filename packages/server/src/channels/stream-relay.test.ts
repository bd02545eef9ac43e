import {
  type ClientStreamFrame,
  type ServerFrame,
  type StreamMessageEvent,
  TestClock,
  type WireErrorCode,
  type WireProfile,
  type WireRole,
} from '@holdfast/protocol';
import { pino } from 'pino';
import { beforeEach, describe, expect, it } from 'vitest';
import { MemoryEngine } from '../engine/memory.js';
import type { StreamPublishResult } from '../engine/seams.js';
import { type ChannelRef, channelKey, type SequencedEvent } from '../engine/types.js';
import { sessionTransition } from '../session/machine.js';
import { type Attachment, LiveSession, newAttachmentId } from './live-session.js';
import { MAX_STREAM_REFUSALS_PER_WINDOW } from './session-streams.js';
import { StreamRelay } from './stream-relay.js';

// StreamRelay over a MemoryEngine and a TestClock, with a LiveSession attached to a fake
// transport: no sockets, no ChannelService.

const log = pino({ level: 'silent' });
const ref: ChannelRef = { appId: 'demo', channel: 'room' };
const EPOCH = 4242;

type FakeConn = Attachment & { frames: ServerFrame[]; ended?: WireErrorCode };
function transport(): FakeConn {
  const t: FakeConn = {
    attachmentId: newAttachmentId(),
    remoteAddress: '10.0.0.1',
    frames: [],
    send: (f) => void t.frames.push(f),
    sendEncoded: (data) => void t.frames.push(JSON.parse(data.toString()) as ServerFrame),
    sendEvents: (frames) => {
      for (const f of frames) t.frames.push(JSON.parse(f.frame.toString()) as ServerFrame);
    },
    batches: false,
    bufferedBytes: 0,
    end: (code) => {
      t.ended = code;
    },
  };
  return t;
}

let clock: TestClock;
let engine: MemoryEngine;
let relay: StreamRelay;

/** A member of the channel in the engine, with its session attached to a fake transport on this node. */
async function session(uid: number, role: WireRole = 'broadcaster', profile: WireProfile = 'communication') {
  const conn = transport();
  const live = new LiveSession(`s${uid}`, ref, channelKey(ref), uid, {
    now: clock.now(),
    attachment: conn.attachmentId,
    role,
    profile,
    offlineAfterMs: 20_000,
  });
  live.transports.set(conn.attachmentId, conn);
  live.setState(
    sessionTransition(
      live.state,
      { type: 'attached', attachment: conn.attachmentId, remote: conn.remoteAddress, resumed: false },
      clock.now(),
    ).state,
  );
  const admitted = await engine.admitMember(
    ref,
    { uid, sessionId: live.id, role, profile, joinedAt: clock.now(), nodeId: 'n1' },
    { maxBroadcasters: 100 },
  );
  if (!admitted.ok) throw new Error('not admitted');
  expect(live.conn).toBe(conn);
  return { live, conn };
}

const frame = (seq: number, over: Partial<ClientStreamFrame> = {}): ClientStreamFrame => ({
  type: 'stream',
  streamId: 1,
  epoch: EPOCH,
  seq,
  data: btoa(String.fromCharCode(seq % 256)),
  sentTs: 1_234,
  ...over,
});
const kilobyte = btoa('x'.repeat(1024));
const streamLog = async (): Promise<Array<SequencedEvent & { event: StreamMessageEvent }>> =>
  ((await engine.eventsSince(ref, 0)) ?? []).filter(
    (e): e is SequencedEvent & { event: StreamMessageEvent } => e.event.kind === 'stream',
  );
const refusals = (c: FakeConn) => c.frames.filter((f) => f.type === 'stream_refused');
const codes = (c: FakeConn) => refusals(c).map((f) => (f.type === 'stream_refused' ? f.code : ''));

beforeEach(() => {
  clock = new TestClock();
  engine = new MemoryEngine(clock);
  relay = new StreamRelay(engine, clock, log);
});

describe('StreamRelay: accepting', () => {
  it('a broadcaster’s message goes into the channel log as a stream event with the server’s time', async () => {
    const { live, conn } = await session(7);
    clock.advance(5);
    expect(await relay.handle(live, frame(1, { streamId: 3, data: 'AQID', ordered: true }))).toBe(true);
    expect(await streamLog()).toEqual([
      {
        seq: 1,
        event: {
          kind: 'stream',
          uid: 7,
          streamId: 3,
          epoch: EPOCH,
          sseq: 1,
          data: 'AQID',
          sentTs: 1_234,
          at: clock.now(),
          ordered: true,
        },
      },
    ]);
    expect(conn.frames).toEqual([]);
    expect(live.streams?.sent).toBe(1);
  });

  it('messages reach the log in the order they were handed over (no await in between)', async () => {
    const { live } = await session(7);
    const pending = [1, 2, 3, 4].map((s) => relay.handle(live, frame(s)));
    expect(await Promise.all(pending)).toEqual([true, true, true, true]);
    expect((await streamLog()).map((e) => e.event.sseq)).toEqual([1, 2, 3, 4]);
  });

  it('an audience member in communication profile and a broadcaster in live broadcasting may send', async () => {
    const a = await session(7, 'audience', 'communication');
    const b = await session(8, 'broadcaster', 'live');
    expect(await relay.handle(a.live, frame(1))).toBe(true);
    expect(await relay.handle(b.live, frame(1))).toBe(true);
    expect((await streamLog()).map((e) => e.event.uid)).toEqual([7, 8]);
    expect(refusals(a.conn)).toEqual([]);
    expect(refusals(b.conn)).toEqual([]);
  });
});

describe('StreamRelay: refusing', () => {
  it('an audience member in a live channel is refused not_broadcaster, with the message named', async () => {
    const { live, conn } = await session(7, 'audience', 'live');
    expect(await relay.handle(live, frame(3, { streamId: 2 }))).toBe(true);
    expect(conn.frames).toEqual([
      {
        type: 'stream_refused',
        streamId: 2,
        epoch: EPOCH,
        seq: 3,
        code: 'not_broadcaster',
        message: expect.any(String),
      },
    ]);
    expect(await streamLog()).toEqual([]);
    expect(live.streams?.takeAcks()).toBeUndefined();
    expect(conn.ended).toBeUndefined();
  });

  it('the 61st message on a stream in 1 s is refused too_often; the connection is kept; the next second is free', async () => {
    const { live, conn } = await session(7);
    for (let s = 1; s <= 60; s++) expect(await relay.handle(live, frame(s))).toBe(true);
    expect(conn.frames).toEqual([]);
    expect(await relay.handle(live, frame(61))).toBe(true);
    expect(codes(conn)).toEqual(['too_often']);
    expect(refusals(conn)[0]).toMatchObject({ streamId: 1, epoch: EPOCH, seq: 61 });
    expect(conn.ended).toBeUndefined();
    // Another stream of the same client is counted on its own.
    expect(await relay.handle(live, frame(1, { streamId: 2, epoch: EPOCH + 1 }))).toBe(true);
    expect(codes(conn)).toEqual(['too_often']);
    clock.advance(1000);
    expect(await relay.handle(live, frame(61))).toBe(true);
    expect(codes(conn)).toEqual(['too_often']);
    expect((await streamLog()).map((e) => e.event.sseq).filter((_, i) => i >= 59)).toEqual([60, 1, 61]);
  });

  it('more than 1,024 bytes is too_large; past 30 KB in 1 s across streams is bitrate', async () => {
    const { live, conn } = await session(7);
    expect(await relay.handle(live, frame(1, { data: btoa('x'.repeat(1025)) }))).toBe(true);
    expect(codes(conn)).toEqual(['too_large']);
    let seq = 1;
    for (let i = 0; i < 30; i++)
      expect(await relay.handle(live, frame(seq++, { streamId: 1 + (i % 5), data: kilobyte }))).toBe(true);
    expect(codes(conn)).toEqual(['too_large']);
    expect(await relay.handle(live, frame(seq, { streamId: 2, data: 'AA==' }))).toBe(true);
    expect(codes(conn)).toEqual(['too_large', 'bitrate']);
    expect(await streamLog()).toHaveLength(30);
  });

  it(`more than ${MAX_STREAM_REFUSALS_PER_WINDOW} refusals in one window make handle() return false`, async () => {
    const { live } = await session(7, 'audience', 'live');
    for (let i = 1; i <= MAX_STREAM_REFUSALS_PER_WINDOW; i++)
      expect(await relay.handle(live, frame(i))).toBe(true);
    expect(await relay.handle(live, frame(MAX_STREAM_REFUSALS_PER_WINDOW + 1))).toBe(false);
    expect(live.streams?.refused).toBe(MAX_STREAM_REFUSALS_PER_WINDOW + 1);
  });

  it('refusals in separate windows do not add up', async () => {
    const { live } = await session(7, 'audience', 'live');
    for (let i = 1; i <= MAX_STREAM_REFUSALS_PER_WINDOW; i++)
      expect(await relay.handle(live, frame(i))).toBe(true);
    clock.advance(1000);
    for (let i = 1; i <= MAX_STREAM_REFUSALS_PER_WINDOW; i++)
      expect(await relay.handle(live, frame(i))).toBe(true);
    expect(await relay.handle(live, frame(999))).toBe(false);
  });

  it('limit refusals (too_often) count towards the flood limit too', async () => {
    const { live } = await session(7);
    for (let s = 1; s <= 60; s++) await relay.handle(live, frame(s));
    const results: boolean[] = [];
    for (let s = 61; s <= 61 + MAX_STREAM_REFUSALS_PER_WINDOW; s++)
      results.push(await relay.handle(live, frame(s)));
    expect(results.slice(0, -1).every((r) => r)).toBe(true);
    expect(results.at(-1)).toBe(false);
  });

  it('an engine whose publishStream rejects: not_sent, nothing acked, the connection kept', async () => {
    class DownEngine extends MemoryEngine {
      override async publishStream(): Promise<StreamPublishResult> {
        throw new Error('redis down');
      }
    }
    engine = new DownEngine(clock);
    relay = new StreamRelay(engine, clock, log);
    const { live, conn } = await session(7);
    expect(await relay.handle(live, frame(1))).toBe(true);
    expect(conn.frames).toEqual([
      {
        type: 'stream_refused',
        streamId: 1,
        epoch: EPOCH,
        seq: 1,
        code: 'not_sent',
        message: expect.any(String),
      },
    ]);
    expect(live.streams?.takeAcks()).toBeUndefined();
    expect(live.streams?.sent).toBe(0);
  });

  it('a channel the engine no longer has (no_channel): not_sent', async () => {
    const { live, conn } = await session(7);
    await engine.removeMember(ref, 7, live.id);
    expect(await relay.handle(live, frame(1))).toBe(true);
    expect(codes(conn)).toEqual(['not_sent']);
    expect(live.streams?.takeAcks()).toBeUndefined();
  });
});

describe('StreamRelay: duplicates, acks and the outage credit', () => {
  it('a duplicate (same epoch and seq) is not published twice, and is acked with the last seq taken', async () => {
    const { live, conn } = await session(7);
    await relay.handle(live, frame(1));
    await relay.handle(live, frame(2));
    expect(live.streams?.takeAcks()).toEqual([{ epoch: EPOCH, seq: 2 }]);
    // An older one sent again is acked with the last seq the channel holds (the sender forgets up to it).
    expect(await relay.handle(live, frame(1))).toBe(true);
    expect(live.streams?.takeAcks()).toEqual([{ epoch: EPOCH, seq: 2 }]);
    expect(await relay.handle(live, frame(2))).toBe(true);
    expect(live.streams?.takeAcks()).toEqual([{ epoch: EPOCH, seq: 2 }]);
    expect((await streamLog()).map((e) => e.event.sseq)).toEqual([1, 2]);
    expect(conn.frames).toEqual([]);
    expect(live.streams?.sent).toBe(2);
  });

  it('the same seq on another epoch (a new stream) is not a duplicate', async () => {
    const { live } = await session(7);
    await relay.handle(live, frame(1));
    await relay.handle(live, frame(1, { epoch: EPOCH + 1 }));
    expect((await streamLog()).map((e) => e.event.epoch)).toEqual([EPOCH, EPOCH + 1]);
  });

  it('pong acks hold the highest seq per epoch and are cleared once taken', async () => {
    const { live } = await session(7);
    await relay.handle(live, frame(1));
    await relay.handle(live, frame(2));
    await relay.handle(live, frame(1, { epoch: 77 }));
    await relay.handle(live, frame(3));
    const acks = live.streams?.takeAcks();
    expect(acks).toHaveLength(2);
    expect(acks).toEqual(
      expect.arrayContaining([
        { epoch: EPOCH, seq: 3 },
        { epoch: 77, seq: 1 },
      ]),
    );
    expect(live.streams?.takeAcks()).toBeUndefined();
    await relay.handle(live, frame(4));
    expect(live.streams?.takeAcks()).toEqual([{ epoch: EPOCH, seq: 4 }]);
    // A lower ack never replaces a higher one not yet taken.
    live.streams?.acked(EPOCH, 9);
    live.streams?.acked(EPOCH, 5);
    expect(live.streams?.takeAcks()).toEqual([{ epoch: EPOCH, seq: 9 }]);
  });

  it('without a grant, a burst of 61 at once is cut at 60', async () => {
    const { live, conn } = await session(7);
    for (let s = 1; s <= 61; s++) await relay.handle(live, frame(s));
    expect(codes(conn)).toEqual(['too_often']);
  });

  it('grant() after a 2 s outage lets the re-sent burst (the outage’s messages and this second’s) through', async () => {
    const { live, conn } = await session(7);
    relay.grant(live, 2000);
    for (let s = 1; s <= 180; s++) expect(await relay.handle(live, frame(s))).toBe(true);
    expect(conn.frames).toEqual([]);
    expect(await streamLog()).toHaveLength(180);
    // The credit is bounded: an endless burst is still refused.
    for (let s = 181; s <= 1000 && codes(conn).length === 0; s++) await relay.handle(live, frame(s));
    expect(codes(conn)).toEqual(['too_often']);
  });

  it('grant() with no outage gives no credit', async () => {
    const { live, conn } = await session(7);
    relay.grant(live, 0);
    for (let s = 1; s <= 61; s++) await relay.handle(live, frame(s));
    expect(codes(conn)).toEqual(['too_often']);
  });

  it('a detached session (no transport) is refused without a crash', async () => {
    const { live, conn } = await session(7, 'audience', 'live');
    live.setState({ ...live.state, phase: 'detached', attachment: 0 });
    expect(live.conn).toBeUndefined();
    expect(await relay.handle(live, frame(1))).toBe(true);
    expect(conn.frames).toEqual([]);
  });
});
