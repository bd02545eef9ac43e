import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Where the console's built front-end is: the `dist/` of the @holdfast/console package as Node
 * resolves it from here — in this repository packages/console (through the workspace link), in
 * an app that installed @holdfast/server (or the CLI) from npm its dependency @holdfast/console,
 * wherever npm placed it. Falls back to the repository layout beside this file.
 */
export function consoleDistPath(from: string = import.meta.url): string {
  try {
    return `${join(dirname(createRequire(from).resolve('@holdfast/console/package.json')), 'dist')}/`;
  } catch {
    // src/console or dist/console of packages/server: two levels down from the package.
    return fileURLToPath(new URL('../../../console/dist/', from));
  }
}
