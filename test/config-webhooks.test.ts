import { ConnectionChangedReasonType as R, ConnectionStateType as S } from '@holdfast/sdk';
import { describe, expect, it } from 'vitest';
import { cliConfigHarness } from './support/cli-config.js';
import { RecordingClient } from './support/recorder.js';
import { WebhookSink } from './support/webhook-sink.js';

/** Webhooks configured through `holdfast serve` flags and HOLDFAST_* variables. */
const { clients, file, run, serve } = cliConfigHarness();

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
