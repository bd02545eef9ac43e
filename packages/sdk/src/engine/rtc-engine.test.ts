import {
  ChannelProfileType,
  ClientRoleType,
  ConnectionChangedReasonType as R,
  ConnectionStateType as S,
  TestClock,
  UserOfflineReasonType,
} from '@holdfast/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeServer } from '../testing/fake-server.js';
import type { NetworkChange } from '../transport/types.js';
import { createRtcEngine } from './rtc-engine.js';
import type { IRtcEngine, IRtcEngineEventHandler } from './types.js';

type Call = [string, ...unknown[]];

let clock: TestClock;
let server: FakeServer;
let engine: IRtcEngine;
let calls: Call[];
let networkListener: ((c: NetworkChange) => void) | undefined;

function recorder(): IRtcEngineEventHandler {
  const names = [
    'onConnectionStateChanged',
    'onJoinChannelSuccess',
    'onRejoinChannelSuccess',
    'onLeaveChannel',
    'onConnectionLost',
    'onConnectionInterrupted',
    'onConnectionBanned',
    'onUserJoined',
    'onUserOffline',
    'onRequestToken',
    'onError',
    'onClientRoleChanged',
    'onClientRoleChangeFailed',
    'onTokenPrivilegeWillExpire',
  ];
  return Object.fromEntries(
    names.map((n) => [
      n,
      (...args: unknown[]) => calls.push([n, ...(n === 'onError' ? args : args.slice(1))] as Call),
    ]),
  );
}

const states = () => calls.filter((c) => c[0] === 'onConnectionStateChanged').map((c) => [c[1], c[2]]);
const named = (name: string) => calls.filter((c) => c[0] === name);

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
      network: {
        subscribe: (l) => {
          networkListener = l;
          return () => {
            networkListener = undefined;
          };
        },
      },
    }),
  ).toBe(0);
  engine.registerEventHandler(recorder());
});
afterEach(() => engine.release());

function joinAndConnect(uid = 7) {
  expect(
    engine.joinChannel('', 'room', uid, {
      clientRoleType: ClientRoleType.ClientRoleBroadcaster,
      channelProfile: ChannelProfileType.ChannelProfileCommunication,
    }),
  ).toBe(0);
  clock.advance(200);
  server.latest().accept({ members: [{ uid: 2 }] });
}

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

describe('T3–T7: interruption, loss, give-up (injected clock, exact timings)', () => {
  it('advance(3999) nothing, advance(1) → Reconnecting/Interrupted + onConnectionInterrupted', () => {
    joinAndConnect();
    calls = [];
    clock.advance(3999);
    expect(states()).toEqual([]);
    clock.advance(1);
    expect(states()).toEqual([[S.ConnectionStateReconnecting, R.ConnectionChangedInterrupted]]);
    expect(named('onConnectionInterrupted')).toHaveLength(1);
  });

  it('keepalive pongs keep the connection Connected indefinitely', () => {
    joinAndConnect();
    for (let i = 0; i < 40; i++) {
      clock.advance(1500);
      const ping = server
        .latest()
        .sent.filter((f) => f.type === 'ping')
        .at(-1);
      expect(ping).toBeDefined();
      server.latest().receive({ type: 'pong', t: (ping as { t: number }).t });
    }
    expect(engine.getConnectionState()).toBe(S.ConnectionStateConnected);
  });

  it('pings go out every keepaliveMs and carry the last event seq as ack', () => {
    joinAndConnect();
    server.latest().receive({ type: 'event', seq: 1, event: { kind: 'user_joined', uid: 3 } });
    clock.advance(1500);
    expect(server.latest().sent.filter((f) => f.type === 'ping')).toEqual([
      { type: 'ping', t: clock.now(), ack: 1, rtt: 0 },
    ]);
  });

  it('Lost exactly 10 s after Interrupted, Failed/JoinFailed exactly 20 min after', () => {
    joinAndConnect();
    clock.advance(4000);
    calls = [];
    clock.advance(9999);
    expect(states()).toEqual([]);
    clock.advance(1);
    expect(states()).toEqual([[S.ConnectionStateReconnecting, R.ConnectionChangedLost]]);
    expect(named('onConnectionLost')).toHaveLength(1);
    calls = [];
    clock.advance(1_200_000 - 10_000 - 1);
    expect(states()).toEqual([]);
    clock.advance(1);
    expect(states()).toEqual([[S.ConnectionStateFailed, R.ConnectionChangedJoinFailed]]);
    expect(clock.pendingTimers()).toBe(0);
    expect(server.live()).toHaveLength(0);
  });

  it('the socket closing goes to Reconnecting/Interrupted at once (no onConnectionInterrupted)', () => {
    joinAndConnect();
    calls = [];
    server.latest().drop();
    expect(states()).toEqual([[S.ConnectionStateReconnecting, R.ConnectionChangedInterrupted]]);
    expect(named('onConnectionInterrupted')).toHaveLength(0);
  });

  it('rejoin resumes the session: resume frame, Connected/RejoinSuccess + onRejoinChannelSuccess(elapsed)', () => {
    joinAndConnect();
    server.latest().receive({ type: 'event', seq: 1, event: { kind: 'user_joined', uid: 3 } });
    const first = server.latest();
    first.drop();
    calls = [];
    // The first reconnect attempt opens at once.
    expect(server.connections).toHaveLength(2);
    clock.advance(300);
    const second = server.latest();
    expect(second).not.toBe(first);
    second.open();
    // The resume presents the session's secret from its first `joined` (issue 16), and says it holds
    // no media connections (the server skips the media work).
    expect(second.lastJoin()?.resume).toEqual({
      sessionId: 's1',
      secret: 'secret-s1',
      lastSeq: 1,
      media: false,
    });
    second.accept({
      members: [{ uid: 2 }],
      seq: 2,
      missed: [{ type: 'event', seq: 2, event: { kind: 'user_offline', uid: 3, reason: 'quit' } }],
    });
    expect(states()).toEqual([[S.ConnectionStateConnected, R.ConnectionChangedRejoinSuccess]]);
    expect(named('onRejoinChannelSuccess')).toEqual([['onRejoinChannelSuccess', 300]]);
    // The missed event arrives with its real reason; uid 2 never flapped.
    expect(named('onUserOffline')).toEqual([['onUserOffline', 3, UserOfflineReasonType.UserOfflineQuit]]);
    expect(named('onUserJoined')).toEqual([]);
  });

  it('a rejoin after the server timed the session out: KeepAliveTimeout, then RejoinSuccess and a member diff', () => {
    joinAndConnect();
    server.latest().drop();
    calls = [];
    server
      .latest()
      .accept({ resumed: false, sessionExpired: true, sessionId: 'fresh', members: [{ uid: 5 }] });
    expect(states()).toEqual([
      [S.ConnectionStateReconnecting, R.ConnectionChangedKeepAliveTimeout],
      [S.ConnectionStateConnected, R.ConnectionChangedRejoinSuccess],
    ]);
    expect(named('onUserOffline')).toEqual([['onUserOffline', 2, UserOfflineReasonType.UserOfflineDropped]]);
    expect(named('onUserJoined').map((c) => c[1])).toEqual([5]);
    // The next resume is of the new session, with its own secret.
    server.latest().drop();
    server.latest().open();
    expect(server.latest().lastJoin()?.resume).toMatchObject({ sessionId: 'fresh', secret: 'secret-fresh' });
  });

  it('failed attempts are retried by the policy; a hanging attempt is abandoned after connectTimeoutMs', () => {
    joinAndConnect();
    server.latest().drop();
    const attempt1 = server.latest();
    attempt1.drop(); // fails fast
    expect(server.connections).toHaveLength(2);
    clock.advance(999);
    expect(server.connections).toHaveLength(2);
    clock.advance(1);
    expect(server.connections).toHaveLength(3);
    // This one hangs (never opens): abandoned after 5000 ms, retried 1000 ms later.
    clock.advance(5000);
    expect(server.latest().closed).toBe(true);
    clock.advance(1000);
    expect(server.connections).toHaveLength(4);
  });

  it('the network coming back retries at once instead of waiting out the backoff', () => {
    joinAndConnect();
    server.latest().drop();
    server.latest().drop();
    expect(server.connections).toHaveLength(2);
    networkListener?.('online');
    expect(server.connections).toHaveLength(3);
  });

  it('an IP address change while connected → Reconnecting/ClientIpAddressChanged, then RejoinSuccess', () => {
    joinAndConnect();
    calls = [];
    networkListener?.('changed');
    server.latest().accept();
    expect(states()).toEqual([
      [S.ConnectionStateReconnecting, R.ConnectionChangedClientIpAddressChanged],
      [S.ConnectionStateConnected, R.ConnectionChangedRejoinSuccess],
    ]);
  });
});

describe('server-side endings', () => {
  it.each([
    ['invalid_app_id', S.ConnectionStateFailed, R.ConnectionChangedInvalidAppId],
    ['invalid_channel_name', S.ConnectionStateFailed, R.ConnectionChangedInvalidChannelName],
    ['invalid_token', S.ConnectionStateDisconnected, R.ConnectionChangedInvalidToken],
    ['token_expired', S.ConnectionStateFailed, R.ConnectionChangedTokenExpired],
    ['rejected', S.ConnectionStateFailed, R.ConnectionChangedRejectedByServer],
    ['banned', S.ConnectionStateFailed, R.ConnectionChangedBannedByServer],
  ] as const)('join refused with %s', (code, state, reason) => {
    engine.joinChannel('', 'room', 1, {});
    server.latest().open().receive({ type: 'end', code, message: 'no' });
    expect(states().at(-1)).toEqual([state, reason]);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('the older of two sessions with one uid → Failed/SameUidLogin', () => {
    joinAndConnect();
    server.latest().receive({ type: 'end', code: 'same_uid_login', message: 'x' }).drop(4209);
    expect(states().at(-1)).toEqual([S.ConnectionStateFailed, R.ConnectionChangedSameUidLogin]);
  });

  it('the reason survives a lost end frame: the close code alone carries it', () => {
    joinAndConnect();
    server.latest().drop(4123);
    expect(states().at(-1)).toEqual([S.ConnectionStateFailed, R.ConnectionChangedBannedByServer]);
    expect(named('onConnectionBanned')).toHaveLength(1);
  });
});

describe('leaving, roles, profiles', () => {
  it('leaveChannel → Disconnected/LeaveChannel, leave frame sent, onLeaveChannel with stats, no timers left', () => {
    joinAndConnect();
    const conn = server.latest();
    clock.advance(2000);
    expect(engine.leaveChannel()).toBe(0);
    expect(conn.sent.at(-1)).toEqual({ type: 'leave' });
    expect(conn.closed).toBe(true);
    expect(states().at(-1)).toEqual([S.ConnectionStateDisconnected, R.ConnectionChangedLeaveChannel]);
    const [, stats] = named('onLeaveChannel')[0]!;
    expect(stats).toMatchObject({ duration: 2, userCount: 2, connectTimeMs: 200 });
    expect(clock.pendingTimers()).toBe(0);
    expect(engine.leaveChannel()).toBe(-18);
  });

  it('leaveChannel from Failed is allowed and joinChannel works again afterwards', () => {
    engine.joinChannel('', 'room', 1, {});
    server.latest().open().receive({ type: 'end', code: 'banned', message: 'x' });
    expect(engine.joinChannel('', 'room', 1, {})).toBe(-17);
    expect(engine.leaveChannel()).toBe(0);
    expect(engine.joinChannel('', 'room', 1, {})).toBe(0);
  });

  it('setClientRole while joined asks the server and reports onClientRoleChanged on success', () => {
    joinAndConnect();
    expect(engine.setClientRole(ClientRoleType.ClientRoleAudience)).toBe(0);
    const req = server.latest().sent.at(-1) as { type: string; id: number; role: string };
    expect(req).toMatchObject({ type: 'set_role', role: 'audience' });
    server.latest().receive({ type: 'role_result', id: req.id, ok: true, role: 'audience' });
    expect(named('onClientRoleChanged')).toEqual([
      ['onClientRoleChanged', ClientRoleType.ClientRoleBroadcaster, ClientRoleType.ClientRoleAudience, {}],
    ]);
  });

  it('setClientRole refused for too many broadcasters → onClientRoleChangeFailed(TooManyBroadcasters)', () => {
    engine.joinChannel('', 'room', 1, { clientRoleType: ClientRoleType.ClientRoleAudience });
    server.latest().accept();
    engine.setClientRole(ClientRoleType.ClientRoleBroadcaster);
    const req = server.latest().sent.at(-1) as { id: number };
    server.latest().receive({
      type: 'role_result',
      id: req.id,
      ok: false,
      role: 'audience',
      code: 'too_many_broadcasters',
      message: 'full',
    });
    expect(named('onClientRoleChangeFailed')).toEqual([
      ['onClientRoleChangeFailed', 1, ClientRoleType.ClientRoleAudience],
    ]);
  });

  it('setClientRole before joining is remembered without a callback', () => {
    expect(engine.setClientRole(ClientRoleType.ClientRoleBroadcaster)).toBe(0);
    engine.joinChannel('', 'room', 1, {});
    server.latest().open();
    expect(server.latest().lastJoin()?.role).toBe('broadcaster');
    expect(named('onClientRoleChanged')).toEqual([]);
  });

  it('setChannelProfile works only outside a channel', () => {
    expect(engine.setChannelProfile(ChannelProfileType.ChannelProfileCommunication)).toBe(0);
    expect(engine.setChannelProfile(99 as ChannelProfileType)).toBe(-2);
    joinAndConnect();
    expect(engine.setChannelProfile(ChannelProfileType.ChannelProfileLiveBroadcasting)).toBe(-5);
  });

  it('release() stops everything silently', () => {
    joinAndConnect();
    engine.release();
    expect(clock.pendingTimers()).toBe(0);
    expect(server.live()).toHaveLength(0);
    expect(engine.joinChannel('', 'room', 1, {})).toBe(-7);
  });
});
