import { describe, expect, it } from 'vitest';
import { cliConfigHarness } from './support/cli-config.js';

/** `holdfast config defaults`: its output is a config file (JSON or YAML) that changes nothing. */
const { file, run, serve } = cliConfigHarness();

describe('holdfast config defaults', { timeout: 90_000 }, () => {
  it('prints every setting; the output is a valid config file that changes nothing', async () => {
    const printed = await run(['config', 'defaults']);
    expect(printed.code).toBe(0);
    const defaults = JSON.parse(printed.out) as Record<string, unknown>;
    expect(Object.keys(defaults).sort()).toEqual(
      [
        'admin',
        'allowedOrigins',
        'apps',
        'backlog',
        'console',
        'drainTimeoutMs',
        'host',
        'limits',
        'logFormat',
        'logLevel',
        'media',
        'metrics',
        'nodeId',
        'port',
        'proxyProtocol',
        'redis',
        'timing',
        'tls',
        'trustedProxies',
        'webhooks',
      ].sort(),
    );
    const roundTrip = await run(['serve', '--config', file('defaults.json', printed.out), '--print-config']);
    expect(roundTrip.code).toBe(0);
    expect(JSON.parse(roundTrip.out)).toEqual(defaults);
    // The same as YAML.
    const yaml = await run(['config', 'defaults', '--yaml']);
    const fromYaml = await run(['serve', '--config', file('defaults.yaml', yaml.out), '--print-config']);
    expect(JSON.parse(fromYaml.out)).toEqual(defaults);
    // And a server starts from it (on a free port).
    const { banner } = await serve([
      '--config',
      file('defaults-copy.json', printed.out),
      '--port',
      '0',
      '--log-level',
      'silent',
    ]);
    expect(banner).toContain('apps: demo (development mode)');
  });
});
