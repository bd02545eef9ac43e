import { ConnectionChangedReasonType as R, ConnectionStateType as S } from '@holdfast/sdk';
import { type RunningServer, startServer } from '@holdfast/server';
import { freePort } from '@holdfast/server/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { RecordingClient } from './support/recorder.js';

// A connection the SDK cannot make is told through onError with words a person can act on, once
// per cause, while the SDK keeps retrying (state stays Connecting, as the seed says).
const clients: RecordingClient[] = [];
const servers: RunningServer[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.release();
  for (const s of servers.splice(0)) await s.close();
});

function client(serverUrl: string) {
  const c = new RecordingClient({ appId: 'demo', serverUrl });
  clients.push(c);
  return c;
}

const errors = (c: RecordingClient) => c.named('onError').map((e) => String(e.args[1]));

describe('the SDK reports connections it cannot make', () => {
  it('a refused port: "nothing is listening at …", once, and it connects when the server comes up', async () => {
    const port = await freePort();
    const url = `ws://127.0.0.1:${port}`;
    const c = client(url);
    c.join('dial', 1);
    await c.waitFor((e) => e.name === 'onError', 5000);
    expect(errors(c)).toEqual([`nothing is listening at ${url} — is the server running?`]);
    expect(c.engine.getConnectionState()).toBe(S.ConnectionStateConnecting);
    // Still retrying: a server on that port is found without a new joinChannel, and no more errors.
    await new Promise((r) => setTimeout(r, 1500));
    expect(errors(c)).toHaveLength(1);
    servers.push(await startServer({ port, apps: [{ appId: 'demo' }], logLevel: 'silent' }));
    await c.waitState(S.ConnectionStateConnected, R.ConnectionChangedJoinSuccess, 15_000);
  });

  it('no scheme: "is not a WebSocket URL: write it as ws://host:port"', async () => {
    const c = client('127.0.0.1:7700');
    c.join('dial', 2);
    await c.waitFor((e) => e.name === 'onError', 5000);
    expect(errors(c)[0]).toBe(
      '"127.0.0.1:7700" is not a WebSocket URL: write it as ws://host:port (or wss://host:port when the server has TLS)',
    );
    expect(c.engine.getConnectionState()).toBe(S.ConnectionStateConnecting);
  });

  it('wss:// to a plain server: "does not speak TLS … use ws://"', async () => {
    const server = await startServer({ port: 0, apps: [{ appId: 'demo' }], logLevel: 'silent' });
    servers.push(server);
    const url = server.url.replace(/^ws:/, 'wss:');
    const c = client(url);
    c.join('dial', 3);
    await c.waitFor((e) => e.name === 'onError', 5000);
    expect(errors(c)[0]).toBe(
      `${url} does not speak TLS: the server there is plain WebSocket — use ws:// (or give the server a certificate)`,
    );
    expect(c.engine.getConnectionState()).toBe(S.ConnectionStateConnecting);
  });
});
