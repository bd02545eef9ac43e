import { describe, expect, it } from 'vitest';
import { applyDelta } from '../packages/console/src/delta.js';
import { diffSnapshots, indexSnapshot } from '../packages/server/src/console/delta.js';
import type { ConsoleChannel, ConsoleSnapshot } from '../packages/server/src/console/types.js';

/** The console feed's deltas: what the server diffs, the page applies, and gets the same snapshot. */

const channel = (name: string, uids: number[], rtt = 0): ConsoleChannel => ({
  channel: name,
  userCount: uids.length,
  broadcasterCount: uids.length,
  members: uids.map((uid) => ({
    uid,
    role: 'broadcaster',
    profile: 'communication',
    sessionTag: `s-${name}-${uid}`,
    joinedAt: 1,
    node: 'n1',
    live: { rttMs: rtt, lastSeenAt: 1, attached: true, remote: '127.0.0.1' },
  })),
});

const snapshot = (
  now: number,
  channels: ConsoleChannel[],
  other: ConsoleChannel[] = [],
): ConsoleSnapshot => ({
  node: 'n1',
  now,
  pingIntervalMs: 5950,
  apps: [
    { appId: 'a', tokens: false, offlineAfterMs: 20_000, channels, truncated: false },
    { appId: 'b', tokens: true, offlineAfterMs: 40_000, channels: other, truncated: true },
  ],
});

describe('console deltas', () => {
  it('applying the diff to the base gives the next snapshot, through joins, changes and leaves', () => {
    const steps = [
      snapshot(1, [channel('a1', [1]), channel('a2', [1, 2])], [channel('b1', [9])]),
      snapshot(2, [channel('a1', [1]), channel('a2', [1, 2], 30)], [channel('b1', [9])]),
      snapshot(3, [channel('a0', [5]), channel('a1', [1]), channel('a2', [1, 2], 30)], []),
      snapshot(4, [channel('a2', [2], 30)], [channel('b0', [1]), channel('b2', [3])]),
      snapshot(5, [channel('a2', [2], 30)], [channel('b0', [1]), channel('b2', [3])]),
    ];
    let held = steps[0]!;
    let index = indexSnapshot(held);
    for (const next of steps.slice(1)) {
      const d = diffSnapshots(index, next);
      held = applyDelta(held, d.delta);
      index = d.index;
      expect(held).toEqual(next);
    }
  });

  it('sends only what changed: nothing but headers when nothing did', () => {
    const many = Array.from({ length: 200 }, (_, i) => channel(`c${String(i).padStart(3, '0')}`, [1, 2, 3]));
    const base = snapshot(1, many);
    const same = diffSnapshots(indexSnapshot(base), snapshot(2, many)).delta;
    expect(same.apps.every((a) => a.channels.length === 0 && a.removed.length === 0 && !a.order)).toBe(true);
    const one = many.slice();
    one[7] = channel('c007', [1, 2, 3], 42);
    const changed = diffSnapshots(indexSnapshot(base), snapshot(2, one)).delta;
    expect(changed.apps[0]!.channels.map((c) => c.channel)).toEqual(['c007']);
    expect(JSON.stringify(changed).length).toBeLessThan(JSON.stringify(base).length / 50);
  });
});
