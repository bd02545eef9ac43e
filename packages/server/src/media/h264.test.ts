import { describe, expect, it } from 'vitest';
import { isForwardableH264, isH264KeyframeStart } from './h264.js';

const hex = (s: string) => Uint8Array.from(Buffer.from(s, 'hex'));

/**
 * Packets Debian's Chromium 156 (OpenH264, 320x240, packetization-mode 1) sent to werift, captured
 * from `track.onReceiveRtp` (first bytes of each payload; the STAP-A is whole). A keyframe:
 * STAP-A [SPS, PPS], then the IDR in FU-A fragments; deltas: single NAL units (type 1) or FU-A.
 */
const CHROMIUM = {
  stapSpsPps: '7800126742c0158c8d40a0f9350606060784423500000468ce3c80',
  fuIdrStart: '7c85b80004000008e2309d000103fac1c000414638000828fc3ffe13',
  fuIdrMiddle: '7c05dcc2bd7c446d7854a1a1d23676639157760fc01289e11ca57bcd',
  fuIdrEnd: '7c4567d642c2149fcff4ed80c70bfc50d3da9b132227fff0f000bccb',
  singleDelta: '61e0004000be408fa041dffffffffffffffffffffffd673f9fcfe7f3',
  fuDeltaStart: '7c81e003c007be43fa041dc4d6b58bc2382015ad6b5d78200424a8be',
  fuDeltaEnd: '7c4102f027ea232b49e2ff70086e2d54ede5847498ebcfd284364041',
};

describe('isH264KeyframeStart', () => {
  it("finds the keyframe in Chromium's packets: the STAP-A with its SPS, and the IDR's first fragment", () => {
    expect(isH264KeyframeStart(hex(CHROMIUM.stapSpsPps))).toBe(true);
    expect(isH264KeyframeStart(hex(CHROMIUM.fuIdrStart))).toBe(true);
  });

  it("is false for the IDR's later fragments and for every delta packet", () => {
    expect(isH264KeyframeStart(hex(CHROMIUM.fuIdrMiddle))).toBe(false);
    expect(isH264KeyframeStart(hex(CHROMIUM.fuIdrEnd))).toBe(false);
    expect(isH264KeyframeStart(hex(CHROMIUM.singleDelta))).toBe(false);
    expect(isH264KeyframeStart(hex(CHROMIUM.fuDeltaStart))).toBe(false);
    expect(isH264KeyframeStart(hex(CHROMIUM.fuDeltaEnd))).toBe(false);
  });

  it('finds SPS and IDR sent as single NAL units, and not a PPS alone', () => {
    // Chromium's SPS and PPS out of its STAP-A, and an IDR slice header (0x65 = NRI 3, type 5).
    expect(isH264KeyframeStart(hex('6742c0158c8d40a0f93506060607844235'))).toBe(true);
    expect(isH264KeyframeStart(hex('68ce3c80'))).toBe(false);
    expect(isH264KeyframeStart(hex('65b80004000008e2309d'))).toBe(true);
  });

  it('finds an IDR aggregated after other NAL units in a STAP-A', () => {
    // [PPS (4 bytes), IDR (3 bytes)]
    expect(isH264KeyframeStart(hex('78000468ce3c80000365b800'))).toBe(true);
    // [PPS, non-IDR slice]
    expect(isH264KeyframeStart(hex('78000468ce3c80000361e000'))).toBe(false);
  });

  it('is false, never a throw, for an empty or truncated payload', () => {
    expect(isH264KeyframeStart(hex(''))).toBe(false);
    // FU-A indicator without its header.
    expect(isH264KeyframeStart(hex('7c'))).toBe(false);
    // STAP-A announcing 18 bytes of SPS with 3 present, or a size of 0.
    expect(isH264KeyframeStart(hex('7800126742c0'))).toBe(false);
    expect(isH264KeyframeStart(hex('780000'))).toBe(false);
    expect(isH264KeyframeStart(hex('7800'))).toBe(false);
    // NAL types a packetization-mode 1 stream never carries (0, STAP-B 25, FU-B 29, 31).
    for (const b of ['00', '7900126742', '7d85b8', '1f']) expect(isH264KeyframeStart(hex(b))).toBe(false);
  });
});

describe('isForwardableH264', () => {
  it("keeps Chromium's Constrained Baseline packetization-mode 1 format only", () => {
    expect(isForwardableH264('level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f')).toBe(
      true,
    );
    // Baseline without constraint_set1, mode 0, Main: what else Chromium 156 offers.
    expect(isForwardableH264('level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f')).toBe(
      false,
    );
    expect(isForwardableH264('level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=42e01f')).toBe(
      false,
    );
    expect(isForwardableH264('level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=4d001f')).toBe(
      false,
    );
  });

  it('refuses a format without the parameters, or with malformed ones', () => {
    expect(isForwardableH264('')).toBe(false);
    expect(isForwardableH264('packetization-mode=1')).toBe(false);
    expect(isForwardableH264('packetization-mode=1;profile-level-id=42e0')).toBe(false);
    expect(isForwardableH264('packetization-mode=1;profile-level-id=zz e01f')).toBe(false);
    // Case and spaces as other browsers write them.
    expect(isForwardableH264('profile-level-id=42E01F; packetization-mode=1')).toBe(true);
  });
});
