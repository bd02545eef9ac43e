import {
  ChannelProfileType,
  ClientRoleType,
  decodeClientFrame,
  decodeServerFrame,
  TestClock,
  UserOfflineReasonType,
} from '@holdfast/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fakeEngineContext } from '../testing/fake-context.js';
import { FakeServer } from '../testing/fake-server.js';
import { createRtcEngine } from './rtc-engine.js';
import type { IRtcEngine } from './types.js';

// Issue 16 item 4, the SDK's side: `batch` frames (several events of one server turn in one
// message) and the `sync` snapshot a member gets after falling behind: every remote change once,
// never a duplicate callback.
let clock: TestClock;
let server: FakeServer;
let engine: IRtcEngine;
let calls: Array<[string, number, number?]>;

beforeEach(() => {
  clock = new TestClock();
  server = new FakeServer();
  calls = [];
  engine = createRtcEngine();
  engine.initialize(fakeEngineContext(server, clock));
  engine.registerEventHandler({
    onUserJoined: (_c, uid) => calls.push(['joined', uid]),
    onUserOffline: (_c, uid, reason) => calls.push(['offline', uid, reason]),
  });
  engine.joinChannel('', 'room', 7, {
    clientRoleType: ClientRoleType.ClientRoleBroadcaster,
    channelProfile: ChannelProfileType.ChannelProfileCommunication,
  });
  server.latest().accept({ members: [{ uid: 2 }], seq: 10 });
});
afterEach(() => engine.release());

const joinedEvent = (seq: number, uid: number) =>
  ({ type: 'event', seq, event: { kind: 'user_joined', uid } }) as const;

describe('big channels (issue 16 item 4)', () => {
  it('asks for batches in its join frame', () => {
    expect(server.latest().lastJoin()).toMatchObject({ batch: true });
  });

  it('a batch applies each event once, in order; a replayed one is not reported twice', () => {
    calls = [];
    server.latest().receive({ type: 'batch', frames: [joinedEvent(11, 3), joinedEvent(12, 4)] });
    server.latest().receive({
      type: 'batch',
      frames: [
        joinedEvent(12, 4),
        { type: 'event', seq: 13, event: { kind: 'user_offline', uid: 3, reason: 'quit' } },
      ],
    });
    expect(calls).toEqual([
      ['joined', 3],
      ['joined', 4],
      ['offline', 3, UserOfflineReasonType.UserOfflineQuit],
    ]);
  });

  it('a sync snapshot after falling behind: joined and offline for the differences only', () => {
    server.latest().receive({ type: 'batch', frames: [joinedEvent(11, 3), joinedEvent(12, 4)] });
    calls = [];
    // Skipped while behind: 3 left, 5 and 6 joined. Known 2 and 4 are not reported again.
    server
      .latest()
      .receive({ type: 'sync', seq: 40, members: [{ uid: 2 }, { uid: 4 }, { uid: 5 }, { uid: 6 }] });
    expect(calls).toEqual([
      ['offline', 3, UserOfflineReasonType.UserOfflineDropped],
      ['joined', 5],
      ['joined', 6],
    ]);
    calls = [];
    server.latest().receive(joinedEvent(38, 9)); // older than the snapshot: already reflected
    server.latest().receive(joinedEvent(41, 8));
    expect(calls).toEqual([['joined', 8]]);
  });

  it('a malformed batch, or a join whose batch is not a boolean, is refused with a reason', () => {
    const join = {
      type: 'join',
      v: 1,
      appId: 'demo',
      channel: 'c',
      uid: 1,
      role: 'audience',
      profile: 'live',
    };
    expect(decodeClientFrame(JSON.stringify({ ...join, batch: 'yes' }))).toMatchObject({
      ok: false,
      code: 'malformed_frame',
      message: 'join.batch must be a boolean',
    });
    expect(decodeClientFrame(JSON.stringify({ ...join, batch: true }))).toMatchObject({ ok: true });
    const bad = decodeServerFrame('{"type":"batch","frames":[{"type":"pong","t":1}]}');
    expect(bad).toMatchObject({ ok: false, code: 'malformed_frame' });
    expect(decodeServerFrame('{"type":"batch","frames":[]}')).toMatchObject({ ok: false });
    expect(
      decodeServerFrame(
        '{"type":"batch","frames":[{"type":"event","seq":1,"event":{"kind":"user_joined","uid":2}}]}',
      ),
    ).toMatchObject({ ok: true });
  });
});
