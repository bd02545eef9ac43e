import { describe, expect, it } from 'vitest';
import { INITIAL_STATE, transition } from './machine.js';
import { cfg, connected, connecting, reconnecting, stateChanges, T0 } from './machine.test-support.js';
import type { ConnState, MachineConfig } from './types.js';

// transition()'s timers, retries and back-off (set-up: machine.test-support.ts).

describe('transition(): timers and retries', () => {
  it('Connecting arms attempt, lost and fail timers at exact times', () => {
    const { effects } = transition(INITIAL_STATE, { type: 'join' }, T0, cfg);
    const armed = Object.fromEntries(
      effects.flatMap((e) => (e.type === 'arm' ? [[e.timer, e.at - T0]] : [])),
    );
    expect(armed).toEqual({ attempt: 5000, lost: 10_000, fail: 1_200_000 });
  });

  it('Connected arms the interrupt timer 4 s after the join', () => {
    const { effects } = transition(
      connecting,
      { type: 'joined', resumed: false, sessionExpired: false },
      T0 + 50,
      cfg,
    );
    expect(effects).toContainEqual({ type: 'arm', timer: 'interrupt', at: T0 + 50 + 4000 });
  });

  it('the interrupt timer re-arms from the last data instead of firing early', () => {
    const s: ConnState = { ...connected, lastDataAt: T0 + 3000 };
    const r = transition(s, { type: 'timer', timer: 'interrupt' }, T0 + 4000, cfg);
    expect(r.state.status).toBe('connected');
    expect(r.effects).toEqual([{ type: 'arm', timer: 'interrupt', at: T0 + 7000 }]);
  });

  it('interrupt fires at exactly 4000 ms of silence, not 3999', () => {
    const s: ConnState = { ...connected, lastDataAt: T0 };
    expect(transition(s, { type: 'timer', timer: 'interrupt' }, T0 + 3999, cfg).state.status).toBe(
      'connected',
    );
    expect(transition(s, { type: 'timer', timer: 'interrupt' }, T0 + 4000, cfg).state.status).toBe(
      'reconnecting',
    );
  });

  it('a failed attempt backs off by the policy and retries on the retry timer', () => {
    const r1 = transition(reconnecting, { type: 'transport_closed' }, T0 + 10, cfg);
    expect(r1.state).toMatchObject({ status: 'reconnecting', attempt: 1, attempting: false });
    expect(r1.effects).toContainEqual({ type: 'arm', timer: 'retry', at: T0 + 10 + 100 });
    expect(stateChanges(r1.effects)).toEqual([]);
    const r2 = transition(r1.state, { type: 'timer', timer: 'retry' }, T0 + 110, cfg);
    expect(r2.state).toMatchObject({ attempting: true });
    expect(r2.effects.map((e) => e.type)).toEqual(['open', 'arm']);
  });

  it('an attempt that hangs is abandoned after connectTimeoutMs', () => {
    const r = transition(reconnecting, { type: 'timer', timer: 'attempt' }, T0 + 5000, cfg);
    expect(r.state).toMatchObject({ attempt: 1, attempting: false });
    expect(r.effects.map((e) => e.type)).toContain('close');
  });

  it('a stale attempt timer while waiting out a backoff does nothing', () => {
    const waiting: ConnState = { ...reconnecting, attempting: false, attempt: 2 };
    expect(transition(waiting, { type: 'timer', timer: 'attempt' }, T0, cfg).effects).toEqual([]);
  });

  it('the network coming back retries at once', () => {
    const waiting: ConnState = { ...reconnecting, attempting: false, attempt: 5 };
    const r = transition(waiting, { type: 'network_online' }, T0 + 1, cfg);
    expect(r.effects.map((e) => e.type)).toEqual(['close', 'open', 'arm']);
  });

  it('a policy that returns null gives up: Failed/JoinFailed', () => {
    const giveUp: MachineConfig = { ...cfg, policy: { nextDelayMs: () => null } };
    const r = transition(reconnecting, { type: 'transport_closed' }, T0, giveUp);
    expect(r.state).toEqual({ status: 'failed', reason: 'join_failed' });
  });

  it('transient server codes are retried like a dropped transport', () => {
    for (const code of ['rate_limited', 'internal_error', 'replaced'] as const) {
      const r = transition(connecting, { type: 'end', code }, T0, cfg);
      expect(r.state).toMatchObject({ status: 'connecting', attempt: 1 });
    }
  });

  it('leaving cancels every timer first', () => {
    const r = transition(reconnecting, { type: 'leave' }, T0, cfg);
    expect(r.effects[0]).toEqual({ type: 'cancel_all' });
  });

  it('is pure: the input state is not mutated', () => {
    const s: ConnState = { ...reconnecting };
    const copy = structuredClone(s);
    transition(s, { type: 'transport_closed' }, T0, cfg);
    expect(s).toEqual(copy);
  });
});
