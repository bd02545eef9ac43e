import { fileURLToPath } from 'node:url';
import { build } from 'vite';

/**
 * Builds the console and the /demo page (packages/console/dist) once, before any test file runs,
 * as `npm run build` does: several test files serve them, and a build per file (vite empties its
 * output directory first) could delete files another file's server is sending.
 */
export default async function setup(): Promise<void> {
  for (const config of ['vite.config.ts', 'vite.demo.config.ts'])
    await build({
      configFile: fileURLToPath(new URL(`../packages/console/${config}`, import.meta.url)),
      logLevel: 'error',
    });
}
