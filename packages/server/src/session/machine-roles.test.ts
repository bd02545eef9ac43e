import { TestClock } from '@holdfast/protocol';
import { describe, expect, it } from 'vitest';
import { joinAnnouncement, type SessionState } from './machine.js';
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
