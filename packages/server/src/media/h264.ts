/**
 * H.264 over RTP (RFC 6184, packetization-mode 1: single NAL units, STAP-A and FU-A). A decoder
 * can start at an IDR picture (NAL type 5) only with the SPS (7) and PPS (8) it refers to, which
 * encoders send just before it; so a keyframe starts at the packet that carries the SPS, or, when
 * none came before it, at the IDR's first packet.
 */
const SPS = 7;
const IDR = 5;
const STAP_A = 24;
const FU_A = 28;

const starts = (type: number) => type === SPS || type === IDR;

/**
 * Whether an RTP payload starts a keyframe: a single SPS or IDR NAL unit, a STAP-A aggregating
 * one, or the first fragment (S = 1) of an FU-A carrying one. A payload too short for what it
 * announces is not (never a throw: it comes from the network).
 */
export function isH264KeyframeStart(payload: Uint8Array): boolean {
  const b0 = payload[0];
  if (b0 === undefined) return false;
  const type = b0 & 0x1f;
  if (type >= 1 && type <= 23) return starts(type);
  if (type === FU_A) {
    const fu = payload[1];
    return fu !== undefined && (fu & 0x80) !== 0 && starts(fu & 0x1f);
  }
  if (type === STAP_A) {
    // Aggregated NAL units, each behind its 16-bit size.
    let i = 1;
    while (i + 2 < payload.length) {
      const size = ((payload[i] ?? 0) << 8) | (payload[i + 1] ?? 0);
      const nal = payload[i + 2];
      if (size === 0 || nal === undefined || i + 2 + size > payload.length) return false;
      if (starts(nal & 0x1f)) return true;
      i += 2 + size;
    }
  }
  return false;
}

/**
 * Whether an H.264 format (its fmtp line's parameters) is one Holdfast forwards: packetization
 * mode 1 (what every browser sends and depacketizes) and the Constrained Baseline profile
 * (profile_idc 0x42 with constraint_set1, e.g. 42e01f), which every browser's decoder handles.
 */
export function isForwardableH264(fmtp: string): boolean {
  const params = new Map<string, string>();
  for (const part of fmtp.split(';')) {
    const [k, v] = part.split('=');
    if (k && v !== undefined) params.set(k.trim().toLowerCase(), v.trim().toLowerCase());
  }
  if (params.get('packetization-mode') !== '1') return false;
  const pli = params.get('profile-level-id');
  if (!pli || !/^[0-9a-f]{6}$/.test(pli)) return false;
  return pli.startsWith('42') && (Number.parseInt(pli.slice(2, 4), 16) & 0x40) !== 0;
}
