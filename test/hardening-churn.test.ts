import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

/**
 * Issue 16, item 5: 20,000 join→leave cycles, each with a new uid and a new channel, must leave the
 * heap within 1 MB of where it was. Measured in a child process started with --expose-gc (server
 * and clients in it, loopback), after a warm-up long enough to fill every bounded structure (the
 * observer keeps its last 5,000 events), once no session is left.
 */

const root = fileURLToPath(new URL('..', import.meta.url));
const CYCLES = 20_000;
const WARMUP = 3000;

interface Result {
  cycles: number;
  ms: number;
  before: number;
  after: number;
  delta: number;
}
let result: Result | undefined;

beforeAll(() => {
  // The child runs the built server (packages/server/dist): build it, as the bench smoke test does.
  execFileSync('npx', ['tsc', '-b', 'packages/server'], { cwd: root, stdio: 'pipe' });
}, 120_000);

describe('unique-name churn', () => {
  it(`runs ${CYCLES} unique join→leave cycles`, { timeout: 120_000 }, () => {
    const child = spawnSync(
      process.execPath,
      ['--expose-gc', 'test/support/churn-child.mjs', String(CYCLES), String(WARMUP)],
      { cwd: root, encoding: 'utf8', timeout: 110_000 },
    );
    expect(child.status, child.stderr).toBe(0);
    result = JSON.parse(child.stdout.trim().split('\n').at(-1)!) as Result;
    console.log(
      `churn: ${result.cycles} cycles in ${result.ms} ms; heap ${(result.before / 1e6).toFixed(1)} -> ` +
        `${(result.after / 1e6).toFixed(1)} MB (${(result.delta / 1e6).toFixed(2)} MB, ` +
        `${(result.delta / result.cycles).toFixed(0)} bytes/cycle)`,
    );
    expect(result.cycles).toBe(CYCLES);
  });

  // Fails today: MemoryEngine.publishEvent creates the channel again (#channel(ref)) when the quit
  // event of its last member is published after removeMember deleted it, so every unique channel
  // stays in the engine with its log (~1.3 KB each: +6.3 MB after 5,000 cycles). engine/memory.ts
  // is being rewritten by its owner; with publishEvent leaving a missing channel alone, this run
  // measured -1.1 MB after 20,000 cycles. Flip `it.fails` to `it` when that lands.
  it.fails('ends within 1 MB of the heap baseline', () => {
    expect(result).toBeDefined();
    expect(result!.delta).toBeLessThan(1 << 20);
  });
});
