import { readFileSync } from 'node:fs';
import type { AppConfig, ServerOptions } from '@holdfast/server';
import type { z } from 'zod';
import { ConfigSchema, DEFAULT_CONFIG, type FileConfig } from './schema.js';
import { CONFIG_ENV, envName, KNOWN_ENV, parseBool, SETTINGS, type Setting } from './settings.js';

/** A configuration that cannot be used, with a message that says what to change. */
export class ConfigError extends Error {}

/** Where a setting's value came from, lowest to highest precedence. */
export type Source = 'default' | 'file' | 'env' | 'flag';

type Tree = Record<string, unknown>;
const isTree = (v: unknown): v is Tree => typeof v === 'object' && v !== null && !Array.isArray(v);

/** What the zod issues say, as `key.path: message` (unknown keys named one by one). */
export function describeIssues(issues: z.core.$ZodIssue[]): string[] {
  return issues.flatMap((i) => {
    const at = i.path.map(String).join('.');
    if (i.code === 'unrecognized_keys') return i.keys.map((k) => `unknown key "${at ? `${at}.` : ''}${k}"`);
    return [`${at || '(top level)'}: ${i.message}`];
  });
}

/**
 * Parses a config file (JSON, or YAML for .yaml/.yml) and checks it against the schema. The YAML
 * parser is loaded only for a YAML file: it is half a second of start-up on a busy machine.
 */
export async function readConfigFile(path: string): Promise<FileConfig> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read config file ${path}: ${(err as Error).message}`);
  }
  const yaml = /\.ya?ml$/i.test(path);
  const parse: (text: string) => unknown = yaml ? (await import('yaml')).parse : JSON.parse;
  let data: unknown;
  try {
    data = parse(text);
  } catch (err) {
    throw new ConfigError(
      `config file ${path} is not valid ${yaml ? 'YAML' : 'JSON'}: ${(err as Error).message}`,
    );
  }
  const parsed = ConfigSchema.safeParse(data ?? {});
  if (!parsed.success)
    throw new ConfigError(
      `config file ${path}: ${describeIssues(parsed.error.issues).join('; ')} (the keys are startServer's options: see \`holdfast config defaults\`)`,
    );
  return parsed.data;
}

function setAt(tree: Tree, path: readonly string[], value: unknown): void {
  let node = tree;
  for (const key of path.slice(0, -1)) {
    if (!isTree(node[key])) node[key] = {};
    node = node[key] as Tree;
  }
  node[path[path.length - 1]!] = value;
}

/** The HOLDFAST_* variables as a config layer; an empty variable counts as not set. */
export function envLayer(env: NodeJS.ProcessEnv): Tree {
  const unknown = Object.keys(env).filter((k) => k.startsWith('HOLDFAST_') && !KNOWN_ENV.has(k));
  if (unknown.length > 0)
    throw new ConfigError(
      `unknown environment variable${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} (each is named after a flag of \`holdfast serve --help\`: --admin-id ↔ HOLDFAST_ADMIN_ID)`,
    );
  const layer: Tree = {};
  for (const s of SETTINGS) {
    const name = envName(s.flag);
    const text = env[name];
    if (text === undefined || text === '') continue;
    try {
      setAt(layer, s.path, settingValue(s, text));
    } catch (err) {
      throw new ConfigError(`${name}: ${(err as Error).message}`);
    }
  }
  return layer;
}

function settingValue(s: Setting, text: string): unknown {
  if (!s.parse) return parseBool(text);
  if (s.repeatable) return text.split(/[\s]+/).filter(Boolean).map(s.parse);
  return s.parse(text);
}

/**
 * The flags given on the command line as a config layer. `given(flag)` says whether a flag was
 * on the command line (commander's value source), `value(flag)` its parsed value.
 */
export function flagLayer(given: (s: Setting) => boolean, value: (s: Setting) => unknown): Tree {
  const layer: Tree = {};
  for (const s of SETTINGS) if (given(s)) setAt(layer, s.path, value(s));
  return layer;
}

/** Objects merge key by key; anything else (arrays included) in a higher layer replaces the lower. */
function merge(low: unknown, high: unknown): unknown {
  if (high === undefined) return low;
  if (isTree(low) && isTree(high)) {
    const out: Tree = { ...low };
    for (const [k, v] of Object.entries(high)) out[k] = merge(low[k], v);
    return out;
  }
  return high;
}

/** Marks, for every leaf the layer sets, where it came from (`sources` keys are dotted paths). */
function recordSources(layer: unknown, source: Source, sources: Map<string, Source>, at = ''): void {
  if (isTree(layer)) {
    for (const [k, v] of Object.entries(layer)) recordSources(v, source, sources, at ? `${at}.${k}` : k);
    return;
  }
  if (layer !== undefined) sources.set(at, source);
}

export interface LoadInput {
  /** `--config` (or HOLDFAST_CONFIG). */
  configPath?: string;
  env: NodeJS.ProcessEnv;
  flags: Tree;
}

export interface LoadedConfig {
  /** The merged config (defaults < file < environment < flags), secrets still unresolved. */
  config: FileConfig;
  /** Where each leaf came from. */
  sources: Map<string, Source>;
  configPath: string | undefined;
}

/** Layers the config: defaults, then the file, then HOLDFAST_* variables, then flags. */
export async function loadConfig(input: LoadInput): Promise<LoadedConfig> {
  const configPath = input.configPath ?? (input.env[CONFIG_ENV] || undefined);
  const file = configPath ? await readConfigFile(configPath) : {};
  const env = envLayer(input.env);
  const sources = new Map<string, Source>();
  recordSources(DEFAULT_CONFIG, 'default', sources);
  recordSources(file, 'file', sources);
  recordSources(env, 'env', sources);
  recordSources(input.flags, 'flag', sources);
  // A string `redis` in the file is the URL: normalised so a --redis-prefix can merge with it.
  const normalized: FileConfig =
    typeof file.redis === 'string' ? { ...file, redis: { url: file.redis } } : file;
  const merged = [normalized, env, input.flags].reduce<unknown>(merge, DEFAULT_CONFIG);
  const checked = ConfigSchema.safeParse(merged);
  if (!checked.success) throw new ConfigError(describeIssues(checked.error.issues).join('; '));
  return { config: checked.data, sources, configPath };
}

/** Reads a secret from `path`: its text without trailing whitespace (a final newline). */
export function readSecretFile(path: string, what: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8').trimEnd();
  } catch (err) {
    throw new ConfigError(`cannot read ${what} from ${path}: ${(err as Error).message}`);
  }
  if (text === '') throw new ConfigError(`${what} file ${path} is empty`);
  return text;
}

/** A PEM file's text; a ConfigError naming the setting when it cannot be read or holds no PEM block. */
function readPemFile(path: string, what: string): string {
  const text = readSecretFile(path, what);
  if (!text.includes('-----BEGIN '))
    throw new ConfigError(`${what} ${path} is not PEM (no "-----BEGIN" line)`);
  return text;
}

/** One of a secret and its file, never both; the file read. */
function secret(
  inline: string | null | undefined,
  file: string | null | undefined,
  what: string,
  keys: string,
): string | undefined {
  if (inline && file) throw new ConfigError(`${what}: give ${keys}, not both`);
  if (file) return readSecretFile(file, what);
  return inline ?? undefined;
}

const def = <T>(v: T | null | undefined): v is T => v !== null && v !== undefined;
/** The object without its null and undefined members. */
function compact<T extends Tree>(o: T): { [K in keyof T]?: NonNullable<T[K]> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => def(v))) as {
    [K in keyof T]?: NonNullable<T[K]>;
  };
}

/** The merged config as `startServer` options: secrets read from their files, nulls dropped. */
export function toServerOptions(c: FileConfig): ServerOptions {
  const apps: AppConfig[] = (c.apps ?? []).map((a) => {
    const cert = secret(
      a.appCertificate,
      a.appCertificateFile,
      `app "${a.appId}" certificate`,
      'appCertificate or appCertificateFile',
    );
    return {
      appId: a.appId,
      ...(cert ? { appCertificate: cert } : {}),
      ...(def(a.offlineAfterMs) ? { offlineAfterMs: a.offlineAfterMs } : {}),
    };
  });
  const admin = c.admin ?? {};
  const adminSecret = secret(
    admin.customerSecret,
    admin.customerSecretFile,
    'admin secret',
    'admin.customerSecret (--admin-secret, HOLDFAST_ADMIN_SECRET) or admin.customerSecretFile (--admin-secret-file)',
  );
  if (def(admin.customerId) !== def(adminSecret))
    throw new ConfigError(
      def(admin.customerId)
        ? 'admin.customerId (--admin-id) is set without a secret: set HOLDFAST_ADMIN_SECRET, --admin-secret-file or admin.customerSecret'
        : 'an admin secret is set without admin.customerId (--admin-id / HOLDFAST_ADMIN_ID)',
    );
  const tls = c.tls ?? {};
  if (def(tls.certFile) !== def(tls.keyFile))
    throw new ConfigError(
      def(tls.certFile)
        ? 'tls.certFile (--tls-cert) is set without tls.keyFile (--tls-key / HOLDFAST_TLS_KEY)'
        : 'tls.keyFile (--tls-key) is set without tls.certFile (--tls-cert / HOLDFAST_TLS_CERT)',
    );
  const hooks = c.webhooks ?? {};
  const hookSecret = secret(
    hooks.secret,
    hooks.secretFile,
    'webhook secret',
    'webhooks.secret (--webhook-secret, HOLDFAST_WEBHOOK_SECRET) or webhooks.secretFile (--webhook-secret-file)',
  );
  const hookUrls = hooks.urls ?? [];
  if (hookUrls.length > 0 && !hookSecret)
    throw new ConfigError(
      'webhooks.urls (--webhook-url) is set without a secret to sign them: set HOLDFAST_WEBHOOK_SECRET, --webhook-secret-file or webhooks.secretFile',
    );
  const redis = typeof c.redis === 'string' ? { url: c.redis } : (c.redis ?? {});
  const media = c.media ?? {};
  const iceServers = media.iceServers?.map((s) => {
    const credential = secret(
      s.credential,
      s.credentialFile,
      `ICE server ${s.urls} credential`,
      'credential or credentialFile',
    );
    return {
      urls: s.urls,
      ...(def(s.username) ? { username: s.username } : {}),
      ...(credential ? { credential } : {}),
    };
  });
  return {
    ...compact({
      host: c.host,
      port: c.port,
      backlog: c.backlog,
      nodeId: c.nodeId,
      logLevel: c.logLevel,
      logFormat: c.logFormat,
      metrics: c.metrics,
      drainTimeoutMs: c.drainTimeoutMs,
      console: c.console,
      trustedProxies: c.trustedProxies,
      proxyProtocol: c.proxyProtocol,
      allowedOrigins: c.allowedOrigins,
    }),
    ...(def(tls.certFile) && def(tls.keyFile)
      ? {
          tls: {
            cert: readPemFile(tls.certFile, 'TLS certificate (tls.certFile, --tls-cert)'),
            key: readPemFile(tls.keyFile, 'TLS key (tls.keyFile, --tls-key)'),
          },
        }
      : {}),
    apps,
    timing: compact({ ...c.timing }),
    limits: compact({ ...c.limits }),
    ...(def(redis.url)
      ? { redis: { url: redis.url, ...(def(redis.prefix) ? { prefix: redis.prefix } : {}) } }
      : {}),
    ...(def(admin.customerId) && adminSecret
      ? { admin: { customerId: admin.customerId, customerSecret: adminSecret } }
      : {}),
    ...(hookUrls.length > 0 && hookSecret
      ? {
          webhooks: {
            urls: hookUrls,
            secret: hookSecret,
            ...compact({
              timeoutMs: hooks.timeoutMs,
              retryForMs: hooks.retryForMs,
              maxQueued: hooks.maxQueued,
            }),
          },
        }
      : {}),
    media: {
      ...compact({
        enabled: media.enabled,
        announcedIps: media.announcedIps,
        portRange: media.portRange,
        tcp: media.tcp,
      }),
      ...(iceServers ? { iceServers } : {}),
    },
  };
}

const SECRET_KEYS = new Set(['customerSecret', 'appCertificate', 'credential', 'secret']);

/** The config with every secret replaced by `***` (for `--print-config`). */
export function redact(value: unknown, key = ''): unknown {
  // A list of URLs (webhooks.urls) hides their credentials like `url` does.
  if (Array.isArray(value)) return value.map((v) => redact(v, key === 'urls' ? 'url' : ''));
  if (isTree(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redact(v, k)]));
  if (SECRET_KEYS.has(key) && typeof value === 'string') return '***';
  if (key === 'url' && typeof value === 'string') return value.replace(/\/\/([^@/]*)@/, '//***@');
  return value;
}
