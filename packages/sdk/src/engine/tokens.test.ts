import {
  ErrorCodeType,
  ConnectionChangedReasonType as R,
  ConnectionStateType as S,
  TestClock,
} from '@holdfast/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fakeEngineContext } from '../testing/fake-context.js';
import { FakeServer } from '../testing/fake-server.js';
import { createRtcEngine } from './rtc-engine.js';
import type { IRtcEngine } from './types.js';

// Tokens, SDK side: the will-expire warning, onRequestToken, and renewToken in each state.
let clock: TestClock;
let server: FakeServer;
let engine: IRtcEngine;
let calls: unknown[][];

beforeEach(() => {
  clock = new TestClock();
  server = new FakeServer();
  calls = [];
  engine = createRtcEngine();
  engine.initialize(
    fakeEngineContext(server, clock, { extra: { reconnectPolicy: { nextDelayMs: () => 1000 } } }),
  );
  engine.registerEventHandler({
    onConnectionStateChanged: (_c, s, r) => calls.push(['state', s, r]),
    onTokenPrivilegeWillExpire: (c, token) => calls.push(['willExpire', token, c.channelId]),
    onRequestToken: (c) => calls.push(['requestToken', c.channelId]),
    onError: (err) => calls.push(['error', err]),
    onRejoinChannelSuccess: () => calls.push(['rejoined']),
  });
});
afterEach(() => engine.release());

const named = (n: string) => calls.filter((c) => c[0] === n);
const states = () => calls.filter((c) => c[0] === 'state').map((c) => [c[1], c[2]]);

/** Advances time with the server sending keepalives, so the connection stays Connected. */
function alive(ms: number) {
  for (let left = ms; left > 0; left -= Math.min(1000, left)) {
    clock.advance(Math.min(1000, left));
    server.latest().receive({ type: 'ka' });
  }
}

/** Joins with `token`; the server says the join privilege lasts `validMs` more. */
function joinWith(token: string, validMs: number) {
  expect(engine.joinChannel(token, 'room', 1, {})).toBe(0);
  server.latest().accept({ tokenExpiresAt: clock.now() + validMs });
}

describe('onTokenPrivilegeWillExpire', () => {
  it('fires once, exactly 30 s before the join privilege expires, with the token in use', () => {
    joinWith('tok-1', 120_000);
    clock.advance(89_999);
    expect(named('willExpire')).toEqual([]);
    clock.advance(1);
    expect(named('willExpire')).toEqual([['willExpire', 'tok-1', 'room']]);
    clock.advance(60_000);
    expect(named('willExpire')).toHaveLength(1);
  });

  it('fires at once when the token has less than 30 s left at join', () => {
    joinWith('short', 10_000);
    clock.advance(0);
    expect(named('willExpire')).toEqual([['willExpire', 'short', 'room']]);
  });

  it('a join without a token expiry arms nothing', () => {
    engine.joinChannel('', 'room', 1, {});
    server.latest().accept();
    clock.advance(3_600_000);
    expect(named('willExpire')).toEqual([]);
  });

  it('leaving stops the warning', () => {
    joinWith('tok-1', 120_000);
    engine.leaveChannel();
    clock.advance(200_000);
    expect(named('willExpire')).toEqual([]);
    expect(clock.pendingTimers()).toBe(0);
  });
});

describe('renewToken', () => {
  it('while Connected: renews in place (renew_token frame, no state change), and the warning moves to the new expiry', () => {
    joinWith('tok-1', 120_000);
    alive(80_000);
    calls = [];
    expect(engine.renewToken('tok-2')).toBe(0);
    const req = server.latest().sent.at(-1) as { type: string; id: number; token: string };
    expect(req).toMatchObject({ type: 'renew_token', token: 'tok-2' });
    server
      .latest()
      .receive({ type: 'token_result', id: req.id, ok: true, tokenExpiresAt: clock.now() + 600_000 });
    // The old warning (due at 90 s) does not fire; the new one is due 570 s from now.
    alive(569_999);
    expect(named('willExpire')).toEqual([]);
    alive(1);
    expect(named('willExpire')).toEqual([['willExpire', 'tok-2', 'room']]);
    expect(states()).toEqual([]);
    expect(server.live()).toHaveLength(1);
  });

  it('a renewal the server refuses reports onError and leaves the session alone', () => {
    joinWith('tok-1', 120_000);
    calls = [];
    engine.renewToken('bad');
    const req = server.latest().sent.at(-1) as { id: number };
    server.latest().receive({
      type: 'token_result',
      id: req.id,
      ok: false,
      code: 'invalid_token',
      message: 'bad signature',
    });
    expect(named('error')).toEqual([['error', ErrorCodeType.ErrInvalidToken]]);
    expect(states()).toEqual([]);
    expect(engine.getConnectionState()).toBe(S.ConnectionStateConnected);
  });

  it('while Reconnecting: (Reconnecting, RenewToken), a new attempt at once with the new token, then RejoinSuccess', () => {
    joinWith('tok-1', 120_000);
    server.latest().drop();
    server.latest().drop(); // the next attempt waits out a 1 s backoff
    const attempts = server.connections.length;
    calls = [];
    expect(engine.renewToken('tok-2')).toBe(0);
    expect(states()).toEqual([[S.ConnectionStateReconnecting, R.ConnectionChangedRenewToken]]);
    expect(server.connections).toHaveLength(attempts + 1);
    server.latest().open();
    expect(server.latest().lastJoin()).toMatchObject({ token: 'tok-2', resume: { sessionId: 's1' } });
    server.latest().accept();
    expect(states().at(-1)).toEqual([S.ConnectionStateConnected, R.ConnectionChangedRejoinSuccess]);
  });

  it('while Connecting: no state change; the next attempt carries the new token', () => {
    engine.joinChannel('tok-1', 'room', 1, {});
    calls = [];
    expect(engine.renewToken('tok-2')).toBe(0);
    expect(states()).toEqual([]);
    server.latest().drop();
    clock.advance(1000);
    server.latest().open();
    expect(server.latest().lastJoin()?.token).toBe('tok-2');
  });

  it('return codes: -7 before initialize, -2 for an empty token, -3 outside a channel', () => {
    expect(createRtcEngine().renewToken('x')).toBe(-7);
    expect(engine.renewToken('')).toBe(-2);
    expect(engine.renewToken('x')).toBe(-3);
    engine.joinChannel('', 'room', 1, {});
    server.latest().open().receive({ type: 'end', code: 'banned', message: 'x' });
    expect(engine.renewToken('x')).toBe(-3);
  });
});

describe('expiry', () => {
  it('expired at join → Failed/TokenExpired + onRequestToken', () => {
    engine.joinChannel('old', 'room', 1, {});
    server.latest().open().receive({ type: 'end', code: 'token_expired', message: 'expired' });
    expect(states().at(-1)).toEqual([S.ConnectionStateFailed, R.ConnectionChangedTokenExpired]);
    expect(named('requestToken')).toEqual([['requestToken', 'room']]);
  });

  it('expiring while connected → Failed/TokenExpired + onRequestToken; the pending warning is dropped', () => {
    joinWith('tok-1', 120_000);
    server.latest().receive({ type: 'end', code: 'token_expired', message: 'expired' });
    expect(states().at(-1)).toEqual([S.ConnectionStateFailed, R.ConnectionChangedTokenExpired]);
    expect(named('requestToken')).toHaveLength(1);
    clock.advance(200_000);
    expect(named('willExpire')).toEqual([]);
  });

  it('renewToken after onRequestToken rejoins by itself: (Reconnecting, RenewToken) → a fresh join → (Connected, RejoinSuccess)', () => {
    joinWith('tok-1', 120_000);
    server.latest().receive({ type: 'end', code: 'token_expired', message: 'expired' }).drop(4109);
    calls = [];
    expect(engine.renewToken('tok-2')).toBe(0);
    expect(states()).toEqual([[S.ConnectionStateReconnecting, R.ConnectionChangedRenewToken]]);
    server.latest().open();
    // The old session is over on the server: this is a fresh join with the new token.
    expect(server.latest().lastJoin()).toMatchObject({ token: 'tok-2' });
    expect(server.latest().lastJoin()?.resume).toBeUndefined();
    server.latest().accept({ tokenExpiresAt: clock.now() + 600_000 });
    expect(states().at(-1)).toEqual([S.ConnectionStateConnected, R.ConnectionChangedRejoinSuccess]);
    expect(named('rejoined')).toHaveLength(1);
  });
});
