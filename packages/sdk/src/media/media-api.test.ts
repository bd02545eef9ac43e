import {
  ChannelProfileType,
  type ClientFrame,
  ClientRoleType,
  ErrorCodeType,
  LocalAudioStreamReason as LAR,
  LocalAudioStreamState as LAS,
  LocalVideoStreamReason as LVR,
  LocalVideoStreamState as LVS,
  type MediaTrackInfo,
  RemoteAudioStateReason as RAR,
  RemoteAudioState as RAS,
  RemoteVideoStateReason as RVR,
  RemoteVideoState as RVS,
  TestClock,
  VideoSourceType,
} from '@holdfast/protocol';
import { beforeEach, describe, expect, it } from 'vitest';
import { createRtcEngine } from '../engine/rtc-engine.js';
import type { IRtcEngine, IRtcEngineEventHandler } from '../engine/types.js';
import { FakeMediaDevices, type FakePeerConnection, FakePeers, fakeSdp } from '../testing/fake-peer.js';
import { type FakeConnection, FakeServer } from '../testing/fake-server.js';

/**
 * The Agora media API end to end inside the SDK: a FakeServer plays the Holdfast server's media
 * signalling, FakePeers stand in for RTCPeerConnection, a TestClock drives the samplers. No
 * browser, no sockets, exact timings.
 */

type Call = [string, ...unknown[]];
let clock: TestClock;
let server: FakeServer;
let peers: FakePeers;
let devices: FakeMediaDevices;
let engine: IRtcEngine;
let calls: Call[];
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

const flush = async () => {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
};
const named = (name: string) => calls.filter((c) => c[0] === name).map((c) => c.slice(1));
const media = (conn: FakeConnection) => conn.sent.filter((f) => f.type.startsWith('media_'));
const last = <T extends ClientFrame['type']>(conn: FakeConnection, type: T) =>
  conn.sent.filter((f) => f.type === type).at(-1) as Extract<ClientFrame, { type: T }> | undefined;

/** Advances in 250 ms steps with a server keepalive each (so signalling stays Connected), flushing each. */
async function tick(ms: number, conn = server.latest()): Promise<void> {
  for (let done = 0; done < ms; done += 250) {
    conn.receive({ type: 'ka' });
    clock.advance(Math.min(250, ms - done));
    await flush();
  }
}

async function join(
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
async function answerPublish(conn: FakeConnection): Promise<FakePeerConnection> {
  const pub = peers.created[0]!;
  expect(last(conn, 'media_publish')).toBeDefined();
  conn.receive({ type: 'media_publish_answer', sdp: fakeSdp('answer', []) });
  await flush();
  pub.setConnectionState('connected');
  return pub;
}

const tracks2: MediaTrackInfo[] = [
  { mid: '0', uid: 2, kind: 'audio', state: 'on' },
  { mid: '1', uid: 2, kind: 'video', state: 'on' },
];
async function offer(
  conn: FakeConnection,
  version: number,
  tracks: MediaTrackInfo[],
): Promise<FakePeerConnection> {
  conn.receive({ type: 'media_offer', version, sdp: fakeSdp('offer', tracks), tracks });
  await flush();
  return peers.created.find((p) => p.remoteDescription?.type === 'offer')!;
}
const event = (
  conn: FakeConnection,
  e: Parameters<FakeConnection['receive']>[0] extends infer F ? F : never,
) => conn.receive(e);

beforeEach(() => {
  clock = new TestClock();
  server = new FakeServer();
  peers = new FakePeers();
  devices = new FakeMediaDevices();
  calls = [];
  seq = 0;
  engine = createRtcEngine();
  engine.initialize({
    appId: 'demo',
    serverUrl: 'ws://fake',
    clock,
    transport: server.transport,
    network: null,
    media: { RTCPeerConnection: peers.ctor, mediaDevices: devices, audioSink: null },
  });
  engine.registerEventHandler(recorder());
});

const mediaEvent = (conn: FakeConnection, uid: number, audio: string, video: string) =>
  event(conn, {
    type: 'event',
    seq: ++seq,
    event: { kind: 'media', uid, audio, video } as never,
  });

describe('publishing (Agora shape)', () => {
  it('a broadcaster with enableVideo publishes mic + camera in one offer; state after the answer; Encoding once connected', async () => {
    const conn = await join();
    expect(devices.live('audio')).toHaveLength(1);
    expect(devices.live('video')).toHaveLength(1);
    const pub = peers.created[0]!;
    expect(pub.config).toEqual({ iceServers: [], bundlePolicy: 'max-bundle' });
    expect(pub.senders.map((s) => [s.kind, s.track?.id])).toEqual([
      ['audio', devices.live('audio')[0]!.id],
      ['video', devices.live('video')[0]!.id],
    ]);
    const offerSdp = last(conn, 'media_publish')!.sdp;
    expect(offerSdp).toContain('m=audio');
    expect(offerSdp).toContain('m=video');
    // No state before the answer: the server counts a new track as 'on' when it arrives.
    expect(last(conn, 'media_state')).toBeUndefined();
    expect(named('onLocalAudioStateChanged')).toEqual([
      [LAS.LocalAudioStreamStateRecording, LAR.LocalAudioStreamReasonOk],
    ]);
    expect(named('onFirstLocalVideoFrame')).toEqual([
      [VideoSourceType.VideoSourceCameraPrimary, 640, 360, 0],
    ]);
    await answerPublish(conn);
    expect(last(conn, 'media_state')).toEqual({ type: 'media_state', audio: 'on', video: 'on' });
    expect(named('onLocalVideoStateChanged')).toEqual([
      [
        VideoSourceType.VideoSourceCameraPrimary,
        LVS.LocalVideoStreamStateCapturing,
        LVR.LocalVideoStreamReasonOk,
      ],
      [
        VideoSourceType.VideoSourceCameraPrimary,
        LVS.LocalVideoStreamStateEncoding,
        LVR.LocalVideoStreamReasonOk,
      ],
    ]);
    expect(named('onLocalAudioStateChanged').at(-1)).toEqual([
      LAS.LocalAudioStreamStateEncoding,
      LAR.LocalAudioStreamReasonOk,
    ]);
    expect(media(conn).map((f) => f.type)).toEqual(['media_subscribe', 'media_publish', 'media_state']);
  });

  it('waits for ICE gathering before sending the offer', async () => {
    engine.enableVideo();
    engine.joinChannel('', 'room', 1, { clientRoleType: ClientRoleType.ClientRoleBroadcaster });
    const conn = server.latest();
    // Hold gathering on every connection made from now on.
    const original = peers.created.push.bind(peers.created);
    peers.created.push = (...p: FakePeerConnection[]) => {
      for (const x of p) x.holdGathering = true;
      return original(...p);
    };
    conn.accept({ members: [] });
    await flush();
    expect(last(conn, 'media_publish')).toBeUndefined();
    peers.created[0]!.completeGathering();
    await flush();
    expect(last(conn, 'media_publish')).toBeDefined();
  });

  it('muteLocalVideoStream: no track sent, state muted, camera still captured; unmute restores it', async () => {
    const conn = await join();
    const pub = await answerPublish(conn);
    const camera = devices.live('video')[0]!;
    expect(engine.muteLocalVideoStream(true)).toBe(0);
    await flush();
    expect(last(conn, 'media_state')).toEqual({ type: 'media_state', audio: 'on', video: 'muted' });
    expect(pub.senders[1]!.track).toBeNull();
    expect(camera.stopped).toBe(false);
    engine.muteLocalVideoStream(false);
    await flush();
    expect(pub.senders[1]!.track).toBe(camera);
    expect(last(conn, 'media_state')).toEqual({ type: 'media_state', audio: 'on', video: 'on' });
    // No renegotiation for a mute: still the one offer.
    expect(conn.sent.filter((f) => f.type === 'media_publish')).toHaveLength(1);
  });

  it('enableLocalVideo(false) stops the camera (state off, Stopped); true captures again', async () => {
    const conn = await join();
    await answerPublish(conn);
    engine.enableLocalVideo(false);
    await flush();
    expect(devices.live('video')).toHaveLength(0);
    expect(last(conn, 'media_state')).toEqual({ type: 'media_state', audio: 'on', video: 'off' });
    expect(named('onLocalVideoStateChanged').at(-1)).toEqual([
      0,
      LVS.LocalVideoStreamStateStopped,
      LVR.LocalVideoStreamReasonOk,
    ]);
    engine.enableLocalVideo(true);
    await flush();
    expect(devices.live('video')).toHaveLength(1);
    expect(last(conn, 'media_state')).toEqual({ type: 'media_state', audio: 'on', video: 'on' });
  });

  it('video enabled after joining adds a transceiver: a renegotiation on the same connection', async () => {
    const conn = await join({ video: false });
    const pub = await answerPublish(conn);
    expect(pub.senders.map((s) => s.kind)).toEqual(['audio']);
    expect(last(conn, 'media_state')).toEqual({ type: 'media_state', audio: 'on', video: 'off' });
    engine.enableVideo();
    await flush();
    expect(peers.created).toHaveLength(1);
    expect(conn.sent.filter((f) => f.type === 'media_publish')).toHaveLength(2);
    expect(last(conn, 'media_publish')!.sdp).toContain('m=video');
    conn.receive({ type: 'media_publish_answer', sdp: fakeSdp('answer', []) });
    await flush();
    expect(last(conn, 'media_state')).toEqual({ type: 'media_state', audio: 'on', video: 'on' });
  });

  it('a capture failure is Failed with its reason, and the kind is published as off', async () => {
    devices.fail.video = 'NotAllowedError';
    devices.fail.audio = 'NotFoundError';
    const conn = await join();
    expect(named('onLocalVideoStateChanged')).toEqual([
      [0, LVS.LocalVideoStreamStateFailed, LVR.LocalVideoStreamReasonDeviceNoPermission],
    ]);
    expect(named('onLocalAudioStateChanged')).toEqual([
      [LAS.LocalAudioStreamStateFailed, LAR.LocalAudioStreamReasonNoRecordingDevice],
    ]);
    expect(last(conn, 'media_publish')).toBeUndefined();
    expect(last(conn, 'media_state')).toEqual({ type: 'media_state', audio: 'off', video: 'off' });
  });

  it('an audience member in live broadcasting publishes nothing and still subscribes', async () => {
    const conn = await join({ role: 'audience' });
    expect(devices.tracks).toHaveLength(0);
    expect(media(conn)).toEqual([{ type: 'media_subscribe', audio: true, video: true }]);
  });

  it('becoming audience unpublishes; becoming broadcaster again publishes anew', async () => {
    const conn = await join();
    await answerPublish(conn);
    engine.setClientRole(ClientRoleType.ClientRoleAudience);
    const setRole = last(conn, 'set_role')!;
    conn.receive({ type: 'role_result', id: setRole.id, ok: true, role: 'audience' });
    await flush();
    expect(last(conn, 'media_unpublish')).toBeDefined();
    expect(peers.created[0]!.closed).toBe(true);
    expect(devices.live('audio')).toHaveLength(0);
    engine.setClientRole(ClientRoleType.ClientRoleBroadcaster);
    conn.receive({ type: 'role_result', id: last(conn, 'set_role')!.id, ok: true, role: 'broadcaster' });
    await flush();
    expect(conn.sent.filter((f) => f.type === 'media_publish')).toHaveLength(2);
  });

  it('a refused publish (media_error not_broadcaster) is onError(-5 refused) and not retried', async () => {
    const conn = await join();
    conn.receive({ type: 'media_error', code: 'not_broadcaster', message: 'only broadcasters publish' });
    await flush();
    expect(named('onError')).toEqual([[ErrorCodeType.ErrRefused, 'media: only broadcasters publish']]);
    engine.muteLocalAudioStream(true);
    await flush();
    expect(conn.sent.filter((f) => f.type === 'media_publish')).toHaveLength(1);
  });

  it('publishMicrophoneTrack false publishes only the camera; updateChannelMediaOptions turns it on (-8 outside a channel)', async () => {
    expect(engine.updateChannelMediaOptions({ publishMicrophoneTrack: true })).toBe(
      -ErrorCodeType.ErrInvalidState,
    );
    engine.enableVideo();
    engine.joinChannel('', 'room', 1, {
      clientRoleType: ClientRoleType.ClientRoleBroadcaster,
      publishMicrophoneTrack: false,
    });
    const conn = server.latest().accept({ members: [] });
    await flush();
    expect(devices.live('audio')).toHaveLength(0);
    expect(peers.created[0]!.senders.map((s) => s.kind)).toEqual(['video']);
    expect(engine.updateChannelMediaOptions({ publishMicrophoneTrack: true })).toBe(0);
    await flush();
    expect(devices.live('audio')).toHaveLength(1);
    expect(engine.updateChannelMediaOptions({ autoSubscribeVideo: 'yes' as never })).toBe(
      -ErrorCodeType.ErrInvalidArgument,
    );
    expect(last(conn, 'media_subscribe')).toEqual({ type: 'media_subscribe', audio: true, video: true });
  });
});

describe('subscribing and the remote states (Agora shape)', () => {
  it('an offer is answered with its version; tracks start, decode, freeze after 600 ms and recover', async () => {
    const conn = await join();
    const sub = await offer(conn, 1, tracks2);
    expect(last(conn, 'media_answer')).toMatchObject({ type: 'media_answer', version: 1 });
    expect(named('onRemoteAudioStateChanged')).toEqual([
      [2, RAS.RemoteAudioStateStarting, RAR.RemoteAudioReasonInternal, 0],
    ]);
    expect(named('onRemoteVideoStateChanged')).toEqual([
      [2, RVS.RemoteVideoStateStarting, RVR.RemoteVideoStateReasonInternal, 0],
    ]);
    calls = [];
    sub.setInbound('0', { packetsReceived: 50 });
    sub.setInbound('1', { framesDecoded: 5, frameWidth: 640, frameHeight: 360 });
    await tick(250);
    expect(named('onRemoteVideoStateChanged')).toEqual([
      [2, RVS.RemoteVideoStateDecoding, RVR.RemoteVideoStateReasonInternal, 250],
    ]);
    expect(named('onRemoteAudioStateChanged')).toEqual([
      [2, RAS.RemoteAudioStateDecoding, RAR.RemoteAudioReasonInternal, 250],
    ]);
    expect(named('onFirstRemoteVideoDecoded')).toEqual([[2, 640, 360, 250]]);
    calls = [];
    // Nothing new: 500 ms is not a freeze, 750 ms is (sampled every 250 ms).
    await tick(500);
    expect(named('onRemoteVideoStateChanged')).toEqual([]);
    await tick(250);
    expect(named('onRemoteVideoStateChanged')).toEqual([
      [2, RVS.RemoteVideoStateFrozen, RVR.RemoteVideoStateReasonNetworkCongestion, 1000],
    ]);
    expect(named('onRemoteAudioStateChanged')).toEqual([
      [2, RAS.RemoteAudioStateFrozen, RAR.RemoteAudioReasonNetworkCongestion, 1000],
    ]);
    calls = [];
    sub.setInbound('1', { framesDecoded: 9 });
    await tick(250);
    expect(named('onRemoteVideoStateChanged')).toEqual([
      [2, RVS.RemoteVideoStateDecoding, RVR.RemoteVideoStateReasonNetworkRecovery, 1250],
    ]);
    // Signalling never moved.
    expect(named('onConnectionStateChanged')).toEqual([]);
  });

  it('a remote mute: onUserMuteVideo(true) and Stopped/RemoteMuted; unmute: (false), Starting then Decoding/RemoteUnmuted', async () => {
    const conn = await join();
    const sub = await offer(conn, 1, tracks2);
    sub.setInbound('1', { framesDecoded: 5 });
    await tick(250);
    calls = [];
    mediaEvent(conn, 2, 'on', 'muted');
    expect(named('onUserMuteVideo')).toEqual([[2, true]]);
    expect(named('onRemoteVideoStateChanged')).toEqual([
      [2, RVS.RemoteVideoStateStopped, RVR.RemoteVideoStateReasonRemoteMuted, 250],
    ]);
    await tick(2000);
    expect(named('onRemoteVideoStateChanged')).toHaveLength(1);
    calls = [];
    mediaEvent(conn, 2, 'on', 'on');
    expect(named('onUserMuteVideo')).toEqual([[2, false]]);
    sub.setInbound('1', { framesDecoded: 8 });
    await tick(250);
    expect(named('onRemoteVideoStateChanged').map((c) => c.slice(0, 3))).toEqual([
      [2, RVS.RemoteVideoStateStarting, RVR.RemoteVideoStateReasonRemoteUnmuted],
      [2, RVS.RemoteVideoStateDecoding, RVR.RemoteVideoStateReasonRemoteUnmuted],
    ]);
  });

  it('a remote disable is onUserEnableVideo(false) (not a mute); audio mute is onUserMuteAudio', async () => {
    const conn = await join();
    await offer(conn, 1, tracks2);
    mediaEvent(conn, 2, 'muted', 'off');
    expect(named('onUserEnableVideo')).toEqual([[2, false]]);
    expect(named('onUserMuteVideo')).toEqual([]);
    expect(named('onUserMuteAudio')).toEqual([[2, true]]);
    mediaEvent(conn, 2, 'on', 'on');
    expect(named('onUserEnableVideo')).toEqual([
      [2, false],
      [2, true],
    ]);
  });

  it('muteRemoteVideoStream pauses that user (Stopped/LocalMuted); muteAll covers later users; per-user back on', async () => {
    const conn = await join({ members: [2, 3] });
    await offer(conn, 1, tracks2);
    calls = [];
    expect(engine.muteRemoteVideoStream(2, true)).toBe(0);
    expect(last(conn, 'media_subscribe')).toEqual({
      type: 'media_subscribe',
      audio: true,
      video: true,
      paused: [{ uid: 2, kind: 'video' }],
    });
    expect(named('onRemoteVideoStateChanged')).toEqual([
      [2, RVS.RemoteVideoStateStopped, RVR.RemoteVideoStateReasonLocalMuted, 0],
    ]);
    engine.muteAllRemoteAudioStreams(true);
    expect(last(conn, 'media_subscribe')).toEqual({
      type: 'media_subscribe',
      audio: false,
      video: true,
      paused: [{ uid: 2, kind: 'video' }],
    });
    engine.muteRemoteAudioStream(3, false);
    expect(last(conn, 'media_subscribe')!.wanted).toEqual([{ uid: 3, kind: 'audio' }]);
    expect(engine.muteRemoteVideoStream(0, true)).toBe(-ErrorCodeType.ErrInvalidArgument);
  });

  it('a user going offline: Stopped/RemoteOffline for each live track, then onUserOffline', async () => {
    const conn = await join();
    await offer(conn, 1, tracks2);
    calls = [];
    event(conn, { type: 'event', seq: ++seq, event: { kind: 'user_offline', uid: 2, reason: 'quit' } });
    expect(calls.map((c) => c[0])).toEqual([
      'onRemoteAudioStateChanged',
      'onRemoteVideoStateChanged',
      'onUserOffline',
    ]);
    expect(named('onRemoteVideoStateChanged')).toEqual([
      [2, RVS.RemoteVideoStateStopped, RVR.RemoteVideoStateReasonRemoteOffline, 0],
    ]);
  });

  it('an offer naming a member before its join event: its tracks count once the member is known', async () => {
    const conn = await join({ members: [] });
    await offer(conn, 1, tracks2);
    expect(named('onRemoteVideoStateChanged')).toEqual([]);
    event(conn, { type: 'event', seq: ++seq, event: { kind: 'user_joined', uid: 2 } });
    expect(calls.map((c) => c[0]).filter((n) => n !== 'onRemoteAudioStateChanged')).toContain('onUserJoined');
    expect(named('onRemoteVideoStateChanged')).toEqual([
      [2, RVS.RemoteVideoStateStarting, RVR.RemoteVideoStateReasonInternal, 0],
    ]);
  });

  it('a newer offer renegotiates the same connection; an older one is ignored', async () => {
    const conn = await join({ members: [2, 3] });
    const sub = await offer(conn, 2, tracks2);
    await offer(conn, 1, [{ mid: '0', uid: 3, kind: 'audio', state: 'on' }]);
    expect(
      conn.sent.filter((f) => f.type === 'media_answer').map((f) => (f as { version: number }).version),
    ).toEqual([2]);
    const more = [...tracks2, { mid: '2', uid: 3, kind: 'video' as const, state: 'muted' as const }];
    expect(await offer(conn, 3, more)).toBe(sub);
    expect(
      conn.sent.filter((f) => f.type === 'media_answer').map((f) => (f as { version: number }).version),
    ).toEqual([2, 3]);
    // uid 3's video is known muted from the offer: told once, and not started.
    expect(named('onUserMuteVideo')).toEqual([[3, true]]);
    expect(named('onRemoteVideoStateChanged').filter((c) => c[0] === 3)).toEqual([]);
  });

  it('the same offer again (resent by the server after a resume) gets the same answer again', async () => {
    const conn = await join();
    await offer(conn, 1, tracks2);
    const first = last(conn, 'media_answer')!;
    await offer(conn, 1, tracks2);
    const answers = conn.sent.filter((f) => f.type === 'media_answer');
    expect(answers).toHaveLength(2);
    expect(answers[1]).toEqual(first);
  });

  it('stats every 2 s: onRtcStats, onNetworkQuality(0, tx, rx), onRemoteVideoStats / onRemoteAudioStats', async () => {
    const conn = await join();
    const pub = await answerPublish(conn);
    const sub = await offer(conn, 1, tracks2);
    const pair = (bytesSent: number, bytesReceived: number) => ({
      type: 'candidate-pair',
      id: 'cp',
      state: 'succeeded',
      nominated: true,
      currentRoundTripTime: 0.02,
      bytesSent,
      bytesReceived,
    });
    pub.setStats([pair(1000, 100), { type: 'outbound-rtp', id: 'o1', kind: 'video', bytesSent: 1000 }]);
    sub.setStats([pair(100, 5000)]);
    sub.setInbound('1', {
      framesDecoded: 10,
      bytesReceived: 5000,
      packetsReceived: 100,
      packetsLost: 0,
      frameWidth: 640,
      frameHeight: 360,
      framesPerSecond: 15,
    });
    sub.setInbound('0', { packetsReceived: 100, bytesReceived: 2000, packetsLost: 0 });
    await tick(2000);
    calls = [];
    pub.setStats([pair(26000, 200), { type: 'outbound-rtp', id: 'o1', kind: 'video', bytesSent: 26000 }]);
    sub.setInbound('1', { framesDecoded: 40, bytesReceived: 105000, packetsReceived: 190, packetsLost: 10 });
    sub.setInbound('0', { packetsReceived: 200, bytesReceived: 10000 });
    await tick(2000);
    const [rtc] = named('onRtcStats').at(-1) as [Record<string, number>];
    expect(rtc).toMatchObject({
      txVideoKBitRate: 100,
      rxVideoKBitRate: 400,
      rxPacketLossRate: 5,
      lastmileDelay: 20,
    });
    expect(named('onNetworkQuality').at(-1)).toEqual([0, 1, 3]);
    const [video] = named('onRemoteVideoStats').at(-1) as [Record<string, number>];
    expect(video).toMatchObject({
      uid: 2,
      width: 640,
      height: 360,
      receivedBitrate: 400,
      packetLossRate: 10,
      decoderOutputFrameRate: 15,
    });
    // The counters only moved once in 4 s: frozen from t=250 to 2250 and again from 2250 (seen at 3000) to 4000.
    expect(video).toMatchObject({ totalFrozenTime: 3750, frozenRate: 100 });
    const [audio] = named('onRemoteAudioStats').at(-1) as [Record<string, number>];
    expect(audio).toMatchObject({ uid: 2, receivedBitrate: 32, audioLossRate: 0, networkTransportDelay: 10 });
  });
});

describe('preview and volume indication', () => {
  it('startPreview captures the camera outside a channel; onFirstLocalVideoFrame counts from it', async () => {
    engine.enableVideo();
    clock.advance(100);
    expect(engine.startPreview()).toBe(0);
    await flush();
    expect(devices.live('video')).toHaveLength(1);
    expect(named('onFirstLocalVideoFrame')).toEqual([
      [VideoSourceType.VideoSourceCameraPrimary, 640, 360, 0],
    ]);
    expect(peers.created).toHaveLength(0);
    engine.stopPreview();
    await flush();
    expect(devices.live('video')).toHaveLength(0);
  });

  it('enableAudioVolumeIndication: one callback for the local user, one for the loudest remote users', async () => {
    const conn = await join({ members: [2, 3] });
    const pub = await answerPublish(conn);
    const sub = await offer(conn, 1, [
      { mid: '0', uid: 2, kind: 'audio', state: 'on' },
      { mid: '1', uid: 3, kind: 'audio', state: 'on' },
    ]);
    pub.setStats([{ type: 'media-source', id: 'm', kind: 'audio', audioLevel: 0.5 }]);
    sub.setInbound('0', { audioLevel: 0.2, packetsReceived: 10 });
    sub.setInbound('1', { audioLevel: 1, packetsReceived: 10 });
    expect(engine.enableAudioVolumeIndication(500, 0, true)).toBe(0);
    expect(engine.enableAudioVolumeIndication(500, 11, true)).toBe(-ErrorCodeType.ErrInvalidArgument);
    await tick(500);
    expect(named('onAudioVolumeIndication')).toEqual([
      [[{ uid: 0, volume: 128, vad: 1, voicePitch: 0 }], 1, 128],
      [
        [
          { uid: 3, volume: 255, vad: 1 },
          { uid: 2, volume: 51, vad: 1 },
        ],
        2,
        255,
      ],
    ]);
    engine.enableAudioVolumeIndication(0, 3, false);
    calls = [];
    await tick(1000);
    expect(named('onAudioVolumeIndication')).toEqual([]);
  });
});

describe('signalling resumes and fresh re-joins', () => {
  it('a resume keeps both connections and resends only what did not go out', async () => {
    const conn = await join();
    await answerPublish(conn);
    await offer(conn, 1, tracks2);
    conn.drop();
    // While reconnecting: a mute cannot be sent yet.
    engine.muteLocalAudioStream(true);
    const next = server.latest().accept();
    await flush();
    expect(media(next)).toEqual([{ type: 'media_state', audio: 'muted', video: 'on' }]);
    expect(peers.live()).toHaveLength(2);
    expect(named('onConnectionStateChanged').at(-1)).toEqual([3, 15]);
  });

  it('a fresh re-join (session expired) closes both connections, publishes and subscribes again by itself', async () => {
    const conn = await join();
    await answerPublish(conn);
    const sub = await offer(conn, 1, tracks2);
    sub.setInbound('1', { framesDecoded: 5 });
    await tick(250);
    conn.drop();
    calls = [];
    const next = server
      .latest()
      .accept({ resumed: false, sessionExpired: true, sessionId: 'fresh', members: [{ uid: 2 }] });
    await flush();
    expect(peers.created.slice(0, 2).every((p) => p.closed)).toBe(true);
    expect(media(next).map((f) => f.type)).toEqual(['media_subscribe', 'media_publish']);
    expect(named('onRemoteVideoStateChanged')).toEqual([
      [2, RVS.RemoteVideoStateStopped, RVR.RemoteVideoStateReasonInternal, 250],
    ]);
    next.receive({ type: 'media_publish_answer', sdp: fakeSdp('answer', []) });
    await flush();
    expect(last(next, 'media_state')).toEqual({ type: 'media_state', audio: 'on', video: 'on' });
    // The new subscriber connection starts its versions afresh.
    await offer(next, 1, tracks2);
    expect(last(next, 'media_answer')).toMatchObject({ version: 1 });
    expect(named('onRemoteVideoStateChanged').at(-1)!.slice(0, 3)).toEqual([
      2,
      RVS.RemoteVideoStateStarting,
      RVR.RemoteVideoStateReasonInternal,
    ]);
  });

  it('leaving closes everything and stops the devices; the preview survives a leave', async () => {
    const conn = await join();
    await answerPublish(conn);
    engine.startPreview();
    engine.leaveChannel();
    conn.receive({ type: 'left' });
    await flush();
    expect(peers.live()).toHaveLength(0);
    expect(devices.live('audio')).toHaveLength(0);
    expect(devices.live('video')).toHaveLength(1);
    engine.stopPreview();
    await flush();
    expect(devices.live('video')).toHaveLength(0);
  });

  it('without an RTCPeerConnection the engine has no media: nothing captured, nothing sent', async () => {
    const plain = createRtcEngine();
    const local = new FakeServer();
    plain.initialize({
      appId: 'demo',
      serverUrl: 'ws://fake',
      clock,
      transport: local.transport,
      network: null,
      media: { mediaDevices: devices },
    });
    expect(plain.enableVideo()).toBe(0);
    plain.joinChannel('', 'room', 1, { clientRoleType: ClientRoleType.ClientRoleBroadcaster });
    const conn = local.latest().accept();
    await flush();
    expect(devices.tracks).toHaveLength(0);
    expect(media(conn)).toEqual([]);
    plain.release();
  });
});
