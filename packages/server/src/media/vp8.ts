/**
 * Whether an RTP payload (VP8, RFC 7741) is the first packet of a keyframe: the payload descriptor
 * says "start of partition 0" (S = 1, PID = 0), and the VP8 payload header after it has P = 0.
 * A payload too short for what its descriptor announces is not a keyframe start (never a throw:
 * it comes from the network).
 */
export function isVp8KeyframeStart(payload: Uint8Array): boolean {
  const b0 = payload[0];
  if (b0 === undefined) return false;
  // S (start of a VP8 partition) and PID = 0: the frame's first packet.
  if ((b0 & 0x10) === 0 || (b0 & 0x07) !== 0) return false;
  let i = 1;
  if (b0 & 0x80) {
    // X: extended control bits follow.
    const x = payload[1];
    if (x === undefined) return false;
    i = 2;
    if (x & 0x80) {
      // I: a picture ID of 7 bits, or 15 when its first bit (M) is set.
      const pid = payload[i];
      if (pid === undefined) return false;
      i += pid & 0x80 ? 2 : 1;
    }
    if (x & 0x40) i++; // L: TL0PICIDX
    if (x & 0x30) i++; // T or K: TID / Y / KEYIDX
  }
  const header = payload[i];
  // P (inverse key frame flag) is bit 0 of the payload header's first byte.
  return header !== undefined && (header & 0x01) === 0;
}
