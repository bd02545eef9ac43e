import {
  ChannelProfileType,
  type ClientFrame,
  ClientRoleType,
  type MediaTrackInfo,
  TestClock,
} from '@holdfast/protocol';
import { expect } from 'vitest';
import { createRtcEngine } from '../engine/rtc-engine.js';
import type { IRtcEngine, IRtcEngineEventHandler } from '../engine/types.js';
import { fakeEngineContext } from '../testing/fake-context.js';
import { FakeMediaDevices, type FakePeerConnection, FakePeers, fakeSdp } from '../testing/fake-peer.js';
import { type FakeConnection, FakeServer } from '../testing/fake-server.js';
import type { AudioSink } from './playout.js';

/**
 * The Agora media API end to end inside the SDK: a FakeServer plays the Holdfast server's media
 * signalling, FakePeers stand in for RTCPeerConnection, a TestClock drives the samplers. No
 * browser, no sockets, exact timings. Shared by media-api.test.ts and media-remote-api.test.ts.
 */

type Call = [string, ...unknown[]];
export let clock: TestClock;
export let server: FakeServer;
export let peers: FakePeers;
export let devices: FakeMediaDevices;
export let engine: IRtcEngine;
export let calls: Call[];
let seq: number;

/** Records every callback by name; the leading RtcConnection argument is dropped. */
function recorder(): IRtcEngineEventHandler {
  return new Proxy({} as IRtcEngineEventHandler, {
    get: (_t, name) => {
      if (typeof name !== 'string' || !name.startsWith('on')) return undefined;
      const noConnection = ['onLocalVideoStateChanged', 'onFirstLocalVideoFrame', 'onError'];
      return (...args: unknown[]) =>
        calls.push([name, ...(noConnection.includes(name) ? args : args.slice(1))]);
    },
  });
}

export const flush = async () => {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
};
export const named = (name: string) => calls.filter((c) => c[0] === name).map((c) => c.slice(1));
export const media = (conn: FakeConnection) => conn.sent.filter((f) => f.type.startsWith('media_'));
export const last = <T extends ClientFrame['type']>(conn: FakeConnection, type: T) =>
  conn.sent.filter((f) => f.type === type).at(-1) as Extract<ClientFrame, { type: T }> | undefined;

/** Advances in 250 ms steps with a server keepalive each (so signalling stays Connected), flushing each. */
export async function tick(ms: number, conn = server.latest()): Promise<void> {
  for (let done = 0; done < ms; done += 250) {
    conn.receive({ type: 'ka' });
    clock.advance(Math.min(250, ms - done));
    await flush();
  }
}

export async function join(
  opts: { video?: boolean; role?: 'broadcaster' | 'audience'; members?: number[] } = {},
): Promise<FakeConnection> {
  if (opts.video !== false) engine.enableVideo();
  const rc = engine.joinChannel('', 'room', 1, {
    clientRoleType:
      opts.role === 'audience' ? ClientRoleType.ClientRoleAudience : ClientRoleType.ClientRoleBroadcaster,
    channelProfile: ChannelProfileType.ChannelProfileLiveBroadcasting,
  });
  expect(rc).toBe(0);
  const conn = server.latest().accept({ members: (opts.members ?? [2]).map((uid) => ({ uid })) });
  await flush();
  return conn;
}

/** Answers the publisher's offer and connects it. */
export async function answerPublish(conn: FakeConnection): Promise<FakePeerConnection> {
  const pub = peers.created[0]!;
  expect(last(conn, 'media_publish')).toBeDefined();
  conn.receive({ type: 'media_publish_answer', sdp: fakeSdp('answer', []) });
  await flush();
  pub.setConnectionState('connected');
  return pub;
}

export const tracks2: MediaTrackInfo[] = [
  { mid: '0', uid: 2, kind: 'audio', state: 'on' },
  { mid: '1', uid: 2, kind: 'video', state: 'on' },
];
export async function offer(
  conn: FakeConnection,
  version: number,
  tracks: MediaTrackInfo[],
): Promise<FakePeerConnection> {
  conn.receive({ type: 'media_offer', version, sdp: fakeSdp('offer', tracks), tracks });
  await flush();
  return peers.created.find((p) => p.remoteDescription?.type === 'offer')!;
}
export const event = (
  conn: FakeConnection,
  e: Parameters<FakeConnection['receive']>[0] extends infer F ? F : never,
) => conn.receive(e);

/** The engine on a FakeServer with FakePeers and FakeMediaDevices, recording every callback (each test's set-up). */
export function setupEngine(): void {
  setupEngineWith(null);
}

/** {@link setupEngine} with remote audio played through `audioSink` (null: not played). */
export function setupEngineWith(audioSink: AudioSink | null): void {
  clock = new TestClock();
  server = new FakeServer();
  peers = new FakePeers();
  devices = new FakeMediaDevices();
  calls = [];
  seq = 0;
  engine = createRtcEngine();
  engine.initialize(
    fakeEngineContext(server, clock, {
      extra: { media: { RTCPeerConnection: peers.ctor, mediaDevices: devices, audioSink } },
    }),
  );
  engine.registerEventHandler(recorder());
}

/** Forgets the callbacks recorded so far. */
export function clearCalls(): void {
  calls = [];
}

export const nextSeq = () => ++seq;

export const mediaEvent = (conn: FakeConnection, uid: number, audio: string, video: string) =>
  event(conn, {
    type: 'event',
    seq: ++seq,
    event: { kind: 'media', uid, audio, video } as never,
  });
