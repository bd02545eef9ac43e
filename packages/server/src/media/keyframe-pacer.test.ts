import { TestClock } from '@holdfast/protocol';
import { describe, expect, it } from 'vitest';
import { KeyframePacer, PUBLISHER_KEYFRAME_INTERVAL_MS } from './keyframe-pacer.js';

/** Drives a pacer the way the room does: deferred requests on a clock's timer; returns the send times. */
function rig(clock: TestClock) {
  const pacer = new KeyframePacer(350);
  const sent: number[] = [];
  const ask = () => {
    const step = pacer.request(clock.now());
    if (step.send) sent.push(clock.now());
    else if (step.inMs !== undefined)
      clock.setTimeout(() => {
        if (pacer.due(clock.now())) sent.push(clock.now());
      }, step.inMs);
  };
  return { pacer, sent, ask };
}

describe('KeyframePacer', () => {
  it('sends at once when the last request is old enough, and never two within the interval', () => {
    const clock = new TestClock(0);
    const { sent, ask } = rig(clock);
    ask(); // t=0: sent
    clock.advance(57);
    ask(); // the subscriber connected 57 ms later: libwebrtc would ignore it, so it waits
    clock.advance(50);
    ask(); // and a third meanwhile is the same deferred request, not another
    clock.advance(242); // t=349
    expect(sent).toEqual([0]);
    clock.advance(1); // t=350: the deferred one goes
    expect(sent).toEqual([0, 350]);
    clock.advance(1000);
    expect(sent).toEqual([0, 350]);
    ask(); // long after: at once
    expect(sent).toEqual([0, 350, 1350]);
  });

  it('drops a deferred request when a keyframe arrives before its time', () => {
    const clock = new TestClock(0);
    const { pacer, sent, ask } = rig(clock);
    ask();
    clock.advance(100);
    ask();
    expect(pacer.pending).toBe(true);
    clock.advance(40);
    pacer.keyframe(); // the keyframe asked for at t=0 arrived: the later asker receives it too
    expect(pacer.pending).toBe(false);
    clock.advance(1000);
    expect(sent).toEqual([0]);
  });

  it('spaces a burst of requests (a watchdog, subscribers connecting) by the interval', () => {
    const clock = new TestClock(0);
    const { sent, ask } = rig(clock);
    for (let t = 0; t < 1000; t += 10) {
      ask();
      clock.advance(10);
    }
    expect(sent).toEqual([0, 350, 700]);
    for (let i = 1; i < sent.length; i++) expect(sent[i]! - sent[i - 1]!).toBeGreaterThanOrEqual(350);
  });

  it('defaults to more than libwebrtc’s 300 ms', () => {
    expect(PUBLISHER_KEYFRAME_INTERVAL_MS).toBeGreaterThan(300);
    const p = new KeyframePacer();
    expect(p.request(0)).toEqual({ send: true });
    expect(p.request(300)).toEqual({ send: false, inMs: PUBLISHER_KEYFRAME_INTERVAL_MS - 300 });
  });
});
