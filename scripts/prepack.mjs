#!/usr/bin/env node
// `npm pack` / `npm publish` of a workspace package runs this from the package's folder (its
// `prepack` script): build what the tarball ships (tsc -b, or Vite for the console), and put the
// repository's LICENSE beside package.json (npm only ships a LICENSE from the package's own folder).
import { execFileSync } from 'node:child_process';
import { copyFileSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
const require = createRequire(`${process.cwd()}/package.json`);
// HOLDFAST_PREPACK_BUILT=1: the caller has just built everything (the test suite's global setup
// builds the console once, and other test files serve it while this runs: a Vite build first
// empties that folder).
if (process.env.HOLDFAST_PREPACK_BUILT === '1') {
  // nothing to build
} else if (pkg.name === '@holdfast/console') {
  execFileSync('npm', ['run', 'build'], { stdio: 'inherit' });
} else {
  const tsc = require.resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-b'], { stdio: 'inherit' });
}
copyFileSync(new URL('../LICENSE', import.meta.url), 'LICENSE');
