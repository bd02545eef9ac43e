import { TestClock } from '@holdfast/protocol';
import { describe, expect, it } from 'vitest';
import { END_CAUSES, type EndCause } from './end-causes.js';
import {
  dueCause,
  initialSession,
  joinAnnouncement,
  type SessionEffect,
  type SessionEvent,
  type SessionState,
  sessionTransition,
} from './machine.js';

const WINDOW = 20_000;
const ALL = { member: true, session: true, local: true, watch: true };

/** A session attached on transport 1 at the clock's time. */
function attached(clock: TestClock, extra: Partial<Parameters<typeof initialSession>[0]> = {}): SessionState {
  const s = initialSession({
    now: clock.now(),
    attachment: 1,
    role: 'broadcaster',
    profile: 'communication',
    offlineAfterMs: WINDOW,
    holds: ALL,
    ...extra,
  });
  return sessionTransition(
    s,
    { type: 'attached', attachment: 1, remote: '10.0.0.1', resumed: false },
    clock.now(),
  ).state;
}

/** Runs events in order at the clock's time; returns the last state and every effect. */
function run(clock: TestClock, s: SessionState, ...events: SessionEvent[]) {
  const effects: SessionEffect[] = [];
  for (const e of events) {
    const t = sessionTransition(s, e, clock.now());
    s = t.state;
    effects.push(...t.effects);
  }
  return { state: s, effects };
}
const types = (effects: SessionEffect[]) => effects.map((e) => e.type);

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

describe('session machine: every end goes through one table', () => {
  // cause → [end frame code, remote members see, engine effects]
  const table: Array<[EndCause, string | undefined, string, string[]]> = [
    ['left', undefined, 'quit', ['drop_local', 'unwatch', 'observe', 'delete_session', 'release_member']],
    [
      'timed_out',
      'session_expired',
      'dropped',
      ['end_transport', 'drop_local', 'unwatch', 'observe', 'delete_session', 'release_member'],
    ],
    [
      'token_expired',
      'token_expired',
      'kicked',
      ['end_transport', 'drop_local', 'unwatch', 'observe', 'delete_session', 'release_member'],
    ],
    [
      'banned',
      'banned',
      'kicked',
      ['end_transport', 'drop_local', 'unwatch', 'observe', 'delete_session', 'release_member'],
    ],
    [
      'channel_closed',
      'channel_closed',
      'kicked',
      ['end_transport', 'drop_local', 'unwatch', 'observe', 'delete_session', 'release_member'],
    ],
    [
      'join_aborted',
      'session_expired',
      'dropped',
      ['end_transport', 'drop_local', 'unwatch', 'observe', 'delete_session', 'release_member'],
    ],
    [
      'engine_failed',
      'internal_error',
      'dropped',
      ['end_transport', 'drop_local', 'unwatch', 'observe', 'delete_session', 'release_member'],
    ],
    // Someone else holds the member: let go, announce nothing.
    ['same_uid_login', 'same_uid_login', 'none', ['end_transport', 'drop_local', 'unwatch', 'observe']],
    ['orphan_claimed', 'session_expired', 'dropped', ['end_transport', 'drop_local', 'unwatch', 'observe']],
    ['moved', 'replaced', 'none', ['end_transport', 'drop_local', 'unwatch']],
    // Shutdown leaves the session in the engine for another node to resume.
    ['shutdown', 'server_shutdown', 'none', ['end_transport', 'drop_local', 'unwatch']],
    ['abandoned', undefined, 'none', []],
  ];
  for (const [cause, code, offline, effects] of table)
    it(`${cause}: client told ${code ?? 'nothing'}, remote members see ${offline}`, () => {
      const clock = new TestClock(0);
      const t = run(clock, attached(clock), { type: 'end', cause });
      expect(types(t.effects)).toEqual(effects);
      const endFrame = t.effects.find((e) => e.type === 'end_transport');
      expect(endFrame && endFrame.type === 'end_transport' ? endFrame.code : undefined).toBe(code);
      const release = t.effects.find((e) => e.type === 'release_member');
      if (release?.type === 'release_member') expect(release).toMatchObject({ offline, cause });
      expect(END_CAUSES[cause].offline).toBe(offline);
      expect(t.state).toMatchObject({ phase: 'ended', cause, attachment: 0 });
    });

  it('a claimed orphan of a dead node: release and tell its owner', () => {
    const clock = new TestClock(0);
    const s = initialSession({
      now: 0,
      attachment: 0,
      role: 'audience',
      profile: 'communication',
      offlineAfterMs: 0,
      holds: { member: true, session: true },
      phase: 'detached',
    });
    expect(types(run(clock, s, { type: 'end', cause: 'orphan_dropped' }).effects)).toEqual([
      'delete_session',
      'release_member',
      'notify_owner',
    ]);
  });

  it('one way out: a second end, a kick after a leave, any event after the end does nothing', () => {
    const clock = new TestClock(0);
    const ended = run(clock, attached(clock), { type: 'end', cause: 'left' }).state;
    for (const e of [
      { type: 'end', cause: 'banned' },
      { type: 'sweep' },
      { type: 'seen' },
      { type: 'detached', attachment: 1 },
      { type: 'role_changed', id: 1, role: 'audience' },
    ] as SessionEvent[])
      expect(run(clock, ended, e)).toEqual({ state: ended, effects: [] });
  });
});

describe('session machine: joins that fail or end half-way leave nothing behind', () => {
  it('an end while joining undoes exactly what was held so far', () => {
    const clock = new TestClock(0);
    let s = initialSession({
      now: 0,
      attachment: 5,
      role: 'broadcaster',
      profile: 'communication',
      offlineAfterMs: WINDOW,
      holds: { member: true },
    });
    s = run(clock, s, { type: 'held', what: 'session' }).state;
    const { effects } = run(clock, s, { type: 'end', cause: 'engine_failed' });
    expect(effects).toEqual([
      {
        type: 'end_transport',
        attachment: 5,
        code: 'internal_error',
        message: END_CAUSES.engine_failed.message(WINDOW),
      },
      { type: 'observe', event: { type: 'ended', reason: 'dropped', code: 'internal_error' } },
      { type: 'delete_session' },
      { type: 'release_member', offline: 'dropped', cause: 'engine_failed' },
    ]);
  });

  it('a claim that lands after the end (its engine call was in flight) is undone as it lands', () => {
    const clock = new TestClock(0);
    const s = initialSession({
      now: 0,
      attachment: 5,
      role: 'broadcaster',
      profile: 'communication',
      offlineAfterMs: WINDOW,
      holds: { member: true, session: true, local: true },
    });
    const ended = run(clock, s, { type: 'end', cause: 'banned' }).state;
    expect(run(clock, ended, { type: 'held', what: 'watch' }).effects).toEqual([{ type: 'unwatch' }]);
    expect(run(clock, ended, { type: 'held', what: 'session' }).effects).toEqual([
      { type: 'delete_session' },
    ]);
    expect(run(clock, ended, { type: 'held', what: 'member' }).effects).toEqual([
      { type: 'release_member', offline: 'kicked', cause: 'banned' },
    ]);
  });

  it('a transport that closes while joining leaves the session detached, so its window runs', () => {
    const clock = new TestClock(0);
    const s = initialSession({
      now: 0,
      attachment: 5,
      role: 'audience',
      profile: 'live',
      offlineAfterMs: WINDOW,
      holds: ALL,
    });
    const detached = run(clock, s, { type: 'detached', attachment: 5 }).state;
    expect(detached.phase).toBe('detached');
    expect(
      run(clock, detached, { type: 'attached', attachment: 5, remote: '', resumed: true }).state.phase,
    ).toBe('detached');
    clock.advance(WINDOW);
    expect(dueCause(detached, clock.now())).toBe('timed_out');
  });
});

describe('session machine: roles and presence', () => {
  const table: Array<
    [string, SessionState['role'], SessionState['profile'], SessionState['role'], string[]]
  > = [
    [
      'live: audience → broadcaster is announced',
      'audience',
      'live',
      'broadcaster',
      ['send', 'observe', 'publish_event:user_joined'],
    ],
    [
      'live: broadcaster → audience is become_audience',
      'broadcaster',
      'live',
      'audience',
      ['send', 'observe', 'publish_event:user_offline'],
    ],
    [
      'communication: every member is announced, no presence change',
      'broadcaster',
      'communication',
      'audience',
      ['send', 'observe'],
    ],
    ['same role: only the result', 'audience', 'live', 'audience', ['send']],
  ];
  for (const [name, from, profile, to, expected] of table)
    it(name, () => {
      const clock = new TestClock(0);
      const t = run(clock, attached(clock, { role: from, profile }), {
        type: 'role_changed',
        id: 4,
        role: to,
      });
      expect(
        t.effects.map((e) => (e.type === 'publish_event' ? `publish_event:${e.event.kind}` : e.type)),
      ).toEqual(expected);
      expect(t.state.role).toBe(to);
    });

  it('a join that takes the uid over: announced only when announcement changes', () => {
    expect(joinAnnouncement({ role: 'broadcaster', profile: 'live' }, undefined)).toEqual([
      { type: 'publish_event', event: { kind: 'user_joined' } },
    ]);
    expect(
      joinAnnouncement({ role: 'broadcaster', profile: 'live' }, { role: 'broadcaster', profile: 'live' }),
    ).toEqual([]);
    expect(
      joinAnnouncement({ role: 'audience', profile: 'live' }, { role: 'broadcaster', profile: 'live' }),
    ).toEqual([{ type: 'publish_event', event: { kind: 'user_offline', reason: 'become_audience' } }]);
    expect(joinAnnouncement({ role: 'audience', profile: 'live' }, undefined)).toEqual([]);
  });
});
