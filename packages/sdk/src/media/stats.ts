import type { MediaKind } from '@holdfast/protocol';
import type { StatLike, StatsReportLike } from './peer.js';

/**
 * WebRTC statistics (W3C webrtc-stats: inbound-rtp, outbound-rtp, remote-inbound-rtp,
 * candidate-pair, media-source) read into plain numbers, and the 2-second figures the
 * engines report (Agora RtcStats / RemoteVideoStats / RemoteAudioStats / QualityType, NERTC's
 * network quality), as pure functions of two samples.
 */

export interface InboundSample {
  key: string;
  mid: string | undefined;
  trackIdentifier: string | undefined;
  kind: MediaKind;
  bytes: number;
  packets: number;
  lost: number;
  framesDecoded: number;
  fps: number | undefined;
  width: number;
  height: number;
  /** Seconds of jitter-buffer delay summed over `emitted` samples/frames. */
  jitterDelay: number;
  emitted: number;
  audioLevel: number | undefined;
}

export interface PeerSample {
  at: number;
  bytesSent: number;
  bytesReceived: number;
  /** The selected candidate pair's round-trip time, ms. */
  rttMs: number | undefined;
  inbound: InboundSample[];
  outbound: Array<{ kind: MediaKind; bytes: number; packets: number }>;
  /**
   * What the server reports about what it receives from us (RTCP receiver reports); `reports`:
   * how many round-trip measurements (one per report) so far, when the implementation says.
   */
  remoteInbound: Array<{
    kind: MediaKind;
    fractionLost: number;
    rttMs: number | undefined;
    reports: number | undefined;
  }>;
  /** The microphone's level, 0..1 (media-source), when the implementation reports it. */
  localAudioLevel: number | undefined;
}

const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
const opt = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const kindOf = (s: StatLike): MediaKind | undefined => {
  const k = s.kind ?? s.mediaType;
  return k === 'audio' || k === 'video' ? k : undefined;
};

export function readStats(report: StatsReportLike, at: number): PeerSample {
  const sample: PeerSample = {
    at,
    bytesSent: 0,
    bytesReceived: 0,
    rttMs: undefined,
    inbound: [],
    outbound: [],
    remoteInbound: [],
    localAudioLevel: undefined,
  };
  const pairs = new Map<string, StatLike>();
  let selected: string | undefined;
  report.forEach((s) => {
    const kind = kindOf(s);
    switch (s.type) {
      case 'inbound-rtp':
        if (kind)
          sample.inbound.push({
            key: s.id,
            mid: str(s.mid),
            trackIdentifier: str(s.trackIdentifier),
            kind,
            bytes: num(s.bytesReceived),
            packets: num(s.packetsReceived),
            lost: Math.max(0, num(s.packetsLost)),
            framesDecoded: num(s.framesDecoded),
            fps: opt(s.framesPerSecond),
            width: num(s.frameWidth),
            height: num(s.frameHeight),
            jitterDelay: num(s.jitterBufferDelay),
            emitted: num(s.jitterBufferEmittedCount),
            audioLevel: opt(s.audioLevel),
          });
        return;
      case 'outbound-rtp':
        if (kind) sample.outbound.push({ kind, bytes: num(s.bytesSent), packets: num(s.packetsSent) });
        return;
      case 'remote-inbound-rtp':
        if (kind) {
          const rtt = opt(s.roundTripTime);
          sample.remoteInbound.push({
            kind,
            fractionLost: Math.max(0, num(s.fractionLost)),
            rttMs: rtt !== undefined ? rtt * 1000 : undefined,
            reports: opt(s.roundTripTimeMeasurements),
          });
        }
        return;
      case 'media-source':
        if (kind === 'audio') sample.localAudioLevel = opt(s.audioLevel);
        return;
      case 'transport':
        selected = str(s.selectedCandidatePairId) ?? selected;
        return;
      case 'candidate-pair':
        pairs.set(s.id, s);
        return;
    }
  });
  const pair =
    (selected && pairs.get(selected)) ||
    [...pairs.values()].find((p) => p.state === 'succeeded' && p.nominated === true);
  if (pair) {
    sample.bytesSent = num(pair.bytesSent);
    sample.bytesReceived = num(pair.bytesReceived);
    const rtt = opt(pair.currentRoundTripTime);
    sample.rttMs = rtt !== undefined ? Math.round(rtt * 1000) : undefined;
  }
  return sample;
}

/** Per remote track over one window. */
export interface InboundFigures {
  kind: MediaKind;
  /** Kbps over the window. */
  bitrate: number;
  /** % of packets lost over the window. */
  lossRate: number;
  fps: number;
  width: number;
  height: number;
  /** Mean jitter-buffer delay over the window, ms. */
  jitterBufferMs: number;
  audioLevel: number | undefined;
}

export function inboundFigures(
  prev: InboundSample | undefined,
  cur: InboundSample,
  ms: number,
): InboundFigures {
  const dBytes = prev ? Math.max(0, cur.bytes - prev.bytes) : 0;
  const dPackets = prev ? Math.max(0, cur.packets - prev.packets) : 0;
  const dLost = prev ? Math.max(0, cur.lost - prev.lost) : 0;
  const dFrames = prev ? Math.max(0, cur.framesDecoded - prev.framesDecoded) : 0;
  const dDelay = prev ? Math.max(0, cur.jitterDelay - prev.jitterDelay) : 0;
  const dEmitted = prev ? Math.max(0, cur.emitted - prev.emitted) : 0;
  return {
    kind: cur.kind,
    bitrate: ms > 0 ? Math.round((dBytes * 8) / ms) : 0,
    lossRate: lossPercent(dLost, dPackets),
    fps: cur.fps ?? (ms > 0 ? Math.round((dFrames * 1000) / ms) : 0),
    width: cur.width,
    height: cur.height,
    jitterBufferMs: dEmitted > 0 ? Math.round((dDelay * 1000) / dEmitted) : 0,
    audioLevel: cur.audioLevel,
  };
}

const lossPercent = (lost: number, received: number) =>
  lost + received > 0 ? Math.round((1000 * lost) / (lost + received)) / 10 : 0;

/** The engine-wide figures of one window (Agora RtcStats fields). */
export interface TransportFigures {
  txBytes: number;
  rxBytes: number;
  txAudioBytes: number;
  txVideoBytes: number;
  rxAudioBytes: number;
  rxVideoBytes: number;
  txKBitRate: number;
  rxKBitRate: number;
  txAudioKBitRate: number;
  txVideoKBitRate: number;
  rxAudioKBitRate: number;
  rxVideoKBitRate: number;
  /** % lost of what we send, as the server reports it (RTCP). */
  txPacketLossRate: number;
  /** % lost of what we receive. */
  rxPacketLossRate: number;
  /** Round-trip time to the server's media endpoint, ms (the publisher's, else the subscriber's). */
  rttMs: number | undefined;
}

const sumBy = <T>(list: T[], pick: (t: T) => number) => list.reduce((n, t) => n + pick(t), 0);

export function transportFigures(
  pub: { prev: PeerSample | undefined; cur: PeerSample | undefined },
  sub: { prev: PeerSample | undefined; cur: PeerSample | undefined },
): TransportFigures {
  const out = (s: PeerSample | undefined, kind?: MediaKind) =>
    s ? sumBy(s.outbound, (o) => (kind && o.kind !== kind ? 0 : o.bytes)) : 0;
  const inb = (s: PeerSample | undefined, kind?: MediaKind) =>
    s ? sumBy(s.inbound, (i) => (kind && i.kind !== kind ? 0 : i.bytes)) : 0;
  const kbps = (cur: number, prev: number, ms: number) =>
    ms > 0 ? Math.max(0, Math.round(((cur - prev) * 8) / ms)) : 0;
  const pubMs = pub.cur && pub.prev ? pub.cur.at - pub.prev.at : 0;
  const subMs = sub.cur && sub.prev ? sub.cur.at - sub.prev.at : 0;
  const lost = (s: PeerSample | undefined) => (s ? sumBy(s.inbound, (i) => i.lost) : 0);
  const packets = (s: PeerSample | undefined) => (s ? sumBy(s.inbound, (i) => i.packets) : 0);
  const txLoss = pub.cur?.remoteInbound.length
    ? Math.round(Math.max(...pub.cur.remoteInbound.map((r) => r.fractionLost)) * 1000) / 10
    : 0;
  return {
    txBytes: (pub.cur?.bytesSent ?? 0) + (sub.cur?.bytesSent ?? 0),
    rxBytes: (pub.cur?.bytesReceived ?? 0) + (sub.cur?.bytesReceived ?? 0),
    txAudioBytes: out(pub.cur, 'audio'),
    txVideoBytes: out(pub.cur, 'video'),
    rxAudioBytes: inb(sub.cur, 'audio'),
    rxVideoBytes: inb(sub.cur, 'video'),
    txKBitRate: kbps(out(pub.cur), out(pub.prev), pubMs),
    rxKBitRate: kbps(inb(sub.cur), inb(sub.prev), subMs),
    txAudioKBitRate: kbps(out(pub.cur, 'audio'), out(pub.prev, 'audio'), pubMs),
    txVideoKBitRate: kbps(out(pub.cur, 'video'), out(pub.prev, 'video'), pubMs),
    rxAudioKBitRate: kbps(inb(sub.cur, 'audio'), inb(sub.prev, 'audio'), subMs),
    rxVideoKBitRate: kbps(inb(sub.cur, 'video'), inb(sub.prev, 'video'), subMs),
    txPacketLossRate: txLoss,
    rxPacketLossRate:
      sub.cur && sub.prev
        ? lossPercent(
            Math.max(0, lost(sub.cur) - lost(sub.prev)),
            Math.max(0, packets(sub.cur) - packets(sub.prev)),
          )
        : 0,
    rttMs:
      pub.cur?.rttMs ?? pub.cur?.remoteInbound.find((r) => r.rttMs !== undefined)?.rttMs ?? sub.cur?.rttMs,
  };
}

/**
 * Network quality, 0 unknown … 6 down (Agora QualityType 0–6 and NERTC's network status share the
 * numbers). *Derived* thresholds, since neither vendor publishes its formula: loss and RTT bands
 * widen step by step; no traffic at all where some is expected is "down".
 */
export function quality(
  lossPercent: number | undefined,
  rttMs: number | undefined,
  flowing: boolean,
): number {
  if (lossPercent === undefined && rttMs === undefined) return 0;
  if (!flowing) return 6;
  const loss = lossPercent ?? 0;
  const rtt = rttMs ?? 0;
  if (loss < 1 && rtt < 100) return 1;
  if (loss < 3 && rtt < 200) return 2;
  if (loss < 8 && rtt < 400) return 3;
  if (loss < 15 && rtt < 800) return 4;
  if (loss < 40) return 5;
  return 6;
}
