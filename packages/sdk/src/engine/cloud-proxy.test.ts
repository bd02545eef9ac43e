import {
  CloudProxyType,
  ConnectionChangedReasonType as R,
  ConnectionStateType as S,
  TestClock,
} from '@holdfast/protocol';
import { beforeEach, describe, expect, it } from 'vitest';
import { fakeEngineContext } from '../testing/fake-context.js';
import { type FakeConnection, FakeServer } from '../testing/fake-server.js';
import type { ProxyTransportFactory } from '../transport/types.js';
import { createRtcEngine } from './rtc-engine.js';
import type { IRtcEngine } from './types.js';

let clock: TestClock;
let server: FakeServer;
let engine: IRtcEngine;
let states: Array<[number, number]>;
/** Connections opened through the proxy factory, and the proxy URL each was given. */
let proxied: Map<FakeConnection, string>;

const viaProxy: ProxyTransportFactory = (proxyUrl) => (url, handlers) => {
  const conn = server.transport(url, handlers) as FakeConnection;
  proxied.set(conn, proxyUrl);
  return conn;
};

function init(extra: { proxy?: string; proxyTransport?: ProxyTransportFactory } = {}) {
  engine = createRtcEngine();
  expect(
    engine.initialize(
      fakeEngineContext(server, clock, { extra: { reconnectPolicy: { nextDelayMs: () => 1000 }, ...extra } }),
    ),
  ).toBe(0);
  engine.registerEventHandler({ onConnectionStateChanged: (_c, s, r) => states.push([s, r]) });
}

beforeEach(() => {
  clock = new TestClock();
  server = new FakeServer();
  states = [];
  proxied = new Map();
});

describe('setCloudProxy', () => {
  it('return codes: -7 before initialize, -2 for UdpProxy and unknown types, -8 for TcpProxy with no proxy URL', () => {
    expect(createRtcEngine().setCloudProxy(CloudProxyType.TcpProxy)).toBe(-7);
    init({ proxyTransport: viaProxy });
    expect(engine.setCloudProxy(CloudProxyType.UdpProxy)).toBe(-2);
    expect(engine.setCloudProxy(7 as CloudProxyType)).toBe(-2);
    expect(engine.setCloudProxy(CloudProxyType.TcpProxy)).toBe(-8);
    expect(engine.setCloudProxy(CloudProxyType.NoneProxy)).toBe(0);
  });

  it('initialize refuses a proxy that is not an http(s) URL with -2', () => {
    for (const proxy of ['socks5://127.0.0.1:1080', 'not a url', '']) {
      const e = createRtcEngine();
      expect(
        e.initialize({ appId: 'demo', serverUrl: 'ws://fake', transport: server.transport, proxy }),
      ).toBe(-2);
    }
  });

  it('before joining: the join goes (Connecting, SettingProxyServer) through the proxy, then (Connected, JoinSuccess)', () => {
    init({ proxy: 'http://127.0.0.1:3128', proxyTransport: viaProxy });
    expect(engine.setCloudProxy(CloudProxyType.TcpProxy)).toBe(0);
    expect(server.connections).toHaveLength(0);
    expect(engine.joinChannel('', 'room', 1, {})).toBe(0);
    server.latest().accept();
    expect(states).toEqual([
      [S.ConnectionStateConnecting, R.ConnectionChangedSettingProxyServer],
      [S.ConnectionStateConnected, R.ConnectionChangedJoinSuccess],
    ]);
    expect(proxied.get(server.latest())).toBe('http://127.0.0.1:3128');
  });

  it('without the proxy, the join is (Connecting, Connecting) and direct', () => {
    init({ proxy: 'http://127.0.0.1:3128', proxyTransport: viaProxy });
    engine.joinChannel('', 'room', 1, {});
    expect(states).toEqual([[S.ConnectionStateConnecting, R.ConnectionChangedConnecting]]);
    expect(proxied.size).toBe(0);
  });

  it('in a channel: (Reconnecting, SettingProxyServer) at once, a resume through the proxy, (Connected, RejoinSuccess)', () => {
    init({ proxy: 'http://127.0.0.1:3128', proxyTransport: viaProxy });
    engine.joinChannel('', 'room', 1, {});
    const direct = server.latest().accept();
    states = [];
    expect(engine.setCloudProxy(CloudProxyType.TcpProxy)).toBe(0);
    expect(states).toEqual([[S.ConnectionStateReconnecting, R.ConnectionChangedSettingProxyServer]]);
    expect(direct.closed).toBe(true);
    const tunnel = server.latest();
    expect(proxied.has(tunnel)).toBe(true);
    tunnel.accept();
    expect(tunnel.lastJoin()?.resume?.sessionId).toBe('s1');
    expect(states.at(-1)).toEqual([S.ConnectionStateConnected, R.ConnectionChangedRejoinSuccess]);
    // Setting the same type again changes nothing.
    expect(engine.setCloudProxy(CloudProxyType.TcpProxy)).toBe(0);
    expect(server.live()).toEqual([tunnel]);
    // Turning it off reconnects directly, the same way.
    states = [];
    expect(engine.setCloudProxy(CloudProxyType.NoneProxy)).toBe(0);
    server.latest().accept();
    expect(proxied.has(server.latest())).toBe(false);
    expect(states).toEqual([
      [S.ConnectionStateReconnecting, R.ConnectionChangedSettingProxyServer],
      [S.ConnectionStateConnected, R.ConnectionChangedRejoinSuccess],
    ]);
  });

  it('while reconnecting: the attempt restarts through the proxy at once, reason SettingProxyServer', () => {
    init({ proxy: 'http://127.0.0.1:3128', proxyTransport: viaProxy });
    engine.joinChannel('', 'room', 1, {});
    server.latest().accept().drop();
    server.latest().drop(); // the first retry fails; the next waits out a 1 s backoff
    const before = server.connections.length;
    states = [];
    engine.setCloudProxy(CloudProxyType.TcpProxy);
    expect(server.connections).toHaveLength(before + 1);
    expect(proxied.has(server.latest())).toBe(true);
    server.latest().accept();
    expect(states).toEqual([
      [S.ConnectionStateReconnecting, R.ConnectionChangedSettingProxyServer],
      [S.ConnectionStateConnected, R.ConnectionChangedRejoinSuccess],
    ]);
  });

  it('reconnects after a drop keep using the proxy', () => {
    init({ proxy: 'http://127.0.0.1:3128', proxyTransport: viaProxy });
    engine.setCloudProxy(CloudProxyType.TcpProxy);
    engine.joinChannel('', 'room', 1, {});
    server.latest().accept().drop();
    expect(proxied.has(server.latest())).toBe(true);
  });

  it('a platform without a proxy factory (browsers) accepts TcpProxy and keeps its own transport', () => {
    init();
    expect(engine.setCloudProxy(CloudProxyType.TcpProxy)).toBe(0);
    engine.joinChannel('', 'room', 1, {});
    expect(states).toEqual([[S.ConnectionStateConnecting, R.ConnectionChangedSettingProxyServer]]);
    expect(server.connections).toHaveLength(1);
  });
});
