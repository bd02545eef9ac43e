import { describe, expect, it } from 'vitest';
import type { Reason } from '../connection/types.js';
import {
  nertcChannelId,
  nertcEnding,
  nertcLeaveReason,
  nertcReason,
  nertcRole,
  nertcState,
} from './nertc.js';

// Expected numbers are written out by hand from ../shared/API-FACTS.md §4, not from the enums.
describe('NERTC profile numbering', () => {
  it('states 1–5', () => {
    expect(nertcState).toEqual({ disconnected: 1, connecting: 2, connected: 3, reconnecting: 4, failed: 5 });
  });

  it('non-terminal reasons', () => {
    const expected: Partial<Record<Reason, number>> = {
      leave: 1,
      connecting: 5,
      join_success: 6,
      rejoin_success: 7,
      interrupted: 9,
      lost: 9,
      keepalive_timeout: 9,
      ip_changed: 9,
      renew_token: 9,
      redispatch: 12,
      setting_proxy: 13,
    };
    for (const [reason, n] of Object.entries(expected)) expect(nertcReason[reason as Reason], reason).toBe(n);
    expect(Object.values(nertcReason)).not.toContain(8);
  });

  it.each([
    // reason, before the first join → [changes], code; after it → [changes], code
    ['banned', [[5, 10]], 403, [[1, 3]], 30206],
    ['channel_closed', [[5, 10]], 30207, [[1, 2]], 30207],
    ['same_uid_login', [[5, 10]], 30209, [[1, 3]], 30209],
    ['token_expired', [[5, 10]], 902, [[1, 3]], 902],
    [
      'invalid_app_id',
      [[5, 10]],
      417,
      [
        [5, 10],
        [1, 4],
      ],
      417,
    ],
    [
      'invalid_token',
      [[5, 10]],
      414,
      [
        [5, 10],
        [1, 4],
      ],
      414,
    ],
    [
      'invalid_channel_name',
      [[5, 10]],
      30003,
      [
        [5, 10],
        [1, 4],
      ],
      30003,
    ],
    [
      'too_many_broadcasters',
      [[5, 10]],
      4001,
      [
        [5, 10],
        [1, 4],
      ],
      4001,
    ],
    [
      'rejected',
      [[5, 10]],
      30103,
      [
        [5, 10],
        [1, 4],
      ],
      30103,
    ],
    [
      'join_failed',
      [[5, 11]],
      30015,
      [
        [5, 11],
        [1, 4],
      ],
      30205,
    ],
  ] as const)('ending %s', (reason, before, beforeCode, after, afterCode) => {
    expect(nertcEnding(reason, false)).toEqual({ changes: before, code: beforeCode });
    expect(nertcEnding(reason, true)).toEqual({ changes: after, code: afterCode });
  });

  it('remote leave reasons (native numbering) and roles 0/1', () => {
    expect(nertcLeaveReason).toEqual({ quit: 0, dropped: 4, kicked: 3, become_audience: 0 });
    expect(nertcRole('broadcaster')).toBe(0);
    expect(nertcRole('audience')).toBe(1);
  });

  it('channelId is the 32-bit FNV-1a of the UTF-8 name', () => {
    expect(nertcChannelId('')).toBe(0x811c9dc5);
    expect(nertcChannelId('a')).toBe(0xe40c292c);
    expect(nertcChannelId('room')).toBe(nertcChannelId('room'));
    expect(nertcChannelId('room')).not.toBe(nertcChannelId('room2'));
  });
});
