#!/usr/bin/env node
// Committed entry point: it exists at `npm ci` time (before dist/ is built), so npm links the `holdfast` bin.
import { existsSync } from 'node:fs';

const main = new URL('../dist/main.js', import.meta.url);
if (!existsSync(main)) {
  process.stderr.write(
    'holdfast: the CLI is not built yet — run "npm run build" (or "npm start") in the Holdfast repository first\n',
  );
  process.exit(1);
}
await import(main.href);
