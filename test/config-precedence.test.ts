import { describe, expect, it } from 'vitest';
import { cliConfigHarness } from './support/cli-config.js';
import { RawClient } from './support/raw-client.js';

/** Which layer wins: flags, HOLDFAST_* variables, the config file, the defaults. */
const { file, run, serve } = cliConfigHarness();

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
