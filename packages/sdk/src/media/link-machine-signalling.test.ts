import { describe, expect, it } from 'vitest';
import type { LinkState } from './link-machine.js';
import { down, expectRow, OUTAGE, type Row, sample, T0, up } from './link-machine.test-support.js';

// The rule table of the README's "Audio and video" section, one row per line of it (and edges);
// the row helpers and the check every row gets are in link-machine.test-support.ts. Here: the
// media rules giving way to signalling's own (signalling silent too, down, resumed).
const rows: Row[] = [
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
];

describe('mediaTransition(): the media connection rule table', () => {
  it.each(rows)('$name', expectRow);
});
