import {
  ClientRoleType,
  ErrorCodeType,
  LocalAudioStreamReason as LAR,
  LocalAudioStreamState as LAS,
  LocalVideoStreamReason as LVR,
  LocalVideoStreamState as LVS,
  RemoteVideoStateReason as RVR,
  RemoteVideoState as RVS,
  VideoSourceType,
} from '@holdfast/protocol';
import { beforeEach, describe, expect, it } from 'vitest';
import { createRtcEngine } from '../engine/rtc-engine.js';
import { type FakePeerConnection, fakeSdp } from '../testing/fake-peer.js';
import { FakeServer } from '../testing/fake-server.js';
import {
  answerPublish,
  clearCalls,
  clock,
  devices,
  engine,
  flush,
  join,
  last,
  media,
  named,
  offer,
  peers,
  server,
  setupEngine,
  tick,
  tracks2,
} from './media-api.test-support.js';

// The Agora media API end to end (set-up: media-api.test-support.ts): publishing, preview and
// volume, resumes and re-joins. The remote side is in media-remote-api.test.ts.

beforeEach(setupEngine);

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
    clearCalls();
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

  it('a resume tells the server whether it holds media connections (join.resume.media)', async () => {
    // An audience member with nobody publishing: no connection yet, nothing for the server to redo.
    const conn = await join({ role: 'audience' });
    expect(peers.live()).toHaveLength(0);
    conn.drop();
    const second = server.latest().accept();
    await flush();
    expect(second.sent[0]).toMatchObject({ type: 'join', resume: { media: false } });
    // A remote publishes: the subscriber connection is made, and the next resume says so.
    await offer(second, 1, tracks2);
    expect(peers.live()).toHaveLength(1);
    second.drop();
    const third = server.latest().accept();
    await flush();
    expect(third.sent[0]).toMatchObject({ type: 'join', resume: { media: true } });
  });

  it('a fresh re-join (session expired) closes both connections, publishes and subscribes again by itself', async () => {
    const conn = await join();
    await answerPublish(conn);
    const sub = await offer(conn, 1, tracks2);
    sub.setInbound('1', { framesDecoded: 5 });
    await tick(250);
    conn.drop();
    clearCalls();
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
