import { ClientRoleType, ErrorCodeType, TestClock } from '@holdfast/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { createRtcEngine } from '../engine/rtc-engine.js';
import { FakeMediaDevices, FakePeers } from '../testing/fake-peer.js';
import { FakeServer } from '../testing/fake-server.js';
import { type CodecCapabilityLike, codecOrder, preferVideoCodec } from './codec-preference.js';

/** RTCRtpSender.getCapabilities('video').codecs of Debian's Chromium 156 (RTX, RED, FEC trimmed but one). */
const CHROMIUM: CodecCapabilityLike[] = [
  { mimeType: 'video/VP8', clockRate: 90000 },
  { mimeType: 'video/rtx', clockRate: 90000 },
  {
    mimeType: 'video/H264',
    clockRate: 90000,
    sdpFmtpLine: 'level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f',
  },
  {
    mimeType: 'video/H264',
    clockRate: 90000,
    sdpFmtpLine: 'level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=42001f',
  },
  {
    mimeType: 'video/H264',
    clockRate: 90000,
    sdpFmtpLine: 'level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f',
  },
  {
    mimeType: 'video/H264',
    clockRate: 90000,
    sdpFmtpLine: 'level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=42e01f',
  },
  { mimeType: 'video/AV1', clockRate: 90000, sdpFmtpLine: 'level-idx=5;profile=0;tier=0' },
  { mimeType: 'video/VP9', clockRate: 90000, sdpFmtpLine: 'profile-id=0' },
];
const H264_CB = CHROMIUM[4]!;

describe('codecOrder', () => {
  it("puts the server's H.264 format (packetization-mode 1, 42e01f) first, the rest as they were", () => {
    expect(codecOrder(CHROMIUM, 'h264')).toEqual([H264_CB, ...CHROMIUM.filter((c) => c !== H264_CB)]);
  });

  it('changes nothing for VP8, or when the browser has no such H.264 format', () => {
    expect(codecOrder(CHROMIUM, 'vp8')).toBeUndefined();
    expect(
      codecOrder(
        CHROMIUM.filter((c) => c !== H264_CB),
        'h264',
      ),
    ).toBeUndefined();
  });
});

describe('preferVideoCodec', () => {
  const transceiver = () => {
    const t = {
      mid: null,
      sender: { track: null, replaceTrack: async () => {} },
      receiver: { track: { id: 'v', kind: 'video', enabled: true, stop() {} } },
      given: undefined as CodecCapabilityLike[] | undefined,
      setCodecPreferences(c: CodecCapabilityLike[]) {
        t.given = c;
      },
    };
    return t;
  };

  it('sets the preferences from the capabilities', () => {
    const t = transceiver();
    expect(preferVideoCodec(t, 'h264', () => ({ codecs: CHROMIUM }))).toBe(true);
    expect(t.given?.[0]).toBe(H264_CB);
  });

  it('is false, and touches nothing, without capabilities or setCodecPreferences (Node wrtc)', () => {
    const t = transceiver();
    expect(preferVideoCodec(t, 'h264', undefined)).toBe(false);
    expect(preferVideoCodec(t, 'h264', () => null)).toBe(false);
    expect(t.given).toBeUndefined();
    const { setCodecPreferences: _, ...bare } = t;
    expect(preferVideoCodec(bare, 'h264', () => ({ codecs: CHROMIUM }))).toBe(false);
  });
});

describe('the media.videoCodec option', () => {
  const engines: Array<ReturnType<typeof createRtcEngine>> = [];
  const saved = (globalThis as { RTCRtpSender?: unknown }).RTCRtpSender;
  afterEach(() => {
    for (const e of engines.splice(0)) e.release();
    (globalThis as { RTCRtpSender?: unknown }).RTCRtpSender = saved;
  });
  const init = (videoCodec: unknown) => {
    const engine = createRtcEngine();
    engines.push(engine);
    const server = new FakeServer();
    const peers = new FakePeers();
    const rc = engine.initialize({
      appId: 'demo',
      serverUrl: 'ws://fake',
      clock: new TestClock(),
      transport: server.transport,
      network: null,
      media: {
        RTCPeerConnection: peers.ctor,
        mediaDevices: new FakeMediaDevices(),
        audioSink: null,
        videoCodec: videoCodec as 'h264',
      },
    });
    return { engine, server, peers, rc };
  };

  it('an unknown codec is refused by initialize (ErrInvalidArgument)', () => {
    expect(init('av1').rc).toBe(-ErrorCodeType.ErrInvalidArgument);
    expect(init(42).rc).toBe(-ErrorCodeType.ErrInvalidArgument);
    expect(init('h264').rc).toBe(0);
    expect(init(undefined).rc).toBe(0);
  });

  it("'h264' orders the publisher's video transceiver's codecs before its first offer; 'vp8' leaves them", async () => {
    (globalThis as { RTCRtpSender?: unknown }).RTCRtpSender = {
      getCapabilities: (kind: string) => (kind === 'video' ? { codecs: CHROMIUM } : null),
    };
    const flush = async () => {
      for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    };
    const run = async (codec: 'vp8' | 'h264') => {
      const { engine, server, peers } = init(codec);
      engine.enableVideo();
      engine.joinChannel('', 'room', 1, { clientRoleType: ClientRoleType.ClientRoleBroadcaster });
      server.latest().accept({ members: [] });
      await flush();
      const video = peers.created[0]
        ?.getTransceivers()
        .find((t) => (t as unknown as { kind: string }).kind === 'video') as unknown as {
        codecPreferences?: CodecCapabilityLike[];
      };
      expect(video).toBeDefined();
      return video.codecPreferences;
    };
    expect((await run('h264'))?.[0]).toBe(H264_CB);
    expect(await run('vp8')).toBeUndefined();
  });
});
