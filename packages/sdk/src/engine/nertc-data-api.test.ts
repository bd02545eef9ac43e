import { NERtcChannelProfile, NERtcClientRole, TestClock } from '@holdfast/protocol';
import { describe, expect, it } from 'vitest';
import { FakeServer } from '../testing/fake-server.js';
import {
  b64,
  bytes,
  type Call,
  dataStates,
  streamEvent,
  streamFrames,
} from './data-streams-api.test-support.js';
import { createNERtcEngine } from './nertc-engine.js';
import type { NERtcChannelEventCallback, NERtcEngine } from './nertc-types.js';

// The data-stream APIs of both engines over the in-process FakeServer: every frame the client
// sends is on `connection.sent`; the server's events, refusals and acks are fed with `receive`.
// This file: the NERTC engine; data-streams-api.test.ts: the Agora engine.

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
