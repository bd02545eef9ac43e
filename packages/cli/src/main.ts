#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { registerConfig } from './commands/config.js';
import { registerJoin } from './commands/join.js';
import { registerServe } from './commands/serve.js';
import { registerToken } from './commands/token.js';

/** The installed package's own version (dist/main.js sits one level below package.json). */
const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

const program = new Command('holdfast')
  .version(version, '-V, --version', 'print the version of holdfast')
  .description('Holdfast: real-time channels with RTC-grade connection state management')
  .showHelpAfterError()
  .addHelpText(
    'after',
    `
Examples:
  holdfast serve                         # a server on ws://127.0.0.1:7700 with the console at /console/
  holdfast serve --config holdfast.json  # settings from a file (\`holdfast config defaults\` prints them all)
  holdfast join room-1                   # join "room-1" and watch states, reasons, members and RTT live
  holdfast token --app-id … --app-certificate … --channel room-1 --uid 42
  holdfast <command> --help              # options and examples for one command`,
  );
registerServe(program);
registerConfig(program);
registerToken(program);
registerJoin(program);

program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`holdfast: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
