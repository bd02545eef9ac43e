#!/usr/bin/env node
// Committed entry point: it exists at `npm ci` time (before dist/ is built), so npm links the `holdfast` bin.
await import('../dist/main.js');
