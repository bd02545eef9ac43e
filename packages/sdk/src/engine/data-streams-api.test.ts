import { ChannelProfileType, ClientRoleType, TestClock } from '@holdfast/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FakeConnection, FakeServer } from '../testing/fake-server.js';
import { b64, bytes, type Call, streamEvent, streamFrames } from './data-streams-api.test-support.js';
import { createRtcEngine } from './rtc-engine.js';
import type { IRtcEngine, IRtcEngineEventHandler } from './types.js';

// The data-stream APIs of both engines over the in-process FakeServer: every frame the client
// sends is on `connection.sent`; the server's events, refusals and acks are fed with `receive`.
// This file: the Agora engine; nertc-data-api.test.ts: the NERTC engine.

// ------------------------------------------------------------------ Agora

describe('Agora engine: createDataStream / sendStreamMessage', () => {
  let clock: TestClock;
  let server: FakeServer;
  let engine: IRtcEngine;
  let calls: Call[];

  const handler: IRtcEngineEventHandler = {
    onStreamMessage: (_c, uid, streamId, data, length, sentTs) =>
      calls.push(['onStreamMessage', uid, streamId, [...data], length, sentTs]),
    onStreamMessageError: (_c, uid, streamId, code, missed, cached) =>
      calls.push(['onStreamMessageError', uid, streamId, code, missed, cached]),
    onUserJoined: (_c, uid) => calls.push(['onUserJoined', uid]),
    onUserOffline: (_c, uid) => calls.push(['onUserOffline', uid]),
  };
  const named = (n: string) => calls.filter((c) => c[0] === n).map((c) => c.slice(1));
  const streamCalls = () =>
    calls.filter((c) => c[0] === 'onStreamMessage' || c[0] === 'onStreamMessageError');

  beforeEach(() => {
    clock = new TestClock();
    server = new FakeServer();
    calls = [];
    engine = createRtcEngine();
    expect(
      engine.initialize({
        appId: 'demo',
        serverUrl: 'ws://fake',
        clock,
        transport: server.transport,
        reconnectPolicy: { nextDelayMs: () => 1000 },
      }),
    ).toBe(0);
    engine.registerEventHandler(handler);
  });
  afterEach(() => engine.release());

  function join(
    uid = 7,
    role: ClientRoleType = ClientRoleType.ClientRoleBroadcaster,
    profile: ChannelProfileType = ChannelProfileType.ChannelProfileCommunication,
  ): FakeConnection {
    expect(engine.joinChannel('', 'room', uid, { clientRoleType: role, channelProfile: profile })).toBe(0);
    clock.advance(100);
    return server.latest().accept({ members: [{ uid: 2 }], seq: 0 });
  }

  it('before initialize both return -7', () => {
    const bare = createRtcEngine();
    expect(bare.createDataStream({})).toBe(-7);
    expect(bare.sendStreamMessage(1, bytes(1), 1)).toBe(-7);
  });

  it('createDataStream: ids 1..5, then -116; a bad config is -2', () => {
    expect(engine.createDataStream(null as never)).toBe(-2);
    expect([1, 2, 3, 4, 5].map(() => engine.createDataStream({ ordered: true }))).toEqual([1, 2, 3, 4, 5]);
    expect(engine.createDataStream({})).toBe(-116);
    expect(engine.createDataStream()).toBe(-116);
  });

  it('-113 before joining and while the first join is still connecting (nothing is sent)', () => {
    const id = engine.createDataStream();
    expect(id).toBe(1);
    expect(engine.sendStreamMessage(id, bytes(1), 1)).toBe(-113);
    engine.joinChannel('', 'room', 7, { clientRoleType: ClientRoleType.ClientRoleBroadcaster });
    server.latest().open();
    expect(engine.sendStreamMessage(id, bytes(1), 1)).toBe(-113);
    server.latest().accept();
    expect(engine.sendStreamMessage(id, bytes(1), 1)).toBe(0);
    expect(streamFrames(server.latest())).toHaveLength(1);
  });

  it('-2: unknown stream id, data that is not a Uint8Array, a bad length', () => {
    const conn = join();
    const id = engine.createDataStream();
    expect(engine.sendStreamMessage(2, bytes(1), 1)).toBe(-2);
    expect(engine.sendStreamMessage(0, bytes(1), 1)).toBe(-2);
    expect(engine.sendStreamMessage(-1, bytes(1), 1)).toBe(-2);
    expect(engine.sendStreamMessage(id, 'abc' as never, 3)).toBe(-2);
    expect(engine.sendStreamMessage(id, [1, 2] as never, 2)).toBe(-2);
    expect(engine.sendStreamMessage(id, bytes(4), 0)).toBe(-2);
    expect(engine.sendStreamMessage(id, bytes(4), -1)).toBe(-2);
    expect(engine.sendStreamMessage(id, bytes(4), 5)).toBe(-2);
    expect(engine.sendStreamMessage(id, bytes(4), 1.5)).toBe(-2);
    expect(streamFrames(conn)).toEqual([]);
    expect(engine.sendStreamMessage(id, bytes(4), 4)).toBe(0);
  });

  it('-5: an audience member in live broadcasting; a broadcaster in live broadcasting sends', () => {
    const conn = join(
      7,
      ClientRoleType.ClientRoleAudience,
      ChannelProfileType.ChannelProfileLiveBroadcasting,
    );
    const id = engine.createDataStream();
    expect(engine.sendStreamMessage(id, bytes(1), 1)).toBe(-5);
    expect(streamFrames(conn)).toEqual([]);
    engine.leaveChannel();
    const again = join(
      7,
      ClientRoleType.ClientRoleBroadcaster,
      ChannelProfileType.ChannelProfileLiveBroadcasting,
    );
    const id2 = engine.createDataStream();
    expect(engine.sendStreamMessage(id2, bytes(1), 1)).toBe(0);
    expect(streamFrames(again)).toHaveLength(1);
  });

  it('the audience role does not apply in communication profile: such a member sends', () => {
    const conn = join(7, ClientRoleType.ClientRoleAudience, ChannelProfileType.ChannelProfileCommunication);
    const id = engine.createDataStream();
    expect(engine.sendStreamMessage(id, bytes(1), 1)).toBe(0);
    expect(streamFrames(conn)).toHaveLength(1);
  });

  it('-114: 1,025 bytes; 1,024 bytes (also as the first 1,024 of a longer buffer) are sent', () => {
    const conn = join();
    const id = engine.createDataStream();
    expect(engine.sendStreamMessage(id, bytes(1025), 1025)).toBe(-114);
    expect(engine.sendStreamMessage(id, bytes(1024), 1024)).toBe(0);
    expect(engine.sendStreamMessage(id, bytes(2000), 1024)).toBe(0);
    const sent = streamFrames(conn);
    expect(sent).toHaveLength(2);
    expect(sent.map((f) => atob(f.data).length)).toEqual([1024, 1024]);
  });

  it('-12: the 61st message on a stream within 1 s; another stream and the next second are free', () => {
    const conn = join();
    const a = engine.createDataStream();
    const b = engine.createDataStream();
    for (let i = 0; i < 60; i++) expect(engine.sendStreamMessage(a, bytes(1, i), 1)).toBe(0);
    expect(engine.sendStreamMessage(a, bytes(1), 1)).toBe(-12);
    expect(engine.sendStreamMessage(b, bytes(1), 1)).toBe(0);
    clock.advance(999);
    expect(engine.sendStreamMessage(a, bytes(1), 1)).toBe(-12);
    clock.advance(1);
    expect(engine.sendStreamMessage(a, bytes(1), 1)).toBe(0);
    expect(streamFrames(conn)).toHaveLength(62);
  });

  it('-115: past 30 KB in 1 s across the streams; exactly 30 KB passes', () => {
    const conn = join();
    const a = engine.createDataStream();
    const b = engine.createDataStream();
    for (let i = 0; i < 15; i++) expect(engine.sendStreamMessage(a, bytes(1024), 1024)).toBe(0);
    for (let i = 0; i < 15; i++) expect(engine.sendStreamMessage(b, bytes(1024), 1024)).toBe(0);
    expect(engine.sendStreamMessage(a, bytes(1), 1)).toBe(-115);
    expect(engine.sendStreamMessage(b, bytes(1), 1)).toBe(-115);
    expect(streamFrames(conn)).toHaveLength(30);
  });

  it('frames carry the stream, its epoch, seq 1, 2, … per stream, the bytes and sentTs', () => {
    const conn = join();
    const a = engine.createDataStream();
    const b = engine.createDataStream({ ordered: true });
    engine.sendStreamMessage(a, new Uint8Array([1, 2, 3]), 3);
    engine.sendStreamMessage(b, new Uint8Array([9]), 1);
    engine.sendStreamMessage(a, new Uint8Array([4, 5]), 1);
    const sent = streamFrames(conn);
    expect(sent.map((f) => [f.streamId, f.seq, f.data])).toEqual([
      [a, 1, b64(1, 2, 3)],
      [b, 1, b64(9)],
      [a, 2, b64(4)],
    ]);
    expect(sent[0]?.epoch).toBe(sent[2]?.epoch);
    expect(sent[0]?.epoch).not.toBe(sent[1]?.epoch);
    expect(sent[0]?.sentTs).toBe(clock.now());
    expect(sent[1]?.ordered).toBe(true);
  });

  it('after leaveChannel: -113, and the streams are gone (ids start at 1 in the next channel)', () => {
    join();
    const a = engine.createDataStream();
    engine.createDataStream();
    expect(engine.leaveChannel()).toBe(0);
    expect(engine.sendStreamMessage(a, bytes(1), 1)).toBe(-113);
    join();
    expect(engine.sendStreamMessage(2, bytes(1), 1)).toBe(-2);
    expect(engine.createDataStream()).toBe(1);
  });

  it('while reconnecting a message is accepted (0) and sent after the resume; what a pong acked is not sent again', () => {
    const first = join();
    const a = engine.createDataStream();
    engine.sendStreamMessage(a, bytes(1, 1), 1);
    engine.sendStreamMessage(a, bytes(1, 2), 1);
    const epoch = streamFrames(first)[0]!.epoch;
    first.receive({ type: 'pong', t: clock.now(), acks: [{ epoch, seq: 1 }] });
    first.drop();
    expect(engine.sendStreamMessage(a, bytes(1, 3), 1)).toBe(0);
    clock.advance(300);
    const second = server.latest();
    expect(second).not.toBe(first);
    second.accept({ members: [{ uid: 2 }] });
    expect(streamFrames(second).map((f) => [f.seq, f.data])).toEqual([
      [2, b64(2)],
      [3, b64(3)],
    ]);
    expect(streamFrames(second).every((f) => f.epoch === epoch)).toBe(true);
  });

  it('after a re-join the server’s streamAcks are not sent again', () => {
    const first = join();
    const a = engine.createDataStream();
    for (let i = 1; i <= 3; i++) engine.sendStreamMessage(a, bytes(1, i), 1);
    const epoch = streamFrames(first)[0]!.epoch;
    first.drop();
    clock.advance(300);
    server.latest().accept({ members: [{ uid: 2 }], streamAcks: [{ epoch, seq: 2 }] });
    expect(streamFrames(server.latest()).map((f) => f.seq)).toEqual([3]);
  });

  it('failing for good tells the messages that never left as onStreamMessageError(local uid, 117, missed n); then -113', () => {
    const first = join(7);
    const a = engine.createDataStream();
    const b = engine.createDataStream();
    engine.sendStreamMessage(a, bytes(1), 1); // on the wire, not acked: not told
    first.drop();
    expect(engine.sendStreamMessage(a, bytes(1), 1)).toBe(0);
    expect(engine.sendStreamMessage(a, bytes(1), 1)).toBe(0);
    expect(engine.sendStreamMessage(b, bytes(1), 1)).toBe(0);
    expect(streamCalls()).toEqual([]);
    server.latest().open().receive({ type: 'end', code: 'banned', message: 'x' });
    expect(engine.getConnectionState()).toBe(5);
    expect(streamCalls()).toEqual([
      ['onStreamMessageError', 7, a, 117, 2, 0],
      ['onStreamMessageError', 7, b, 117, 1, 0],
    ]);
    expect(engine.sendStreamMessage(a, bytes(1), 1)).toBe(-113);
  });

  it('leaveChannel tells the messages that never left (117, missed n)', () => {
    const first = join(7);
    const a = engine.createDataStream();
    first.drop();
    engine.sendStreamMessage(a, bytes(1), 1);
    engine.sendStreamMessage(a, bytes(1), 1);
    expect(engine.leaveChannel()).toBe(0);
    expect(streamCalls()).toEqual([['onStreamMessageError', 7, a, 117, 2, 0]]);
  });

  it('receives: onStreamMessage(uid, streamId, data, length, sentTs); duplicates dropped; a gap told as 117 first', () => {
    const conn = join();
    conn.receive({ type: 'event', seq: 1, event: streamEvent({ sseq: 1, data: b64(10, 20), sentTs: 42 }) });
    conn.receive({ type: 'event', seq: 2, event: streamEvent({ sseq: 1 }) });
    conn.receive({ type: 'event', seq: 3, event: streamEvent({ sseq: 4 }) });
    expect(streamCalls()).toEqual([
      ['onStreamMessage', 2, 1, [10, 20], 2, 42],
      ['onStreamMessageError', 2, 1, 117, 2, 0],
      ['onStreamMessage', 2, 1, [4], 1, 1000],
    ]);
  });

  it('a message from a uid that is not a member is not delivered', () => {
    const conn = join();
    conn.receive({ type: 'event', seq: 1, event: streamEvent({ uid: 3, sseq: 1 }) });
    expect(streamCalls()).toEqual([]);
    conn.receive({ type: 'event', seq: 2, event: { kind: 'user_joined', uid: 3 } });
    conn.receive({ type: 'event', seq: 3, event: streamEvent({ uid: 3, sseq: 2 }) });
    expect(named('onStreamMessage')).toEqual([[3, 1, [2], 1, 1000]]);
  });

  it('stream_refused: onStreamMessageError(local uid, streamId, code, missed 1, cached 0), not sent again', () => {
    const conn = join(7);
    const a = engine.createDataStream();
    engine.sendStreamMessage(a, bytes(1), 1);
    const f = streamFrames(conn)[0]!;
    conn.receive({
      type: 'stream_refused',
      streamId: f.streamId,
      epoch: f.epoch,
      seq: f.seq,
      code: 'too_often',
      message: 'm',
    });
    expect(named('onStreamMessageError')).toEqual([[7, a, 12, 1, 0]]);
    conn.drop();
    clock.advance(300);
    server.latest().accept({ members: [{ uid: 2 }] });
    expect(streamFrames(server.latest())).toEqual([]);
  });

  it('a resume replaying messages older than 5 s tells onStreamMessageError(117, 0, cached) before them', () => {
    const first = join();
    first.drop();
    clock.advance(300);
    const now = 1_700_000_100_000;
    server.latest().accept({
      members: [{ uid: 2 }],
      seq: 3,
      serverTime: now,
      missed: [
        { type: 'event', seq: 1, event: streamEvent({ sseq: 1, at: now - 9000 }) },
        { type: 'event', seq: 2, event: streamEvent({ sseq: 2, at: now - 8000 }) },
        { type: 'event', seq: 3, event: streamEvent({ sseq: 3, at: now - 1000 }) },
      ],
    });
    expect(streamCalls()).toEqual([
      ['onStreamMessageError', 2, 1, 117, 0, 2],
      ['onStreamMessage', 2, 1, [1], 1, 1000],
      ['onStreamMessage', 2, 1, [2], 1, 1000],
      ['onStreamMessage', 2, 1, [3], 1, 1000],
    ]);
  });

  it('a late replay from a member who joined during the outage is told as late too', () => {
    const first = join();
    first.drop();
    clock.advance(300);
    const now = 1_700_000_100_000;
    server.latest().accept({
      members: [{ uid: 2 }, { uid: 9 }],
      seq: 2,
      serverTime: now,
      missed: [
        { type: 'event', seq: 1, event: { kind: 'user_joined', uid: 9 } },
        { type: 'event', seq: 2, event: streamEvent({ uid: 9, sseq: 1, at: now - 9000 }) },
      ],
    });
    expect(named('onUserJoined')).toEqual([[2], [9]]);
    expect(streamCalls()).toEqual([
      ['onStreamMessageError', 9, 1, 117, 0, 1],
      ['onStreamMessage', 9, 1, [1], 1, 1000],
    ]);
  });
});
