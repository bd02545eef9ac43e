import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (p: string) => fileURLToPath(new URL(`./packages/${p}`, import.meta.url));

// Tests import workspace packages by name; point them at the TypeScript sources so
// a test run never depends on a stale build.
export default defineConfig({
  resolve: {
    alias: [
      { find: /^@holdfast\/sdk\/testing$/, replacement: src('sdk/src/testing.ts') },
      { find: /^@holdfast\/sdk$/, replacement: src('sdk/src/node.ts') },
      { find: /^@holdfast\/protocol$/, replacement: src('protocol/src/index.ts') },
      { find: /^@holdfast\/server\/testing$/, replacement: src('server/src/testing.ts') },
      { find: /^@holdfast\/server$/, replacement: src('server/src/index.ts') },
    ],
  },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'test/**/*.test.ts'],
    // The console and /demo are built once for every test file that serves them.
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    reporters: ['default'],
  },
});
