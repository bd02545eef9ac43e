#!/usr/bin/env node
import { Command } from 'commander';
import { registerServe } from './commands/serve.js';
import { registerToken } from './commands/token.js';

const program = new Command('holdfast')
  .description('Holdfast: real-time channels with RTC-grade connection state management')
  .showHelpAfterError();
registerServe(program);
registerToken(program);

program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`holdfast: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
