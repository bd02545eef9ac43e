import { describe, expect, it } from 'vitest';
import { clockTime, duration, formatEvent, formatStatus, NO_PAINT } from './format.js';
import { ttyView } from './views.js';

const at = new Date(2026, 0, 2, 3, 4, 5, 67).getTime();

describe('holdfast join output', () => {
  it('puts the stable fields first and the advice after a bar', () => {
    expect(formatEvent({ kind: 'state', at, state: 4, reason: 2 })).toBe(
      '03:04:05.067 state Reconnecting reason=Interrupted(2) | The connection was interrupted: no data from ' +
        'the server for 4 s, or the socket broke. The SDK reconnects by itself and the state keeps changing ' +
        'until it is back. | what to do: Wait: the SDK rejoins automatically. If it lasts, check the network ' +
        'path to the server.',
    );
    expect(formatEvent({ kind: 'member_offline', at, uid: 7, reason: 1 })).toMatch(
      /^03:04:05\.067 member offline uid=7 reason=Dropped\(1\) \| no data from the user/,
    );
    expect(formatEvent({ kind: 'stats', at, rttMs: 3, members: [2, 9] })).toBe(
      '03:04:05.067 stats rtt=3ms members=2,9',
    );
    expect(formatEvent({ kind: 'error', at, code: 110, message: 'invalid_token' })).toBe(
      '03:04:05.067 error code=110 (ErrInvalidToken) invalid_token',
    );
  });

  it('formats times and durations', () => {
    expect(clockTime(at)).toBe('03:04:05.067');
    expect(duration(3210)).toBe('3.2 s');
    expect(duration(42_000)).toBe('42 s');
    expect(duration(245_000)).toBe('4 min 05 s');
  });

  it('redraws the status block in place, cut to the terminal width', () => {
    const writes: string[] = [];
    const status = {
      channel: 'room',
      server: 'ws://x',
      uid: 5,
      state: 3 as const,
      reason: 1 as const,
      since: at,
      rttMs: 4,
      members: new Set([8, 6]),
    };
    const view = ttyView({ write: (t) => writes.push(t), columns: 40 }, NO_PAINT, () => at + 1500);
    view.event({ kind: 'member_joined', at, uid: 8 }, status);
    view.tick(status);
    const lines = formatStatus(status, at + 1500, NO_PAINT);
    expect(lines[1]).toBe(' ● Connected JoinSuccess(1) for 1.5 s   rtt 4 ms');
    expect(lines[3]).toBe(' members (2): 6, 8');
    // The second draw first moves back over the lines the first one drew.
    expect(writes[2]).toBe(`\u001b[${lines.length}F\u001b[J`);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: measuring what is visible
    const visible = (l: string) => l.replace(/\u001b\[[0-9;]*m/g, '').length;
    for (const l of writes[3]!.split('\n').filter(Boolean)) expect(visible(l)).toBeLessThanOrEqual(40);
  });
});
