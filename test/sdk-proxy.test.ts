import { CloudProxyType, ConnectionChangedReasonType as R, ConnectionStateType as S } from '@holdfast/sdk';
import { type RunningServer, startServer } from '@holdfast/server';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RecordingClient } from './support/recorder.js';
import { freePort, startTinyproxy, type Tinyproxy } from './support/tinyproxy.js';

// setCloudProxy against a real HTTP CONNECT proxy (Debian's tinyproxy), over real sockets.
let server: RunningServer;
let proxy: Tinyproxy;
const clients: RecordingClient[] = [];

beforeAll(async () => {
  server = await startServer({ port: 0, apps: [{ appId: 'demo' }], logLevel: 'silent' });
  proxy = await startTinyproxy([server.port]);
});
afterEach(() => {
  for (const c of clients.splice(0)) c.release();
});
afterAll(async () => {
  await proxy?.close();
  await server?.close();
});

function client(proxyUrl = proxy.url, timing = {}) {
  const c = new RecordingClient({ appId: 'demo', serverUrl: server.url, proxy: proxyUrl, timing });
  clients.push(c);
  return c;
}
const target = () => `127.0.0.1:${server.port}`;

describe('setCloudProxy(TcpProxy) through tinyproxy', () => {
  it('before joining: (Connecting, SettingProxyServer) then (Connected, JoinSuccess), tunnelled by tinyproxy', async () => {
    const before = proxy.connects().length;
    const a = client();
    expect(a.engine.setCloudProxy(CloudProxyType.TcpProxy)).toBe(0);
    expect(a.join('via-proxy', 1)).toBe(0);
    await a.waitState(S.ConnectionStateConnected, R.ConnectionChangedJoinSuccess);
    expect(a.states()).toEqual([
      [S.ConnectionStateConnecting, R.ConnectionChangedSettingProxyServer],
      [S.ConnectionStateConnected, R.ConnectionChangedJoinSuccess],
    ]);
    expect(proxy.connects().slice(before)).toEqual([target()]);
    expect(proxy.log()).toContain('Established connection to host "127.0.0.1"');
  });

  it('in a channel: (Reconnecting, SettingProxyServer) → (Connected, RejoinSuccess); the peer sees no flap', async () => {
    const peer = client();
    peer.join('switch', 2);
    await peer.waitState(S.ConnectionStateConnected, R.ConnectionChangedJoinSuccess);
    const a = client();
    a.join('switch', 3);
    await a.waitState(S.ConnectionStateConnected, R.ConnectionChangedJoinSuccess);
    await peer.waitFor((e) => e.name === 'onUserJoined' && e.args[0] === 3);
    const before = proxy.connects().length;
    const from = a.events.length;
    const t0 = Date.now();
    expect(a.engine.setCloudProxy(CloudProxyType.TcpProxy)).toBe(0);
    await a.waitState(S.ConnectionStateConnected, R.ConnectionChangedRejoinSuccess, 5000, from);
    const took = Date.now() - t0;
    expect(a.states().slice(-2)).toEqual([
      [S.ConnectionStateReconnecting, R.ConnectionChangedSettingProxyServer],
      [S.ConnectionStateConnected, R.ConnectionChangedRejoinSuccess],
    ]);
    expect(proxy.connects().slice(before)).toEqual([target()]);
    expect(took).toBeLessThan(2000);
    // The session was resumed: the peer saw neither a leave nor a second join.
    await new Promise((r) => setTimeout(r, 300));
    expect(peer.named('onUserOffline')).toEqual([]);
    expect(peer.named('onUserJoined').filter((e) => e.args[0] === 3)).toHaveLength(1);
  });

  it('the connection really runs through the proxy: killing tinyproxy breaks it; restarting it lets the client rejoin through it', async () => {
    const a = client(proxy.url, { interruptedAfterMs: 1000 });
    a.engine.setCloudProxy(CloudProxyType.TcpProxy);
    a.join('kill-proxy', 4);
    await a.waitState(S.ConnectionStateConnected, R.ConnectionChangedJoinSuccess);
    const from = a.events.length;
    await proxy.kill();
    await a.waitFor(
      (e) => e.name === 'onConnectionStateChanged' && e.args[0] === S.ConnectionStateReconnecting,
      5000,
      from,
    );
    await proxy.restart();
    await a.waitState(S.ConnectionStateConnected, R.ConnectionChangedRejoinSuccess, 8000, from);
    expect(proxy.connects()).toContain(target());
  });

  it('a proxy that is not there: the proxied join never connects, while the same join without the proxy does', async () => {
    const dead = `http://127.0.0.1:${await freePort()}`;
    const a = client(dead, { lostAfterMs: 1000 });
    a.engine.setCloudProxy(CloudProxyType.TcpProxy);
    a.join('dead-proxy', 5);
    await a.waitFor((e) => e.name === 'onConnectionLost', 5000);
    expect(a.engine.getConnectionState()).toBe(S.ConnectionStateConnecting);
    // NoneProxy switches the route back: the next attempt goes direct and joins.
    const from = a.events.length;
    expect(a.engine.setCloudProxy(CloudProxyType.NoneProxy)).toBe(0);
    await a.waitFor(
      (e) => e.name === 'onConnectionStateChanged' && e.args[0] === S.ConnectionStateConnected,
      5000,
      from,
    );
  });
});
