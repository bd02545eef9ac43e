import { ConnectionChangedReasonType as R, ConnectionStateType as S } from '@holdfast/sdk';
import { buildAccessToken2 } from '@holdfast/server';
import { describe, expect, it } from 'vitest';
import { cliConfigHarness } from './support/cli-config.js';
import { RawClient } from './support/raw-client.js';
import { RecordingClient } from './support/recorder.js';

/** Secrets for `holdfast serve` from the environment and from files, never from the command line. */
const { clients, file, serve } = cliConfigHarness();

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
