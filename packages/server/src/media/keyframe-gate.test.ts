import { describe, expect, it } from 'vitest';
import { KeyframeGate } from './keyframe-gate.js';

const opts = { retryMs: 500, giveUpMs: 3000 };

describe('KeyframeGate', () => {
  it('forwards nothing before the sender is ready, and asks for no keyframe then', () => {
    const g = new KeyframeGate(opts);
    expect(g.packet(0, false, true)).toEqual({ forward: false, ask: false });
    expect(g.packet(30, false, false)).toEqual({ forward: false, ask: false });
    expect(g.open).toBe(false);
  });

  it('asks as soon as the sender is ready, drops deltas, and opens on the keyframe', () => {
    const g = new KeyframeGate(opts);
    expect(g.ready(100)).toBe(true);
    // A delta right after: dropped, and no second request so soon.
    expect(g.packet(110, true, false)).toEqual({ forward: false, ask: false });
    expect(g.packet(150, true, true)).toEqual({ forward: true, ask: false });
    expect(g.open).toBe(true);
    // From here on everything passes, and the gate never asks again.
    expect(g.packet(160, true, false)).toEqual({ forward: true, ask: false });
    expect(g.ready(2000)).toBe(false);
  });

  it('asks on the first ready packet when no connection event came first (a track added later)', () => {
    const g = new KeyframeGate(opts);
    expect(g.packet(0, true, false)).toEqual({ forward: false, ask: true });
  });

  it('asks again every retryMs while no keyframe comes', () => {
    const g = new KeyframeGate(opts);
    const asks: number[] = [];
    for (let t = 0; t <= 1200; t += 33) if (g.packet(t, true, false).ask) asks.push(t);
    expect(asks).toEqual([0, 528, 1056]);
  });

  it('opens anyway after giveUpMs of asking, and says so', () => {
    const g = new KeyframeGate(opts);
    g.ready(1000);
    expect(g.packet(3999, true, false).forward).toBe(false);
    expect(g.packet(4000, true, false)).toEqual({ forward: true, ask: false, gaveUp: true });
    expect(g.packet(4033, true, false)).toEqual({ forward: true, ask: false });
  });

  it('counts the give-up time from readiness, not from the first packet', () => {
    const g = new KeyframeGate(opts);
    expect(g.packet(0, false, false).forward).toBe(false);
    expect(g.packet(5000, false, false).forward).toBe(false);
    expect(g.packet(5010, true, false)).toEqual({ forward: false, ask: true });
    expect(g.packet(8009, true, false).forward).toBe(false);
    expect(g.packet(8010, true, false).gaveUp).toBe(true);
  });
});
