import {
  NERtcSessionLeaveReason as Leave,
  NERtcClientRole,
  NERtcConnectionStateChangeReason as NR,
  NERtcConnectionState as NS,
  TestClock,
} from '@holdfast/protocol';
import { describe, expect, it } from 'vitest';
import { nertcChannelId } from '../profiles/nertc.js';
import { FakeServer } from '../testing/fake-server.js';
import { nertcHarness as setup } from '../testing/nertc-harness.js';
import { createNERtcEngine } from './nertc-engine.js';

const CID = nertcChannelId('room');

describe('NERTC engine: join and leave', () => {
  it('joinChannel → (2, joinChannel 5), (3, joinSucceed 6), onJoinChannel(0, cid, elapsed, uid), onUserJoined', () => {
    const t = setup();
    t.join();
    expect(t.states()).toEqual([
      [NS.connecting, NR.joinChannel],
      [NS.connected, NR.joinSucceed],
    ]);
    expect(t.named('onJoinChannel')).toEqual([[0, CID, 200, 7]]);
    expect(t.named('onUserJoined')).toEqual([[2]]);
    expect(t.engine.getConnectionState()).toBe(NS.connected);
    // NERTC defaults: broadcaster, communication profile.
    expect(t.server.latest().lastJoin()).toMatchObject({ role: 'broadcaster', profile: 'communication' });
  });

  it('uid 0: onJoinChannel reports the uid the server assigned', () => {
    const t = setup();
    t.engine.joinChannel(null, 'room', 0);
    t.server.latest().accept({ uid: 555 });
    expect(t.named('onJoinChannel')).toEqual([[0, CID, 0, 555]]);
  });

  it('leaveChannel → (1, leaveChannel 1), onLeaveChannel(0); again → 30102; never joined → 30101', () => {
    const t = setup();
    expect(t.engine.leaveChannel()).toBe(30101);
    t.join();
    t.clear();
    expect(t.engine.leaveChannel()).toBe(0);
    expect(t.states()).toEqual([[NS.disconnected, NR.leaveChannel]]);
    expect(t.named('onLeaveChannel')).toEqual([[0]]);
    expect(t.engine.leaveChannel()).toBe(30102);
    expect(t.clock.pendingTimers()).toBe(0);
  });

  it('return codes: 30005 before create / twice, 30003 bad arguments, 30106 bad uid, 30001 repeated join', () => {
    const bare = createNERtcEngine();
    expect(bare.joinChannel('', 'room', 1)).toBe(30005);
    expect(bare.leaveChannel()).toBe(30005);
    expect(bare.getConnectionState()).toBe(NS.disconnected);
    expect(bare.create({ appKey: '', serverUrl: 'ws://x', channelEventCallback: {} })).toBe(30003);
    const t = setup();
    expect(t.engine.create({ appKey: 'demo', serverUrl: 'ws://x', channelEventCallback: {} })).toBe(30005);
    expect(t.engine.joinChannel('', 'bad/name', 1)).toBe(30003);
    expect(t.engine.joinChannel('', 'room', -1)).toBe(30106);
    expect(t.engine.joinChannel('', 'room', 1.5)).toBe(30106);
    expect(t.engine.setClientRole(2 as NERtcClientRole)).toBe(30003);
    expect(t.engine.setChannelProfile(5 as 0)).toBe(30003);
    expect(t.engine.setCloudProxy(2)).toBe(30003);
    expect(t.calls).toEqual([]);
    t.join();
    expect(t.engine.joinChannel('', 'room', 7)).toBe(30001);
    expect(t.engine.setChannelProfile(1)).toBe(30005);
  });
});

describe('NERTC engine: signal loss, resume, give-up (40 s default)', () => {
  it('4 s of silence → (4, signalDisconnected 9) + onReconnectingStart; the 10 s mark is not told twice; resume → (3, rejoinSucceed 7) + onReJoinChannel', () => {
    const t = setup();
    t.join();
    t.clear();
    t.clock.advance(3999);
    expect(t.states()).toEqual([]);
    t.clock.advance(1);
    expect(t.states()).toEqual([[NS.reconnecting, NR.signalDisconnected]]);
    expect(t.named('onReconnectingStart')).toEqual([[]]);
    // Attempts hang (never open): the 10 s "lost" mark passes silently in this profile.
    t.clock.advance(10_000);
    expect(t.states()).toHaveLength(1);
    t.server.latest().accept({ members: [{ uid: 2 }] });
    expect(t.states().at(-1)).toEqual([NS.connected, NR.rejoinSucceed]);
    expect(t.named('onReJoinChannel')).toEqual([[0, CID]]);
    expect(t.named('onReconnectingStart')).toHaveLength(1);
    // The peer did not flap.
    expect(t.named('onUserLeave')).toEqual([]);
  });

  it('a reset socket → (4, 9) at once', () => {
    const t = setup();
    t.join();
    t.clear();
    t.server.latest().drop();
    expect(t.states()).toEqual([[NS.reconnecting, NR.signalDisconnected]]);
  });

  it('gives up exactly 40 s after reconnecting starts: (5, joinChannelFailed 11), (1, timeout 4), onDisconnect(30205)', () => {
    const t = setup();
    t.join();
    t.server.latest().drop();
    t.clear();
    t.clock.advance(39_999);
    expect(t.states()).toEqual([]);
    t.clock.advance(1);
    expect(t.states()).toEqual([
      [NS.failed, NR.joinChannelFailed],
      [NS.disconnected, NR.timeout],
    ]);
    expect(t.named('onDisconnect')).toEqual([[30205]]);
    expect(t.named('onJoinChannel')).toHaveLength(0);
    expect(t.engine.getConnectionState()).toBe(NS.disconnected);
    expect(t.clock.pendingTimers()).toBe(0);
    // The call is over: leaving says "not in a room"; joining again works.
    expect(t.engine.leaveChannel()).toBe(30101);
    expect(t.engine.joinChannel('', 'room', 7)).toBe(0);
  });

  it('the give-up is configurable', () => {
    const t = setup({ timing: { failAfterMs: 30_000 } });
    t.join();
    t.server.latest().drop();
    t.clock.advance(30_000);
    expect(t.engine.getConnectionState()).toBe(NS.disconnected);
  });

  it('a first join that never connects: (5, joinChannelFailed 11) + onJoinChannel(30015) at 40 s, no onDisconnect; leaveChannel then works', () => {
    const t = setup();
    t.engine.joinChannel('', 'room', 7);
    t.clock.advance(40_000);
    expect(t.states()).toEqual([
      [NS.connecting, NR.joinChannel],
      [NS.failed, NR.joinChannelFailed],
    ]);
    expect(t.named('onJoinChannel')).toEqual([[30015, CID, 40_000, 7]]);
    expect(t.named('onDisconnect')).toEqual([]);
    expect(t.engine.leaveChannel()).toBe(0);
    expect(t.states().at(-1)).toEqual([NS.disconnected, NR.leaveChannel]);
  });

  it('server shutting down → (4, reDispatch 12); an IP change → (4, 9)', () => {
    const t = setup();
    t.join();
    t.clear();
    t.end('server_shutdown');
    expect(t.states()).toEqual([[NS.reconnecting, NR.reDispatch]]);
    expect(t.named('onReconnectingStart')).toHaveLength(1);
    t.server.latest().accept();
    t.clear();
    t.network('changed');
    expect(t.states()).toEqual([[NS.reconnecting, NR.signalDisconnected]]);
  });
});

describe('NERTC engine: remote users, roles, permission key, proxy', () => {
  it('onUserLeave reasons: quit 0, dropped 4 (timeout), kicked 3, become_audience 0', () => {
    const t = setup();
    t.join();
    const conn = t.server.latest();
    for (const uid of [3, 4, 5])
      conn.receive({ type: 'event', seq: uid, event: { kind: 'user_joined', uid } });
    conn.receive({ type: 'event', seq: 6, event: { kind: 'user_offline', uid: 2, reason: 'quit' } });
    conn.receive({ type: 'event', seq: 7, event: { kind: 'user_offline', uid: 3, reason: 'dropped' } });
    conn.receive({ type: 'event', seq: 8, event: { kind: 'user_offline', uid: 4, reason: 'kicked' } });
    conn.receive({
      type: 'event',
      seq: 9,
      event: { kind: 'user_offline', uid: 5, reason: 'become_audience' },
    });
    expect(t.named('onUserLeave')).toEqual([
      [2, Leave.kNERtcSessionLeaveNormal],
      [3, Leave.kNERtcSessionLeaveTimeOut],
      [4, Leave.kNERtcSessionLeaveForKick],
      [5, Leave.kNERtcSessionLeaveNormal],
    ]);
  });

  it('setClientRole: 0/1 numbering; onClientRoleChange(0, 1); a refusal is onError(4001)', () => {
    const t = setup();
    expect(t.engine.setClientRole(NERtcClientRole.audience)).toBe(0);
    t.join();
    expect(t.server.latest().lastJoin()?.role).toBe('audience');
    t.engine.setClientRole(NERtcClientRole.broadcaster);
    const up = t.server.latest().sent.at(-1) as { id: number; role: string };
    expect(up.role).toBe('broadcaster');
    t.server.latest().receive({
      type: 'role_result',
      id: up.id,
      ok: false,
      role: 'audience',
      code: 'too_many_broadcasters',
      message: 'full',
    });
    expect(t.named('onError')).toEqual([[4001]]);
    t.engine.setClientRole(NERtcClientRole.broadcaster);
    const again = t.server.latest().sent.at(-1) as { id: number };
    t.server.latest().receive({ type: 'role_result', id: again.id, ok: true, role: 'broadcaster' });
    t.engine.setClientRole(NERtcClientRole.audience);
    const down = t.server.latest().sent.at(-1) as { id: number };
    t.server.latest().receive({ type: 'role_result', id: down.id, ok: true, role: 'audience' });
    expect(t.named('onClientRoleChange')).toEqual([
      [NERtcClientRole.audience, NERtcClientRole.broadcaster],
      [NERtcClientRole.broadcaster, NERtcClientRole.audience],
    ]);
  });

  it('onPermissionKeyWillExpire exactly 30 s early; updatePermissionKey renews in place; a refused key is onError(901)', () => {
    const t = setup();
    expect(t.engine.updatePermissionKey('k')).toBe(30101);
    t.engine.joinChannel('', 'room', 7, { permissionKey: 'key-1' });
    expect(t.server.latest().open().lastJoin()?.token).toBe('key-1');
    t.server.latest().accept({ tokenExpiresAt: t.clock.now() + 40_000 });
    for (let i = 0; i < 9; i++) {
      t.clock.advance(1000);
      t.server.latest().receive({ type: 'ka' });
    }
    t.clock.advance(999);
    expect(t.named('onPermissionKeyWillExpire')).toEqual([]);
    t.clock.advance(1);
    expect(t.named('onPermissionKeyWillExpire')).toEqual([[]]);
    t.clear();
    expect(t.engine.updatePermissionKey('key-2')).toBe(0);
    const req = t.server.latest().sent.at(-1) as { type: string; id: number; token: string };
    expect(req).toMatchObject({ type: 'renew_token', token: 'key-2' });
    t.server
      .latest()
      .receive({ type: 'token_result', id: req.id, ok: false, code: 'invalid_token', message: 'x' });
    expect(t.named('onError')).toEqual([[901]]);
    expect(t.states()).toEqual([]);
  });

  it('setCloudProxy(1): the join is (2, settingProxyServer 13); in a room (4, 13) then (3, 7)', () => {
    const proxied: unknown[] = [];
    const t = setup({
      proxy: 'http://127.0.0.1:3128',
      proxyTransport: () => (url, handlers) => {
        const c = t.server.transport(url, handlers);
        proxied.push(c);
        return c;
      },
    });
    expect(t.engine.setCloudProxy(1)).toBe(0);
    t.engine.joinChannel('', 'room', 7);
    expect(t.states()).toEqual([[NS.connecting, NR.settingProxyServer]]);
    expect(proxied).toEqual([t.server.latest()]);
    t.server.latest().accept();
    t.clear();
    expect(t.engine.setCloudProxy(0)).toBe(0);
    t.server.latest().accept();
    expect(t.states()).toEqual([
      [NS.reconnecting, NR.settingProxyServer],
      [NS.connected, NR.rejoinSucceed],
    ]);
    expect(proxied).toHaveLength(1);
  });

  it('a throwing callback does not break the engine', () => {
    const err = console.error;
    console.error = () => {};
    try {
      const engine = createNERtcEngine();
      const server = new FakeServer();
      engine.create({
        appKey: 'demo',
        serverUrl: 'ws://fake',
        channelEventCallback: {
          onConnectionStateChanged: () => {
            throw new Error('app bug');
          },
        },
        options: { clock: new TestClock(), transport: server.transport, network: null },
      });
      engine.joinChannel('', 'room', 1);
      server.latest().accept();
      expect(engine.getConnectionState()).toBe(NS.connected);
      engine.release();
    } finally {
      console.error = err;
    }
  });
});
