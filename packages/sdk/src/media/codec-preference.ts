import type { TransceiverLike } from './peer.js';

/** The video codecs a publisher can ask for (`media.videoCodec`). */
export type VideoCodecChoice = 'vp8' | 'h264';

/** One entry of `RTCRtpSender.getCapabilities('video').codecs`. */
export interface CodecCapabilityLike {
  readonly mimeType: string;
  readonly clockRate: number;
  readonly sdpFmtpLine?: string;
}

/**
 * The H.264 format the server forwards: packetization mode 1, Constrained Baseline (42e01f).
 * Others are removed from the offer by the server, so preferring them would change nothing.
 */
export function isForwardableH264(c: CodecCapabilityLike): boolean {
  if (c.mimeType.toLowerCase() !== 'video/h264') return false;
  const fmtp = (c.sdpFmtpLine ?? '').toLowerCase();
  return /(^|;)\s*packetization-mode=1(;|$)/.test(fmtp) && /(^|;)\s*profile-level-id=42e01f(;|$)/.test(fmtp);
}

/**
 * The capabilities reordered so the offer lists `choice` first (the server answers in the offer's
 * order and the browser sends the answer's first codec), the rest after it as they were; undefined
 * when nothing changes (VP8, already every browser's first) or the browser has no such format (it
 * then sends VP8).
 */
export function codecOrder(
  caps: readonly CodecCapabilityLike[],
  choice: VideoCodecChoice,
): CodecCapabilityLike[] | undefined {
  if (choice !== 'h264') return undefined;
  const first = caps.filter(isForwardableH264);
  if (first.length === 0) return undefined;
  return [...first, ...caps.filter((c) => !isForwardableH264(c))];
}

/** What the publisher's video transceiver needs of the browser's: setCodecPreferences. */
export type PreferringTransceiver = TransceiverLike & {
  setCodecPreferences?(codecs: CodecCapabilityLike[]): void;
};

/**
 * Puts `choice` first in the video transceiver's offers (RTCRtpTransceiver.setCodecPreferences
 * with `RTCRtpSender.getCapabilities('video')`). Returns whether it did: false where either is
 * missing (Node's wrtc) or the browser has no forwardable H.264, and then the default (VP8) stays.
 */
export function preferVideoCodec(
  transceiver: PreferringTransceiver,
  choice: VideoCodecChoice,
  capabilities: (() => { codecs: CodecCapabilityLike[] } | null) | undefined = browserCapabilities(),
): boolean {
  const caps = capabilities?.()?.codecs;
  if (!caps || !transceiver.setCodecPreferences) return false;
  const order = codecOrder(caps, choice);
  if (!order) return false;
  transceiver.setCodecPreferences(order);
  return true;
}

function browserCapabilities(): (() => { codecs: CodecCapabilityLike[] } | null) | undefined {
  const sender = (
    globalThis as {
      RTCRtpSender?: { getCapabilities?(kind: string): { codecs: CodecCapabilityLike[] } | null };
    }
  ).RTCRtpSender;
  const get = sender?.getCapabilities;
  return get ? () => get.call(sender, 'video') : undefined;
}
