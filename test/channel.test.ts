import {
  ChannelProfileType,
  ClientRoleType,
  ErrorCodeType,
  ConnectionChangedReasonType as R,
  ConnectionStateType as S,
  UserOfflineReasonType,
} from '@holdfast/sdk';
import { type RunningServer, startServer } from '@holdfast/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RecordingClient } from './support/recorder.js';

let server: RunningServer;
const clients: RecordingClient[] = [];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  server = await startServer({ port: 0, apps: [{ appId: 'demo' }], logLevel: 'silent' });
});
afterAll(async () => {
  for (const c of clients) c.release();
  await server.close();
});

function client(appId = 'demo') {
  const c = new RecordingClient({ appId, serverUrl: server.url });
  clients.push(c);
  return c;
}
async function joinLive(c: RecordingClient, channel: string, uid: number, role: ClientRoleType) {
  expect(
    c.engine.joinChannel('', channel, uid, {
      clientRoleType: role,
      channelProfile: ChannelProfileType.ChannelProfileLiveBroadcasting,
    }),
  ).toBe(0);
  await c.waitState(S.ConnectionStateConnected, R.ConnectionChangedJoinSuccess);
}

describe('channel presence over real sockets', () => {
  it('leaveChannel gives remote onUserOffline(Quit) at once', async () => {
    const a = client();
    const b = client();
    a.join('quit', 1);
    await a.waitState(S.ConnectionStateConnected, R.ConnectionChangedJoinSuccess);
    b.join('quit', 2);
    await a.waitFor((e) => e.name === 'onUserJoined' && e.args[0] === 2);
    const t = Date.now() - a.start;
    b.engine.leaveChannel();
    const off = await a.waitFor((e) => e.name === 'onUserOffline', 2000);
    expect(off.args).toEqual([2, UserOfflineReasonType.UserOfflineQuit]);
    expect(off.at - t).toBeLessThan(500);
    await b.waitFor((e) => e.name === 'onLeaveChannel');
  });

  it('uid 0: the server assigns a uid, reported as connection.localUid and seen by others', async () => {
    const a = client();
    const b = client();
    a.join('assign', 1);
    await a.waitState(S.ConnectionStateConnected, R.ConnectionChangedJoinSuccess);
    let localUid = -1;
    b.engine.registerEventHandler({ onJoinChannelSuccess: (c) => (localUid = c.localUid ?? -1) });
    b.join('assign', 0);
    await b.waitState(S.ConnectionStateConnected, R.ConnectionChangedJoinSuccess);
    expect(localUid).toBeGreaterThan(0);
    const joined = await a.waitFor((e) => e.name === 'onUserJoined' && e.args[0] !== 1);
    expect(joined.args[0]).toBe(localUid);
  });

  it('the older of two sessions with the same uid gets Failed/SameUidLogin; others see no flap', async () => {
    const watcher = client();
    const first = client();
    const second = client();
    watcher.join('same', 9);
    first.join('same', 1);
    await first.waitState(S.ConnectionStateConnected, R.ConnectionChangedJoinSuccess);
    await watcher.waitFor((e) => e.name === 'onUserJoined' && e.args[0] === 1);
    second.join('same', 1);
    await second.waitState(S.ConnectionStateConnected, R.ConnectionChangedJoinSuccess);
    await first.waitState(S.ConnectionStateFailed, R.ConnectionChangedSameUidLogin, 3000);
    await sleep(300);
    expect(watcher.named('onUserOffline')).toEqual([]);
    expect(watcher.named('onUserJoined').filter((e) => e.args[0] === 1)).toHaveLength(1);
    expect(second.engine.getConnectionState()).toBe(S.ConnectionStateConnected);
  });

  it('an unknown app id → Failed/InvalidAppId with onError(101)', async () => {
    const a = client('no-such-app');
    a.join('x', 1);
    await a.waitState(S.ConnectionStateFailed, R.ConnectionChangedInvalidAppId, 3000);
    expect(a.named('onError')[0]?.args[0]).toBe(ErrorCodeType.ErrInvalidAppId);
  });

  it('live broadcasting: audiences join silently; role switches announce BecomeAudience / Joined', async () => {
    const host = client();
    const viewer = client();
    await joinLive(host, 'live', 1, ClientRoleType.ClientRoleBroadcaster);
    await joinLive(viewer, 'live', 2, ClientRoleType.ClientRoleAudience);
    // The audience sees the host; the host does not see the audience.
    await viewer.waitFor((e) => e.name === 'onUserJoined' && e.args[0] === 1);
    await sleep(200);
    expect(host.named('onUserJoined')).toEqual([]);

    expect(viewer.engine.setClientRole(ClientRoleType.ClientRoleBroadcaster)).toBe(0);
    await viewer.waitFor((e) => e.name === 'onClientRoleChanged');
    expect(viewer.named('onClientRoleChanged')[0]?.args.slice(0, 2)).toEqual([
      ClientRoleType.ClientRoleAudience,
      ClientRoleType.ClientRoleBroadcaster,
    ]);
    await host.waitFor((e) => e.name === 'onUserJoined' && e.args[0] === 2);

    expect(viewer.engine.setClientRole(ClientRoleType.ClientRoleAudience)).toBe(0);
    const off = await host.waitFor((e) => e.name === 'onUserOffline' && e.args[0] === 2);
    expect(off.args).toEqual([2, UserOfflineReasonType.UserOfflineBecomeAudience]);
    // An audience leaving is not announced.
    viewer.engine.leaveChannel();
    await sleep(200);
    expect(host.named('onUserOffline')).toHaveLength(1);
  });

  it('communication profile: everyone is announced, whatever the role', async () => {
    const a = client();
    const b = client();
    a.engine.joinChannel('', 'comm', 1, {
      channelProfile: ChannelProfileType.ChannelProfileCommunication,
      clientRoleType: ClientRoleType.ClientRoleAudience,
    });
    await a.waitState(S.ConnectionStateConnected, R.ConnectionChangedJoinSuccess);
    b.engine.joinChannel('', 'comm', 2, {
      channelProfile: ChannelProfileType.ChannelProfileCommunication,
      clientRoleType: ClientRoleType.ClientRoleAudience,
    });
    await a.waitFor((e) => e.name === 'onUserJoined' && e.args[0] === 2);
    await b.waitFor((e) => e.name === 'onUserJoined' && e.args[0] === 1);
  });
});
