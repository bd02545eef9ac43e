import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliConfigHarness } from './support/cli-config.js';

/** Configurations `holdfast serve` refuses, naming what to change. */
const { dir, file, run } = cliConfigHarness();

describe('refused configurations: exit code 1 and what to change', { timeout: 90_000 }, () => {
  it('names every unknown key of the config file', async () => {
    const config = file('typo.json', { port: 0, timing: { offlinAfterMs: 1000 }, adminn: {} });
    const { code, err, out } = await run(['serve', '--config', config]);
    expect(code).toBe(1);
    expect(out).toBe('');
    expect(err).toContain(`holdfast: config file ${config}:`);
    expect(err).toContain('unknown key "timing.offlinAfterMs"');
    expect(err).toContain('unknown key "adminn"');
  });

  it('names an unknown HOLDFAST_ variable, a bad value, and an admin id without a secret', async () => {
    const [typo, bad, noSecret, missing] = await Promise.all([
      run(['serve', '--port', '0'], { HOLDFAST_ADMIN_SECRETT: 'x' }),
      run(['serve'], { HOLDFAST_MAX_BROADCASTERS: 'many' }),
      run(['serve', '--port', '0', '--admin-id', 'ops']),
      run(['serve', '--config', join(dir, 'missing.json')]),
    ]);
    expect(typo).toMatchObject({
      code: 1,
      err: expect.stringContaining('unknown environment variable HOLDFAST_ADMIN_SECRETT'),
    });
    expect(bad).toMatchObject({
      code: 1,
      err: expect.stringContaining('HOLDFAST_MAX_BROADCASTERS: must be a non-negative integer'),
    });
    expect(noSecret).toMatchObject({
      code: 1,
      err: expect.stringContaining('admin.customerId (--admin-id) is set without a secret'),
    });
    expect(missing).toMatchObject({ code: 1, err: expect.stringContaining('cannot read config file') });
  });
});
