import type { AppConfig } from '@holdfast/server';
import { startServer } from '@holdfast/server';
import { type Command, InvalidArgumentError } from 'commander';

/** Parses `--app <appId>[:<certificate>]`. */
export function parseApp(value: string, previous: AppConfig[] = []): AppConfig[] {
  const [appId, appCertificate, extra] = value.split(':');
  if (!appId || extra !== undefined)
    throw new InvalidArgumentError('expected <appId> or <appId>:<certificate>');
  return [...previous, appCertificate ? { appId, appCertificate } : { appId }];
}

function parseIntArg(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0)
      throw new InvalidArgumentError(`${name} must be a non-negative integer`);
    return n;
  };
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('run a Holdfast server (embedded in-memory engine)')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port to listen on (0 = any free port)', parseIntArg('--port'), 7700)
    .option(
      '--app <appId[:certificate]>',
      'serve this app (repeatable); with a certificate, joins need a token',
      parseApp,
    )
    .option('--offline-after-ms <ms>', 'remote offline window', parseIntArg('--offline-after-ms'), 20_000)
    .option(
      '--keepalive-ms <ms>',
      "send a keepalive to a client quiet this long (at most 2000: clients' 4 s timer)",
      parseIntArg('--keepalive-ms'),
    )
    .option(
      '--ping-interval-ms <ms>',
      'ask clients to ping this often (default: 3 keepalives less a tick, ≤ 30 % of the offline window)',
      parseIntArg('--ping-interval-ms'),
    )
    .option(
      '--backlog <n>',
      'accept queue length (capped by net.core.somaxconn)',
      parseIntArg('--backlog'),
      4096,
    )
    .option('--redis <url>', 'share channels with other nodes through this Redis (redis://host:port)')
    .option('--node-id <id>', "this node's id in a cluster (default: random)")
    .option('--max-broadcasters <n>', 'most broadcasters per channel', parseIntArg('--max-broadcasters'), 128)
    .option('--admin-id <customerId>', 'admin REST API / console user (HTTP Basic); with --admin-secret')
    .option('--admin-secret <customerSecret>', 'admin REST API / console password (HTTP Basic)')
    .option('--console', 'serve the web console at /console/ and the SDK demo page at /demo/ (the default)')
    .option('--no-console', 'serve neither the console nor the demo page')
    .option('--log-level <level>', 'fatal, error, warn, info, debug, trace or silent', 'info')
    .addHelpText(
      'after',
      `
Examples:
  holdfast serve                                  # app "demo" in development mode (no tokens) on 127.0.0.1:7700
  holdfast serve --port 0 --app myapp             # any free port
  holdfast serve --app 0123456789abcdef0123456789abcdef:fedcba9876543210fedcba9876543210
  holdfast serve --offline-after-ms 40000         # NERTC-like 40 s remote offline window
  holdfast serve --keepalive-ms 1000              # keepalives every 1 s (more margin, more writes)
  holdfast serve --admin-id ops --admin-secret s3cret   # admin API and console behind HTTP Basic auth
  holdfast serve --no-console                     # no /console/ and /demo/`,
    )
    .action(
      async (opts: {
        host: string;
        port: number;
        app?: AppConfig[];
        offlineAfterMs: number;
        keepaliveMs?: number;
        pingIntervalMs?: number;
        backlog: number;
        maxBroadcasters: number;
        redis?: string;
        nodeId?: string;
        adminId?: string;
        adminSecret?: string;
        console?: boolean;
        logLevel: string;
      }) => {
        if ((opts.adminId === undefined) !== (opts.adminSecret === undefined))
          throw new InvalidArgumentError('--admin-id and --admin-secret go together');
        const apps = opts.app ?? [{ appId: 'demo' }];
        const server = await startServer({
          host: opts.host,
          port: opts.port,
          apps,
          backlog: opts.backlog,
          timing: {
            offlineAfterMs: opts.offlineAfterMs,
            ...(opts.keepaliveMs !== undefined ? { keepaliveMs: opts.keepaliveMs } : {}),
            ...(opts.pingIntervalMs !== undefined ? { pingIntervalMs: opts.pingIntervalMs } : {}),
          },
          limits: { maxBroadcasters: opts.maxBroadcasters },
          ...(opts.redis ? { redis: opts.redis } : {}),
          ...(opts.nodeId ? { nodeId: opts.nodeId } : {}),
          ...(opts.adminId && opts.adminSecret
            ? { admin: { customerId: opts.adminId, customerSecret: opts.adminSecret } }
            : {}),
          console: opts.console !== false,
          logLevel: opts.logLevel,
        });
        const appList = apps.map(
          (a) => `${a.appId}${a.appCertificate ? ' (token required)' : ' (development mode)'}`,
        );
        const guarded = opts.adminId ? ' (HTTP Basic: --admin-id / --admin-secret)' : '';
        process.stdout.write(
          `holdfast listening on ${server.url}\n  health: ${server.httpUrl}/healthz\n` +
            (opts.console !== false
              ? `  console: ${server.httpUrl}/console/${guarded}\n  demo: ${server.httpUrl}/demo/\n`
              : '') +
            `  apps: ${appList.join(', ')}\n`,
        );
        const stop = () => {
          server.close().then(() => process.exit(0));
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      },
    );
}
