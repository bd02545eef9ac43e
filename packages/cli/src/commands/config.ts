import type { Command } from 'commander';
import { DEFAULT_CONFIG } from '../config/schema.js';

export function registerConfig(program: Command): void {
  const config = program.command('config').description('the settings of `holdfast serve`');
  config
    .command('defaults')
    .description('print the full default config, valid as a `holdfast serve --config` file')
    .option('--yaml', 'as YAML instead of JSON')
    .addHelpText(
      'after',
      `
Every key is a startServer option; null means "not set" (the server picks, or the feature is off).
Secrets may also be given as files (admin.customerSecretFile, apps[].appCertificateFile,
media.iceServers[].credentialFile) or through the environment (HOLDFAST_ADMIN_SECRET, HOLDFAST_APP).

Examples:
  holdfast config defaults > holdfast.json && holdfast serve --config holdfast.json
  holdfast config defaults --yaml > holdfast.yaml`,
    )
    .action(async (opts: { yaml?: boolean }) => {
      // The YAML module only when asked for: half a second of start-up on a busy machine.
      process.stdout.write(
        opts.yaml
          ? (await import('yaml')).stringify(DEFAULT_CONFIG)
          : `${JSON.stringify(DEFAULT_CONFIG, null, 2)}\n`,
      );
    });
}
