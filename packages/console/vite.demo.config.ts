import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

/**
 * The SDK's browser build, one ES module (dist/demo/holdfast-sdk.js), from the SDK's browser
 * entry (native WebSocket, no Node imports); demo/ (the hand-written page that uses it) is
 * copied beside it as is. The server serves both at /demo/.
 */
export default defineConfig({
  root: here('.'),
  base: '/demo/',
  publicDir: here('demo'),
  logLevel: 'warn',
  resolve: {
    alias: [{ find: /^@holdfast\/protocol$/, replacement: here('../protocol/src/index.ts') }],
  },
  build: {
    outDir: here('dist/demo'),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    lib: {
      entry: here('../sdk/src/index.ts'),
      formats: ['es'],
      fileName: () => 'holdfast-sdk.js',
    },
  },
});
