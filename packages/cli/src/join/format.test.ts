import { describe, expect, it } from 'vitest';
import { clockTime, duration, escapeText, formatEvent, formatStatus, NO_PAINT } from './format.js';
import { inputLine, ttyView } from './views.js';

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
      messagesSent: 0,
      messagesReceived: 0,
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

  it('prints data-stream messages, errors and sends as one line each, the payload after the bar', () => {
    expect(
      formatEvent({
        kind: 'stream_message',
        at,
        uid: 7,
        streamId: 2,
        bytes: 13,
        text: 'hi | there\u001b[2J',
        latencyMs: 4,
      }),
    ).toBe('03:04:05.067 stream message uid=7 stream=2 bytes=13 latency=4ms | hi | there\\x1b[2J');
    expect(
      formatEvent({
        kind: 'stream_error',
        at,
        uid: 7,
        streamId: 2,
        code: 117,
        missed: 3,
        cached: 0,
        own: false,
      }),
    ).toBe(
      '03:04:05.067 stream error uid=7 stream=2 code=117 (ErrStreamMessageTimeout) missed=3 cached=0 | ' +
        '3 messages from uid 7 on stream 2 lost for good',
    );
    expect(
      formatEvent({
        kind: 'stream_error',
        at,
        uid: 5,
        streamId: 1,
        code: 12,
        missed: 1,
        cached: 0,
        own: true,
      }),
    ).toMatch(/ code=12 \(ErrTooOften\) missed=1 cached=0 \| 1 message of ours not delivered: more than 60 /);
    expect(formatEvent({ kind: 'stream_sent', at, streamId: 1, bytes: 5, text: 'hello' })).toBe(
      '03:04:05.067 stream sent stream=1 bytes=5 | hello',
    );
    for (const [code, name, meaning] of [
      [-12, 'ErrTooOften', 'more than 60 messages in 1 s on this stream'],
      [-115, 'ErrBitrateLimit', "more than 30 KB in 1 s across this client's data streams"],
      [-113, 'ErrNotInChannel', 'not in the channel'],
      [-5, 'ErrRefused', 'an audience member in live broadcasting cannot send'],
    ] as const)
      expect(formatEvent({ kind: 'stream_not_sent', at, code, bytes: 2, text: 'hi' })).toMatch(
        new RegExp(
          `^03:04:05\\.067 stream not_sent code=${code} \\(${name}\\) bytes=2 \\| ${meaning}.* \\| what to do: .* \\| line: hi$`,
        ),
      );
  });

  it('escapes what could break the line or the terminal, and nothing else', () => {
    expect(escapeText('plain ünïcödé ✓ 你好')).toBe('plain ünïcödé ✓ 你好');
    expect(escapeText('a\nb\tc\\d\u0007\u009b\u202e')).toBe('a\\nb\\tc\\\\d\\x07\\x9b\\u202e');
  });

  it('keeps the line being typed on one row, scrolled so the cursor shows', () => {
    expect(inputLine({ text: 'hello', cursor: 5 }, 40)).toEqual({ line: '› hello', col: 7 });
    expect(inputLine({ text: 'hello', cursor: 1 }, 40)).toEqual({ line: '› hello', col: 3 });
    // Wide characters take two columns.
    expect(inputLine({ text: '你好', cursor: 2 }, 40)).toEqual({ line: '› 你好', col: 6 });
    const long = 'abcdefghijklmnopqrstuvwxyz0123456789';
    // 20 columns: the prompt, 17 for the text, the last one never used (no wrap).
    expect(inputLine({ text: long, cursor: long.length }, 20)).toEqual({
      line: '› …vwxyz0123456789',
      col: 18,
    });
    const start = inputLine({ text: long, cursor: 0 }, 20);
    expect(start).toEqual({ line: `› ${long.slice(0, 17)}`, col: 2 });
  });

  it('with --send on a terminal, draws the input line last and leaves the cursor on it', () => {
    const writes: string[] = [];
    const status = {
      channel: 'room',
      server: 'ws://x',
      uid: 5,
      state: 3 as const,
      reason: 1 as const,
      since: at,
      rttMs: 4,
      members: new Set([6]),
      messagesSent: 2,
      messagesReceived: 3,
    };
    const view = ttyView(
      { write: (t) => writes.push(t), columns: 80 },
      NO_PAINT,
      () => at,
      () => ({
        text: 'typing',
        cursor: 3,
      }),
    );
    view.tick(status);
    const drawn = writes.join('');
    expect(drawn).toContain(' members (1): 6   messages: 2 sent, 3 received\n');
    expect(drawn).toContain(' type a line and press Enter to send it · Ctrl-C to leave\n');
    expect(drawn.endsWith('› typing\r\u001b[5C')).toBe(true);
    // The next draw moves up over the status lines only: the cursor is on the input line.
    const lines = drawn.split('\n').length - 1;
    view.tick(status);
    expect(writes[1]).toBe(`\u001b[${lines}F\u001b[J`);
  });
});

describe('holdfast join advice while it cannot connect, and with its own timings', () => {
  const base = {
    channel: 'room',
    server: 'ws://127.0.0.1:7799',
    uid: 0,
    since: at,
    rttMs: undefined,
    members: new Set<number>(),
    messagesSent: 0,
    messagesReceived: 0,
  };

  it('Connecting with a dial error: the advice is why ("nothing is listening … is the server running?")', () => {
    const problem = 'nothing is listening at ws://127.0.0.1:7799 — is the server running?';
    const lines = formatStatus({ ...base, state: 2, reason: 0, connectProblem: problem }, at, NO_PAINT);
    expect(lines[2]).toBe(` ${problem}`);
    expect(lines.join('\n')).not.toContain('Wait for Connected');
    // Once connected, the problem is no longer the advice.
    const ok = formatStatus({ ...base, state: 3, reason: 1, connectProblem: problem }, at, NO_PAINT);
    expect(ok[2]).toBe(' Nothing: the user is in the channel.');
  });

  it('Failed after --fail-after-ms 3000 says 3 s, not 20 minutes', () => {
    const timings = { interruptedAfterMs: 4000, lostAfterMs: 10_000, failAfterMs: 3000 };
    const line = formatEvent({ kind: 'state', at, state: 5, reason: 4 }, NO_PAINT, timings);
    expect(line).toContain('The SDK kept trying to join for 3 s without success');
    expect(line).not.toContain('20 minutes');
    expect(formatEvent({ kind: 'state', at, state: 5, reason: 4 })).toContain(
      'for 20 minutes without success',
    );
  });
});
