import { describe, expect, it } from 'vitest';
import { BenchArgsError, parseBenchArgs, SCENARIOS, USAGE } from '../bench/src/args.js';

const refused = (argv: string[]): BenchArgsError => {
  try {
    parseBenchArgs(argv);
  } catch (err) {
    if (err instanceof BenchArgsError) return err;
    throw err;
  }
  throw new Error(`accepted: ${argv.join(' ')}`);
};

describe('bench command line', () => {
  it('reads every option the README and BENCHMARKS.md use', () => {
    expect(parseBenchArgs([])).toEqual({
      help: false,
      quick: false,
      only: undefined,
      systems: undefined,
      clients: undefined,
      noMachine: false,
      refuseBusy: false,
      reportOnly: false,
    });
    const a = parseBenchArgs([
      '--quick',
      '--only',
      'join,presence',
      '--systems',
      'holdfast,floor',
      '--clients',
      '200',
      '--no-machine',
      '--refuse-busy',
    ]);
    expect(a.quick).toBe(true);
    expect([...a.only!]).toEqual(['join', 'presence']);
    expect([...a.systems!]).toEqual(['holdfast', 'floor']);
    expect(a.clients).toBe(200);
    expect(a.noMachine && a.refuseBusy).toBe(true);
    expect(parseBenchArgs(['--only=machineRedis']).only).toEqual(new Set(['machineRedis']));
    expect(parseBenchArgs(['--report-only']).reportOnly).toBe(true);
    expect(parseBenchArgs(['--help']).help).toBe(true);
    expect(parseBenchArgs(['-h']).help).toBe(true);
  });

  it('refuses an unknown option instead of starting a full run', () => {
    const e = refused(['--onyl', 'join']);
    expect(e.code).toBe('unknown_option');
    expect(e.message).toContain('--onyl');
    expect(refused(['join']).code).toBe('unknown_option'); // a scenario without --only
  });

  it('refuses a misspelt scenario or system, naming it and what is allowed', () => {
    const e = refused(['--only', 'join,presense']);
    expect(e.code).toBe('bad_value');
    expect(e.message).toContain('presense');
    for (const s of SCENARIOS) expect(e.message).toContain(s);
    expect(refused(['--only', ',']).message).toContain('empty list');
    expect(refused(['--systems', 'socketio']).message).toContain('sio-default');
  });

  it('refuses a missing or non-numeric value', () => {
    expect(refused(['--only']).code).toBe('bad_value');
    for (const n of ['abc', '0', '-3', '1.5']) {
      const e = refused(['--clients', n]);
      expect(e.code).toBe('bad_value');
      expect(e.message).toContain('--clients');
    }
  });

  it('has a usage text naming every option it reads', () => {
    for (const opt of [
      '--quick',
      '--only',
      '--systems',
      '--clients',
      '--no-machine',
      '--refuse-busy',
      '--report-only',
      '--help',
    ])
      expect(USAGE).toContain(opt);
  });
});
