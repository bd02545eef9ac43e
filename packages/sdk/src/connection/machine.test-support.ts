import { expect } from 'vitest';
import { transition } from './machine.js';
import type { ConnEvent, ConnState, Effect, MachineConfig, Reason, Status } from './types.js';

// Shared by the transition() tests: the DESIGN §2 table (machine-join-leave.test.ts,
// machine-endings.test.ts, machine-reconnect.test.ts) and the timers (machine-timers.test.ts).

export const T0 = 1_000_000;
export const cfg: MachineConfig = {
  interruptedAfterMs: 4000,
  lostAfterMs: 10_000,
  failAfterMs: 1_200_000,
  connectTimeoutMs: 5000,
  policy: { nextDelayMs: ({ attempt }) => attempt * 100 },
};

// Typed as their union member (not ConnState) so a test can spread one into a variant of it.
type Joining = Extract<ConnState, { status: 'connecting' | 'reconnecting' }>;

export const connecting: Joining = {
  status: 'connecting',
  reason: 'connecting',
  since: T0,
  attempt: 0,
  attempting: true,
};
export const connected: Extract<ConnState, { status: 'connected' }> = {
  status: 'connected',
  reason: 'join_success',
  since: T0,
  lastDataAt: T0,
};
export const reconnecting: Joining = {
  status: 'reconnecting',
  reason: 'interrupted',
  since: T0,
  attempt: 0,
  attempting: true,
};
export const failed: Extract<ConnState, { status: 'failed' }> = { status: 'failed', reason: 'join_failed' };

export const stateChanges = (effects: Effect[]) =>
  effects.filter((e) => e.type === 'state').map((e) => `${e.status}/${e.reason}`);
const notices = (effects: Effect[]) => effects.flatMap((e) => (e.type === 'notify' ? [e.notice.type] : []));

/** One row of the DESIGN §2 table: `event` in state `from` (at `at`) leads to `to`/`reason`. */
export interface Row {
  name: string;
  from: ConnState;
  event: ConnEvent;
  at?: number;
  to: Status;
  reason?: Reason | 'initial';
  changes: string[];
  notices?: string[];
  effects?: Effect['type'][];
}

/** The check of one table row (the body of each `it.each(rows)('$name', …)`). */
export function checkRow(row: Row): void {
  const result = transition(row.from, row.event, row.at ?? T0 + 1, cfg);
  expect(result.state.status).toBe(row.to);
  if (row.reason) expect(result.state.reason).toBe(row.reason);
  expect(stateChanges(result.effects)).toEqual(row.changes);
  if (row.notices) expect(notices(result.effects)).toEqual(row.notices);
  for (const type of row.effects ?? []) expect(result.effects.map((e) => e.type)).toContain(type);
}
