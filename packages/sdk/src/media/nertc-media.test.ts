import { type ClientFrame, NERtcErrorCode, TestClock } from '@holdfast/protocol';
import { beforeEach, describe, expect, it } from 'vitest';
import { createNERtcEngine } from '../engine/nertc-engine.js';
import type { NERtcChannelEventCallback, NERtcEngine } from '../engine/nertc-types.js';
import { FakeMediaDevices, FakePeers, fakeSdp } from '../testing/fake-peer.js';
import { type FakeConnection, FakeServer } from '../testing/fake-server.js';

type Call = [string, ...unknown[]];
let clock: TestClock;
let server: FakeServer;
let peers: FakePeers;
let devices: FakeMediaDevices;
let engine: NERtcEngine;
let calls: Call[];
let seq = 0;

const flush = async () => {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
};
const named = (name: string) => calls.filter((c) => c[0] === name).map((c) => c.slice(1));
const last = <T extends ClientFrame['type']>(conn: FakeConnection, type: T) =>
  conn.sent.filter((f) => f.type === type).at(-1) as Extract<ClientFrame, { type: T }> | undefined;
const mediaEvent = (conn: FakeConnection, uid: number, audio: string, video: string) =>
  conn.receive({ type: 'event', seq: ++seq, event: { kind: 'media', uid, audio, video } as never });

beforeEach(() => {
  clock = new TestClock();
  server = new FakeServer();
  peers = new FakePeers();
  devices = new FakeMediaDevices();
  calls = [];
  seq = 0;
  engine = createNERtcEngine();
  const callback = new Proxy({} as NERtcChannelEventCallback, {
    get: (_t, name) =>
      typeof name === 'string' && name.startsWith('on')
        ? (...args: unknown[]) => calls.push([name, ...args])
        : undefined,
  });
  engine.create({
    appKey: 'demo',
    serverUrl: 'ws://fake',
    channelEventCallback: callback,
    options: {
      clock,
      transport: server.transport,
      network: null,
      media: { RTCPeerConnection: peers.ctor, mediaDevices: devices, audioSink: null },
    },
  });
});

async function join(): Promise<FakeConnection> {
  expect(engine.joinChannel('', 'room', 1)).toBe(0);
  const conn = server.latest().accept({ members: [{ uid: 2 }] });
  await flush();
  return conn;
}

describe('NERTC media', () => {
  it('a member already publishing video when this client joins is told by the snapshot (video not subscribed)', async () => {
    const conn = await join();
    expect(named('onUserVideoStart')).toEqual([]);
    conn.receive({
      type: 'media_snapshot',
      members: [
        { uid: 2, audio: 'on', video: 'on' },
        { uid: 9, audio: 'on', video: 'on' },
      ],
    });
    await flush();
    // uid 9 is no member this client knows: nothing is told of it.
    expect(named('onUserVideoStart').map((c) => c[0])).toEqual([2]);
    expect(named('onUserAudioStart').map((c) => c[0])).toEqual([2]);
  });

  it('joins with the microphone on, the camera off, remote audio subscribed and remote video not', async () => {
    const conn = await join();
    expect(devices.live('audio')).toHaveLength(1);
    expect(devices.live('video')).toHaveLength(0);
    expect(last(conn, 'media_subscribe')).toEqual({ type: 'media_subscribe', audio: true, video: false });
    expect(peers.created[0]!.senders.map((s) => s.kind)).toEqual(['audio']);
  });

  it('enableLocalVideo(true) publishes the camera; muteLocalVideoStream mutes it; enableLocalVideo(false) is off', async () => {
    const conn = await join();
    conn.receive({ type: 'media_publish_answer', sdp: fakeSdp('answer', []) });
    await flush();
    expect(engine.enableLocalVideo(true)).toBe(0);
    await flush();
    expect(last(conn, 'media_publish')!.sdp).toContain('m=video');
    conn.receive({ type: 'media_publish_answer', sdp: fakeSdp('answer', []) });
    await flush();
    expect(last(conn, 'media_state')).toEqual({ type: 'media_state', audio: 'on', video: 'on' });
    engine.muteLocalVideoStream(true);
    expect(last(conn, 'media_state')).toEqual({ type: 'media_state', audio: 'on', video: 'muted' });
    engine.enableLocalAudio(false);
    engine.enableLocalVideo(false);
    await flush();
    expect(last(conn, 'media_state')).toEqual({ type: 'media_state', audio: 'off', video: 'off' });
    expect(devices.live('audio')).toHaveLength(0);
    expect(engine.enableLocalVideo('yes' as never)).toBe(NERtcErrorCode.invalidParam);
  });

  it('subscribeRemoteVideoStream asks for one member’s video (30101 outside a room)', async () => {
    expect(engine.subscribeRemoteVideoStream(2, 0, true)).toBe(NERtcErrorCode.roomNotJoined);
    const conn = await join();
    expect(engine.subscribeRemoteVideoStream(2, 0, true)).toBe(0);
    expect(last(conn, 'media_subscribe')).toEqual({
      type: 'media_subscribe',
      audio: true,
      video: false,
      wanted: [{ uid: 2, kind: 'video' }],
    });
    expect(engine.subscribeRemoteAudio(2, false)).toBe(0);
    expect(last(conn, 'media_subscribe')!.paused).toEqual([{ uid: 2, kind: 'audio' }]);
  });

  it('remote changes: onUserAudioStart/VideoStart, onUserVideoMute, onUserAudioMute, onUserVideoStop, onUserAudioStop', async () => {
    const conn = await join();
    mediaEvent(conn, 2, 'on', 'on');
    mediaEvent(conn, 2, 'on', 'muted');
    mediaEvent(conn, 2, 'muted', 'muted');
    mediaEvent(conn, 2, 'on', 'on');
    mediaEvent(conn, 2, 'on', 'off');
    mediaEvent(conn, 2, 'off', 'off');
    const told = calls
      .filter((c) => c[0].startsWith('onUser') && c[0] !== 'onUserJoined')
      .map((c) => c.join(' '));
    expect(told).toEqual([
      'onUserAudioStart 2',
      'onUserVideoStart 2 0',
      'onUserVideoMute 2 true',
      'onUserAudioMute 2 true',
      'onUserAudioMute 2 false',
      'onUserVideoMute 2 false',
      'onUserVideoStop 2',
      'onUserAudioStop 2',
    ]);
  });

  it('a member first seen muted: Start and Mute(true)', async () => {
    const conn = await join();
    mediaEvent(conn, 2, 'muted', 'off');
    expect(
      calls.filter((c) => c[0].startsWith('onUser') && c[0] !== 'onUserJoined').map((c) => c.join(' ')),
    ).toEqual(['onUserAudioStart 2', 'onUserAudioMute 2 true']);
  });

  it('onNetworkQuality every 2 s with this client’s entry', async () => {
    const conn = await join();
    for (let t = 0; t < 4000; t += 250) {
      conn.receive({ type: 'ka' });
      clock.advance(250);
      await flush();
    }
    expect(named('onNetworkQuality')).toEqual([
      [[{ uid: 1, txQuality: 0, rxQuality: 0 }]],
      [[{ uid: 1, txQuality: 0, rxQuality: 0 }]],
    ]);
  });
});
