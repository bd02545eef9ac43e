import {
  ClientRoleType,
  ConnectionChangedReasonType as R,
  ConnectionStateType as S,
} from '@holdfast/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRtcEngine } from './rtc-engine.js';
import {
  calls,
  clock,
  engine,
  joinAndConnect,
  named,
  releaseEngine,
  server,
  setupEngine,
  states,
} from './rtc-engine.test-support.js';

// The Agora engine (set-up: rtc-engine.test-support.ts): joining a channel, and what the
// engine does with bad arguments, calls before initialize and misbehaving handlers.

beforeEach(setupEngine);
afterEach(releaseEngine);

describe('joining', () => {
  it('T0–T2: Connecting/Connecting, then Connected/JoinSuccess with elapsed, then remote users', () => {
    joinAndConnect();
    expect(states()).toEqual([
      [S.ConnectionStateConnecting, R.ConnectionChangedConnecting],
      [S.ConnectionStateConnected, R.ConnectionChangedJoinSuccess],
    ]);
    expect(named('onJoinChannelSuccess')).toEqual([['onJoinChannelSuccess', 200]]);
    expect(named('onUserJoined')).toEqual([['onUserJoined', 2, 200]]);
    expect(engine.getConnectionState()).toBe(S.ConnectionStateConnected);
    expect(server.latest().lastJoin()).toMatchObject({
      channel: 'room',
      uid: 7,
      role: 'broadcaster',
      profile: 'communication',
    });
  });

  it('uid 0: connection.localUid is the uid the server assigned', () => {
    let localUid: number | undefined;
    engine.registerEventHandler({ onJoinChannelSuccess: (c) => (localUid = c.localUid) });
    engine.joinChannel('', 'room', 0, {});
    server.latest().accept({ uid: 99 });
    expect(localUid).toBe(99);
  });

  it('returns negative codes synchronously without touching state', () => {
    expect(engine.joinChannel('', 'bad/name', 1, {})).toBe(-102);
    expect(engine.joinChannel('', '', 1, {})).toBe(-102);
    expect(engine.joinChannel('', 'x'.repeat(65), 1, {})).toBe(-102);
    expect(engine.joinChannel('', 'room', 1.5, {})).toBe(-2);
    expect(engine.joinChannel('', 'room', -1, {})).toBe(-121);
    expect(engine.joinChannel('', 'room', 2 ** 32, {})).toBe(-121);
    expect(engine.joinChannel('', 'room', 1, { clientRoleType: 9 as ClientRoleType })).toBe(-2);
    expect(calls).toEqual([]);
    expect(server.connections).toHaveLength(0);
    expect(engine.getConnectionState()).toBe(S.ConnectionStateDisconnected);
  });

  it('a second joinChannel while joined returns -17 and leaves the live connection alone', () => {
    joinAndConnect();
    const before = calls.length;
    expect(engine.joinChannel('', 'other', 8, {})).toBe(-17);
    expect(calls.length).toBe(before);
    expect(server.live()).toHaveLength(1);
  });

  it('methods before initialize return -7', () => {
    const e = createRtcEngine();
    expect(e.joinChannel('', 'room', 1, {})).toBe(-7);
    expect(e.leaveChannel()).toBe(-7);
    expect(e.setClientRole(ClientRoleType.ClientRoleAudience)).toBe(-7);
  });

  it('a handler that calls leaveChannel inside a callback is safe (re-entrancy)', () => {
    engine.registerEventHandler({
      onConnectionStateChanged: (_c, state) => {
        if (state === S.ConnectionStateConnecting) engine.leaveChannel();
      },
    });
    engine.joinChannel('', 'room', 1, {});
    expect(states()).toEqual([
      [S.ConnectionStateConnecting, R.ConnectionChangedConnecting],
      [S.ConnectionStateDisconnected, R.ConnectionChangedLeaveChannel],
    ]);
    expect(server.live()).toHaveLength(0);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('a throwing handler does not break the engine', () => {
    const err = console.error;
    console.error = () => {};
    try {
      engine.registerEventHandler({
        onConnectionStateChanged: () => {
          throw new Error('app bug');
        },
      });
      joinAndConnect();
      expect(engine.getConnectionState()).toBe(S.ConnectionStateConnected);
    } finally {
      console.error = err;
    }
  });
});
