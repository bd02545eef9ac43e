import { TestClock } from '@holdfast/protocol';
import { describe, expect, it } from 'vitest';
import { END_CAUSES, type EndCause } from './end-causes.js';
import { dueCause, initialSession, type SessionEffect, type SessionEvent } from './machine.js';
import { ALL, attached, joining, run, WINDOW } from './machine.test-support.js';

const types = (effects: SessionEffect[]) => effects.map((e) => e.type);

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
  it('an end while joining undoes exactly what was held so far, and tells the others nothing they never saw', () => {
    const clock = new TestClock(0);
    let s = joining({ holds: { member: true } });
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
      // Not announced yet: the uid is let go without a user_offline for a user_joined never sent.
      { type: 'release_member', offline: 'none', cause: 'engine_failed' },
    ]);
    // Once announced, the same end tells the others it dropped.
    const announced = run(clock, s, { type: 'announce' });
    expect(announced.effects).toEqual([{ type: 'publish_event', event: { kind: 'user_joined' } }]);
    expect(run(clock, announced.state, { type: 'end', cause: 'engine_failed' }).effects).toContainEqual({
      type: 'release_member',
      offline: 'dropped',
      cause: 'engine_failed',
    });
  });

  it('an ended session announces nothing (its announcement came too late)', () => {
    const clock = new TestClock(0);
    const s = joining({ holds: ALL });
    const ended = run(clock, s, { type: 'end', cause: 'banned' }).state;
    expect(run(clock, ended, { type: 'announce' }).effects).toEqual([]);
  });

  it('a claim that lands after the end (its engine call was in flight) is undone as it lands', () => {
    const clock = new TestClock(0);
    // A uid the others see (taken over from another node).
    const s = joining({ holds: { member: true, session: true, local: true }, visible: true });
    const ended = run(clock, s, { type: 'end', cause: 'banned' }).state;
    expect(run(clock, ended, { type: 'held', what: 'watch' }).effects).toEqual([{ type: 'unwatch' }]);
    expect(run(clock, ended, { type: 'held', what: 'session' }).effects).toEqual([
      { type: 'delete_session' },
    ]);
    expect(run(clock, ended, { type: 'held', what: 'member' }).effects).toEqual([
      { type: 'release_member', offline: 'kicked', cause: 'banned' },
    ]);
    // The same for a uid the others never saw: let go quietly.
    const unseen = run(clock, { ...s, visible: false }, { type: 'end', cause: 'banned' }).state;
    expect(run(clock, unseen, { type: 'held', what: 'member' }).effects).toEqual([
      { type: 'release_member', offline: 'none', cause: 'banned' },
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
