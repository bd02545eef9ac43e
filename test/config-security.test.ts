import { get as httpsGet } from 'node:https';
import { describe, expect, it } from 'vitest';
import { cliConfigHarness } from './support/cli-config.js';
import { RawClient } from './support/raw-client.js';
import { selfSigned } from './support/self-signed.js';

/** Security settings of `holdfast serve`: admin credentials, TLS, allowed origins, trusted proxies. */
const { file, run, serve } = cliConfigHarness();

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
