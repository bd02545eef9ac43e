import { expect } from 'vitest';
import {
  LINK_DEFAULTS,
  type LinkEffect,
  type LinkEvent,
  type LinkState,
  type LinkWatch,
  mediaTransition,
} from './link-machine.js';

// The media connection rule table (the README's "Audio and video" section) as rows: the states,
// events and effects they are written in, and the check every row gets. Shared by
// link-machine-detection.test.ts, link-machine-signalling.test.ts and link-machine-outage.test.ts.

export const T0 = 1_000_000;

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
export const up = (w: Partial<LinkWatch> = {}, detectAt?: number): LinkState => ({
  phase: 'up',
  detectAt,
  ...healthy,
  ...w,
});
export const down = (
  w: Partial<LinkWatch> = {},
  d: { resets?: number; lostTold?: boolean } = {},
): LinkState => ({
  phase: 'down',
  downAt: T0,
  step: d.resets ? 'reset' : 'ice_restart',
  resets: d.resets ?? 0,
  lostTold: d.lostTold ?? false,
  ...healthy,
  ...w,
});
export const sample = (
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

export interface Row {
  name: string;
  from: LinkState;
  event: LinkEvent;
  /** ms after T0. */
  at: number;
  phase: LinkState['phase'];
  effects: string[];
  check?: (s: LinkState) => void;
}

export const OUTAGE = ['cancel_all', 'restart_ice', 'arm escalate +3000', 'arm lost +10000'];

/** One row of the table: its event applied to its state at its time gives its phase and effects. */
export function expectRow(row: Row): void {
  const at = T0 + row.at;
  const result = mediaTransition(row.from, row.event, at, LINK_DEFAULTS);
  expect(result.state.phase).toBe(row.phase);
  expect(brief(result.effects, at)).toEqual(row.effects);
  row.check?.(result.state);
}
