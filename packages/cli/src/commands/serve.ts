import type { AppConfig } from '@holdfast/server';
import { createLogger, startServer } from '@holdfast/server';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { ConfigError, flagLayer, loadConfig, redact, toServerOptions } from '../config/load.js';
import { DEFAULT_CONFIG } from '../config/schema.js';
import { envName, parseAppSpec, SETTINGS, type Setting } from '../config/settings.js';
import { listenProblem, modeLine } from './serve-notes.js';
import { consoleAccess, generatedAdminNotice } from './serve-security.js';

/** Parses `--app <appId>[:<certificate>]` (kept for code that used it; `holdfast serve` takes more). */
export function parseApp(value: string, previous: AppConfig[] = []): AppConfig[] {
  const app = parseAppSpec(value);
  if (app.appCertificateFile !== undefined || app.offlineAfterMs !== undefined)
    throw new InvalidArgumentError('expected <appId> or <appId>:<certificate>');
  return [
    ...previous,
    app.appCertificate ? { appId: app.appId, appCertificate: app.appCertificate } : { appId: app.appId },
  ];
}

/** commander's attribute name of a flag: `admin-secret-file` → `adminSecretFile`. */
const attribute = (s: Setting) => s.flag.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());

function defaultOf(s: Setting): unknown {
  let node: unknown = DEFAULT_CONFIG;
  for (const key of s.path) node = (node as Record<string, unknown> | null)?.[key];
  return node;
}

function describe(s: Setting): string {
  const d = defaultOf(s);
  const shown =
    d === null || d === undefined || (Array.isArray(d) && d.length === 0)
      ? ''
      : `; default ${Array.isArray(d) ? (d as Array<{ appId?: string }>).map((x) => x.appId ?? String(x)).join(' ') : String(d)}`;
  return `${s.description} [${envName(s.flag)}${shown}]`;
}

/** Whether a secret was given on the command line itself (where `ps` shows it to everyone). */
function secretOnCommandLine(s: Setting, value: unknown): boolean {
  if (!s.secret) return false;
  if (s.flag === 'redis') return typeof value === 'string' && /\/\/[^@/]*:[^@/]+@/.test(value);
  if (s.flag === 'app') return (value as Array<{ appCertificate?: string }>).some((a) => a.appCertificate);
  if (s.flag === 'ice-server') return (value as Array<{ credential?: string }>).some((x) => x.credential);
  return true;
}

export function registerServe(program: Command): void {
  const cmd = program
    .command('serve')
    .description('run a Holdfast server (in-memory, or a cluster node through Redis)')
    .option('--config <file>', 'read settings from this JSON (or .yaml/.yml) file [HOLDFAST_CONFIG]')
    .option('--print-config', 'print the settings as merged (secrets hidden) and exit, without serving');
  for (const s of SETTINGS) {
    if (!s.parse) {
      cmd.addOption(new Option(`--${s.flag}`, describe(s)));
      cmd.addOption(new Option(`--no-${s.flag}`, `the opposite of --${s.flag}`));
      continue;
    }
    const parse = s.parse;
    const option = new Option(`--${s.flag} ${s.arg}`, describe(s));
    option.argParser<unknown>(
      s.repeatable
        ? (value: string, previous: unknown) => [...((previous as unknown[] | undefined) ?? []), parse(value)]
        : (value: string) => parse(value),
    );
    cmd.addOption(option);
  }
  cmd
    .addHelpText(
      'after',
      `
Settings come from, lowest to highest: the defaults (\`holdfast config defaults\`), the --config
file, HOLDFAST_* environment variables, then flags. Secrets never need the command line: use the
environment (HOLDFAST_ADMIN_SECRET, HOLDFAST_APP), a file (--admin-secret-file, --app id:@file,
--ice-server url,credential=@file), or the config file. Repeatable flags as variables hold their
values space-separated (HOLDFAST_APP="a b:@/run/secrets/b"); on/off variables are true or false.

Examples:
  holdfast serve                                  # app "demo" in development mode (no tokens) on 127.0.0.1:7700
  holdfast serve --config holdfast.json           # keys are startServer's options: see \`holdfast config defaults\`
  holdfast serve --port 0 --app myapp             # any free port
  holdfast serve --app 0123456789abcdef0123456789abcdef:@/run/secrets/app-certificate
  holdfast serve --app nertc,offline-after-ms=40000   # an app with a NERTC-like 40 s remote offline window
  HOLDFAST_ADMIN_ID=ops HOLDFAST_ADMIN_SECRET=… holdfast serve   # admin API and console behind HTTP Basic auth
  holdfast serve --redis redis://redis.internal:6379 --node-id a --drain-timeout-ms 15000
  holdfast serve --no-media --no-console          # signalling and data streams only`,
    )
    .action(async (opts: Record<string, unknown>) => {
      const given = (s: Setting) => cmd.getOptionValueSource(attribute(s)) === 'cli';
      const flags = flagLayer(given, (s) => opts[attribute(s)]);
      const loaded = await loadConfig({
        ...(typeof opts.config === 'string' ? { configPath: opts.config } : {}),
        env: process.env,
        flags,
      });
      if (opts.printConfig) {
        process.stdout.write(`${JSON.stringify(redact(loaded.config), null, 2)}\n`);
        return;
      }
      const options = toServerOptions(loaded.config);
      const log = createLogger(options.logLevel ?? 'info', options.logFormat ?? 'auto');
      for (const s of SETTINGS)
        if (given(s) && secretOnCommandLine(s, opts[attribute(s)]))
          log.warn(
            `--${s.flag} puts a secret on the command line, where every user of this machine can read it (ps): use ${envName(s.flag)}${s.flag === 'admin-secret' ? ', --admin-secret-file' : ''} or the config file`,
          );
      const server = await startServer({ ...options, logger: log }).catch((err: unknown) => {
        const problem = listenProblem(err, options);
        throw err instanceof TypeError || problem ? new ConfigError(problem ?? (err as Error).message) : err;
      });
      const apps = options.apps.map(
        (a) => `${a.appId}${a.appCertificate ? ' (token required)' : ' (development mode)'}`,
      );
      const guarded = consoleAccess(server, options.admin !== undefined);
      const consoleOn = options.console !== false;
      process.stdout.write(
        `holdfast listening on ${server.url}\n${modeLine(options, server.nodeId)}` +
          `  health: ${server.httpUrl}/healthz\n` +
          `  ready: ${server.httpUrl}/readyz\n` +
          (options.metrics !== false ? `  metrics: ${server.httpUrl}/metrics\n` : '') +
          (consoleOn
            ? `  console: ${server.httpUrl}/console/${guarded}\n  demo: ${server.httpUrl}/demo/\n`
            : '') +
          (loaded.configPath ? `  config: ${loaded.configPath}\n` : '') +
          `  apps: ${apps.join(', ')}\n`,
      );
      const notice = generatedAdminNotice(server, options);
      if (notice) process.stderr.write(notice);
      let stopping = false;
      const stop = (signal: NodeJS.Signals) => {
        if (stopping) {
          log.warn({ signal }, 'second signal: exiting without waiting for the drain');
          process.exit(1);
        }
        stopping = true;
        log.info({ signal, timeoutMs: options.drainTimeoutMs }, 'draining: telling clients to go elsewhere');
        server.drain().then(
          () => process.exit(0),
          (err: unknown) => {
            log.error({ err }, 'drain failed');
            process.exit(1);
          },
        );
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
}
