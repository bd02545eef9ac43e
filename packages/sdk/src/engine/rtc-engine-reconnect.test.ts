import {
  ConnectionChangedReasonType as R,
  ConnectionStateType as S,
  UserOfflineReasonType,
} from '@holdfast/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  clearCalls,
  clock,
  engine,
  joinAndConnect,
  named,
  networkListener,
  releaseEngine,
  server,
  setupEngine,
  states,
} from './rtc-engine.test-support.js';

// The Agora engine (set-up: rtc-engine.test-support.ts): losing the connection and getting it
// back — keepalives, interruption, loss, give-up, resume and retries, on exact injected timings.

beforeEach(setupEngine);
afterEach(releaseEngine);

describe('T3–T7: interruption, loss, give-up (injected clock, exact timings)', () => {
  it('advance(3999) nothing, advance(1) → Reconnecting/Interrupted + onConnectionInterrupted', () => {
    joinAndConnect();
    clearCalls();
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
    clearCalls();
    clock.advance(9999);
    expect(states()).toEqual([]);
    clock.advance(1);
    expect(states()).toEqual([[S.ConnectionStateReconnecting, R.ConnectionChangedLost]]);
    expect(named('onConnectionLost')).toHaveLength(1);
    clearCalls();
    clock.advance(1_200_000 - 10_000 - 1);
    expect(states()).toEqual([]);
    clock.advance(1);
    expect(states()).toEqual([[S.ConnectionStateFailed, R.ConnectionChangedJoinFailed]]);
    expect(clock.pendingTimers()).toBe(0);
    expect(server.live()).toHaveLength(0);
  });

  it('the socket closing goes to Reconnecting/Interrupted at once (no onConnectionInterrupted)', () => {
    joinAndConnect();
    clearCalls();
    server.latest().drop();
    expect(states()).toEqual([[S.ConnectionStateReconnecting, R.ConnectionChangedInterrupted]]);
    expect(named('onConnectionInterrupted')).toHaveLength(0);
  });

  it('rejoin resumes the session: resume frame, Connected/RejoinSuccess + onRejoinChannelSuccess(elapsed)', () => {
    joinAndConnect();
    server.latest().receive({ type: 'event', seq: 1, event: { kind: 'user_joined', uid: 3 } });
    const first = server.latest();
    first.drop();
    clearCalls();
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
    clearCalls();
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
    clearCalls();
    networkListener?.('changed');
    server.latest().accept();
    expect(states()).toEqual([
      [S.ConnectionStateReconnecting, R.ConnectionChangedClientIpAddressChanged],
      [S.ConnectionStateConnected, R.ConnectionChangedRejoinSuccess],
    ]);
  });
});
