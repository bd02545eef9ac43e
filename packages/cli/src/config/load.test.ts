import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_FEED_OPTIONS } from '../../../server/src/console/feed.js';
import { ConfigError, envLayer, loadConfig, redact, toServerOptions } from './load.js';
import { DEFAULT_CONFIG } from './schema.js';
import { envName, parseAppSpec, parseIceServerSpec, parsePortRange, SETTINGS } from './settings.js';

const dir = mkdtempSync(join(tmpdir(), 'holdfast-config-'));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

describe('the settings table', () => {
  it('names each variable after its flag, once', () => {
    expect(envName('admin-id')).toBe('HOLDFAST_ADMIN_ID');
    expect(envName('max-joins-per-second-per-address')).toBe('HOLDFAST_MAX_JOINS_PER_SECOND_PER_ADDRESS');
    const names = SETTINGS.map((s) => envName(s.flag));
    expect(new Set(names).size).toBe(names.length);
  });

  it('reaches every key of the default config with a flag (secret files aside)', () => {
    const leaves: string[] = [];
    const walk = (o: object, at: string[]) => {
      for (const [k, v] of Object.entries(o)) {
        if (v && typeof v === 'object' && !Array.isArray(v)) walk(v, [...at, k]);
        else leaves.push([...at, k].join('.'));
      }
    };
    walk(DEFAULT_CONFIG, []);
    const reached = new Set(SETTINGS.map((s) => s.path.join('.')));
    expect(leaves.filter((l) => !reached.has(l))).toEqual([]);
  });

  it("keeps the console's viewer default in step with the server's", () => {
    expect(DEFAULT_CONFIG.limits.maxConsoleViewers).toBe(DEFAULT_FEED_OPTIONS.maxViewers);
  });
});

describe('flag values', () => {
  it('--app: id, certificate or @file, and its own offline window', () => {
    expect(parseAppSpec('demo')).toEqual({ appId: 'demo' });
    expect(parseAppSpec('a:c0ffee')).toEqual({ appId: 'a', appCertificate: 'c0ffee' });
    expect(parseAppSpec('a:@/run/secrets/cert')).toEqual({
      appId: 'a',
      appCertificateFile: '/run/secrets/cert',
    });
    expect(parseAppSpec('a,offline-after-ms=40000')).toEqual({ appId: 'a', offlineAfterMs: 40000 });
    expect(parseAppSpec('a:@f,offlineAfterMs=5')).toEqual({
      appId: 'a',
      appCertificateFile: 'f',
      offlineAfterMs: 5,
    });
    expect(() => parseAppSpec('a:b:c')).toThrow(/expected <appId>/);
    expect(() => parseAppSpec('a,offline=1')).toThrow(/unknown --app option "offline=1"/);
    expect(() => parseAppSpec('a,offline-after-ms=0')).toThrow(/positive/);
  });

  it('--ice-server: URL, user name, credential or @file', () => {
    expect(parseIceServerSpec('stun:stun.example.com:3478')).toEqual({ urls: 'stun:stun.example.com:3478' });
    expect(parseIceServerSpec('turn:t.example.com:3478,username=u,credential=@/s')).toEqual({
      urls: 'turn:t.example.com:3478',
      username: 'u',
      credentialFile: '/s',
    });
    expect(() => parseIceServerSpec('http://x')).toThrow(/stun:/);
  });

  it('--media-ports MIN-MAX', () => {
    expect(parsePortRange('40000-40100')).toEqual([40000, 40100]);
    expect(() => parsePortRange('5-4')).toThrow(/MIN <= MAX/);
    expect(() => parsePortRange('40000')).toThrow(/MIN-MAX/);
  });
});

describe('layers: defaults < file < environment < flags', () => {
  it('takes each value from the highest layer that sets it; objects merge, lists are replaced', async () => {
    const path = file(
      'layers.json',
      JSON.stringify({
        apps: [{ appId: 'a' }, { appId: 'b' }],
        timing: { offlineAfterMs: 30000, keepaliveMs: 1500 },
        limits: { maxBroadcasters: 5, joinTimeoutMs: 4000 },
        media: { enabled: true, iceServers: [{ urls: 'stun:s.example.com' }] },
      }),
    );
    const { config, sources } = await loadConfig({
      configPath: path,
      env: {
        HOLDFAST_MAX_BROADCASTERS: '6',
        HOLDFAST_JOIN_TIMEOUT_MS: '3000',
        HOLDFAST_MEDIA: 'false',
        HOLDFAST_APP: 'c d',
      },
      flags: { limits: { joinTimeoutMs: 2000 }, media: { tcp: true } },
    });
    expect(config.timing).toMatchObject({ offlineAfterMs: 30000, keepaliveMs: 1500, heartbeatMs: 1000 });
    expect(config.limits).toMatchObject({ maxBroadcasters: 6, joinTimeoutMs: 2000, capacity: 10000 });
    expect(config.apps).toEqual([{ appId: 'c' }, { appId: 'd' }]);
    expect(config.media).toMatchObject({
      enabled: false,
      tcp: true,
      iceServers: [{ urls: 'stun:s.example.com' }],
    });
    expect(sources.get('timing.offlineAfterMs')).toBe('file');
    expect(sources.get('limits.maxBroadcasters')).toBe('env');
    expect(sources.get('limits.joinTimeoutMs')).toBe('flag');
    expect(sources.get('limits.capacity')).toBe('default');
  });

  it('reads YAML files too, and a string `redis` is the URL (a prefix from elsewhere merges with it)', async () => {
    const path = file('c.yaml', 'port: 0\nredis: redis://127.0.0.1:6379\n');
    const { config } = await loadConfig({
      configPath: path,
      env: { HOLDFAST_REDIS_PREFIX: 'x:' },
      flags: {},
    });
    expect(config.port).toBe(0);
    expect(config.redis).toEqual({ url: 'redis://127.0.0.1:6379', prefix: 'x:' });
  });

  it('refuses unknown keys, naming each one with its path', async () => {
    const path = file(
      'bad.json',
      JSON.stringify({ prot: 1, timing: { offlinAfterMs: 1 }, apps: [{ appId: 'a', cert: 'x' }] }),
    );
    const err = await loadConfig({ configPath: path, env: {}, flags: {} }).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(err).toBeInstanceOf(ConfigError);
    expect(err?.message).toContain('unknown key "prot"');
    expect(err?.message).toContain('unknown key "timing.offlinAfterMs"');
    expect(err?.message).toContain('unknown key "apps.0.cert"');
  });

  it('refuses wrong types and bad values with the key', async () => {
    const path = file('types.json', JSON.stringify({ port: 'x', limits: { capacity: -1 } }));
    await expect(loadConfig({ configPath: path, env: {}, flags: {} })).rejects.toThrow(
      /port: .*; limits\.capacity: /,
    );
    await expect(loadConfig({ configPath: file('broken.json', '{'), env: {}, flags: {} })).rejects.toThrow(
      /not valid JSON/,
    );
  });

  it('refuses a HOLDFAST_ variable it does not know (a typo would silently drop a secret) and bad values', () => {
    expect(() => envLayer({ HOLDFAST_ADMN_SECRET: 'x' })).toThrow(
      /unknown environment variable HOLDFAST_ADMN_SECRET/,
    );
    expect(() => envLayer({ HOLDFAST_PORT: 'eighty' })).toThrow(/HOLDFAST_PORT: must be a port/);
    expect(() => envLayer({ HOLDFAST_CONSOLE: 'maybe' })).toThrow(/HOLDFAST_CONSOLE: must be true or false/);
    expect(envLayer({ HOLDFAST_PORT: '' })).toEqual({});
  });
});

describe('the result as startServer options', () => {
  it('reads secrets from their files and drops what is not set', async () => {
    const secret = file('admin-secret', 's3cret\n');
    const cert = file('cert', `${'f'.repeat(32)}\n`);
    const turn = file('turn', 'pw');
    const { config } = await loadConfig({
      env: {
        HOLDFAST_ADMIN_ID: 'ops',
        HOLDFAST_ADMIN_SECRET_FILE: secret,
        HOLDFAST_APP: `${'a'.repeat(32)}:@${cert},offline-after-ms=40000`,
        HOLDFAST_ICE_SERVER: `turn:t.example.com:3478,username=u,credential=@${turn}`,
        HOLDFAST_MEDIA_IP: '203.0.113.7 198.51.100.2',
        HOLDFAST_MEDIA_PORTS: '40000-40100',
        HOLDFAST_MEDIA_TCP: 'true',
        HOLDFAST_REDIS: 'redis://127.0.0.1:6379',
        HOLDFAST_REDIS_PREFIX: 'p:',
      },
      flags: {},
    });
    const options = toServerOptions(config);
    expect(options.admin).toEqual({ customerId: 'ops', customerSecret: 's3cret' });
    expect(options.apps).toEqual([
      { appId: 'a'.repeat(32), appCertificate: 'f'.repeat(32), offlineAfterMs: 40000 },
    ]);
    expect(options.media).toEqual({
      enabled: true,
      announcedIps: ['203.0.113.7', '198.51.100.2'],
      portRange: [40000, 40100],
      tcp: true,
      iceServers: [{ urls: 'turn:t.example.com:3478', username: 'u', credential: 'pw' }],
    });
    expect(options.redis).toEqual({ url: 'redis://127.0.0.1:6379', prefix: 'p:' });
    expect(options.timing).toEqual({
      offlineAfterMs: 20000,
      keepaliveMs: 2000,
      sweepIntervalMs: 200,
      heartbeatMs: 1000,
    });
    expect(options).not.toHaveProperty('nodeId');
  });

  it('needs the admin id and secret together, and a secret or its file, not both', async () => {
    const opts = async (env: NodeJS.ProcessEnv) =>
      toServerOptions((await loadConfig({ env, flags: {} })).config);
    await expect(opts({ HOLDFAST_ADMIN_ID: 'ops' })).rejects.toThrow(/without a secret/);
    await expect(opts({ HOLDFAST_ADMIN_SECRET: 'x' })).rejects.toThrow(/without admin.customerId/);
    await expect(
      opts({ HOLDFAST_ADMIN_ID: 'o', HOLDFAST_ADMIN_SECRET: 'x', HOLDFAST_ADMIN_SECRET_FILE: '/f' }),
    ).rejects.toThrow(/not both/);
    await expect(
      opts({ HOLDFAST_ADMIN_ID: 'o', HOLDFAST_ADMIN_SECRET_FILE: join(dir, 'missing') }),
    ).rejects.toThrow(/cannot read admin secret from/);
  });

  it('webhooks: URLs from a repeatable flag or variable, the secret from the environment or a file', async () => {
    const opts = async (env: NodeJS.ProcessEnv, flags = {}) =>
      toServerOptions((await loadConfig({ env, flags })).config);
    expect(await opts({})).not.toHaveProperty('webhooks');
    expect(
      (
        await opts({
          HOLDFAST_WEBHOOK_URL: 'http://127.0.0.1:8080/a https://hooks.example.com/b',
          HOLDFAST_WEBHOOK_SECRET: 'whsec-0123456789abcdef',
          HOLDFAST_WEBHOOK_RETRY_FOR_MS: '60000',
        })
      ).webhooks,
    ).toEqual({
      urls: ['http://127.0.0.1:8080/a', 'https://hooks.example.com/b'],
      secret: 'whsec-0123456789abcdef',
      timeoutMs: 10000,
      retryForMs: 60000,
      maxQueued: 10000,
    });
    const secret = file('webhook-secret', 'from-a-file-0123456789\n');
    const config = file(
      'webhooks.json',
      JSON.stringify({ webhooks: { urls: ['https://h.example/x'], secretFile: secret, maxQueued: 50 } }),
    );
    const fromFile = toServerOptions((await loadConfig({ configPath: config, env: {}, flags: {} })).config);
    expect(fromFile.webhooks).toMatchObject({ secret: 'from-a-file-0123456789', maxQueued: 50 });
    await expect(opts({ HOLDFAST_WEBHOOK_URL: 'http://h/x' })).rejects.toThrow(
      /webhooks.urls \(--webhook-url\) is set without a secret/,
    );
    expect(() => envLayer({ HOLDFAST_WEBHOOK_URL: 'ftp://h/x' })).toThrow(
      /expected an http:\/\/ or https:\/\/ URL/,
    );
    await expect(
      loadConfig({
        configPath: file('bad-hook.json', '{"webhooks":{"urls":["ftp://h"]}}'),
        env: {},
        flags: {},
      }),
    ).rejects.toThrow(/webhooks\.urls/);
    await expect(
      loadConfig({ configPath: file('typo-hook.json', '{"webhooks":{"secrets":"x"}}'), env: {}, flags: {} }),
    ).rejects.toThrow(/webhooks\.secrets/);
    expect(redact({ webhooks: { urls: ['http://h', 'https://u:pw@h/x'], secret: 'x' } })).toEqual({
      webhooks: { urls: ['http://h', 'https://***@h/x'], secret: '***' },
    });
  });

  it('hides secrets when printed', () => {
    expect(
      redact({
        admin: { customerId: 'ops', customerSecret: 'x' },
        apps: [{ appId: 'a', appCertificate: 'c' }],
        redis: { url: 'redis://:pw@h:6379' },
      }),
    ).toEqual({
      admin: { customerId: 'ops', customerSecret: '***' },
      apps: [{ appId: 'a', appCertificate: '***' }],
      redis: { url: 'redis://***@h:6379' },
    });
  });
});
