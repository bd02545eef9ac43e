import {
  ChannelProfileType,
  ClientRoleType,
  ConnectionChangedReasonType as R,
  ConnectionStateType as S,
} from '@holdfast/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  clock,
  engine,
  joinAndConnect,
  named,
  releaseEngine,
  server,
  setupEngine,
  states,
} from './rtc-engine.test-support.js';

// The Agora engine (set-up: rtc-engine.test-support.ts): leaving, client roles, channel
// profiles and release().

beforeEach(setupEngine);
afterEach(releaseEngine);

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
