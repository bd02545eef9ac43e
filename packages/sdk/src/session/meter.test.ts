import { TestClock } from '@holdfast/protocol';
import { describe, expect, it } from 'vitest';
import { SessionMeter } from './meter.js';

describe('SessionMeter', () => {
  it('counts connect time, duration, bytes over every transport of the join, and the last RTT', () => {
    const clock = new TestClock();
    const meter = new SessionMeter(clock);
    meter.joinStarted();
    clock.advance(120);
    meter.connected();
    meter.detached({ bytesSent: 10, bytesReceived: 20 });
    const sentAt = clock.now();
    clock.advance(35);
    meter.pong(sentAt);
    clock.advance(2000 - 35);
    expect(meter.stats({ bytesSent: 1, bytesReceived: 2 }, 3)).toEqual({
      duration: 2,
      txBytes: 11,
      rxBytes: 22,
      userCount: 3,
      connectTimeMs: 120,
      lastRttMs: 35,
    });
    meter.joinStarted();
    expect(meter.stats(undefined, 1)).toMatchObject({ txBytes: 0, rxBytes: 0 });
  });

  it('takes the time the server held the ping out of the RTT (pongs go out with its next writes)', () => {
    const clock = new TestClock();
    const meter = new SessionMeter(clock);
    const sentAt = clock.now();
    clock.advance(230);
    meter.pong(sentAt, 200);
    expect(meter.stats(undefined, 1).lastRttMs).toBe(30);
    // A held time longer than the round trip (clocks of ms granularity) is never a negative RTT.
    meter.pong(clock.now() - 3, 5);
    expect(meter.stats(undefined, 1).lastRttMs).toBe(0);
  });
});
