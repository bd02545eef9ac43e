import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
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
});
