import {
  ErrorCodeType,
  RemoteAudioStateReason as RAR,
  RemoteAudioState as RAS,
  RemoteVideoStateReason as RVR,
  RemoteVideoState as RVS,
} from '@holdfast/protocol';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  answerPublish,
  calls,
  clearCalls,
  engine,
  event,
  join,
  last,
  mediaEvent,
  named,
  nextSeq,
  offer,
  setupEngine,
  tick,
  tracks2,
} from './media-api.test-support.js';

// The Agora media API end to end (set-up: media-api.test-support.ts): subscribing and the
// remote states. Publishing and the rest are in media-api.test.ts.

beforeEach(setupEngine);

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
    clearCalls();
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
    clearCalls();
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
    clearCalls();
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
    clearCalls();
    mediaEvent(conn, 2, 'on', 'muted');
    expect(named('onUserMuteVideo')).toEqual([[2, true]]);
    expect(named('onRemoteVideoStateChanged')).toEqual([
      [2, RVS.RemoteVideoStateStopped, RVR.RemoteVideoStateReasonRemoteMuted, 250],
    ]);
    await tick(2000);
    expect(named('onRemoteVideoStateChanged')).toHaveLength(1);
    clearCalls();
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
    clearCalls();
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
    clearCalls();
    event(conn, { type: 'event', seq: nextSeq(), event: { kind: 'user_offline', uid: 2, reason: 'quit' } });
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
    event(conn, { type: 'event', seq: nextSeq(), event: { kind: 'user_joined', uid: 2 } });
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
    clearCalls();
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
