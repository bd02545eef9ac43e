import { describe, expect, it } from 'vitest';
import { INITIAL_LINK, mediaTransition } from './link-machine.js';
import { expectRow, OUTAGE, type Row, sample, T0, up } from './link-machine.test-support.js';

// The rule table of the README's "Audio and video" section, one row per line of it (and edges);
// the row helpers and the check every row gets are in link-machine.test-support.ts. Here: joining,
// and telling a fault from an outage while watching. Signalling's part is in
// link-machine-signalling.test.ts, what happens while down in link-machine-outage.test.ts.
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
];

describe('mediaTransition(): the media connection rule table', () => {
  it.each(rows)('$name', expectRow);

  it('is pure: the input state is not mutated', () => {
    const s = up({ peers: { publisher: 'connected', subscriber: 'disconnected' }, badSince: T0 });
    const copy = structuredClone(s);
    mediaTransition(s, { type: 'timer', timer: 'detect' }, T0 + 4000);
    mediaTransition(s, sample([]), T0 + 4000);
    expect(s).toEqual(copy);
  });
});
