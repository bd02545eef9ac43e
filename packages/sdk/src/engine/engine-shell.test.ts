import {
  NERtcErrorCode as C,
  ClientRoleType,
  CloudProxyType,
  ErrorCodeType as E,
  NERtcClientRole,
  NERtcConnectionStateChangeReason as NR,
  NERtcConnectionState as NS,
  TestClock,
} from '@holdfast/protocol';
import { describe, expect, it } from 'vitest';
import type { Status } from '../connection/types.js';
import { FakeServer } from '../testing/fake-server.js';
import type { ProxyTransportFactory } from '../transport/types.js';
import { createNERtcEngine, NERTC_SHELL, nertcView } from './nertc-engine.js';
import { AGORA_SHELL, createRtcEngine } from './rtc-engine.js';

/** The calls both engines have, by the same names. */
interface Shared {
  joinChannel(token: string | null, channel: string, uid: number): number;
  setClientRole(v: number): number;
  setChannelProfile(v: number): number;
  setCloudProxy(v: number): number;
}
interface Api {
  init(): number;
  engine: Shared;
  server: FakeServer;
}
/** Platform options: the fake server, and a proxy only when `proxyUsable` (a proxy factory without a URL cannot be used). */
function platform(server: FakeServer, proxyUsable: boolean) {
  const proxyTransport: ProxyTransportFactory = () => server.transport;
  return {
    clock: new TestClock(),
    transport: server.transport,
    network: null,
    proxyTransport,
    ...(proxyUsable ? { proxy: 'http://proxy:1' } : {}),
  };
}

function agora(proxyUsable: boolean): Api {
  const server = new FakeServer();
  const engine = createRtcEngine();
  const init = () =>
    engine.initialize({ appId: 'a', serverUrl: 'ws://fake', ...platform(server, proxyUsable) });
  return { server, engine, init };
}

function nertc(proxyUsable: boolean): Api {
  const server = new FakeServer();
  const engine = createNERtcEngine();
  const options = platform(server, proxyUsable);
  const init = () =>
    engine.create({ appKey: 'a', serverUrl: 'ws://fake', channelEventCallback: {}, options });
  return { server, engine, init };
}

/** Each profile: its API, its table, the numbers for broadcaster / an invalid value / proxy on / a refused proxy type. */
const profiles = [
  {
    name: 'Agora',
    make: agora,
    table: AGORA_SHELL,
    broadcaster: ClientRoleType.ClientRoleBroadcaster,
    proxyOn: CloudProxyType.TcpProxy,
    proxyRefused: CloudProxyType.UdpProxy,
    codes: {
      notInitialized: -E.ErrNotInitialized,
      invalid: -E.ErrInvalidArgument,
      proxyUnavailable: -E.ErrInvalidState,
      profileLocked: -E.ErrRefused,
    },
  },
  {
    name: 'NERTC',
    make: nertc,
    table: NERTC_SHELL,
    broadcaster: NERtcClientRole.broadcaster,
    proxyOn: 1,
    proxyRefused: 2,
    codes: {
      notInitialized: C.invalidState,
      invalid: C.invalidParam,
      proxyUnavailable: C.invalidState,
      profileLocked: C.invalidState,
    },
  },
] as const;

describe.each(profiles)('$name engine through the shared shell', (p) => {
  it('the table carries the profile’s own return codes', () => {
    expect([
      p.table.notInitialized,
      p.table.invalidArgument,
      p.table.proxyUnavailable,
      p.table.profileLocked,
    ]).toEqual([p.codes.notInitialized, p.codes.invalid, p.codes.proxyUnavailable, p.codes.profileLocked]);
  });

  it('before initialize every shell call answers notInitialized', () => {
    const api = p.make(true);
    expect(api.engine.setClientRole(p.broadcaster)).toBe(p.codes.notInitialized);
    expect(api.engine.setChannelProfile(0)).toBe(p.codes.notInitialized);
    expect(api.engine.setCloudProxy(0)).toBe(p.codes.notInitialized);
  });

  it('invalid values are refused with invalidArgument', () => {
    const api = p.make(true);
    expect(api.init()).toBe(0);
    expect(api.engine.setClientRole(99)).toBe(p.codes.invalid);
    expect(api.engine.setChannelProfile(99)).toBe(p.codes.invalid);
    expect(api.engine.setCloudProxy(p.proxyRefused)).toBe(p.codes.invalid);
  });

  it('a role set before joining is remembered and sent with the join', () => {
    const api = p.make(true);
    api.init();
    expect(api.engine.setClientRole(p.broadcaster)).toBe(0);
    expect(api.engine.joinChannel('', 'room', 1)).toBe(0);
    api.server.latest().open();
    expect(api.server.latest().lastJoin()?.role).toBe('broadcaster');
  });

  it('the channel profile is locked outside the table’s open statuses', () => {
    const api = p.make(true);
    api.init();
    expect(api.engine.setChannelProfile(0)).toBe(0);
    api.engine.joinChannel('', 'room', 1);
    expect(api.engine.setChannelProfile(0)).toBe(p.codes.profileLocked);
  });

  it('the proxy needs a reachable proxy; off is always accepted', () => {
    const api = p.make(false);
    api.init();
    expect(api.engine.setCloudProxy(p.proxyOn)).toBe(p.codes.proxyUnavailable);
    expect(api.engine.setCloudProxy(0)).toBe(0);
    const usable = p.make(true);
    usable.init();
    expect(usable.engine.setCloudProxy(p.proxyOn)).toBe(0);
  });
});

describe('proxy and profile tables', () => {
  it.each([
    [AGORA_SHELL, [CloudProxyType.NoneProxy, CloudProxyType.UdpProxy, CloudProxyType.TcpProxy, 3]],
    [NERTC_SHELL, [0, 1, 2, 3]],
  ])('proxy mapping %#', (table, values) => {
    expect(values.map((v) => table.proxy(v))).toEqual(
      table === AGORA_SHELL ? [false, undefined, true, undefined] : [false, true, undefined, undefined],
    );
  });
  it('Agora allows a profile change only Disconnected; NERTC also after Failed', () => {
    const statuses: Status[] = ['disconnected', 'connecting', 'connected', 'reconnecting', 'failed'];
    expect(statuses.filter((s) => AGORA_SHELL.profileOpenIn.includes(s))).toEqual(['disconnected']);
    expect(statuses.filter((s) => NERTC_SHELL.profileOpenIn.includes(s))).toEqual(['disconnected', 'failed']);
  });
});

describe('nertcView: the NERTC state is a function of the session', () => {
  it.each([
    [{ status: 'disconnected', reason: 'initial' }, false, NS.disconnected, undefined],
    [{ status: 'connecting', reason: 'connecting' }, false, NS.connecting, NR.joinChannel],
    [{ status: 'connected', reason: 'join_success' }, true, NS.connected, NR.joinSucceed],
    [{ status: 'disconnected', reason: 'leave' }, true, NS.disconnected, NR.leaveChannel],
    // Endings: the last change nertcEnding tells.
    [{ status: 'failed', reason: 'join_failed' }, false, NS.failed, NR.joinChannelFailed],
    [{ status: 'failed', reason: 'join_failed' }, true, NS.disconnected, NR.timeout],
    [{ status: 'failed', reason: 'banned' }, true, NS.disconnected, NR.serverKicked],
  ] as const)('%j joined=%s → %s/%s', (told, joined, state, reason) => {
    expect(nertcView(told, joined)).toEqual({ state, reason });
  });
});
