import { afterEach, describe, expect, it } from 'vitest';
import { RTCPeerConnection } from 'werift';
import { peerConfig } from './config.js';

/**
 * A publisher offer as Debian's Chromium 156 makes it (audio + VP8, trimmed to what negotiation
 * reads): it offers transport-cc and goog-remb feedback and the transport-wide-cc header extension.
 */
const CHROMIUM_OFFER = [
  'v=0',
  'o=- 4611731400430051336 2 IN IP4 127.0.0.1',
  's=-',
  't=0 0',
  'a=group:BUNDLE 0 1',
  'a=extmap-allow-mixed',
  'a=msid-semantic: WMS s1',
  'm=audio 9 UDP/TLS/RTP/SAVPF 111',
  'c=IN IP4 0.0.0.0',
  'a=rtcp:9 IN IP4 0.0.0.0',
  'a=ice-ufrag:Xk3q',
  'a=ice-pwd:3bcLr5rQ0fGmUMtXyYyb2Yv7',
  'a=ice-options:trickle',
  'a=fingerprint:sha-256 5C:1E:4A:8B:2D:36:7A:0E:9C:F1:33:6B:94:10:AB:5D:27:08:C2:E6:91:4F:DD:70:38:AA:15:6C:E2:0B:7D:41',
  'a=setup:actpass',
  'a=mid:0',
  'a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level',
  'a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time',
  'a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01',
  'a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid',
  'a=sendonly',
  'a=msid:s1 a1',
  'a=rtcp-mux',
  'a=rtpmap:111 opus/48000/2',
  'a=rtcp-fb:111 transport-cc',
  'a=fmtp:111 minptime=10;useinbandfec=1',
  'a=ssrc:1001 cname:c1',
  'm=video 9 UDP/TLS/RTP/SAVPF 96',
  'c=IN IP4 0.0.0.0',
  'a=rtcp:9 IN IP4 0.0.0.0',
  'a=ice-ufrag:Xk3q',
  'a=ice-pwd:3bcLr5rQ0fGmUMtXyYyb2Yv7',
  'a=ice-options:trickle',
  'a=fingerprint:sha-256 5C:1E:4A:8B:2D:36:7A:0E:9C:F1:33:6B:94:10:AB:5D:27:08:C2:E6:91:4F:DD:70:38:AA:15:6C:E2:0B:7D:41',
  'a=setup:actpass',
  'a=mid:1',
  'a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time',
  'a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01',
  'a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid',
  'a=sendonly',
  'a=msid:s1 v1',
  'a=rtcp-mux',
  'a=rtcp-rsize',
  'a=rtpmap:96 VP8/90000',
  'a=rtcp-fb:96 goog-remb',
  'a=rtcp-fb:96 transport-cc',
  'a=rtcp-fb:96 ccm fir',
  'a=rtcp-fb:96 nack',
  'a=rtcp-fb:96 nack pli',
  'a=ssrc:2002 cname:c1',
  '',
].join('\r\n');

const pcs: RTCPeerConnection[] = [];
afterEach(async () => {
  await Promise.all(pcs.splice(0).map((pc) => pc.close()));
});

const lines = (sdp: string, re: RegExp) => sdp.split('\r\n').filter((l) => re.test(l));

/**
 * Receiver feedback (BENCHMARKS.md "Receiver feedback"): werift as a receiver sends RTCP receiver
 * reports and, when the transport-wide-cc header extension is negotiated, transport-cc feedback;
 * never REMB. With its transport-cc feedback Chromium's estimate stayed at its 300 kbit/s start and
 * the camera at 320×240; without it (receiver reports only) the estimate grows and video reaches
 * its cap. So the server never negotiates the transport-wide-cc extension.
 */
describe('the media plane negotiates receiver feedback', () => {
  it("answers a publisher's offer with NACK and PLI and without the transport-wide-cc extension", async () => {
    const pc = new RTCPeerConnection(peerConfig({}));
    pcs.push(pc);
    await pc.setRemoteDescription({ type: 'offer', sdp: CHROMIUM_OFFER });
    await pc.setLocalDescription(await pc.createAnswer());
    const answer = pc.localDescription?.sdp ?? '';
    expect(lines(answer, /^a=rtpmap:96 /)).toEqual(['a=rtpmap:96 VP8/90000']);
    expect(lines(answer, /^a=rtcp-fb:96 nack/)).toEqual(['a=rtcp-fb:96 nack', 'a=rtcp-fb:96 nack pli']);
    expect(lines(answer, /transport-wide-cc/)).toEqual([]);
    // No extension the server did not ask for is accepted (werift takes only its configured URIs).
    expect(lines(answer, /^a=extmap:/)).toEqual([]);
  });

  it("offers a subscriber VP8 with NACK, PLI and REMB (Chromium's REMB is ignored: the SFU forwards what is published)", async () => {
    const pc = new RTCPeerConnection(peerConfig({}));
    pcs.push(pc);
    pc.addTransceiver('video', { direction: 'sendonly' });
    await pc.setLocalDescription(await pc.createOffer());
    const offer = pc.localDescription?.sdp ?? '';
    expect(lines(offer, /^a=rtpmap:/)[0]).toBe('a=rtpmap:96 VP8/90000');
    expect(lines(offer, /^a=rtcp-fb:96 /)).toEqual([
      'a=rtcp-fb:96 nack',
      'a=rtcp-fb:96 nack pli',
      'a=rtcp-fb:96 goog-remb',
    ]);
    expect(lines(offer, /transport-wide-cc|transport-cc/)).toEqual([]);
  });
});
