import { TestClock } from '@holdfast/protocol';
import { describe, expect, it } from 'vitest';
import { down, expectRow, type Row, sample, T0, up } from './link-machine.test-support.js';
import { LinkMonitor } from './link-monitor.js';

// The rule table of the README's "Audio and video" section, one row per line of it (and edges);
// the row helpers and the check every row gets are in link-machine.test-support.ts. Here: while
// down (the repair ladder, back up, the lost mark), leaving and re-joining; then the ladder on a
// TestClock through the LinkMonitor.
const rows: Row[] = [
  {
    name: 'down: packets again and every connection connected → up, told once',
    from: down({ flowAt: T0 - 5000 }),
    event: sample([2]),
    at: 2000,
    phase: 'up',
    effects: ['cancel_all', 'report up 2000'],
  },
  {
    name: 'down: one publisher’s packets are enough (the repair touched this path)',
    from: down({ expected: [2], flowAt: T0 - 5000 }),
    event: sample([2], [2]),
    at: 1500,
    phase: 'up',
    effects: ['cancel_all', 'report up 1500'],
  },
  {
    name: 'down: packets, but a connection still connecting → still down',
    from: down({ peers: { publisher: 'connecting', subscriber: 'connected' }, flowAt: T0 - 5000 }),
    event: sample([2]),
    at: 1000,
    phase: 'down',
    effects: [],
  },
  {
    name: 'down: step 1 not back after 3 s → step 2: reset (the old connections no longer count)',
    from: down({ flowAt: T0 - 5000 }),
    event: { type: 'timer', timer: 'escalate' },
    at: 3000,
    phase: 'down',
    effects: ['reset', 'arm retry +5000'],
    check: (s) => {
      expect(s.peers).toEqual({});
      expect(s).toMatchObject({ step: 'reset', resets: 1 });
    },
  },
  {
    name: 'down: the reset not back either → another, 10 s later the next time (5, 10, 20, 30 s)',
    from: down({ peers: { publisher: 'connected' }, flowAt: T0 - 9000 }, { resets: 1 }),
    event: { type: 'timer', timer: 'retry' },
    at: 8000,
    phase: 'down',
    effects: ['reset', 'arm retry +10000'],
    check: (s) => expect(s).toMatchObject({ resets: 2 }),
  },
  {
    name: 'down: a new connection made by the reset → still down until it connects and media flows',
    from: down({ peers: {}, flowAt: T0 - 5000 }, { resets: 1 }),
    event: { type: 'peer', role: 'publisher', state: 'new' },
    at: 3001,
    phase: 'down',
    effects: [],
  },
  {
    name: 'down 10 s → the lost mark, told once',
    from: down({ flowAt: T0 - 5000 }, { resets: 1 }),
    event: { type: 'timer', timer: 'lost' },
    at: 10_000,
    phase: 'down',
    effects: ['report lost 10000'],
  },
  {
    name: 'down, lost already told → not again',
    from: down({}, { resets: 2, lostTold: true }),
    event: { type: 'timer', timer: 'lost' },
    at: 10_000,
    phase: 'down',
    effects: [],
  },
  {
    name: 'down with no connection and nothing expected (nothing left to carry) → up',
    from: down({ peers: {}, expected: [], flowAt: undefined }, { resets: 1 }),
    event: sample([], []),
    at: 3500,
    phase: 'up',
    effects: ['cancel_all', 'report up 3500'],
  },
  {
    name: 'left the channel → off, every timer cancelled, nothing told',
    from: down(),
    event: { type: 'stop' },
    at: 1000,
    phase: 'off',
    effects: ['cancel_all'],
  },
  {
    name: 'a fresh re-join (new connections) → watching anew',
    from: up({ signal: false, badSince: T0, flowAt: T0 - 9000 }),
    event: { type: 'start' },
    at: 9000,
    phase: 'up',
    effects: ['cancel_all'],
    check: (s) => expect(s).toMatchObject({ peers: {}, badSince: undefined, expected: [], signal: true }),
  },
];

describe('mediaTransition(): the media connection rule table', () => {
  it.each(rows)('$name', expectRow);
});

/** The machine on a TestClock through its driver: what the media session would be told to do, when. */
function harness() {
  const clock = new TestClock(T0);
  const log: string[] = [];
  const at = () => clock.now() - T0;
  const monitor = new LinkMonitor(clock, {
    report: (change, elapsed) => log.push(`${at()} ${change} ${elapsed}`),
    restartIce: () => log.push(`${at()} restart_ice`),
    reset: () => log.push(`${at()} reset`),
  });
  /** Samples every 250 ms for `ms`, with `flowing` publishers (of `expected`). */
  const run = (ms: number, flowing: number[], expected = [2, 3]) => {
    for (let t = 0; t < ms; t += 250) {
      clock.advance(250);
      monitor.dispatch({ type: 'sample', expected, flowing, signalDataAt: clock.now() });
    }
  };
  return { clock, log, monitor, run };
}

describe('the repair ladder on a TestClock', () => {
  it('media silent 6 s: down at 4 s, ICE restarts at once, back with the first packets; no reset', () => {
    const h = harness();
    h.monitor.dispatch({ type: 'start' });
    h.monitor.dispatch({ type: 'peer', role: 'publisher', state: 'connected' });
    h.monitor.dispatch({ type: 'peer', role: 'subscriber', state: 'connected' });
    h.run(1000, [2, 3]);
    h.run(6000, []);
    expect(h.monitor.down).toBe(true);
    h.run(500, [2, 3]);
    // Last packets at 1000; told at 5000 (4 s later); back at the first sample with packets (7250).
    expect(h.log).toEqual(['5000 down 4000', '5000 restart_ice', '7250 up 2250']);
    expect(h.monitor.down).toBe(false);
    expect(h.clock.pendingTimers()).toBe(0);
  });

  it('not back: reset 3 s after step 1, then every 5, 10, 20, 30 s; lost 10 s after down; then back', () => {
    const h = harness();
    h.monitor.dispatch({ type: 'start' });
    h.monitor.dispatch({ type: 'peer', role: 'subscriber', state: 'connected' });
    h.run(60_000, []);
    // Expected from the first sample (250): silent 4 s from then.
    expect(h.log).toEqual([
      '4250 down 4000',
      '4250 restart_ice',
      '7250 reset',
      '12250 reset',
      '14250 lost 10000',
      '22250 reset',
      '42250 reset',
    ]);
    h.monitor.dispatch({ type: 'peer', role: 'subscriber', state: 'connected' });
    h.run(250, [2]);
    expect(h.log.at(-1)).toBe('60250 up 56000');
  });

  it('signalling lost inside the outage: nothing more is told; back with media fine → nothing at all', () => {
    const h = harness();
    h.monitor.dispatch({ type: 'start' });
    h.monitor.dispatch({ type: 'peer', role: 'subscriber', state: 'connected' });
    h.run(5000, []);
    h.monitor.dispatch({ type: 'signal', up: false });
    h.run(10_000, []);
    expect(h.log).toEqual(['4250 down 4000', '4250 restart_ice']);
    h.run(250, [2, 3]);
    h.monitor.dispatch({ type: 'signal', up: true });
    expect(h.log).toHaveLength(2);
    expect(h.monitor.down).toBe(false);
  });

  it('a full outage (signalling silent too): media waits for signalling to decide, and tells nothing', () => {
    const h = harness();
    h.monitor.dispatch({ type: 'start' });
    h.monitor.dispatch({ type: 'peer', role: 'subscriber', state: 'connected' });
    const lastData = h.clock.now();
    for (let t = 0; t < 4000; t += 250) {
      h.clock.advance(250);
      h.monitor.dispatch({ type: 'sample', expected: [2, 3], flowing: [], signalDataAt: lastData });
    }
    // The session's own 4 s rule: Reconnecting at lastData + 4000.
    h.monitor.dispatch({ type: 'signal', up: false });
    h.run(5000, []);
    expect(h.log).toEqual([]);
  });
});
