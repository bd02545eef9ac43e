import { TestClock } from '@holdfast/protocol';
import { describe, expect, it } from 'vitest';
import { dueCause } from './machine.js';
import { attached, run, WINDOW } from './machine.test-support.js';

describe('session machine: the offline window with a test clock', () => {
  it('advance(window - 1): nothing; advance(1): timed out, remote members see Dropped', () => {
    const clock = new TestClock(0);
    let s = attached(clock);
    s = run(clock, s, { type: 'detached', attachment: 1 }).state;
    clock.advance(WINDOW - 1);
    expect(run(clock, s, { type: 'sweep' }).effects).toEqual([]);
    clock.advance(1);
    const { state, effects } = run(clock, s, { type: 'sweep' });
    expect(state.phase).toBe('ended');
    expect(state.cause).toBe('timed_out');
    expect(effects).toEqual([
      { type: 'drop_local' },
      { type: 'unwatch' },
      { type: 'observe', event: { type: 'ended', reason: 'dropped', code: 'session_expired' } },
      { type: 'delete_session' },
      { type: 'release_member', offline: 'dropped', cause: 'timed_out' },
    ]);
  });

  it('a frame restarts the window; a resume inside it re-attaches without any end', () => {
    const clock = new TestClock(0);
    let s = attached(clock);
    clock.advance(15_000);
    s = run(clock, s, { type: 'seen' }).state;
    clock.advance(WINDOW - 1);
    expect(dueCause(s, clock.now())).toBeUndefined();
    s = run(clock, s, { type: 'detached', attachment: 1 }).state;
    expect(s.phase).toBe('detached');
    const resumed = run(
      clock,
      s,
      { type: 'attaching', attachment: 2 },
      { type: 'attached', attachment: 2, remote: '10.0.0.2', resumed: true },
    );
    expect(resumed.state.phase).toBe('attached');
    expect(resumed.effects).toEqual([{ type: 'observe', event: { type: 'resumed', remote: '10.0.0.2' } }]);
    clock.advance(WINDOW - 1);
    expect(dueCause(resumed.state, clock.now())).toBeUndefined();
  });

  it('a resume on a new socket while the old one is still attached replaces the old one', () => {
    const clock = new TestClock(0);
    const { effects } = run(clock, attached(clock), { type: 'attaching', attachment: 2 });
    expect(effects).toEqual([
      {
        type: 'end_transport',
        attachment: 1,
        code: 'replaced',
        message: 'session resumed on another connection',
      },
    ]);
  });

  it('two sockets taking one session from each other: past 3 takeovers in 10 s the loser gets same_uid_login', () => {
    const clock = new TestClock(0);
    let s = attached(clock);
    const codes: string[] = [];
    // Sockets 1 and 2 alternate, 100 ms apart: 1 → 2 → 1 → 2 → 1 → 2.
    for (let i = 0; i < 6; i++) {
      clock.advance(100);
      const next = i % 2 === 0 ? 2 : 1;
      const t = run(
        clock,
        s,
        { type: 'attaching', attachment: next },
        { type: 'attached', attachment: next, remote: 'x', resumed: true },
      );
      s = t.state;
      for (const e of t.effects) if (e.type === 'end_transport') codes.push(`${e.attachment}:${e.code}`);
    }
    expect(codes).toEqual([
      '1:replaced',
      '2:replaced',
      '1:replaced',
      '2:same_uid_login',
      '1:same_uid_login',
      '2:same_uid_login',
    ]);
    expect(s.takeovers).toHaveLength(4);
    // The window passes: a takeover is a plain replacement again.
    clock.advance(10_000);
    const later = run(clock, s, { type: 'attaching', attachment: 3 });
    expect(later.effects).toMatchObject([{ type: 'end_transport', attachment: 1, code: 'replaced' }]);
    expect(later.state.takeovers).toEqual([clock.now()]);
  });

  it('a resume after the old transport detached is no takeover (nothing counted)', () => {
    const clock = new TestClock(0);
    let s = attached(clock);
    for (let i = 2; i < 10; i++) {
      clock.advance(100);
      s = run(
        clock,
        s,
        { type: 'detached', attachment: i - 1 },
        { type: 'attaching', attachment: i },
        { type: 'attached', attachment: i, remote: 'x', resumed: true },
      ).state;
    }
    expect(s.takeovers).toEqual([]);
  });

  it('takeovers brought from another node count toward the limit', () => {
    const clock = new TestClock(50_000);
    const s = attached(clock, { takeovers: [49_000, 49_500, 49_900] });
    const { effects } = run(clock, s, { type: 'attaching', attachment: 2 });
    expect(effects).toMatchObject([{ type: 'end_transport', attachment: 1, code: 'same_uid_login' }]);
  });

  it('a token past its expiry ends the session (kicked); a renewed token moves the expiry', () => {
    const clock = new TestClock(0);
    const s = attached(clock, { tokenExpiresAt: 10_000 });
    clock.advance(9_999);
    expect(dueCause(s, clock.now())).toBeUndefined();
    clock.advance(1);
    expect(dueCause(s, clock.now())).toBe('token_expired');
    const renewed = run(clock, s, { type: 'token_renewed', id: 3, tokenExpiresAt: 90_000 });
    expect(renewed.effects).toEqual([
      {
        type: 'send',
        attachment: 1,
        frame: { type: 'token_result', id: 3, ok: true, tokenExpiresAt: 90_000 },
      },
    ]);
    expect(dueCause(renewed.state, clock.now())).toBeUndefined();
  });

  it('when the token and the window are both due, the token is the reason', () => {
    const clock = new TestClock(0);
    const s = attached(clock, { tokenExpiresAt: WINDOW });
    clock.advance(WINDOW);
    expect(dueCause(s, clock.now())).toBe('token_expired');
  });

  it('a detached transport that is not the current one changes nothing', () => {
    const clock = new TestClock(0);
    const s = attached(clock);
    expect(run(clock, s, { type: 'detached', attachment: 9 })).toEqual({ state: s, effects: [] });
  });
});
