import type { TestClock } from '@holdfast/protocol';
import {
  initialSession,
  type SessionEffect,
  type SessionEvent,
  type SessionState,
  sessionTransition,
} from './machine.js';

// Shared by the machine-*.test.ts files.

export const WINDOW = 20_000;
export const ALL = { member: true, session: true, local: true, watch: true };

/** A session announced and attached on transport 1 at the clock's time (what a fresh join does). */
export function attached(
  clock: TestClock,
  extra: Partial<Parameters<typeof initialSession>[0]> = {},
): SessionState {
  const s = initialSession({
    now: clock.now(),
    attachment: 1,
    role: 'broadcaster',
    profile: 'communication',
    offlineAfterMs: WINDOW,
    holds: ALL,
    ...extra,
  });
  return run(
    clock,
    s,
    { type: 'announce' },
    { type: 'attached', attachment: 1, remote: '10.0.0.1', resumed: false },
  ).state;
}

/** A broadcaster's session joining on transport 5, nothing announced yet (`extra`: holds, visible, …). */
export function joining(extra: Partial<Parameters<typeof initialSession>[0]> = {}): SessionState {
  return initialSession({
    now: 0,
    attachment: 5,
    role: 'broadcaster',
    profile: 'communication',
    offlineAfterMs: WINDOW,
    ...extra,
  });
}

/** Runs events in order at the clock's time; returns the last state and every effect. */
export function run(clock: TestClock, s: SessionState, ...events: SessionEvent[]) {
  const effects: SessionEffect[] = [];
  for (const e of events) {
    const t = sessionTransition(s, e, clock.now());
    s = t.state;
    effects.push(...t.effects);
  }
  return { state: s, effects };
}
