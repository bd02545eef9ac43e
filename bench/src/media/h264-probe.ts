import { RTCPeerConnection, RTCRtpCodecParameters } from 'werift';
import { ChromiumPublisher } from './chromium-publisher.js';
import { loopbackOnly } from './sdp.js';

/**
 * Whether H.264 goes through werift as Holdfast's SFU forwards it: a Chromium page publishes with
 * H.264 preferred (setCodecPreferences) to one werift connection, whose RTP is forwarded as it
 * arrives into a second werift connection's send-only track, received by another Chromium page.
 * Prints what each side negotiated and the subscriber's decoded frames. Env CODECS=vp8,h264 sets
 * the server's codec order.
 */
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const fb = [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }, { type: 'goog-remb' }];
const VP8 = () =>
  new RTCRtpCodecParameters({ mimeType: 'video/VP8', clockRate: 90000, payloadType: 96, rtcpFeedback: fb });
const H264 = () =>
  new RTCRtpCodecParameters({
    mimeType: 'video/H264',
    clockRate: 90000,
    payloadType: 102,
    rtcpFeedback: fb,
    parameters: 'level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f',
  });
const order = (process.env.CODECS ?? 'vp8,h264').split(',');
const config = () => ({
  codecs: {
    audio: [
      new RTCRtpCodecParameters({ mimeType: 'audio/opus', clockRate: 48000, channels: 2, payloadType: 111 }),
    ],
    video: order.map((c) => (c === 'h264' ? H264() : VP8())),
  },
  iceServers: [],
  iceAdditionalHostAddresses: ['127.0.0.1'],
  iceUseIpv6: false,
  bundlePolicy: 'max-bundle' as const,
});
const prefer = process.env.PREFER ?? 'H264';

const browser = await ChromiumPublisher.launch();
try {
  const pubPage = (await browser.page()).page;
  const subPage = (await browser.page()).page;
  const offer = await pubPage.evaluate(async (prefer) => {
    const w = window as unknown as Record<string, unknown>;
    const stream = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480 } });
    const pc = new globalThis.RTCPeerConnection();
    w.pc = pc;
    const t = pc.addTransceiver(stream.getVideoTracks()[0]!, { direction: 'sendonly' }) as unknown as {
      setCodecPreferences(c: unknown[]): void;
    };
    const caps = RTCRtpSender.getCapabilities('video')?.codecs ?? [];
    t.setCodecPreferences([
      ...caps.filter((c) => c.mimeType.includes(prefer)),
      ...caps.filter((c) => !c.mimeType.includes(prefer)),
    ]);
    await pc.setLocalDescription(await pc.createOffer());
    await new Promise((r) => setTimeout(r, 500));
    return pc.localDescription?.sdp ?? '';
  }, prefer);
  const pub = new RTCPeerConnection(config());
  const sub = new RTCPeerConnection(config());
  const tr = sub.addTransceiver('video', { direction: 'sendonly' });
  let forwarded = 0;
  // What Chromium as the receiver sends back to werift's sender (which forwards regardless).
  const rtcp: Record<string, number> = {};
  tr.sender.onRtcp.subscribe((p) => {
    const f = (p as { feedback?: object }).feedback;
    const name = `${p.constructor.name}${f ? `/${f.constructor.name}` : ''}`;
    rtcp[name] = (rtcp[name] ?? 0) + 1;
  });
  pub.onTrack.subscribe((track) =>
    track.onReceiveRtp.subscribe((rtp) => {
      forwarded++;
      tr.sender.sendRtp(rtp.serialize()).catch(() => {});
    }),
  );
  await pub.setRemoteDescription({ type: 'offer', sdp: loopbackOnly(offer) });
  await pub.setLocalDescription(await pub.createAnswer());
  await sleep(300);
  const pubAnswer = loopbackOnly(pub.localDescription?.sdp ?? '');
  console.log(
    '[h264] publisher answer video codecs:',
    pubAnswer
      .split('\r\n')
      .filter((l) => /rtpmap|fmtp/.test(l))
      .join(' | '),
  );
  await pubPage.evaluate(async (sdp) => {
    await (window as unknown as { pc: RTCPeerConnection }).pc.setRemoteDescription({ type: 'answer', sdp });
  }, pubAnswer);
  await sub.setLocalDescription(await sub.createOffer());
  await sleep(300);
  const subOffer = loopbackOnly(sub.localDescription?.sdp ?? '');
  const subAnswer = await subPage.evaluate(async (sdp) => {
    const w = window as unknown as Record<string, unknown>;
    const pc = new globalThis.RTCPeerConnection();
    w.pc = pc;
    await pc.setRemoteDescription({ type: 'offer', sdp });
    await pc.setLocalDescription(await pc.createAnswer());
    await new Promise((r) => setTimeout(r, 500));
    return pc.localDescription?.sdp ?? '';
  }, subOffer);
  console.log(
    '[h264] subscriber answer video codecs:',
    subAnswer
      .split('\r\n')
      .filter((l) => /rtpmap|fmtp/.test(l))
      .join(' | '),
  );
  await sub.setRemoteDescription({ type: 'answer', sdp: loopbackOnly(subAnswer) });
  for (let i = 0; i < 12; i++) {
    await sleep(1000);
    // Keyframes for the subscriber's decoder (what the room's gate asks for).
    if (i < 3) {
      const r = pub.getTransceivers()[0]?.receiver;
      const ssrc = r?.tracks[0]?.ssrc;
      if (r && ssrc) await r.sendRtcpPLI(ssrc).catch(() => {});
    }
    const pubStats = await pubPage.evaluate(async () => {
      const o: Record<string, unknown> = {};
      (await (window as unknown as { pc: RTCPeerConnection }).pc.getStats()).forEach((x) => {
        const r = x as unknown as Record<string, unknown>;
        if (r.type === 'outbound-rtp')
          Object.assign(o, {
            framesEncoded: r.framesEncoded,
            encoder: r.encoderImplementation,
            codecId: r.codecId,
          });
        if (r.type === 'codec') o[`codec ${r.id}`] = r.mimeType;
      });
      return o;
    });
    const subStats = await subPage.evaluate(async () => {
      const o: Record<string, unknown> = {};
      (await (window as unknown as { pc: RTCPeerConnection }).pc.getStats()).forEach((x) => {
        const r = x as unknown as Record<string, unknown>;
        if (r.type === 'inbound-rtp')
          Object.assign(o, {
            packets: r.packetsReceived,
            framesDecoded: r.framesDecoded,
            decoder: r.decoderImplementation,
            keyFrames: r.keyFramesDecoded,
            w: r.frameWidth,
            codecId: r.codecId,
          });
        if (r.type === 'codec') o[`codec ${r.id}`] = r.mimeType;
      });
      return o;
    });
    console.log(
      `[h264] t=${i + 1} forwarded ${forwarded} rtcp from the subscriber ${JSON.stringify(rtcp)} pub ${JSON.stringify(pubStats)} sub ${JSON.stringify(subStats)}`,
    );
  }
  await pub.close();
  await sub.close();
} finally {
  await browser.close();
}
process.exit(0);
