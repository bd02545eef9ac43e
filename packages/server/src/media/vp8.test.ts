import { describe, expect, it } from 'vitest';
import { isVp8KeyframeStart } from './vp8.js';

const b = (...bytes: number[]) => Uint8Array.from(bytes);

describe('isVp8KeyframeStart', () => {
  it('finds a keyframe start behind the descriptors Chromium sends', () => {
    // Chromium: X=1, S=1 | I=1 | 15-bit picture ID | payload header with P=0.
    expect(isVp8KeyframeStart(b(0x90, 0x80, 0x81, 0x23, 0x50, 0x2a))).toBe(true);
    // The same frame's delta (P=1).
    expect(isVp8KeyframeStart(b(0x90, 0x80, 0x81, 0x23, 0x51, 0x2a))).toBe(false);
    // 7-bit picture ID, TL0PICIDX and TID present.
    expect(isVp8KeyframeStart(b(0x90, 0xe0, 0x05, 0x01, 0x20, 0x10))).toBe(true);
    expect(isVp8KeyframeStart(b(0x90, 0xe0, 0x05, 0x01, 0x20, 0x11))).toBe(false);
    // No extension at all.
    expect(isVp8KeyframeStart(b(0x10, 0x9c))).toBe(true);
  });

  it('is false for a continuation packet or another partition', () => {
    // S=0: the keyframe's second packet (its first byte of data looks like P=0).
    expect(isVp8KeyframeStart(b(0x80, 0x80, 0x81, 0x23, 0x00))).toBe(false);
    // S=1 but PID=1.
    expect(isVp8KeyframeStart(b(0x11, 0x00))).toBe(false);
  });

  it('is false, never a throw, for an empty or truncated payload', () => {
    expect(isVp8KeyframeStart(b())).toBe(false);
    expect(isVp8KeyframeStart(b(0x90))).toBe(false);
    expect(isVp8KeyframeStart(b(0x90, 0x80))).toBe(false);
    expect(isVp8KeyframeStart(b(0x90, 0x80, 0x81, 0x23))).toBe(false);
    expect(isVp8KeyframeStart(b(0x10))).toBe(false);
  });
});
