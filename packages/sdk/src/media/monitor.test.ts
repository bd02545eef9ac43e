import {
  ChannelProfileType,
  type ClientFrame,
  ConnectionChangedReasonType as CR,
  ConnectionStateType as CS,
  type MediaTrackInfo,
  NERtcConnectionStateChangeReason as NR,
  NERtcConnectionState as NS,
  RemoteVideoStateReason as RVR,
  RemoteVideoState as RVS,
  TestClock,
} from '@holdfast/protocol';
import { beforeEach, describe, expect, it } from 'vitest';
import { createNERtcEngine } from '../engine/nertc-engine.js';
import type { NERtcEngine } from '../engine/nertc-types.js';
import { createRtcEngine } from '../engine/rtc-engine.js';
import type { IRtcEngine } from '../engine/types.js';
import { nertcChannelId } from '../profiles/nertc.js';
import { FakeMediaDevices, type FakePeerConnection, FakePeers, fakeSdp } from '../testing/fake-peer.js';
import { type FakeConnection, FakeServer } from '../testing/fake-server.js';

/**
 * Media connection monitoring inside the SDK, through both engines: a FakeServer plays the
 * server's media signalling, FakePeers the connections (their inbound counters set by the test),
 * a TestClock the time. The rule table and the repair ladder as the app sees them.
 */

type Call = [string, ...unknown[]];
let clock: TestClock;
let server: FakeServer;
let peers: FakePeers;
let calls: Call[];
let seq: number;

const flush = async () => {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
};
const named = (name: string) => calls.filter((c) => c[0] === name).map((c) => c.slice(1));
const media = (conn: FakeConnection) =>
  conn.sent.filter((f) => f.type.startsWith('media_')).map((f) => f.type);
const last = <T extends ClientFrame['type']>(conn: FakeConnection, type: T) =>
  conn.sent.filter((f) => f.type === type).at(-1) as Extract<ClientFrame, { type: T }> | undefined;
const recorder = <T extends object>(dropConnection: boolean) =>
  new Proxy({} as T, {
    get: (_t, name) =>
      typeof name === 'string' && name.startsWith('on')
        ? (...args: unknown[]) => calls.push([name, ...(dropConnection ? args.slice(1) : args)])
        : undefined,
  });
const options = () => ({
  clock,
  transport: server.transport,
  network: null,
  media: { RTCPeerConnection: peers.ctor, mediaDevices: new FakeMediaDevices(), audioSink: null },
});

/** Counters per mid of the subscriber connection, increased by `flow` each step. */
let counters: Record<string, number>;
function flowOn(sub: FakePeerConnection, mids: string[]): void {
  for (const mid of mids) {
    counters[mid] = (counters[mid] ?? 0) + 10;
    sub.setInbound(mid, { packetsReceived: counters[mid], framesDecoded: counters[mid] });
  }
}

/** Advances in 250 ms steps, signalling kept fresh (a keepalive each), `each` run before every step. */
async function advance(ms: number, conn: FakeConnection, each: () => void = () => {}): Promise<void> {
  for (let done = 0; done < ms; done += 250) {
    each();
    conn.receive({ type: 'ka' });
    clock.advance(250);
    await flush();
  }
}

const mediaEvent = (conn: FakeConnection, uid: number, audio: string, video: string) =>
  conn.receive({ type: 'event', seq: ++seq, event: { kind: 'media', uid, audio, video } as never });

async function serverOffer(conn: FakeConnection, version: number, tracks: MediaTrackInfo[]) {
  conn.receive({ type: 'media_offer', version, sdp: fakeSdp('offer', tracks), tracks });
  await flush();
}

/** Publisher answered and connected, subscriber offered, answered and connected. */
async function connectMedia(conn: FakeConnection, tracks: MediaTrackInfo[]) {
  conn.receive({ type: 'media_publish_answer', sdp: fakeSdp('answer', []) });
  await flush();
  await serverOffer(conn, 1, tracks);
  const live = peers.live();
  const pub = live.find((p) => p.senders.length > 0)!;
  const sub = live.find((p) => p.remoteDescription?.type === 'offer')!;
  pub.setConnectionState('connected');
  sub.setConnectionState('connected');
  await flush();
  return { pub, sub };
}

beforeEach(() => {
  clock = new TestClock();
  server = new FakeServer();
  peers = new FakePeers();
  calls = [];
  seq = 0;
  counters = {};
});

describe('NERTC: a media outage while signalling is fine', () => {
  let engine: NERtcEngine;
  const audio2and3: MediaTrackInfo[] = [
    { mid: '0', uid: 2, kind: 'audio', state: 'on' },
    { mid: '1', uid: 3, kind: 'audio', state: 'on' },
  ];

  async function joinNertc() {
    engine = createNERtcEngine();
    engine.create({
      appKey: 'demo',
      serverUrl: 'ws://fake',
      channelEventCallback: recorder(false),
      options: options(),
    });
    expect(engine.joinChannel('', 'room', 1)).toBe(0);
    const conn = server.latest().accept({ members: [{ uid: 2 }, { uid: 3 }] });
    await flush();
    mediaEvent(conn, 2, 'on', 'off');
    mediaEvent(conn, 3, 'on', 'off');
    const { pub, sub } = await connectMedia(conn, audio2and3);
    await advance(1000, conn, () => flowOn(sub, ['0', '1']));
    calls = [];
    return { conn, pub, sub };
  }

  it('4 s without packets from either publisher: (4, 8) + onReconnectingStart, ICE restarts of both connections at once; packets again: (3, 7) + onReJoinChannel', async () => {
    const { conn, pub, sub } = await joinNertc();
    const before = media(conn).length;
    await advance(3750, conn);
    expect(named('onConnectionStateChanged')).toEqual([]);
    await advance(250, conn);
    expect(named('onConnectionStateChanged')).toEqual([[NS.reconnecting, NR.mediaConnectionDisconnected]]);
    expect(named('onReconnectingStart')).toEqual([[]]);
    expect(engine.getConnectionState()).toBe(NS.reconnecting);
    // Step 1: the publisher offers an ICE restart (media_publish), the subscriber its own (media_sub_offer).
    expect(pub.iceRestarts).toBe(1);
    expect(sub.iceRestarts).toBe(1);
    expect(media(conn).slice(before).sort()).toEqual(['media_publish', 'media_sub_offer']);
    conn.receive({ type: 'media_publish_answer', sdp: fakeSdp('answer', []) });
    conn.receive({ type: 'media_sub_answer', sdp: fakeSdp('answer', []) });
    await flush();
    expect(sub.remoteDescription?.type).toBe('answer');
    expect(sub.signalingState).toBe('stable');
    await advance(250, conn, () => flowOn(sub, ['0']));
    expect(named('onConnectionStateChanged')).toEqual([
      [NS.reconnecting, NR.mediaConnectionDisconnected],
      [NS.connected, NR.rejoinSucceed],
    ]);
    expect(named('onReJoinChannel')).toEqual([[0, nertcChannelId('room')]]);
    expect(engine.getConnectionState()).toBe(NS.connected);
    // No reset, no presence change.
    expect(media(conn)).not.toContain('media_reset');
    expect(named('onUserLeave')).toEqual([]);
  });

  it('the subscriber restart refused `busy`: the server offer it waited for is answered first, then the restart again', async () => {
    const { conn, sub } = await joinNertc();
    await advance(4000, conn);
    expect(last(conn, 'media_sub_offer')).toBeDefined();
    const subscriberFrames = () => media(conn).filter((t) => t === 'media_sub_offer' || t === 'media_answer');
    // The server had offered version 2 before it saw the restart offer: busy.
    await serverOffer(conn, 2, audio2and3);
    conn.receive({ type: 'media_error', code: 'busy', message: 'a server offer awaits your answer' });
    await flush();
    expect(subscriberFrames()).toEqual([
      'media_answer',
      'media_sub_offer',
      'media_answer',
      'media_sub_offer',
    ]);
    expect(last(conn, 'media_answer')).toMatchObject({ version: 2 });
    expect(sub.iceRestarts).toBe(2);
    // Busy with no offer on its way here (this client's answer is): tried again 250 ms later.
    conn.receive({ type: 'media_error', code: 'busy', message: 'a server offer awaits your answer' });
    await flush();
    expect(subscriberFrames()).toHaveLength(4);
    expect(sub.signalingState).toBe('stable');
    await advance(250, conn);
    expect(subscriberFrames()).toHaveLength(5);
    expect(subscriberFrames().at(-1)).toBe('media_sub_offer');
    expect(sub.iceRestarts).toBe(3);
  });

  it('signalling lost during the outage: (4, 9) follows without a second onReconnectingStart; resumed with media back: (3, 7) only', async () => {
    const { conn, sub } = await joinNertc();
    await advance(4000, conn);
    conn.drop();
    await flush();
    expect(named('onConnectionStateChanged')).toEqual([
      [NS.reconnecting, NR.mediaConnectionDisconnected],
      [NS.reconnecting, NR.signalDisconnected],
    ]);
    expect(named('onReconnectingStart')).toHaveLength(1);
    // Media heals while signalling is away: nothing is told of it (reason 9 is the state).
    const next = server.latest();
    await advance(1000, next, () => flowOn(sub, ['0', '1']));
    expect(named('onConnectionStateChanged')).toHaveLength(2);
    next.accept({ members: [{ uid: 2 }, { uid: 3 }] });
    await flush();
    await advance(500, next, () => flowOn(sub, ['0', '1']));
    expect(named('onConnectionStateChanged').slice(2)).toEqual([[NS.connected, NR.rejoinSucceed]]);
    expect(named('onUserLeave')).toEqual([]);
  });

  it('resumed with media still silent: (3, 7) for signalling, then (4, 8) and the repair 1 s later', async () => {
    const { conn, sub } = await joinNertc();
    conn.drop();
    await flush();
    clock.advance(4500);
    await flush();
    const next = server.latest().accept({ members: [{ uid: 2 }, { uid: 3 }] });
    await flush();
    // Judged on samples taken after the resume: 1 s later.
    expect(named('onConnectionStateChanged')).toHaveLength(2);
    await advance(1000, next);
    expect(named('onConnectionStateChanged')).toEqual([
      [NS.reconnecting, NR.signalDisconnected],
      [NS.connected, NR.rejoinSucceed],
      [NS.reconnecting, NR.mediaConnectionDisconnected],
    ]);
    expect(media(next).sort()).toEqual(['media_publish', 'media_sub_offer']);
    expect(sub.iceRestarts).toBe(1);
  });

  it('one silent publisher (the other still sends) is no outage of this client', async () => {
    const { conn, sub } = await joinNertc();
    await advance(8000, conn, () => flowOn(sub, ['1']));
    expect(named('onConnectionStateChanged')).toEqual([]);
    expect(media(conn)).not.toContain('media_sub_offer');
  });
});

describe('Agora: the repair ladder and what the app is told', () => {
  let engine: IRtcEngine;
  const tracks: MediaTrackInfo[] = [
    { mid: '0', uid: 2, kind: 'audio', state: 'on' },
    { mid: '1', uid: 2, kind: 'video', state: 'on' },
    { mid: '2', uid: 3, kind: 'audio', state: 'on' },
  ];

  async function joinAgora() {
    engine = createRtcEngine();
    engine.initialize({ appId: 'demo', serverUrl: 'ws://fake', ...options() });
    engine.registerEventHandler(recorder(true));
    engine.enableVideo();
    engine.joinChannel('', 'room', 1, { channelProfile: ChannelProfileType.ChannelProfileCommunication });
    const conn = server.latest().accept({ members: [{ uid: 2 }, { uid: 3 }] });
    await flush();
    mediaEvent(conn, 2, 'on', 'on');
    mediaEvent(conn, 3, 'on', 'off');
    const { pub, sub } = await connectMedia(conn, tracks);
    await advance(1000, conn, () => flowOn(sub, ['0', '1', '2']));
    calls = [];
    return { conn, pub, sub };
  }

  it('(Reconnecting, Interrupted) at 4 s; not back 3 s after the ICE restarts: media_reset and new connections; remote video Frozen → Decoding/NetworkRecovery with no Stopped; (Connected, RejoinSuccess)', async () => {
    const { conn, pub, sub } = await joinAgora();
    await advance(4000, conn);
    expect(named('onConnectionStateChanged')).toEqual([
      [CS.ConnectionStateReconnecting, CR.ConnectionChangedInterrupted],
    ]);
    expect(named('onConnectionInterrupted')).toEqual([[]]);
    expect(engine.getConnectionState()).toBe(CS.ConnectionStateReconnecting);
    expect(named('onRemoteVideoStateChanged')).toEqual([
      [2, RVS.RemoteVideoStateFrozen, RVR.RemoteVideoStateReasonNetworkCongestion, expect.any(Number)],
    ]);
    // The server answers neither restart: step 2, 3 s later.
    const before = media(conn).length;
    await advance(3000, conn);
    expect(media(conn).slice(before)).toEqual(['media_reset', 'media_subscribe', 'media_publish']);
    expect(pub.closed && sub.closed).toBe(true);
    const fresh = await connectMedia(conn, tracks);
    expect(last(conn, 'media_state')).toEqual({ type: 'media_state', audio: 'on', video: 'on' });
    counters = {};
    await advance(250, conn, () => flowOn(fresh.sub, ['0', '1', '2']));
    expect(named('onRemoteVideoStateChanged')).toEqual([
      [2, RVS.RemoteVideoStateFrozen, RVR.RemoteVideoStateReasonNetworkCongestion, expect.any(Number)],
      [2, RVS.RemoteVideoStateDecoding, RVR.RemoteVideoStateReasonNetworkRecovery, expect.any(Number)],
    ]);
    expect(named('onConnectionStateChanged')).toEqual([
      [CS.ConnectionStateReconnecting, CR.ConnectionChangedInterrupted],
      [CS.ConnectionStateConnected, CR.ConnectionChangedRejoinSuccess],
    ]);
    expect(named('onRejoinChannelSuccess')).toEqual([[3250]]);
    expect(named('onUserOffline')).toEqual([]);
    // A repair is not a "first" frame again.
    expect(named('onFirstRemoteVideoDecoded')).toEqual([]);
  });

  it('still down 10 s after Interrupted: (Reconnecting, Lost) + onConnectionLost, resets continuing', async () => {
    const { conn } = await joinAgora();
    await advance(14_000, conn);
    expect(named('onConnectionStateChanged')).toEqual([
      [CS.ConnectionStateReconnecting, CR.ConnectionChangedInterrupted],
      [CS.ConnectionStateReconnecting, CR.ConnectionChangedLost],
    ]);
    expect(named('onConnectionLost')).toEqual([[]]);
    expect(media(conn).filter((t) => t === 'media_reset')).toHaveLength(2);
  });

  it('signalling dropping during the outage is not told twice; its rejoin ends both', async () => {
    const { conn, sub } = await joinAgora();
    await advance(4000, conn);
    conn.drop();
    await flush();
    expect(named('onConnectionStateChanged')).toEqual([
      [CS.ConnectionStateReconnecting, CR.ConnectionChangedInterrupted],
    ]);
    expect(named('onConnectionInterrupted')).toHaveLength(1);
    const next = server.latest();
    await advance(500, next, () => flowOn(sub, ['0', '1', '2']));
    next.accept({ members: [{ uid: 2 }, { uid: 3 }] });
    await flush();
    expect(named('onConnectionStateChanged').at(-1)).toEqual([
      CS.ConnectionStateConnected,
      CR.ConnectionChangedRejoinSuccess,
    ]);
  });
});
