import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/** `holdfast --version` (the built CLI) prints the CLI package's version. */
const MAIN = fileURLToPath(new URL('../packages/cli/dist/main.js', import.meta.url));
const BIN = fileURLToPath(new URL('../packages/cli/bin/holdfast.js', import.meta.url));
const PKG = new URL('../packages/cli/package.json', import.meta.url);

describe('holdfast --version', () => {
  it('prints the version from the package.json beside it', () => {
    const { version } = JSON.parse(readFileSync(PKG, 'utf8')) as { version: string };
    expect(execFileSync(process.execPath, [MAIN, '--version'], { encoding: 'utf8' }).trim()).toBe(version);
    expect(execFileSync(process.execPath, [MAIN, '-V'], { encoding: 'utf8' }).trim()).toBe(version);
  });

  it('works through the committed bin entry that npm links at `npm ci`, before dist/ is built', () => {
    const { version } = JSON.parse(readFileSync(PKG, 'utf8')) as { version: string };
    expect(execFileSync(process.execPath, [BIN, '--version'], { encoding: 'utf8' }).trim()).toBe(version);
  });

  it('says to build first when dist/ is not there yet (right after npm ci)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'holdfast-bin-'));
    try {
      mkdirSync(join(dir, 'bin'));
      copyFileSync(BIN, join(dir, 'bin', 'holdfast.js'));
      const r = spawnSync(process.execPath, [join(dir, 'bin', 'holdfast.js'), '--help'], {
        encoding: 'utf8',
      });
      expect(r.status).toBe(1);
      expect(r.stderr).toContain('the CLI is not built yet — run "npm run build"');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
