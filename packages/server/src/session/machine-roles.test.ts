import { TestClock } from '@holdfast/protocol';
import { describe, expect, it } from 'vitest';
import { initialSession, type SessionState } from './machine.js';
import { attached, run } from './machine.test-support.js';

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

  it('a join that takes the uid over: announced only when what the others see changes', () => {
    const announce = (role: SessionState['role'], visible: boolean) => {
      const clock = new TestClock(0);
      const s = initialSession({
        now: 0,
        attachment: 1,
        role,
        profile: 'live',
        offlineAfterMs: 20_000,
        visible,
      });
      return run(clock, s, { type: 'announce' });
    };
    // A fresh uid, or one whose previous device was not announced (visible: false).
    expect(announce('broadcaster', false).effects).toEqual([
      { type: 'publish_event', event: { kind: 'user_joined' } },
    ]);
    expect(announce('broadcaster', false).state.visible).toBe(true);
    // Taken over from an announced device (visible: true).
    expect(announce('broadcaster', true).effects).toEqual([]);
    expect(announce('audience', true).effects).toEqual([
      { type: 'publish_event', event: { kind: 'user_offline', reason: 'become_audience' } },
    ]);
    expect(announce('audience', true).state.visible).toBe(false);
    expect(announce('audience', false).effects).toEqual([]);
  });

  it('an audience member that became a broadcaster and dropped is told as dropped; one that never was, not at all', () => {
    const clock = new TestClock(0);
    const audience = attached(clock, { role: 'audience', profile: 'live' });
    expect(audience.visible).toBe(false);
    const dropOf = (s: SessionState) =>
      run(clock, s, { type: 'end', cause: 'timed_out' }).effects.find((e) => e.type === 'release_member');
    expect(dropOf(audience)).toMatchObject({ offline: 'none' });
    const promoted = run(clock, audience, { type: 'role_changed', id: 1, role: 'broadcaster' }).state;
    expect(promoted.visible).toBe(true);
    expect(dropOf(promoted)).toMatchObject({ offline: 'dropped' });
  });
});
