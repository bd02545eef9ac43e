import {
  ChannelProfileType,
  type ClientFrame,
  ClientRoleType,
  ErrorCodeType as E,
  ConnectionChangedReasonType as R,
  ConnectionStateType as S,
  TestClock,
} from '@holdfast/protocol';
import { beforeEach, describe, expect, it } from 'vitest';
import { fakeEngineContext } from '../testing/fake-context.js';
import { FakePeers } from '../testing/fake-peer.js';
import { type FakeConnection, FakeServer } from '../testing/fake-server.js';
import { ECHO_TEST_UID, type EchoTestContext, echoTestRequest } from './echo-test.js';
import { createRtcEngine } from './rtc-engine.js';
import type { IRtcEngine, IRtcEngineEventHandler } from './types.js';

/**
 * Agora's startEchoTest / stopEchoTest: the config checks (pure), then the engine over a
 * FakeServer: the test's own channel as uid 0xFFFFFFFF, its states told with reason EchoTest,
 * joinChannel -8 while it runs, (Failed, RejectedByServer) when the server refuses the test's
 * channel, stopEchoTest -5 with none running, and a normal join right after a stop.
 */

const CTX: EchoTestContext = {
  initialized: true,
  running: false,
  inChannel: false,
  role: 'broadcaster',
  profile: 'live',
};

describe('echoTestRequest (the config checks)', () => {
  it('takes the defaults: audio on, video off, 2 s, uid 0xFFFFFFFF is the engine’s', () => {
    const r = echoTestRequest({ channelId: 'echo-1' }, CTX);
    expect(r).toEqual({
      ok: true,
      request: {
        channel: 'echo-1',
        token: undefined,
        audio: true,
        video: false,
        delayMs: 2000,
        view: undefined,
      },
    });
    expect(ECHO_TEST_UID).toBe(0xffffffff);
    const ten = echoTestRequest(
      { channelId: 'e', intervalInSeconds: 10, enableVideo: true, token: 't' },
      CTX,
    );
    expect(ten.ok && ten.request).toMatchObject({ delayMs: 10_000, video: true, token: 't' });
  });

  it.each([
    ['not initialized', { channelId: 'e' }, { initialized: false }, -E.ErrNotInitialized],
    ['a test running', { channelId: 'e' }, { running: true }, -E.ErrInvalidState],
    ['in a channel', { channelId: 'e' }, { inChannel: true }, -E.ErrInvalidState],
    ['an audience member in live broadcasting', { channelId: 'e' }, { role: 'audience' }, -E.ErrRefused],
    ['interval 1 s', { channelId: 'e', intervalInSeconds: 1 }, {}, -E.ErrInvalidArgument],
    ['interval 11 s', { channelId: 'e', intervalInSeconds: 11 }, {}, -E.ErrInvalidArgument],
    ['interval 2.5 s', { channelId: 'e', intervalInSeconds: 2.5 }, {}, -E.ErrInvalidArgument],
    ['interval "2"', { channelId: 'e', intervalInSeconds: '2' }, {}, -E.ErrInvalidArgument],
    ['no channelId', {}, {}, -E.ErrInvalidArgument],
    ['a bad channel name', { channelId: 'a/b' }, {}, -E.ErrInvalidArgument],
    ['a number token', { channelId: 'e', token: 7 }, {}, -E.ErrInvalidArgument],
    ['neither audio nor video', { channelId: 'e', enableAudio: false }, {}, -E.ErrInvalidArgument],
    ['enableVideo "yes"', { channelId: 'e', enableVideo: 'yes' }, {}, -E.ErrInvalidArgument],
    ['a view that is not an element', { channelId: 'e', view: {} }, {}, -E.ErrInvalidArgument],
    ['no config', undefined, {}, -E.ErrInvalidArgument],
  ] as const)('%s → %s', (_what, config, ctx, code) => {
    expect(echoTestRequest(config as never, { ...CTX, ...ctx })).toEqual({ ok: false, code });
  });

  it('an audience member in the communication profile may test', () => {
    expect(
      echoTestRequest({ channelId: 'e' }, { ...CTX, role: 'audience', profile: 'communication' }).ok,
    ).toBe(true);
  });
});

type Call = [string, ...unknown[]];
let clock: TestClock;
let server: FakeServer;
let peers: FakePeers;
let engine: IRtcEngine;
let calls: Call[];

const flush = async () => {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
};
const named = (name: string) => calls.filter((c) => c[0] === name).map((c) => c.slice(1));
const frames = <T extends ClientFrame['type']>(conn: FakeConnection, type: T) =>
  conn.sent.filter((f) => f.type === type) as Array<Extract<ClientFrame, { type: T }>>;

beforeEach(() => {
  clock = new TestClock();
  server = new FakeServer();
  peers = new FakePeers();
  calls = [];
  engine = createRtcEngine();
  engine.initialize(fakeEngineContext(server, clock, { peers }));
  // The engine starts as an audience member in live broadcasting, which may not test.
  engine.setClientRole(ClientRoleType.ClientRoleBroadcaster);
  engine.registerEventHandler(
    new Proxy({} as IRtcEngineEventHandler, {
      get: (_t, name) =>
        typeof name === 'string' && name.startsWith('on')
          ? (...args: unknown[]) => calls.push([name, ...args.slice(1)])
          : undefined,
    }),
  );
});

async function startEcho(config = {}): Promise<FakeConnection> {
  expect(engine.startEchoTest({ channelId: 'echo-dev-1', intervalInSeconds: 3, ...config })).toBe(0);
  const conn = server.latest().accept();
  await flush();
  return conn;
}

describe('the engine’s echo test', () => {
  it('joins its own channel as uid 0xFFFFFFFF, publishes the mic and subscribes to itself with the delay', async () => {
    const conn = await startEcho({ token: 'tok' });
    expect(conn.lastJoin()).toMatchObject({
      channel: 'echo-dev-1',
      uid: 0xffffffff,
      token: 'tok',
      profile: 'communication',
    });
    expect(frames(conn, 'media_subscribe').at(-1)).toEqual({
      type: 'media_subscribe',
      audio: true,
      video: false,
      echo: { delayMs: 3000 },
    });
    expect(frames(conn, 'media_publish')).toHaveLength(1);
    expect(peers.created[0]!.localDescription?.sdp).toContain('m=audio');
    expect(peers.created[0]!.localDescription?.sdp).not.toContain('m=video');
    // Its states carry reason EchoTest (17); it is not a channel the app joined.
    expect(named('onConnectionStateChanged')).toEqual([
      [S.ConnectionStateConnecting, R.ConnectionChangedEchoTest],
      [S.ConnectionStateConnected, R.ConnectionChangedEchoTest],
    ]);
    expect(named('onJoinChannelSuccess')).toEqual([]);
    expect(engine.getConnectionState()).toBe(S.ConnectionStateConnected);
  });

  it('with enableVideo the camera is published and subscribed too', async () => {
    const conn = await startEcho({ enableVideo: true });
    expect(frames(conn, 'media_subscribe').at(-1)).toMatchObject({
      audio: true,
      video: true,
      echo: { delayMs: 3000 },
    });
    expect(peers.created[0]!.localDescription?.sdp).toContain('m=video');
  });

  it('joinChannel returns -8 during the test and sends nothing; a second start is -8', async () => {
    const conn = await startEcho();
    const sent = conn.sent.length;
    expect(engine.joinChannel('', 'room', 5)).toBe(-E.ErrInvalidState);
    expect(engine.startEchoTest({ channelId: 'other' })).toBe(-E.ErrInvalidState);
    await flush();
    expect(server.connections).toHaveLength(1);
    expect(conn.sent.length).toBe(sent);
  });

  it('stopEchoTest leaves the test’s channel (Disconnected, EchoTest), then joinChannel works as before', async () => {
    engine.enableVideo();
    const conn = await startEcho();
    expect(engine.stopEchoTest()).toBe(0);
    expect(frames(conn, 'leave')).toHaveLength(1);
    expect(named('onConnectionStateChanged').at(-1)).toEqual([
      S.ConnectionStateDisconnected,
      R.ConnectionChangedEchoTest,
    ]);
    expect(named('onLeaveChannel')).toEqual([]);
    expect(engine.stopEchoTest()).toBe(-E.ErrRefused);
    calls = [];
    expect(engine.joinChannel('', 'room', 5)).toBe(0);
    const room = server.latest().accept();
    await flush();
    expect(room.lastJoin()).toMatchObject({ channel: 'room', uid: 5 });
    // The app's settings are back: enableVideo from before the test, no echo.
    expect(frames(room, 'media_subscribe').at(-1)).toEqual({
      type: 'media_subscribe',
      audio: true,
      video: true,
    });
    expect(named('onConnectionStateChanged')).toEqual([
      [S.ConnectionStateConnecting, R.ConnectionChangedConnecting],
      [S.ConnectionStateConnected, R.ConnectionChangedJoinSuccess],
    ]);
    expect(named('onJoinChannelSuccess')).toHaveLength(1);
  });

  it('stopEchoTest with none running is -5, before and after a channel', async () => {
    expect(engine.stopEchoTest()).toBe(-E.ErrRefused);
    expect(engine.joinChannel('', 'room', 5)).toBe(0);
    server.latest().accept();
    await flush();
    expect(engine.stopEchoTest()).toBe(-E.ErrRefused);
    expect(engine.startEchoTest({ channelId: 'e' })).toBe(-E.ErrInvalidState);
    expect(createRtcEngine().stopEchoTest()).toBe(-E.ErrNotInitialized);
  });

  it('the server refusing the test’s channel is (Failed, RejectedByServer); the test still needs stopEchoTest', async () => {
    expect(engine.startEchoTest({ channelId: 'taken' })).toBe(0);
    server.latest().open().receive({ type: 'end', code: 'rejected', message: 'an echo test is running' });
    await flush();
    expect(named('onConnectionStateChanged').at(-1)).toEqual([
      S.ConnectionStateFailed,
      R.ConnectionChangedRejectedByServer,
    ]);
    expect(engine.joinChannel('', 'room', 5)).toBe(-E.ErrInvalidState);
    expect(engine.stopEchoTest()).toBe(0);
    expect(engine.joinChannel('', 'room', 5)).toBe(0);
  });

  it('an audience member in live broadcasting is refused (-5) and nothing is sent', async () => {
    engine.setClientRole(ClientRoleType.ClientRoleAudience);
    engine.setChannelProfile(ChannelProfileType.ChannelProfileLiveBroadcasting);
    expect(engine.startEchoTest({ channelId: 'e' })).toBe(-E.ErrRefused);
    expect(server.connections).toHaveLength(0);
    engine.setChannelProfile(ChannelProfileType.ChannelProfileCommunication);
    expect(engine.startEchoTest({ channelId: 'e' })).toBe(0);
  });
});
