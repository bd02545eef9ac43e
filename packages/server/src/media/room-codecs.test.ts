import { describe, expect, it } from 'vitest';
import { peerConfig } from './config.js';
import { MediaRoom } from './room.js';

/** A Chromium 156 publisher offer (video only) preferring H.264: every format it has, trimmed. */
const offer = (payloadTypes: string) =>
  [
    'v=0',
    'o=- 4611731400430051336 2 IN IP4 127.0.0.1',
    's=-',
    't=0 0',
    'a=group:BUNDLE 0',
    'a=msid-semantic: WMS s1',
    `m=video 9 UDP/TLS/RTP/SAVPF ${payloadTypes}`,
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
    'a=fmtp:102 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f',
    'a=rtpmap:104 H264/90000',
    'a=fmtp:104 level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=42001f',
    'a=rtpmap:108 H264/90000',
    'a=fmtp:108 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f',
    'a=rtpmap:116 H264/90000',
    'a=fmtp:116 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=4d001f',
    'a=rtpmap:96 VP8/90000',
    'a=rtcp-fb:96 nack pli',
    'a=ssrc:2002 cname:c1',
    '',
  ].join('\r\n');

function room(): MediaRoom {
  return new MediaRoom(() => peerConfig({}), {
    now: () => 0,
    later: () => {},
    send: () => {},
    publishState: () => {},
    warn: () => {},
  });
}

const rtpmaps = (sdp: string) => sdp.split('\r\n').filter((l) => l.startsWith('a=rtpmap:'));

describe("MediaRoom.publish: a publisher's H.264 formats", () => {
  it('are answered with packetization-mode 1 Constrained Baseline only, first when offered first', async () => {
    const r = room();
    try {
      const answer = await r.publish(1, offer('102 104 108 116 96'));
      expect(rtpmaps(answer)).toEqual(['a=rtpmap:108 H264/90000', 'a=rtpmap:96 VP8/90000']);
    } finally {
      r.close();
    }
  });

  it('an offer with no format the server forwards is refused (media-plane answers bad_sdp)', async () => {
    const r = room();
    try {
      await expect(r.publish(1, offer('102 104 116'))).rejects.toThrow(
        'no video format the server forwards (video: VP8, or H.264 packetization-mode 1 Constrained Baseline)',
      );
    } finally {
      r.close();
    }
  });
});
