import { describe, expect, it } from 'vitest';
import { FLAP_LIMIT, FLAP_WINDOW_MS, noteTakeover, takeoverEnd } from './flap.js';

describe('same-uid flap rule', () => {
  it('the first FLAP_LIMIT takeovers in the window are plain; the next is flapping', () => {
    let recent: number[] = [];
    const flags: boolean[] = [];
    for (let i = 0; i < FLAP_LIMIT + 2; i++) {
      const r = noteTakeover(recent, 1000 + i);
      recent = r.recent;
      flags.push(r.flapping);
    }
    expect(flags).toEqual([false, false, false, true, true]);
    expect(recent).toHaveLength(FLAP_LIMIT + 1);
  });

  it('forgets takeovers older than the window, and times far in the future', () => {
    const now = 100_000;
    expect(noteTakeover([now - FLAP_WINDOW_MS, now - 1, now + FLAP_WINDOW_MS], now).recent).toEqual([
      now - 1,
      now,
    ]);
    expect(noteTakeover(undefined, now)).toEqual({ recent: [now], flapping: false });
  });

  it('ends the loser with replaced (retried) or same_uid_login (for good)', () => {
    expect(takeoverEnd(false).code).toBe('replaced');
    expect(takeoverEnd(true).code).toBe('same_uid_login');
  });
});
