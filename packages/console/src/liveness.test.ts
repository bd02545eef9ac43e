import type { ConsoleMember } from '@holdfast/server';
import { describe, expect, it } from 'vitest';
import { lastData, lastDataLate, remoteState } from './liveness.js';

const member = (extra: Partial<ConsoleMember>): ConsoleMember => ({
  uid: 1,
  role: 'broadcaster',
  profile: 'communication',
  sessionTag: 'abcd1234',
  joinedAt: 0,
  node: 'b',
  ...extra,
});

describe('console liveness', () => {
  it('a client pinging every 5.95 s is never late; one that missed a ping is', () => {
    expect(lastDataLate(4000, 5950)).toBe(false);
    expect(lastDataLate(5950, 5950)).toBe(false);
    expect(lastDataLate(6900, 5950)).toBe(false);
    expect(lastDataLate(7000, 5950)).toBe(true);
    // Another node's member, known through 1 s deadline beats: more slack.
    expect(lastDataLate(8000, 5950, true)).toBe(false);
    expect(lastDataLate(8300, 5950, true)).toBe(true);
  });

  it("another node's member: Connected from the engine's data while fresh, unknown once late or without data", () => {
    const now = 100_000;
    const remote = member({ seen: { lastSeenAt: now - 3000 } });
    expect(remoteState(remote, now, 5950)).toBe('Connected');
    expect(lastData(remote)).toEqual({ at: now - 3000, viaEngine: true });
    expect(remoteState(member({ seen: { lastSeenAt: now - 20_000 } }), now, 5950)).toBe('unknown');
    expect(remoteState(member({}), now, 5950)).toBe('unknown');
    expect(lastData(member({}))).toBeUndefined();
    const local = member({ live: { rttMs: 3, lastSeenAt: now - 1000, attached: true, remote: '127.0.0.1' } });
    expect(lastData(local)).toEqual({ at: now - 1000, viaEngine: false });
  });
});
