import { TestClock } from '@holdfast/protocol';
import { describe, expect, it } from 'vitest';
import { RtpWatchdog } from './rtp-watchdog.js';

describe('RtpWatchdog', () => {
  it('a packet after a gap of exactly gapMs is a resumption; one ms less is not', () => {
    const clock = new TestClock();
    const w = new RtpWatchdog(1500);
    expect(w.packet(clock.now())).toBeUndefined(); // the first packet is a start, not a resumption
    clock.advance(1499);
    expect(w.stalled(clock.now())).toBe(false);
    expect(w.packet(clock.now())).toBeUndefined();
    clock.advance(1500);
    expect(w.stalled(clock.now())).toBe(true);
    expect(w.packet(clock.now())).toBe('resumed');
    clock.advance(20);
    expect(w.packet(clock.now())).toBeUndefined();
  });

  it('a track that never sent is stalled', () => {
    expect(new RtpWatchdog().stalled(0)).toBe(true);
  });
});
