import {
  NERtcConnectionStateChangeReason as NR,
  NERtcConnectionState as NS,
  nertcChannelId,
} from '@holdfast/sdk';
import { type RunningServer, startServer } from '@holdfast/server';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type FaultProxy, startFaultProxy } from './support/fault-proxy.js';
import { NERtcRecordingClient } from './support/nertc-recorder.js';
import { freePort } from './support/tinyproxy.js';

/**
 * The seed's (003) Dart `onConnectionStateChanged` example, ported to TypeScript case for case.
 * Each case records that it ran; the tests below drive every case with real server events over
 * real sockets, and the last test checks that all of them ran.
 */
const handled = new Set<string>();
let unhandled: number[] = [];

function onConnectionStateChanged(_state: number, reason: number): void {
  switch (reason) {
    case NR.leaveChannel:
      // Left the room; the call is over. Prefer onLeaveChannel.
      handled.add('leaveChannel');
      break;
    case NR.channelClosed:
      // The room was closed; the call is over. Prefer onDisconnect (code ENGINE_ERROR_ROOM_CLOSED).
      handled.add('channelClosed');
      break;
    case NR.serverKicked:
      // Kicked out of the room; the call is over. Prefer onDisconnect (code ENGINE_ERROR_SERVER_KICKED).
      handled.add('serverKicked');
      break;
    case NR.timeout:
      // Network timeout; the call is over. Or just watch onDisconnect (other codes).
      handled.add('timeout');
      break;
    case NR.joinChannel:
      // Started joining the room.
      handled.add('joinChannel');
      break;
    case NR.joinSucceed:
      // Joined; connected to the server. Prefer onJoinChannel.
      handled.add('joinSucceed');
      break;
    case NR.rejoinSucceed:
      // Rejoined after a network change or timeout.
      handled.add('rejoinSucceed');
      break;
    case NR.signalDisconnected:
      // Temporarily lost the connection; the SDK reconnects by itself.
      handled.add('signalDisconnected');
      break;
    case NR.mediaConnectionDisconnected:
      // Temporarily lost the media connection; the SDK reconnects by itself.
      handled.add('mediaConnectionDisconnected');
      break;
    case NR.requestChannelFailed:
      // Failed to obtain the room while joining. Prefer onJoinChannel.
      handled.add('requestChannelFailed');
      break;
    case NR.joinChannelFailed:
      // Failed to establish the long connection while joining. Prefer onJoinChannel.
      handled.add('joinChannelFailed');
      break;
    default:
      unhandled.push(reason);
  }
}

let server: RunningServer;
let proxy: FaultProxy | undefined;
const clients: NERtcRecordingClient[] = [];

beforeAll(async () => {
  // No `admin` option: the admin REST API is open, as in development.
  server = await startServer({
    port: 0,
    apps: [{ appId: 'ne', offlineAfterMs: 40_000 }],
    logLevel: 'silent',
  });
});
afterEach(async () => {
  for (const c of clients.splice(0)) c.release();
  await proxy?.close();
  proxy = undefined;
});
afterAll(async () => {
  await server.close();
});

function client(opts: { appKey?: string; url?: string; timing?: object } = {}) {
  const c = new NERtcRecordingClient(
    opts.appKey ?? 'ne',
    opts.url ?? server.url,
    { timing: opts.timing ?? {} },
    { onConnectionStateChanged },
  );
  clients.push(c);
  return c;
}
async function joined(c: NERtcRecordingClient, channel: string, uid: number) {
  const from = c.events.length;
  expect(c.engine.joinChannel('', channel, uid)).toBe(0);
  await c.waitState(NS.connected, NR.joinSucceed, 5000, from);
}
async function admin(path: string, body: unknown) {
  const res = await fetch(`${server.httpUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(200);
  return res.json();
}

describe("the seed's Dart onConnectionStateChanged switch, driven by a real server", () => {
  it('joinChannel, joinSucceed, leaveChannel (+ onLeaveChannel(0))', async () => {
    const c = client();
    await joined(c, 'seed-basic', 1);
    c.engine.leaveChannel();
    expect(c.states()).toEqual([
      [NS.connecting, NR.joinChannel],
      [NS.connected, NR.joinSucceed],
      [NS.disconnected, NR.leaveChannel],
    ]);
    expect(c.named('onLeaveChannel').map((e) => e.args)).toEqual([[0]]);
  });

  it('signalDisconnected then rejoinSucceed, with the connection reset under the client', async () => {
    proxy = await startFaultProxy({ targetPort: server.port });
    const c = client({ url: proxy.url });
    await joined(c, 'seed-reconnect', 2);
    proxy.setMode('reset');
    await c.waitState(NS.reconnecting, NR.signalDisconnected, 3000);
    proxy.setMode('pass');
    await c.waitState(NS.connected, NR.rejoinSucceed, 6000);
    expect(c.named('onReJoinChannel').map((e) => e.args)).toEqual([[0, nertcChannelId('seed-reconnect')]]);
  });

  it('channelClosed: the admin API closes the room → (1, channelClosed) + onDisconnect(30207) for every member', async () => {
    const a = client();
    const b = client();
    await joined(a, 'seed-close', 3);
    await joined(b, 'seed-close', 4);
    const r = await admin('/dev/v1/close-channel', { appid: 'ne', cname: 'seed-close' });
    expect(r).toMatchObject({ status: 'success', closed: 2 });
    for (const c of [a, b]) {
      await c.waitState(NS.disconnected, NR.channelClosed, 3000);
      expect(c.named('onDisconnect').map((e) => e.args)).toEqual([[30207]]);
      expect(c.engine.getConnectionState()).toBe(NS.disconnected);
    }
  });

  it('serverKicked: a kicking rule → (1, serverKicked) + onDisconnect(30206); the peer sees onUserLeave(uid, 3 kicked)', async () => {
    const victim = client();
    const peer = client();
    await joined(peer, 'seed-kick', 6);
    await joined(victim, 'seed-kick', 5);
    await peer.waitFor((e) => e.name === 'onUserJoined' && e.args[0] === 5);
    await admin('/dev/v1/kicking-rule', {
      appid: 'ne',
      cname: 'seed-kick',
      uid: 5,
      time: 0,
      privileges: ['join_channel'],
    });
    await victim.waitState(NS.disconnected, NR.serverKicked, 3000);
    expect(victim.named('onDisconnect').map((e) => e.args)).toEqual([[30206]]);
    const left = await peer.waitFor((e) => e.name === 'onUserLeave' && e.args[0] === 5, 3000);
    expect(left.args[1]).toBe(3);
  });

  it('timeout: reconnecting gives up → (5, joinChannelFailed), (1, timeout), onDisconnect(30205)', async () => {
    proxy = await startFaultProxy({ targetPort: server.port });
    const c = client({ url: proxy.url, timing: { failAfterMs: 2000 } });
    await joined(c, 'seed-timeout', 7);
    proxy.setMode('reset');
    await c.waitState(NS.disconnected, NR.timeout, 5000);
    expect(c.states().slice(-3)).toEqual([
      [NS.reconnecting, NR.signalDisconnected],
      [NS.failed, NR.joinChannelFailed],
      [NS.disconnected, NR.timeout],
    ]);
    expect(c.named('onDisconnect').map((e) => e.args)).toEqual([[30205]]);
  });

  it('requestChannelFailed: an unknown app key → (5, requestChannelFailed) + onJoinChannel(417)', async () => {
    const c = client({ appKey: 'no-such-app' });
    c.engine.joinChannel('', 'seed-app', 8);
    await c.waitState(NS.failed, NR.requestChannelFailed, 3000);
    expect(c.named('onJoinChannel')[0]?.args.slice(0, 2)).toEqual([417, nertcChannelId('seed-app')]);
  });

  it('joinChannelFailed: no server to establish the long connection with → (5, joinChannelFailed) + onJoinChannel(30015)', async () => {
    const c = client({ url: `ws://127.0.0.1:${await freePort()}`, timing: { failAfterMs: 1500 } });
    c.engine.joinChannel('', 'seed-unreachable', 9);
    await c.waitState(NS.failed, NR.joinChannelFailed, 4000);
    const [result, , elapsed] = c.named('onJoinChannel')[0]!.args as number[];
    expect(result).toBe(30015);
    expect(elapsed).toBeGreaterThanOrEqual(1500);
    expect(c.named('onDisconnect')).toEqual([]);
  });

  it('every case of the switch ran except mediaConnectionDisconnected, which Holdfast reserves for a media connection', () => {
    expect([...handled].sort()).toEqual(
      [
        'leaveChannel',
        'channelClosed',
        'serverKicked',
        'timeout',
        'joinChannel',
        'joinSucceed',
        'rejoinSucceed',
        'signalDisconnected',
        'requestChannelFailed',
        'joinChannelFailed',
      ].sort(),
    );
    expect(unhandled).toEqual([]);
    unhandled = [];
  });
});
