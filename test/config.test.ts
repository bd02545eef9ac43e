import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { get as httpsGet } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConnectionChangedReasonType as R, ConnectionStateType as S } from '@holdfast/sdk';
import { buildAccessToken2 } from '@holdfast/server';
import { afterEach, describe, expect, it } from 'vitest';
import { RawClient } from './support/raw-client.js';
import { RecordingClient } from './support/recorder.js';
import { selfSigned } from './support/self-signed.js';
import { WebhookSink } from './support/webhook-sink.js';

/**
 * `holdfast serve --config`, HOLDFAST_* variables and flags, through the built CLI. Each test
 * starts several CLI processes: on a busy 2-core machine one start can take seconds.
 */
const MAIN = fileURLToPath(new URL('../packages/cli/dist/main.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'holdfast-cli-config-'));
const children: ChildProcess[] = [];
const clients: RecordingClient[] = [];
afterEach(() => {
  for (const c of clients.splice(0)) c.release();
  for (const c of children.splice(0)) c.kill('SIGKILL');
});

const file = (name: string, content: string | object) => {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return path;
};
/** The environment without any HOLDFAST_* of the test runner's, plus `env`. */
const withEnv = (env: Record<string, string>) => ({
  ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('HOLDFAST_'))),
  ...env,
});

/** Runs the CLI to completion: exit code, stdout, stderr. */
function run(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [MAIN, ...args], { env: withEnv(env) });
  children.push(child);
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    out += d;
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    err += d;
  });
  return new Promise<{ code: number | null; out: string; err: string }>((resolve) =>
    child.on('close', (code) => resolve({ code, out, err })),
  );
}

/** Starts `holdfast serve …` and resolves with its banner once it is listening (`err()`: its stderr so far). */
function serve(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [MAIN, 'serve', ...args], { env: withEnv(env) });
  children.push(child);
  let err = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    err += d;
  });
  return new Promise<{
    child: ChildProcess;
    url: string;
    httpUrl: string;
    banner: string;
    err: () => string;
  }>((resolve, reject) => {
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const url = /listening on (wss?:\/\/\S+)\n/.exec(out)?.[1];
      if (url && out.includes('  apps: '))
        resolve({ child, url, httpUrl: url.replace(/^ws/, 'http'), banner: out, err: () => err });
    });
    child.on('exit', (code) => reject(new Error(`serve exited with ${code}: ${out} ${err}`)));
  });
}

const APP_ID = '0123456789abcdef0123456789abcdef';
const CERT = 'fedcba9876543210fedcba9876543210';

describe('holdfast serve --config with secrets from the environment', { timeout: 90_000 }, () => {
  it('starts a server a client joins with a token; the admin API takes the secret from the environment', async () => {
    // Nothing secret in the file: the certificate and the admin secret come from the environment.
    const config = file('prod.json', {
      host: '127.0.0.1',
      port: 0,
      admin: { customerId: 'ops' },
      timing: { offlineAfterMs: 15000 },
      logLevel: 'warn',
      logFormat: 'json',
      media: { enabled: false },
    });
    const { child, url, httpUrl, banner } = await serve(['--config', config], {
      HOLDFAST_ADMIN_SECRET: 's3cret',
      HOLDFAST_APP: `${APP_ID}:${CERT},offline-after-ms=12000`,
    });
    expect(banner).toContain(`config: ${config}`);
    expect(banner).toContain(`apps: ${APP_ID} (token required)`);
    // Nothing secret on the command line (what `ps` shows).
    expect(child.spawnargs.join(' ')).not.toMatch(/s3cret|fedcba98/);

    const token = buildAccessToken2({
      appId: APP_ID,
      appCertificate: CERT,
      channelName: 'cfg',
      uid: 7,
      tokenExpireSeconds: 600,
    });
    const c = new RecordingClient({ appId: APP_ID, serverUrl: url });
    clients.push(c);
    expect(c.join('cfg', 7, token)).toBe(0);
    await c.waitState(S.ConnectionStateConnected, R.ConnectionChangedJoinSuccess);
    // The app's own offline window (from HOLDFAST_APP) reached the server.
    const raw = await RawClient.connect(url);
    raw.send({
      type: 'join',
      v: 1,
      appId: APP_ID,
      channel: 'cfg',
      uid: 8,
      role: 'broadcaster',
      profile: 'communication',
      token: buildAccessToken2({
        appId: APP_ID,
        appCertificate: CERT,
        channelName: 'cfg',
        uid: 8,
        tokenExpireSeconds: 600,
      }),
    });
    expect((await raw.next('joined')).offlineAfterMs).toBe(12000);
    await raw.close();

    const admin = (user: string) =>
      fetch(`${httpUrl}/dev/v1/channel/${APP_ID}`, {
        headers: { authorization: `Basic ${Buffer.from(user).toString('base64')}` },
      });
    expect((await admin('ops:s3cret')).status).toBe(200);
    expect((await admin('ops:wrong')).status).toBe(401);
  });

  it('reads secrets from files: --admin-secret-file and appCertificateFile in the config file', async () => {
    const config = file('files.json', {
      port: 0,
      apps: [{ appId: APP_ID, appCertificateFile: file('cert.txt', `${CERT}\n`) }],
      admin: { customerId: 'ops' },
      logLevel: 'silent',
      media: { enabled: false },
    });
    const { url, httpUrl, banner } = await serve([
      '--config',
      config,
      '--admin-secret-file',
      file('admin-secret.txt', 'from-a-file\n'),
    ]);
    expect(banner).toContain('(token required)');
    const res = await fetch(`${httpUrl}/dev/v1/channel/${APP_ID}`, {
      headers: { authorization: `Basic ${Buffer.from('ops:from-a-file').toString('base64')}` },
    });
    expect(res.status).toBe(200);
    const raw = await RawClient.connect(url);
    raw.send({
      type: 'join',
      v: 1,
      appId: APP_ID,
      channel: 'f',
      uid: 1,
      role: 'broadcaster',
      profile: 'communication',
      token: 'bad',
    });
    expect((await raw.next('end')).code).toBe('invalid_token');
  });

  it('warns when a secret is given on the command line (where ps shows it)', async () => {
    const { err } = await serve([
      '--admin-id',
      'ops',
      '--admin-secret',
      'x',
      '--port',
      '0',
      '--log-format',
      'json',
      '--no-media',
    ]);
    const warning = err()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { level: number; msg: string })
      .find((l) => l.msg.startsWith('--admin-secret puts a secret on the command line'));
    expect(warning).toMatchObject({ level: 40 });
    expect(warning?.msg).toContain('use HOLDFAST_ADMIN_SECRET, --admin-secret-file or the config file');
  });
});

describe('refused configurations: exit code 1 and what to change', { timeout: 90_000 }, () => {
  it('names every unknown key of the config file', async () => {
    const config = file('typo.json', { port: 0, timing: { offlinAfterMs: 1000 }, adminn: {} });
    const { code, err, out } = await run(['serve', '--config', config]);
    expect(code).toBe(1);
    expect(out).toBe('');
    expect(err).toContain(`holdfast: config file ${config}:`);
    expect(err).toContain('unknown key "timing.offlinAfterMs"');
    expect(err).toContain('unknown key "adminn"');
  });

  it('names an unknown HOLDFAST_ variable, a bad value, and an admin id without a secret', async () => {
    const [typo, bad, noSecret, missing] = await Promise.all([
      run(['serve', '--port', '0'], { HOLDFAST_ADMIN_SECRETT: 'x' }),
      run(['serve'], { HOLDFAST_MAX_BROADCASTERS: 'many' }),
      run(['serve', '--port', '0', '--admin-id', 'ops']),
      run(['serve', '--config', join(dir, 'missing.json')]),
    ]);
    expect(typo).toMatchObject({
      code: 1,
      err: expect.stringContaining('unknown environment variable HOLDFAST_ADMIN_SECRETT'),
    });
    expect(bad).toMatchObject({
      code: 1,
      err: expect.stringContaining('HOLDFAST_MAX_BROADCASTERS: must be a non-negative integer'),
    });
    expect(noSecret).toMatchObject({
      code: 1,
      err: expect.stringContaining('admin.customerId (--admin-id) is set without a secret'),
    });
    expect(missing).toMatchObject({ code: 1, err: expect.stringContaining('cannot read config file') });
  });
});

describe('precedence: flags over HOLDFAST_* over the config file over the defaults', {
  timeout: 90_000,
}, () => {
  it('is what --print-config shows, and what the server runs with', async () => {
    const config = file('layers.json', {
      port: 0,
      timing: { offlineAfterMs: 30000, keepaliveMs: 1500 },
      limits: { maxBroadcasters: 5, joinTimeoutMs: 4000 },
      apps: [{ appId: 'from-file' }],
      logLevel: 'warn',
    });
    const env = { HOLDFAST_KEEPALIVE_MS: '1000', HOLDFAST_MAX_BROADCASTERS: '6', HOLDFAST_MEDIA: 'false' };
    const flags = ['--config', config, '--max-broadcasters', '7', '--media'];
    const printed = await run(['serve', ...flags, '--print-config'], env);
    expect(printed.code).toBe(0);
    const merged = JSON.parse(printed.out) as Record<string, Record<string, unknown>>;
    expect(merged.timing).toMatchObject({ offlineAfterMs: 30000, keepaliveMs: 1000, heartbeatMs: 1000 });
    expect(merged.limits).toMatchObject({ maxBroadcasters: 7, joinTimeoutMs: 4000, capacity: 10000 });
    expect(merged.media).toMatchObject({ enabled: true });
    expect(merged.apps).toEqual([{ appId: 'from-file' }]);

    // The running server: keepalive 1000 (env over file) gives a 2950 ms ping interval; the
    // offline window 30000 comes from the file; the app list from the file.
    const { url, banner } = await serve(flags, env);
    expect(banner).toContain('apps: from-file (development mode)');
    const raw = await RawClient.connect(url);
    raw.send({
      type: 'join',
      v: 1,
      appId: 'from-file',
      channel: 'p',
      uid: 1,
      role: 'broadcaster',
      profile: 'communication',
    });
    expect(await raw.next('joined')).toMatchObject({ keepaliveMs: 2950, offlineAfterMs: 30000 });
    await raw.close();
  });

  it('--no-media from the command line wins over the environment: media frames are answered media_unavailable', async () => {
    const { url } = await serve(['--port', '0', '--no-media', '--log-level', 'silent'], {
      HOLDFAST_MEDIA: 'true',
    });
    const raw = await RawClient.connect(url);
    raw.send({
      type: 'join',
      v: 1,
      appId: 'demo',
      channel: 'm',
      uid: 1,
      role: 'broadcaster',
      profile: 'communication',
    });
    await raw.next('joined');
    raw.send({ type: 'media_unpublish' });
    const answer = await raw.next('media_error');
    expect(answer).toMatchObject({ code: 'media_unavailable' });
    await raw.close();
  });
});

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

describe('security settings (issue 15 item 5)', { timeout: 90_000 }, () => {
  const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

  it('--host 0.0.0.0 without credentials: a generated secret is printed once, to stderr, and required', async () => {
    const { httpUrl, banner, err } = await serve([
      '--host',
      '0.0.0.0',
      '--port',
      '0',
      '--log-level',
      'silent',
    ]);
    expect(banner).toMatch(/console: http:\/\/\S+\/console\/ \(HTTP Basic/);
    const deadline = Date.now() + 5000;
    while (!/secret: \S+\n/.test(err()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const secret = /secret: (\S+)\n/.exec(err())?.[1];
    expect(secret).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(err()).toContain('user:   admin\n');
    expect(err()).toContain('and 0.0.0.0 is reachable from other machines, so the admin API and console');
    expect(err().split(secret!)).toHaveLength(2);
    expect(banner).not.toContain(secret!);
    const api = `${httpUrl.replace('0.0.0.0', '127.0.0.1')}/dev/v1/channel/demo`;
    expect((await fetch(api)).status).toBe(401);
    expect((await fetch(api, { headers: { authorization: basic('admin', secret!) } })).status).toBe(200);
  });

  it('a loopback server without credentials says its console is open to this machine only', async () => {
    const { banner, err } = await serve(['--port', '0', '--log-level', 'silent']);
    expect(banner).toMatch(
      /console: http:\/\/\S+\/console\/ \(open: no admin credentials, reachable from this machine only\)/,
    );
    expect(err()).not.toContain('secret:');
  });

  it('TLS, allowed origins and trusted proxies from flags, HOLDFAST_* variables and the config file', async () => {
    const certificate = selfSigned();
    try {
      const config = file('security.json', { allowedOrigins: ['https://app.example.com'] });
      const env = { HOLDFAST_TRUSTED_PROXY: '127.0.0.3 10.0.0.0/8', HOLDFAST_ADMIN_SECRET: 's3cret' };
      const flags = [
        '--config',
        config,
        '--tls-cert',
        certificate.certFile,
        '--tls-key',
        certificate.keyFile,
      ];
      const printed = await run(['serve', ...flags, '--print-config'], env);
      expect(JSON.parse(printed.out)).toMatchObject({
        tls: { certFile: certificate.certFile, keyFile: certificate.keyFile },
        trustedProxies: ['127.0.0.3', '10.0.0.0/8'],
        allowedOrigins: ['https://app.example.com'],
      });
      const { url, httpUrl } = await serve(
        [...flags, '--port', '0', '--log-level', 'silent', '--admin-id', 'ops'],
        env,
      );
      expect(url).toMatch(/^wss:\/\/127\.0\.0\.1:\d+$/);
      const raw = await RawClient.connect(url, {
        ca: certificate.cert,
        origin: 'https://app.example.com',
        localAddress: '127.0.0.3',
        headers: { 'x-forwarded-for': '203.0.113.77' },
      });
      raw.send({
        type: 'join',
        v: 1,
        appId: 'demo',
        channel: 'sec',
        uid: 1,
        role: 'broadcaster',
        profile: 'communication',
      });
      await raw.next('joined');
      // The console (over HTTPS, the certificate trusted) sees the client the proxy forwarded.
      const snapshot = await new Promise<string>((resolve, reject) => {
        const req = httpsGet(
          `${httpUrl}/console/api/snapshot`,
          { ca: certificate.cert, headers: { authorization: basic('ops', 's3cret') } },
          (res) => {
            let body = '';
            res.setEncoding('utf8').on('data', (d: string) => {
              body += d;
            });
            res.on('end', () => resolve(body));
          },
        );
        req.on('error', reject);
      });
      expect(snapshot).toContain('"remote":"203.0.113.77"');
      await raw.close();
      await expect(
        RawClient.connect(url, { ca: certificate.cert, origin: 'https://evil.example' }),
      ).rejects.toThrow('Unexpected server response: 403');
    } finally {
      certificate.remove();
    }
  });

  it('refuses bad security settings, naming them', async () => {
    const certificate = selfSigned();
    try {
      const [noKey, badProxy, badOrigin, notPem, badFileOrigin, lonelyProxyProtocol] = await Promise.all([
        run(['serve', '--port', '0', '--tls-cert', certificate.certFile]),
        run(['serve', '--port', '0', '--trusted-proxy', '10.0.0.0/33']),
        run(['serve', '--port', '0'], { HOLDFAST_ALLOWED_ORIGIN: 'app.example.com' }),
        run([
          'serve',
          '--port',
          '0',
          '--tls-cert',
          file('not-pem.txt', 'not a certificate'),
          '--tls-key',
          certificate.keyFile,
        ]),
        run([
          'serve',
          '--port',
          '0',
          '--config',
          file('bad-origin.json', { allowedOrigins: ['https://x.example/path'] }),
        ]),
        run(['serve', '--port', '0'], { HOLDFAST_PROXY_PROTOCOL: 'true' }),
      ]);
      expect(noKey).toMatchObject({
        code: 1,
        err: expect.stringContaining('tls.certFile (--tls-cert) is set without tls.keyFile'),
      });
      expect(badProxy).toMatchObject({
        code: 1,
        err: expect.stringContaining('"10.0.0.0/33" is not an IP address or CIDR block'),
      });
      expect(badOrigin).toMatchObject({
        code: 1,
        err: expect.stringContaining(
          'HOLDFAST_ALLOWED_ORIGIN: allowedOrigins: "app.example.com" is not an origin',
        ),
      });
      expect(notPem).toMatchObject({ code: 1, err: expect.stringContaining('is not PEM') });
      expect(badFileOrigin).toMatchObject({
        code: 1,
        err: expect.stringContaining('allowedOrigins: "https://x.example/path" is not an origin'),
      });
      expect(lonelyProxyProtocol).toMatchObject({
        code: 1,
        err: expect.stringContaining('proxyProtocol needs trustedProxies'),
      });
    } finally {
      certificate.remove();
    }
  });
});

describe('webhooks through holdfast serve (issue 15 item 4)', { timeout: 90_000 }, () => {
  it('HOLDFAST_WEBHOOK_URL and a secret file: a join is received as signed webhooks; a URL without a secret is refused', async () => {
    const secret = 'cli-webhook-secret-0123456789';
    const sink = await WebhookSink.start(secret);
    try {
      const refused = await run(['serve', '--port', '0', '--webhook-url', sink.url]);
      expect(refused.code).toBe(1);
      expect(refused.err).toMatch(/webhooks.urls \(--webhook-url\) is set without a secret/);
      const { url } = await serve(['--port', '0', '--log-level', 'silent', '--no-media'], {
        HOLDFAST_WEBHOOK_URL: sink.url,
        HOLDFAST_WEBHOOK_SECRET_FILE: file('webhook-secret', `${secret}\n`),
        HOLDFAST_NODE_ID: 'cli',
      });
      const c = new RecordingClient({ appId: 'demo', serverUrl: url });
      clients.push(c);
      c.join('cli-hooks', 3);
      await c.waitState(S.ConnectionStateConnected, R.ConnectionChangedJoinSuccess);
      await sink.until(() => sink.of('cli-hooks').length >= 2, 15_000);
      expect(sink.of('cli-hooks').map((e) => [e.event, e.uid, e.nodeId])).toEqual([
        ['channel_created', undefined, 'cli'],
        ['user_joined', 3, 'cli'],
      ]);
      expect(sink.refused).toEqual([]);
    } finally {
      await sink.close();
    }
  });
});
