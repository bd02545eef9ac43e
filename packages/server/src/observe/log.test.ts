import { describe, expect, it } from 'vitest';
import { prettyLine } from './log.js';

describe('pretty log lines', () => {
  const time = Date.UTC(2026, 0, 2, 3, 4, 5, 678);

  it('shows time, level, node, message and the other fields as key=value', () => {
    const json = JSON.stringify({
      level: 40,
      time,
      pid: 1,
      hostname: 'h',
      node: 'a',
      msg: 'redis error',
      err: 'connect ECONNREFUSED',
      n: 3,
    });
    expect(prettyLine(json)).toBe('03:04:05.678 WARN  [a] redis error err="connect ECONNREFUSED" n=3\n');
  });

  it('quotes what needs it, shows an error by its message, colours the level on a terminal', () => {
    const json = JSON.stringify({
      level: 50,
      time,
      msg: 'x',
      err: { message: 'boom', stack: '…' },
      s: 'a b',
    });
    expect(prettyLine(json)).toBe('03:04:05.678 ERROR x err="boom" s="a b"\n');
    expect(prettyLine(json, true)).toContain('\u001b[31mERROR\u001b[0m');
  });

  it('passes a line that is not JSON through', () => {
    expect(prettyLine('plain')).toBe('plain\n');
  });
});
