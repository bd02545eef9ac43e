import {
  ChannelProfileType,
  ClientRoleType,
  NERtcSessionLeaveReason as Leave,
  NERtcConnectionStateChangeReason as NR,
  NERtcConnectionState as NS,
  nertcChannelId,
  ConnectionChangedReasonType as R,
  ConnectionStateType as S,
  UserOfflineReasonType,
} from '@holdfast/sdk';
import { type RunningServer, startServer } from '@holdfast/server';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type FaultProxy, startFaultProxy } from './support/fault-proxy.js';
import { NERtcRecordingClient } from './support/nertc-recorder.js';
import { RecordingClient } from './support/recorder.js';

// The NERTC profile over real sockets. App "ne" has NERTC's 40 s remote-leave window; "demo" keeps the default.
let server: RunningServer;
let proxy: FaultProxy;
const clients: Array<{ release(): void }> = [];

beforeAll(async () => {
  server = await startServer({
    port: 0,
    apps: [{ appId: 'ne', offlineAfterMs: 40_000 }, { appId: 'demo' }],
    logLevel: 'silent',
  });
  proxy = await startFaultProxy({ targetPort: server.port });
});
afterEach(() => {
  proxy.setMode('pass');
  for (const c of clients.splice(0)) c.release();
});
afterAll(async () => {
  await proxy.close();
  await server.close();
});

function ne(viaProxy = false, timing = {}) {
  const c = new NERtcRecordingClient('ne', viaProxy ? proxy.url : server.url, { timing });
  clients.push(c);
  return c;
}
async function joined(c: NERtcRecordingClient, channel: string, uid: number) {
  const from = c.events.length;
  expect(c.engine.joinChannel('', channel, uid)).toBe(0);
  return c.waitState(NS.connected, NR.joinSucceed, 10_000, from);
}

describe('NERTC profile over real sockets', () => {
  it('join: (2, joinChannel), (3, joinSucceed), onJoinChannel(0, cid, elapsed, uid); the other member sees onUserJoined', async () => {
    const a = ne();
    const b = ne();
    await joined(b, 'ne-join', 2);
    const t0 = Date.now();
    await joined(a, 'ne-join', 0);
    const elapsedWall = Date.now() - t0;
    expect(a.states()).toEqual([
      [NS.connecting, NR.joinChannel],
      [NS.connected, NR.joinSucceed],
    ]);
    const [result, cid, elapsed, uid] = a.named('onJoinChannel')[0]!.args as number[];
    expect(result).toBe(0);
    expect(cid).toBe(nertcChannelId('ne-join'));
    expect(elapsed).toBeLessThanOrEqual(elapsedWall);
    expect(uid).toBeGreaterThan(0);
    await b.waitFor((e) => e.name === 'onUserJoined' && e.args[0] === uid);
    expect(a.named('onUserJoined').map((e) => e.args[0])).toEqual([2]);
    console.log(`NERTC join: onJoinChannel elapsed ${elapsed} ms`);
  });

  it('signal loss and resume: (4, signalDisconnected) after 4 s of silence + onReconnectingStart, then (3, rejoinSucceed) + onReJoinChannel; no onUserLeave for the peer', async () => {
    const a = ne(true);
    const b = ne();
    await joined(b, 'ne-loss', 2);
    await joined(a, 'ne-loss', 1);
    await b.waitFor((e) => e.name === 'onUserJoined' && e.args[0] === 1);
    const from = a.events.length;
    const cut = Date.now();
    proxy.setMode('blackhole');
    const down = await a.waitState(NS.reconnecting, NR.signalDisconnected, 6000, from);
    const detectMs = down.at + a.start - cut;
    expect(detectMs).toBeGreaterThanOrEqual(3900);
    expect(detectMs).toBeLessThan(5600);
    expect(a.named('onReconnectingStart')).toHaveLength(1);
    proxy.setMode('pass');
    const back = await a.waitState(NS.connected, NR.rejoinSucceed, 6000, from);
    expect(a.named('onReJoinChannel').map((e) => e.args)).toEqual([[0, nertcChannelId('ne-loss')]]);
    expect(a.states().slice(-2)).toEqual([
      [NS.reconnecting, NR.signalDisconnected],
      [NS.connected, NR.rejoinSucceed],
    ]);
    await new Promise((r) => setTimeout(r, 300));
    expect(b.named('onUserLeave')).toEqual([]);
    console.log(
      `NERTC signal loss: detected after ${detectMs} ms, rejoined ${back.at - down.at} ms after that`,
    );
  });

  it('duplicate uid: the older session ends (1, serverKicked) + onDisconnect(30209); the newer stays; the peer sees no leave', async () => {
    const peer = ne();
    await joined(peer, 'ne-dup', 9);
    const first = ne();
    await joined(first, 'ne-dup', 5);
    await peer.waitFor((e) => e.name === 'onUserJoined' && e.args[0] === 5);
    const second = ne();
    await joined(second, 'ne-dup', 5);
    await first.waitFor((e) => e.name === 'onDisconnect', 3000);
    expect(first.named('onDisconnect').map((e) => e.args)).toEqual([[30209]]);
    expect(first.states().at(-1)).toEqual([NS.disconnected, NR.serverKicked]);
    expect(first.engine.getConnectionState()).toBe(NS.disconnected);
    expect(second.engine.getConnectionState()).toBe(NS.connected);
    await new Promise((r) => setTimeout(r, 300));
    expect(peer.named('onUserLeave')).toEqual([]);
  });

  it('mixed profiles in one channel: a NERTC client and an Agora client see each other, each in its own numbering', async () => {
    const n = ne();
    const a = new RecordingClient({ appId: 'ne', serverUrl: server.url });
    clients.push(a);
    await joined(n, 'ne-mixed', 1);
    expect(a.join('ne-mixed', 2)).toBe(0);
    await a.waitState(S.ConnectionStateConnected, R.ConnectionChangedJoinSuccess);
    await n.waitFor((e) => e.name === 'onUserJoined' && e.args[0] === 2);
    await a.waitFor((e) => e.name === 'onUserJoined' && e.args[0] === 1);
    // Roles: NERTC audience is 1 and broadcaster 0; Agora's are 2 and 1.
    n.engine.setClientRole(1);
    const role = await n.waitFor((e) => e.name === 'onClientRoleChange');
    expect(role.args).toEqual([0, 1]);
    a.engine.setClientRole(ClientRoleType.ClientRoleAudience);
    const agoraRole = await a.waitFor((e) => e.name === 'onClientRoleChanged');
    expect(agoraRole.args.slice(0, 2)).toEqual([
      ClientRoleType.ClientRoleBroadcaster,
      ClientRoleType.ClientRoleAudience,
    ]);
    // Leaving: the Agora client sees Quit (0), the NERTC client a normal leave (0).
    n.engine.leaveChannel();
    const off = await a.waitFor((e) => e.name === 'onUserOffline' && e.args[0] === 1);
    expect(off.args[1]).toBe(UserOfflineReasonType.UserOfflineQuit);
    await joined(n, 'ne-mixed', 1);
    expect(n.named('onUserJoined').map((e) => e.args[0])).toEqual([2, 2]);
    a.engine.leaveChannel();
    const leave = await n.waitFor((e) => e.name === 'onUserLeave' && e.args[0] === 2);
    expect(leave.args[1]).toBe(Leave.kNERtcSessionLeaveNormal);
  });

  it('mixed profiles in a live channel: an Agora audience is not announced to the NERTC client until it becomes a broadcaster', async () => {
    const n = new NERtcRecordingClient('demo', server.url);
    const a = new RecordingClient({ appId: 'demo', serverUrl: server.url });
    clients.push(n, a);
    expect(n.engine.setChannelProfile(1)).toBe(0);
    await joined(n, 'ne-live', 1);
    a.engine.joinChannel('', 'ne-live', 2, {
      clientRoleType: ClientRoleType.ClientRoleAudience,
      channelProfile: ChannelProfileType.ChannelProfileLiveBroadcasting,
    });
    await a.waitState(S.ConnectionStateConnected, R.ConnectionChangedJoinSuccess);
    await a.waitFor((e) => e.name === 'onUserJoined' && e.args[0] === 1);
    await new Promise((r) => setTimeout(r, 200));
    expect(n.named('onUserJoined')).toEqual([]);
    a.engine.setClientRole(ClientRoleType.ClientRoleBroadcaster);
    await n.waitFor((e) => e.name === 'onUserJoined' && e.args[0] === 2);
  });
});
