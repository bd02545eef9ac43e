import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

/**
 * The console: a Preact page bundled to dist/console, served by the server at /console/.
 * Workspace packages resolve to their TypeScript sources, so a build never picks up a stale dist.
 */
export default defineConfig({
  root: here('.'),
  base: '/console/',
  publicDir: false,
  logLevel: 'warn',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  resolve: {
    alias: [{ find: /^@holdfast\/protocol$/, replacement: here('../protocol/src/index.ts') }],
  },
  build: {
    outDir: here('dist/console'),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    chunkSizeWarningLimit: 200,
  },
});
