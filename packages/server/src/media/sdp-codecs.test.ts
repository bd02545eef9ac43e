import { afterEach, describe, expect, it } from 'vitest';
import { RTCPeerConnection } from 'werift';
import { peerConfig, videoCodec } from './config.js';
import { isForwardableH264 } from './h264.js';
import { emptyMedia, fillRejected, keepCodecs } from './sdp-codecs.js';

/**
 * The video m-section Debian's Chromium 156 offers when its sender prefers H.264
 * (setCodecPreferences, H.264 first), trimmed of feedback lines but for one codec's.
 */
const H264_FIRST = [
  'm=video 9 UDP/TLS/RTP/SAVPF 102 103 104 107 108 109 114 115 116 117 39 40 96 97 45 46 98 99 118 119 120',
  'c=IN IP4 0.0.0.0',
  'a=rtcp:9 IN IP4 0.0.0.0',
  'a=ice-ufrag:Xk3q',
  'a=ice-pwd:3bcLr5rQ0fGmUMtXyYyb2Yv7',
  'a=fingerprint:sha-256 5C:1E:4A:8B:2D:36:7A:0E:9C:F1:33:6B:94:10:AB:5D:27:08:C2:E6:91:4F:DD:70:38:AA:15:6C:E2:0B:7D:41',
  'a=setup:actpass',
  'a=mid:0',
  'a=sendonly',
  'a=msid:s1 v1',
  'a=rtcp-mux',
  'a=rtpmap:102 H264/90000',
  'a=rtcp-fb:102 nack',
  'a=rtcp-fb:102 nack pli',
  'a=fmtp:102 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f',
  'a=rtpmap:103 rtx/90000',
  'a=fmtp:103 apt=102',
  'a=rtpmap:104 H264/90000',
  'a=fmtp:104 level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=42001f',
  'a=rtpmap:107 rtx/90000',
  'a=fmtp:107 apt=104',
  'a=rtpmap:108 H264/90000',
  'a=rtcp-fb:108 nack',
  'a=rtcp-fb:108 nack pli',
  'a=fmtp:108 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f',
  'a=rtpmap:109 rtx/90000',
  'a=fmtp:109 apt=108',
  'a=rtpmap:114 H264/90000',
  'a=fmtp:114 level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=42e01f',
  'a=rtpmap:115 rtx/90000',
  'a=fmtp:115 apt=114',
  'a=rtpmap:116 H264/90000',
  'a=fmtp:116 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=4d001f',
  'a=rtpmap:117 rtx/90000',
  'a=fmtp:117 apt=116',
  'a=rtpmap:39 H264/90000',
  'a=fmtp:39 level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=4d001f',
  'a=rtpmap:40 rtx/90000',
  'a=fmtp:40 apt=39',
  'a=rtpmap:96 VP8/90000',
  'a=rtcp-fb:96 nack',
  'a=rtcp-fb:96 nack pli',
  'a=rtpmap:97 rtx/90000',
  'a=fmtp:97 apt=96',
  'a=rtpmap:45 AV1/90000',
  'a=fmtp:45 level-idx=5;profile=0;tier=0',
  'a=rtpmap:46 rtx/90000',
  'a=fmtp:46 apt=45',
  'a=rtpmap:98 VP9/90000',
  'a=fmtp:98 profile-id=0',
  'a=rtpmap:99 rtx/90000',
  'a=fmtp:99 apt=98',
  'a=rtpmap:118 red/90000',
  'a=rtpmap:119 rtx/90000',
  'a=fmtp:119 apt=118',
  'a=rtpmap:120 ulpfec/90000',
  'a=ssrc:2002 cname:c1',
];
const offer = (video: string[]) =>
  [
    'v=0',
    'o=- 4611731400430051336 2 IN IP4 127.0.0.1',
    's=-',
    't=0 0',
    'a=group:BUNDLE 0',
    'a=msid-semantic: WMS s1',
    ...video,
    '',
  ].join('\r\n');

const browserSafe = (c: { mimeType: string; fmtp: string }) =>
  c.mimeType !== 'video/h264' || isForwardableH264(c.fmtp);
const lines = (sdp: string, re: RegExp) => sdp.split('\r\n').filter((l) => re.test(l));

const pcs: RTCPeerConnection[] = [];
afterEach(async () => {
  await Promise.all(pcs.splice(0).map((pc) => pc.close()));
});

async function answer(sdp: string): Promise<string> {
  const pc = new RTCPeerConnection(peerConfig({}));
  pcs.push(pc);
  await pc.setRemoteDescription({ type: 'offer', sdp });
  await pc.setLocalDescription(await pc.createAnswer());
  return pc.localDescription?.sdp ?? '';
}

describe('keepCodecs', () => {
  it("leaves of Chromium's H.264 formats the Constrained Baseline packetization-mode 1 one, with its RTX", () => {
    const out = keepCodecs(offer(H264_FIRST), browserSafe);
    expect(lines(out, /^m=video/)).toEqual([
      'm=video 9 UDP/TLS/RTP/SAVPF 108 109 96 97 45 46 98 99 118 119 120',
    ]);
    expect(lines(out, /^a=(rtpmap|fmtp|rtcp-fb):108 /)).toEqual([
      'a=rtpmap:108 H264/90000',
      'a=rtcp-fb:108 nack',
      'a=rtcp-fb:108 nack pli',
      'a=fmtp:108 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f',
    ]);
    expect(lines(out, /^a=(rtpmap|fmtp|rtcp-fb):(102|103|104|107|114|115|116|117|39|40) /)).toEqual([]);
    // Everything else is untouched.
    expect(lines(out, /^a=(mid|msid:|ssrc|ice-ufrag|fingerprint)/)).toHaveLength(5);
    expect(keepCodecs(offer(H264_FIRST), () => true)).toBe(offer(H264_FIRST));
  });

  it('werift answers the filtered offer with that H.264 format first: what the publisher will send', async () => {
    // Unfiltered, werift takes every H.264 format (it matches MIME types only), Baseline first.
    expect(lines(await answer(offer(H264_FIRST)), /^a=rtpmap:/)[0]).toBe('a=rtpmap:102 H264/90000');
    const filtered = await answer(keepCodecs(offer(H264_FIRST), browserSafe));
    expect(lines(filtered, /^a=rtpmap:/)).toEqual(['a=rtpmap:108 H264/90000', 'a=rtpmap:96 VP8/90000']);
    expect(lines(filtered, /^a=fmtp:108 /)).toEqual([
      'a=fmtp:108 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f',
    ]);
  });

  it('an offer left with no codec it may send is found by emptyMedia (werift would refuse it)', async () => {
    const modeZeroOnly = H264_FIRST.map((l) =>
      l.startsWith('m=video') ? 'm=video 9 UDP/TLS/RTP/SAVPF 104 107' : l,
    );
    const out = keepCodecs(offer(modeZeroOnly), browserSafe);
    expect(lines(out, /^m=video/)).toEqual(['m=video 9 UDP/TLS/RTP/SAVPF ']);
    expect(emptyMedia(out)).toEqual(['video']);
    expect(emptyMedia(offer(H264_FIRST))).toEqual([]);
    await expect(answer(out)).rejects.toThrow();
  });

  it('keeps per m-section what its filter says (a subscriber track keeps its publisher codec)', () => {
    const two = [...H264_FIRST, ...H264_FIRST.map((l) => (l === 'a=mid:0' ? 'a=mid:1' : l))];
    const out = keepCodecs(offer(two), (c) => c.mimeType === (c.mid === '0' ? 'video/h264' : 'video/vp8'));
    expect(lines(out, /^m=video/)).toEqual([
      'm=video 9 UDP/TLS/RTP/SAVPF 102 103 104 107 108 109 114 115 116 117 39 40',
      'm=video 9 UDP/TLS/RTP/SAVPF 96 97',
    ]);
  });

  it('leaves an SDP without m-sections, or with an unparsable m= line, as it is', () => {
    expect(keepCodecs('v=0\r\ns=-\r\n', () => false)).toBe('v=0\r\ns=-\r\n');
    expect(keepCodecs('v=0\nm=video x\na=rtpmap:96 VP8/90000\n', () => false)).toBe(
      'v=0\nm=video x\na=rtpmap:96 VP8/90000\n',
    );
  });
});

describe('subscriber tracks are offered in their publisher codec', () => {
  it('a transceiver given H.264 before the offer offers H.264 alone (payload type 102), one given VP8 VP8 alone', async () => {
    const pc = new RTCPeerConnection(peerConfig({}));
    pcs.push(pc);
    pc.addTransceiver('video', { direction: 'sendonly' }).codecs = [videoCodec('video/h264')];
    pc.addTransceiver('video', { direction: 'sendonly' }).codecs = [videoCodec('video/vp8')];
    await pc.setLocalDescription(await pc.createOffer());
    const sdp = pc.localDescription?.sdp ?? '';
    expect(lines(sdp, /^m=video/).map((l) => l.split(' ').slice(3).join(' '))).toEqual(['102', '96']);
    expect(lines(sdp, /^a=fmtp:102 /)).toEqual([
      'a=fmtp:102 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f',
    ]);
  });
});

/**
 * Chromium 156's answer to a subscriber offer of [audio, H.264 video, VP8 video] when it cannot
 * decode H.264 (the format renamed in the offer): the H.264 m-section rejected, with ICE
 * credentials of its own; trimmed.
 */
const REJECTING_ANSWER = [
  'v=0',
  'o=- 1 2 IN IP4 127.0.0.1',
  's=-',
  't=0 0',
  'a=group:BUNDLE 0 2',
  'm=audio 57247 UDP/TLS/RTP/SAVPF 111',
  'a=candidate:4068727540 1 udp 2122194687 127.0.0.1 57247 typ host generation 0',
  'a=ice-ufrag:qbL6',
  'a=ice-pwd:NGpCE/SeazuYOQdA58HYlVrS',
  'a=fingerprint:sha-256 7C:5D:79:79:E4:15:7D:66:11:CB:82:80:74:97:F8:9F:2E:12:6B:DE:2F:6A:82:17:49:2C:C6:8F:15:6A:8A:66',
  'a=setup:active',
  'a=mid:0',
  'a=recvonly',
  'a=rtpmap:111 opus/48000/2',
  'm=video 0 UDP/TLS/RTP/SAVPF 0',
  'c=IN IP4 0.0.0.0',
  'a=ice-ufrag:LC2j',
  'a=ice-pwd:Zk3q0fGmUMtXyYyb2Yv7aaaa',
  'a=setup:active',
  'a=mid:1',
  'a=recvonly',
  'a=rtcp-mux',
  'm=video 9 UDP/TLS/RTP/SAVPF 96',
  'a=ice-ufrag:qbL6',
  'a=ice-pwd:NGpCE/SeazuYOQdA58HYlVrS',
  'a=setup:active',
  'a=mid:2',
  'a=recvonly',
  'a=rtpmap:96 VP8/90000',
  '',
].join('\r\n');

describe('fillRejected', () => {
  const h264 = (mid: string) => (mid === '1' ? { payloadType: 102, rtpmap: 'H264/90000' } : undefined);

  it("gives a rejected m-section the offered format and the bundle's transport, and names it", () => {
    const { sdp, rejected } = fillRejected(REJECTING_ANSWER, h264);
    expect(rejected).toEqual(['1']);
    const section = sdp.split('m=')[2]!.split('\r\n');
    expect(section.slice(0, 6)).toEqual([
      'video 0 UDP/TLS/RTP/SAVPF 102',
      'a=rtpmap:102 H264/90000',
      'a=ice-ufrag:qbL6',
      'a=ice-pwd:NGpCE/SeazuYOQdA58HYlVrS',
      'a=fingerprint:sha-256 7C:5D:79:79:E4:15:7D:66:11:CB:82:80:74:97:F8:9F:2E:12:6B:DE:2F:6A:82:17:49:2C:C6:8F:15:6A:8A:66',
      'a=setup:active',
    ]);
    // Its own credentials are gone; the open m-sections are as they were.
    expect(sdp).not.toContain('LC2j');
    expect(sdp.split('m=')[1]).toBe(REJECTING_ANSWER.split('m=')[1]);
    expect(sdp.split('m=')[3]).toBe(REJECTING_ANSWER.split('m=')[3]);
  });

  it('leaves an answer without rejected m-sections, or a rejected one it offered nothing for, as it is', () => {
    expect(fillRejected(REJECTING_ANSWER, () => undefined)).toEqual({ sdp: REJECTING_ANSWER, rejected: [] });
    const accepted = REJECTING_ANSWER.replace(
      'm=video 0 UDP/TLS/RTP/SAVPF 0',
      'm=video 9 UDP/TLS/RTP/SAVPF 102',
    );
    expect(
      fillRejected(accepted.replace('a=mid:1', 'a=mid:1\r\na=rtpmap:102 H264/90000'), h264).rejected,
    ).toEqual([]);
  });

  it('werift accepts the filled answer (it refuses the rejecting one: "negotiate codecs failed")', async () => {
    const make = async () => {
      const pc = new RTCPeerConnection(peerConfig({}));
      pcs.push(pc);
      pc.addTransceiver('audio', { direction: 'sendonly' });
      pc.addTransceiver('video', { direction: 'sendonly' }).codecs = [videoCodec('video/h264')];
      pc.addTransceiver('video', { direction: 'sendonly' }).codecs = [videoCodec('video/vp8')];
      await pc.setLocalDescription(await pc.createOffer());
      return pc;
    };
    await expect(
      (await make()).setRemoteDescription({ type: 'answer', sdp: REJECTING_ANSWER }),
    ).rejects.toThrow('negotiate codecs failed');
    const pc = await make();
    await pc.setRemoteDescription({ type: 'answer', sdp: fillRejected(REJECTING_ANSWER, h264).sdp });
    expect(pc.signalingState).toBe('stable');
  });
});
