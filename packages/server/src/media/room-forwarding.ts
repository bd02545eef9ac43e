import type { VideoCodec } from './config.js';
import { isForwardableH264, isH264KeyframeStart } from './h264.js';
import type { SubTrack } from './room-types.js';
import type { SdpCodec } from './sdp-codecs.js';
import { isVp8KeyframeStart } from './vp8.js';

/** A format the SFU forwards: any but the H.264 ones other than packetization-mode 1 Constrained Baseline. */
export function forwardable(c: SdpCodec): boolean {
  return c.mimeType !== 'video/h264' || isForwardableH264(c.fmtp);
}

/**
 * How a video codec's keyframe starts are recognised (undefined: another codec, whose tracks are
 * not gated — the gate could not see their keyframes and would hold their video for its whole
 * give-up time).
 */
export function keyframeTest(codec: VideoCodec | undefined): ((payload: Uint8Array) => boolean) | undefined {
  if (codec === 'video/vp8') return isVp8KeyframeStart;
  if (codec === 'video/h264') return isH264KeyframeStart;
  return undefined;
}

/** Whether werift's sender of a subscriber track can send (its DTLS is connected; before, it drops every packet). */
export function sendable(st: SubTrack): boolean {
  return st.transceiver.sender.dtlsTransport?.state === 'connected';
}
