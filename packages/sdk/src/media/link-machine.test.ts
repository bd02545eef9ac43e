import { TestClock } from '@holdfast/protocol';
import { describe, expect, it } from 'vitest';
import {
  INITIAL_LINK,
  LINK_DEFAULTS,
  type LinkEffect,
  type LinkEvent,
  type LinkState,
  type LinkWatch,
  mediaTransition,
} from './link-machine.js';
import { LinkMonitor } from './link-monitor.js';

const T0 = 1_000_000;

/** Both connections up, two remote publishers expected and flowing at T0, signalling fresh. */
const healthy: LinkWatch = {
  signal: true,
  signalDataAt: T0,
  peers: { publisher: 'connected', subscriber: 'connected' },
  badSince: undefined,
  expected: [2, 3],
  flowAt: T0,
  ackAt: undefined,
};
const up = (w: Partial<LinkWatch> = {}, detectAt?: number): LinkState => ({
  phase: 'up',
  detectAt,
  ...healthy,
  ...w,
});
const down = (w: Partial<LinkWatch> = {}, d: { resets?: number; lostTold?: boolean } = {}): LinkState => ({
  phase: 'down',
  downAt: T0,
  step: d.resets ? 'reset' : 'ice_restart',
  resets: d.resets ?? 0,
  lostTold: d.lostTold ?? false,
  ...healthy,
  ...w,
});
const sample = (
  flowing: number[],
  expected = [2, 3],
  more: Partial<Extract<LinkEvent, { type: 'sample' }>> = {},
) => ({ type: 'sample', expected, flowing, signalDataAt: T0, ...more }) as const;

/** Effects as short strings: `report down 4000`, `restart_ice`, `arm detect +4000` (relative to the row's time). */
function brief(effects: LinkEffect[], at: number): string[] {
  return effects.map((e) => {
    switch (e.type) {
      case 'report':
        return `report ${e.change} ${e.elapsed}`;
      case 'arm':
        return `arm ${e.timer} +${e.at - at}`;
      default:
        return e.type;
    }
  });
}

interface Row {
  name: string;
  from: LinkState;
  event: LinkEvent;
  /** ms after T0. */
  at: number;
  phase: LinkState['phase'];
  effects: string[];
  check?: (s: LinkState) => void;
}

const OUTAGE = ['cancel_all', 'restart_ice', 'arm escalate +3000', 'arm lost +10000'];

// The rule table of the README's "Audio and video" section, one row per line of it (and edges).
const rows: Row[] = [
  {
    name: 'joined afresh → watching, nothing told',
    from: INITIAL_LINK,
    event: { type: 'start' },
    at: 0,
    phase: 'up',
    effects: ['cancel_all'],
    check: (s) => expect(s.signal).toBe(true),
  },
  {
    name: 'not in a channel: samples are ignored',
    from: INITIAL_LINK,
    event: sample([]),
    at: 0,
    phase: 'off',
    effects: [],
  },
  {
    name: 'a connection goes disconnected → a fault: detection armed 4 s later, nothing told',
    from: up(),
    event: { type: 'peer', role: 'subscriber', state: 'disconnected' },
    at: 0,
    phase: 'up',
    effects: ['arm detect +4000'],
    check: (s) => expect(s.badSince).toBe(T0),
  },
  {
    name: 'connected again within 4 s → nothing told at all (an outage under 4 s is not one)',
    from: up({ peers: { publisher: 'connected', subscriber: 'disconnected' }, badSince: T0 }, T0 + 4000),
    event: { type: 'peer', role: 'subscriber', state: 'connected' },
    at: 3000,
    phase: 'up',
    effects: [],
    check: (s) => expect(s.badSince).toBeUndefined(),
  },
  {
    name: 'still disconnected at 4 s with signalling fine → outage: down, step 1 (ICE restarts) at once',
    from: up(
      {
        peers: { publisher: 'connected', subscriber: 'disconnected' },
        badSince: T0,
        signalDataAt: T0 + 3800,
      },
      T0 + 4000,
    ),
    event: { type: 'timer', timer: 'detect' },
    at: 4000,
    phase: 'down',
    effects: ['cancel_all', 'report down 4000', ...OUTAGE.slice(1)],
  },
  {
    name: 'failed → outage at once (the browser already waited)',
    from: up(),
    event: { type: 'peer', role: 'publisher', state: 'failed' },
    at: 0,
    phase: 'down',
    effects: ['cancel_all', 'report down 0', ...OUTAGE.slice(1)],
  },
  {
    name: 'two expected publishers, no packet for 1 s → silence: detection at 4 s after the last packet',
    from: up(),
    event: sample([]),
    at: 1000,
    phase: 'up',
    effects: ['arm detect +3000'],
  },
  {
    name: 'the detection deadline is armed once, not at every sample',
    from: up({}, T0 + 4000),
    event: sample([]),
    at: 1250,
    phase: 'up',
    effects: [],
  },
  {
    name: 'silence at 4 s from both publishers → outage',
    from: up({ signalDataAt: T0 + 3900 }, T0 + 4000),
    event: { type: 'timer', timer: 'detect' },
    at: 4000,
    phase: 'down',
    effects: ['cancel_all', 'report down 4000', ...OUTAGE.slice(1)],
  },
  {
    name: 'one expected publisher silent 5 s → not this client’s outage (the remote sees it Frozen)',
    from: up({ expected: [2] }),
    event: sample([], [2]),
    at: 5000,
    phase: 'up',
    effects: [],
  },
  {
    name: 'one of two publishers still sends → no fault',
    from: up(),
    event: sample([3]),
    at: 2000,
    phase: 'up',
    effects: [],
    check: (s) => expect(s.flowAt).toBe(T0 + 2000),
  },
  {
    name: 'a publisher newly expected gets the whole window before silence counts',
    from: up({ flowAt: T0 - 3000 }),
    event: sample([], [2, 3, 4]),
    at: 0,
    phase: 'up',
    effects: [],
    check: (s) => expect(s.flowAt).toBe(T0),
  },
  {
    name: 'sending, no receiver report for 2.5 s → an unacknowledged uplink is a fault',
    from: up({ ackAt: T0 }),
    event: sample([2, 3], [2, 3], { uplink: 'unacked' }),
    at: 2500,
    phase: 'up',
    effects: ['arm detect +1500'],
  },
  {
    name: 'a receiver report clears it; not sending (idle) stops judging the uplink',
    from: up({ ackAt: T0 }),
    event: sample([2, 3], [2, 3], { uplink: 'idle' }),
    at: 2500,
    phase: 'up',
    effects: [],
    check: (s) => expect(s.ackAt).toBeUndefined(),
  },
  {
    name: 'at 4 s signalling is silent too → not told: signalling’s own rule decides first',
    from: up({ signalDataAt: T0 + 1000 }, T0 + 4000),
    event: { type: 'timer', timer: 'detect' },
    at: 4000,
    phase: 'up',
    // Its Reconnecting is due at 1000 + 4000; looked at again just after.
    effects: ['arm detect +1500'],
  },
  {
    name: 'signalling down → nothing told or repaired while it is',
    from: up({ signal: false, badSince: T0 }),
    event: { type: 'timer', timer: 'detect' },
    at: 5000,
    phase: 'up',
    effects: [],
  },
  {
    name: 'signalling resumed, the fault already 4 s old → judged on samples taken after the resume (1 s)',
    from: up({ signal: false, badSince: T0 }),
    event: { type: 'signal', up: true },
    at: 6000,
    phase: 'up',
    effects: ['arm detect +1000'],
  },
  {
    name: 'still at fault 1 s after the resume → outage told and repaired at once',
    from: up({ badSince: T0, signalDataAt: T0 + 6900 }, T0 + 7000),
    event: { type: 'timer', timer: 'detect' },
    at: 7000,
    phase: 'down',
    effects: ['cancel_all', 'report down 7000', ...OUTAGE.slice(1)],
  },
  {
    name: 'media back within that second (RTP returned with the network) → nothing told',
    from: { ...up({ flowAt: T0, signalDataAt: T0 + 6000 }, T0 + 7000), holdUntil: T0 + 7000 } as LinkState,
    event: sample([2, 3]),
    at: 6250,
    phase: 'up',
    effects: [],
  },
  {
    name: 'signalling resumed, the fault younger → detection at its 4 s mark',
    from: up({ signal: false, badSince: T0 + 5000, flowAt: T0 + 5900 }),
    event: { type: 'signal', up: true },
    at: 6000,
    phase: 'up',
    effects: ['arm detect +3000'],
  },
  {
    name: 'signalling resumed with media fine → nothing',
    from: up({ signal: false }),
    event: { type: 'signal', up: true },
    at: 300,
    phase: 'up',
    effects: [],
  },
  {
    name: 'signalling lost during a told outage → superseded (its reason now), the ladder stops',
    from: down({ badSince: T0 }),
    event: { type: 'signal', up: false },
    at: 1000,
    phase: 'up',
    effects: ['cancel_all'],
    check: (s) => expect(s.signal).toBe(false),
  },
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
  it.each(rows)('$name', (row) => {
    const at = T0 + row.at;
    const result = mediaTransition(row.from, row.event, at, LINK_DEFAULTS);
    expect(result.state.phase).toBe(row.phase);
    expect(brief(result.effects, at)).toEqual(row.effects);
    row.check?.(result.state);
  });

  it('is pure: the input state is not mutated', () => {
    const s = up({ peers: { publisher: 'connected', subscriber: 'disconnected' }, badSince: T0 });
    const copy = structuredClone(s);
    mediaTransition(s, { type: 'timer', timer: 'detect' }, T0 + 4000);
    mediaTransition(s, sample([]), T0 + 4000);
    expect(s).toEqual(copy);
  });
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
