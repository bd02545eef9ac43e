import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  type RTCRtpCodecParameters as Codec,
  RTCPeerConnection,
  RTCRtpCodecParameters,
  useTransportWideCC,
} from 'werift';
import { Child } from '../rpc.js';
import { ChromiumPublisher } from './chromium-publisher.js';
import { firstUdpCandidate, loopbackOnly, onlyCandidate } from './sdp.js';
import type { Impairment } from './shaper.js';

/**
 * Receiver feedback with werift as the receiving SFU (issue 14 item 1): Debian's Chromium publishes
 * its fake camera (640×480, 30 fps, capped at 1.5 Mbit/s) to a werift RTCPeerConnection configured as
 * Holdfast's publisher connections are (config.ts), through the bench's UDP relay, for three
 * feedback configurations: REMB only (goog-remb), transport-cc (rtcp-fb + the transport-wide-cc
 * header extension), and both. Per configuration: 30 s steady, 15 s of 10 % random loss, 25 s
 * after it, 15 s through a 400 kbit/s bottleneck, 25 s after it. Sampled every second on the
 * publisher: its bandwidth estimate (candidate-pair availableOutgoingBitrate), what its video
 * sends, frame size and qualityLimitationReason. Run: `tsc -b bench && node bench/dist/media/feedback-run.js`.
 */
type Mode = 'remb' | 'twcc' | 'both';
const MODES: Mode[] = (process.env.MODES?.split(',') as Mode[] | undefined) ?? ['remb', 'twcc', 'both'];
const dist_ = (file: string) => fileURLToPath(new URL(`./${file}`, import.meta.url));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const CAPTURE = { width: 640, height: 480, fps: 30, maxBitrate: 1_500_000 };

function config(mode: Mode) {
  const fb: Codec['rtcpFeedback'] = [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }];
  if (mode !== 'twcc') fb.push({ type: 'goog-remb' });
  if (mode !== 'remb') fb.push({ type: 'transport-cc' });
  const twcc = mode === 'remb' ? [] : [useTransportWideCC()];
  return {
    codecs: {
      audio: [
        new RTCRtpCodecParameters({
          mimeType: 'audio/opus',
          clockRate: 48000,
          channels: 2,
          payloadType: 111,
        }),
      ],
      video: [
        new RTCRtpCodecParameters({
          mimeType: 'video/VP8',
          clockRate: 90000,
          payloadType: 96,
          rtcpFeedback: fb,
        }),
      ],
    },
    headerExtensions: { audio: [], video: twcc },
    iceServers: [],
    iceAdditionalHostAddresses: ['127.0.0.1'],
    iceUseIpv6: false,
    bundlePolicy: 'max-bundle' as const,
  };
}

interface Sample {
  t: number;
  phase: string;
  estimateKbps: number;
  sendKbps: number;
  targetKbps: number;
  width: number;
  height: number;
  fps: number;
  limit: string;
  receivedKbps: number;
}

async function runMode(pub: ChromiumPublisher, mode: Mode): Promise<Sample[]> {
  const relay = new Child('feedback-relay', dist_('udp-relay.js'));
  await relay.ready;
  const page = await pub.page();
  const pc = new RTCPeerConnection(config(mode));
  let receivedBytes = 0;
  pc.onTrack.subscribe((track) =>
    track.onReceiveRtp.subscribe((rtp) => (receivedBytes += rtp.payload.length)),
  );
  try {
    const ports = await relay.call<{ front: number; back: number }>('start', {});
    const offer = onlyCandidate(await page.offer(CAPTURE), ports.back);
    await pc.setRemoteDescription({ type: 'offer', sdp: offer });
    await pc.setLocalDescription(await pc.createAnswer());
    await sleep(300);
    const answer = loopbackOnly(pc.localDescription?.sdp ?? '');
    const to = firstUdpCandidate(answer);
    if (!to) throw new Error('no candidate in the answer');
    await relay.call('target', to);
    console.log(
      `[feedback] ${mode}: answer video rtcp-fb/extmap:`,
      answer
        .split('\r\n')
        .filter((l) => /rtcp-fb:96|extmap/.test(l))
        .join(' | '),
    );
    await page.answer(onlyCandidate(answer, ports.front));
    await page.connected(15_000);
    const samples: Sample[] = [];
    let last = { bytes: 0, at: performance.now(), received: 0 };
    const phases: Array<[string, number, Partial<Impairment>]> = [
      ['steady', 30, {}],
      ['loss10', 15, { lossPercent: 10 }],
      ['afterLoss', 25, {}],
      ['rate400', 15, { rateKbps: 400, queueMs: 200 }],
      ['afterRate', 25, {}],
    ];
    let t = 0;
    for (const [phase, seconds, imp] of phases) {
      await relay.call('impair', imp);
      for (let i = 0; i < seconds; i++) {
        await sleep(1000);
        t++;
        const s = await page.page.evaluate(async () => {
          const pc = (window as unknown as { pc: RTCPeerConnection }).pc;
          const o = { estimate: 0, bytes: 0, target: 0, width: 0, height: 0, fps: 0, limit: '' };
          (await pc.getStats()).forEach((x) => {
            const r = x as unknown as Record<string, unknown>;
            if (r.type === 'candidate-pair' && r.nominated && r.availableOutgoingBitrate)
              o.estimate = Number(r.availableOutgoingBitrate);
            if (r.type === 'outbound-rtp' && r.kind === 'video') {
              o.bytes = Number(r.bytesSent ?? 0);
              o.target = Number(r.targetBitrate ?? 0);
              o.width = Number(r.frameWidth ?? 0);
              o.height = Number(r.frameHeight ?? 0);
              o.fps = Number(r.framesPerSecond ?? 0);
              o.limit = String(r.qualityLimitationReason ?? '');
            }
          });
          return o;
        });
        const now = performance.now();
        const dt = (now - last.at) / 1000;
        const sample: Sample = {
          t,
          phase,
          estimateKbps: Math.round(s.estimate / 1000),
          sendKbps: Math.round(((s.bytes - last.bytes) * 8) / dt / 1000),
          targetKbps: Math.round(s.target / 1000),
          width: s.width,
          height: s.height,
          fps: s.fps,
          limit: s.limit,
          receivedKbps: Math.round(((receivedBytes - last.received) * 8) / dt / 1000),
        };
        last = { bytes: s.bytes, at: now, received: receivedBytes };
        samples.push(sample);
        console.log(
          `[feedback] ${mode} t=${t} ${phase}: estimate ${sample.estimateKbps} send ${sample.sendKbps} target ${sample.targetKbps} kbit/s ` +
            `${sample.width}x${sample.height}@${sample.fps} ${sample.limit} (werift received ${sample.receivedKbps})`,
        );
      }
    }
    return samples;
  } finally {
    await page.close();
    await pc.close().catch(() => {});
    await relay.call('stop').catch(() => {});
    await relay.stop();
  }
}

const pub = await ChromiumPublisher.launch();
const out: Record<string, Sample[]> = {};
try {
  for (const mode of MODES) out[mode] = await runMode(pub, mode);
} finally {
  await pub.close();
}
const file = process.env.OUT ?? 'bench/results/media-feedback.json';
writeFileSync(
  file,
  `${JSON.stringify({ at: new Date().toISOString(), capture: CAPTURE, samples: out }, null, 1)}\n`,
);
console.log(`[feedback] wrote ${file}`);
process.exit(0);
