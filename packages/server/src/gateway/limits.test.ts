import { TestClock } from '@holdfast/protocol';
import { describe, expect, it } from 'vitest';
import { openFileWarning, parseOpenFileLimit } from './fd-limit.js';
import { AddressLimiter, REFUSAL_SLACK } from './limits.js';

describe('AddressLimiter', () => {
  it('admits up to the cap, refuses a few more with a reason, drops the rest; release frees a slot', () => {
    const clock = new TestClock();
    const l = new AddressLimiter({ maxConnectionsPerAddress: 3, maxJoinsPerSecondPerAddress: 10 }, () =>
      clock.now(),
    );
    const verdicts = Array.from({ length: 3 + REFUSAL_SLACK + 2 }, () => l.open('a'));
    expect(verdicts.filter((v) => v === 'ok')).toHaveLength(3);
    expect(verdicts.filter((v) => v === 'refuse')).toHaveLength(REFUSAL_SLACK);
    expect(verdicts.filter((v) => v === 'drop')).toHaveLength(2);
    expect(l.open('b')).toBe('ok');
    // Dropped sockets were never counted: release only the ones admitted or refused.
    for (let i = 0; i < 3 + REFUSAL_SLACK; i++) l.release('a');
    expect(l.openCount('a')).toBe(0);
    expect(l.open('a')).toBe('ok');
  });

  it('counts joins per address per second and forgets spent windows', () => {
    const clock = new TestClock();
    const l = new AddressLimiter({ maxConnectionsPerAddress: 3, maxJoinsPerSecondPerAddress: 2 }, () =>
      clock.now(),
    );
    expect([l.allowJoin('a'), l.allowJoin('a'), l.allowJoin('a'), l.allowJoin('b')]).toEqual([
      true,
      true,
      false,
      true,
    ]);
    clock.advance(999);
    expect(l.allowJoin('a')).toBe(false);
    clock.advance(1);
    expect(l.allowJoin('a')).toBe(true);
    for (let i = 0; i < 1000; i++) l.allowJoin(`x${i}`);
    clock.advance(1000);
    l.sweep();
    expect(l.trackedAddresses).toBe(0);
  });
});

describe('open-file limit', () => {
  const limits = `Limit                     Soft Limit           Hard Limit           Units
Max processes             63432                63432                processes
Max open files            1024                 1048576              files
`;
  it('reads ulimit -n from /proc/self/limits', () => {
    expect(parseOpenFileLimit(limits)).toEqual({ soft: 1024, hard: 1048576 });
    expect(parseOpenFileLimit('Max open files unlimited unlimited files')).toEqual({
      soft: Number.POSITIVE_INFINITY,
      hard: Number.POSITIVE_INFINITY,
    });
    expect(parseOpenFileLimit('nothing here')).toBeUndefined();
  });

  it('warns when the soft limit cannot hold the capacity, and says how to raise it', () => {
    const w = openFileWarning({ soft: 1024, hard: 1048576 }, 10_000);
    expect(w).toMatch(/ulimit -n\) is 1024/);
    expect(w).toMatch(/LimitNOFILE/);
    expect(w).toMatch(/--ulimit nofile/);
    expect(openFileWarning({ soft: 65536, hard: 65536 }, 10_000)).toBeUndefined();
    expect(openFileWarning(undefined, 10_000)).toBeUndefined();
  });
});
