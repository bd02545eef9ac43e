import {
  ChannelProfileType,
  type ClientFrame,
  ClientRoleType,
  NERtcChannelProfile,
  NERtcClientRole,
  type StreamMessageEvent,
  TestClock,
} from '@holdfast/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FakeConnection, FakeServer } from '../testing/fake-server.js';
import { createNERtcEngine } from './nertc-engine.js';
import type { NERtcChannelEventCallback, NERtcEngine } from './nertc-types.js';
import { createRtcEngine } from './rtc-engine.js';
import type { IRtcEngine, IRtcEngineEventHandler } from './types.js';

// The data-stream APIs of both engines over the in-process FakeServer: every frame the client
// sends is on `connection.sent`; the server's events, refusals and acks are fed with `receive`.

type Call = [string, ...unknown[]];
const streamFrames = (c: FakeConnection) =>
  c.sent.filter((f): f is Extract<ClientFrame, { type: 'stream' }> => f.type === 'stream');
const dataStates = (c: FakeConnection) => c.sent.flatMap((f) => (f.type === 'data_state' ? [f.enabled] : []));
const b64 = (...values: number[]) => btoa(String.fromCharCode(...values));
const bytes = (n: number, fill = 7) => new Uint8Array(n).fill(fill);

function streamEvent(over: Partial<StreamMessageEvent> & { sseq: number }): StreamMessageEvent {
  return {
    kind: 'stream',
    uid: 2,
    streamId: 1,
    epoch: 500,
    data: b64(over.sseq),
    sentTs: 1_000,
    at: 1_700_000_000_000,
    ...over,
  };
}

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

// ------------------------------------------------------------------ NERTC

/** A NERTC engine on the FakeServer recording the data callbacks too (nertcHarness records only the others). */
function nertc() {
  const clock = new TestClock();
  const server = new FakeServer();
  const calls: Call[] = [];
  const record =
    (name: string) =>
    (...args: unknown[]) =>
      calls.push([name, ...args.map((a) => (a instanceof Uint8Array ? [...a] : a))]);
  const callback: NERtcChannelEventCallback = {
    onUserJoined: record('onUserJoined'),
    onUserLeave: record('onUserLeave'),
    onUserDataStart: record('onUserDataStart'),
    onUserDataStop: record('onUserDataStop'),
    onUserDataReceiveMessage: record('onUserDataReceiveMessage'),
    onUserDataMessageError: record('onUserDataMessageError'),
  };
  const engine: NERtcEngine = createNERtcEngine();
  const rc = engine.create({
    appKey: 'demo',
    serverUrl: 'ws://fake',
    channelEventCallback: callback,
    options: { clock, transport: server.transport, reconnectPolicy: { nextDelayMs: () => 1000 } },
  });
  if (rc !== 0) throw new Error(`create returned ${rc}`);
  return {
    clock,
    server,
    engine,
    calls,
    data: () => calls.filter((c) => c[0].startsWith('onUserData')),
    join: (uid = 7, members = [{ uid: 2 }]) => {
      expect(engine.joinChannel('', 'room', uid)).toBe(0);
      clock.advance(100);
      return server.latest().accept({ members, seq: 0 });
    },
  };
}

describe('NERTC engine: enableLocalData / subscribeRemoteData / sendData', () => {
  it('enableLocalData before joining → 30101; before create → 30005; not a boolean → 30003', () => {
    expect(createNERtcEngine().enableLocalData(true)).toBe(30005);
    const t = nertc();
    expect(t.engine.enableLocalData(true)).toBe(30101);
    t.join();
    expect(t.engine.enableLocalData('yes' as never)).toBe(30003);
    expect(t.engine.enableLocalData(true)).toBe(0);
  });

  it('sendData before enableLocalData → 30005; before joining → 30101; after enableLocalData(false) → 30005', () => {
    const t = nertc();
    const frame = { data: bytes(4), dataSize: 4 };
    expect(t.engine.sendData(frame)).toBe(30101);
    const conn = t.join();
    expect(t.engine.sendData(frame)).toBe(30005);
    expect(t.engine.enableLocalData(true)).toBe(0);
    expect(t.engine.sendData(frame)).toBe(0);
    expect(t.engine.enableLocalData(false)).toBe(0);
    expect(t.engine.sendData(frame)).toBe(30005);
    expect(streamFrames(conn)).toHaveLength(1);
  });

  it('sendData: 1,025 bytes → 30003, 1,024 → 0; a bad frame → 30003; the frame goes out ordered', () => {
    const t = nertc();
    const conn = t.join();
    t.engine.enableLocalData(true);
    expect(t.engine.sendData({ data: bytes(1025), dataSize: 1025 })).toBe(30003);
    expect(t.engine.sendData({ data: bytes(4), dataSize: 5 })).toBe(30003);
    expect(t.engine.sendData({ data: bytes(4), dataSize: 0 })).toBe(30003);
    expect(t.engine.sendData({ data: 'abcd' as never, dataSize: 4 })).toBe(30003);
    expect(t.engine.sendData(null as never)).toBe(30003);
    expect(t.engine.sendData({ data: bytes(1024), dataSize: 1024 })).toBe(0);
    expect(t.engine.sendData({ data: new Uint8Array([1, 2, 3]), dataSize: 2 })).toBe(0);
    const sent = streamFrames(conn);
    expect(sent.map((f) => [f.seq, atob(f.data).length, f.ordered])).toEqual([
      [1, 1024, true],
      [2, 2, true],
    ]);
    expect(sent[1]?.data).toBe(b64(1, 2));
  });

  it('sendData over the rate limit (61st in 1 s) → 30005', () => {
    const t = nertc();
    t.join();
    t.engine.enableLocalData(true);
    for (let i = 0; i < 60; i++) expect(t.engine.sendData({ data: bytes(1), dataSize: 1 })).toBe(0);
    expect(t.engine.sendData({ data: bytes(1), dataSize: 1 })).toBe(30005);
  });

  it('an audience member in live broadcasting cannot send (30005)', () => {
    const t = nertc();
    expect(t.engine.setChannelProfile(NERtcChannelProfile.liveBroadcasting)).toBe(0);
    expect(t.engine.setClientRole(NERtcClientRole.audience)).toBe(0);
    const conn = t.join();
    expect(t.engine.enableLocalData(true)).toBe(0);
    expect(t.engine.sendData({ data: bytes(1), dataSize: 1 })).toBe(30005);
    expect(streamFrames(conn)).toEqual([]);
  });

  it('enableLocalData tells the channel once per change (data_state frames)', () => {
    const t = nertc();
    const conn = t.join();
    t.engine.enableLocalData(true);
    t.engine.enableLocalData(true);
    t.engine.enableLocalData(false);
    t.engine.enableLocalData(false);
    t.engine.enableLocalData(true);
    expect(dataStates(conn)).toEqual([true, false, true]);
  });

  it('onUserDataStart is told before the first message of a member, and only once', () => {
    const t = nertc();
    const conn = t.join();
    conn.receive({ type: 'event', seq: 1, event: streamEvent({ sseq: 1, data: b64(5, 6) }) });
    conn.receive({ type: 'event', seq: 2, event: streamEvent({ sseq: 2, data: b64(7) }) });
    expect(t.data()).toEqual([
      ['onUserDataStart', 2],
      ['onUserDataReceiveMessage', 2, [5, 6], 2],
      ['onUserDataReceiveMessage', 2, [7], 1],
    ]);
  });

  it('a member’s data_state: start once (a message after it does not start again), stop on disabling', () => {
    const t = nertc();
    const conn = t.join();
    conn.receive({ type: 'event', seq: 1, event: { kind: 'data_state', uid: 2, enabled: true } });
    conn.receive({ type: 'event', seq: 2, event: { kind: 'data_state', uid: 2, enabled: true } });
    conn.receive({ type: 'event', seq: 3, event: streamEvent({ sseq: 1 }) });
    conn.receive({ type: 'event', seq: 4, event: { kind: 'data_state', uid: 2, enabled: false } });
    expect(t.data()).toEqual([
      ['onUserDataStart', 2],
      ['onUserDataReceiveMessage', 2, [1], 1],
      ['onUserDataStop', 2],
    ]);
  });

  it('onUserDataStop when a member that was sending leaves; nothing for a member that never sent', () => {
    const t = nertc();
    const conn = t.join(7, [{ uid: 2 }, { uid: 3 }]);
    conn.receive({ type: 'event', seq: 1, event: streamEvent({ sseq: 1 }) });
    conn.receive({ type: 'event', seq: 2, event: { kind: 'user_offline', uid: 2, reason: 'quit' } });
    conn.receive({ type: 'event', seq: 3, event: { kind: 'user_offline', uid: 3, reason: 'quit' } });
    expect(t.data()).toEqual([
      ['onUserDataStart', 2],
      ['onUserDataReceiveMessage', 2, [1], 1],
      ['onUserDataStop', 2],
    ]);
    expect(t.calls.filter((c) => c[0] === 'onUserLeave').map((c) => c[1])).toEqual([2, 3]);
  });

  it('subscribeRemoteData(uid, false) stops delivery of that member only; true resumes it', () => {
    const t = nertc();
    const conn = t.join(7, [{ uid: 2 }, { uid: 3 }]);
    expect(t.engine.subscribeRemoteData(2, false)).toBe(0);
    conn.receive({ type: 'event', seq: 1, event: streamEvent({ sseq: 1 }) });
    conn.receive({ type: 'event', seq: 2, event: streamEvent({ uid: 3, epoch: 600, sseq: 1 }) });
    expect(t.data().filter((c) => c[1] === 2)).toEqual([]);
    expect(
      t
        .data()
        .filter((c) => c[0] === 'onUserDataReceiveMessage')
        .map((c) => c[1]),
    ).toEqual([3]);
    expect(t.engine.subscribeRemoteData(2, true)).toBe(0);
    conn.receive({ type: 'event', seq: 3, event: streamEvent({ sseq: 2 }) });
    expect(t.data().filter((c) => c[1] === 2)).toEqual([
      ['onUserDataStart', 2],
      ['onUserDataReceiveMessage', 2, [2], 1],
    ]);
  });

  it('subscribeRemoteData: bad arguments → 30003; before create → 30005', () => {
    expect(createNERtcEngine().subscribeRemoteData(2, false)).toBe(30005);
    const t = nertc();
    expect(t.engine.subscribeRemoteData(1.5, false)).toBe(30003);
    expect(t.engine.subscribeRemoteData(2, 'no' as never)).toBe(30003);
  });

  it('a refused message of our own → onUserDataMessageError(local uid, code, 1, 0)', () => {
    const t = nertc();
    const conn = t.join(7);
    t.engine.enableLocalData(true);
    t.engine.sendData({ data: bytes(1), dataSize: 1 });
    const f = streamFrames(conn)[0]!;
    conn.receive({
      type: 'stream_refused',
      streamId: f.streamId,
      epoch: f.epoch,
      seq: f.seq,
      code: 'not_broadcaster',
      message: 'm',
    });
    expect(t.data()).toEqual([['onUserDataMessageError', 7, 5, 1, 0]]);
  });

  it('enableLocalData(false) while reconnecting reaches the channel once connected again', () => {
    const t = nertc();
    const first = t.join();
    expect(t.engine.enableLocalData(true)).toBe(0);
    expect(dataStates(first)).toEqual([true]);
    first.drop();
    expect(t.engine.enableLocalData(false)).toBe(0);
    t.clock.advance(300);
    const second = t.server.latest();
    expect(second).not.toBe(first);
    second.accept({ members: [{ uid: 2 }] });
    // Remote members must hear onUserDataStop: the change may not be lost with the old connection.
    expect(dataStates(second)).toEqual([false]);
  });

  it('after leaving, sendData needs a join and enableLocalData again', () => {
    const t = nertc();
    t.join();
    t.engine.enableLocalData(true);
    expect(t.engine.leaveChannel()).toBe(0);
    expect(t.engine.sendData({ data: bytes(1), dataSize: 1 })).toBe(30101);
    const conn = t.join();
    expect(t.engine.sendData({ data: bytes(1), dataSize: 1 })).toBe(30005);
    expect(t.engine.enableLocalData(true)).toBe(0);
    expect(t.engine.sendData({ data: bytes(1), dataSize: 1 })).toBe(0);
    expect(streamFrames(conn).map((f) => [f.streamId, f.seq])).toEqual([[1, 1]]);
  });
});
