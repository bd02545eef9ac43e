import {
  type InterfacesFn,
  interfaceWatchSource,
  ConnectionChangedReasonType as R,
  ConnectionStateType as S,
} from '@holdfast/sdk';
import { type RunningServer, startServer } from '@holdfast/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RecordingClient } from './support/recorder.js';

// A local IP address change, as Node's interface watcher sees it, against a real server.
let server: RunningServer;
const clients: RecordingClient[] = [];

beforeAll(async () => {
  server = await startServer({ port: 0, apps: [{ appId: 'demo' }], logLevel: 'silent' });
});
afterAll(async () => {
  for (const c of clients) c.release();
  await server.close();
});

describe('local IP address change over real sockets', () => {
  it('Reconnecting/ClientIpAddressChanged at the next 2 s poll, then Connected/RejoinSuccess; the peer sees no flap', async () => {
    // The machine's real interfaces cannot be changed from a test; the watcher reads this instead.
    let address = '192.0.2.10';
    const interfaces: InterfacesFn = () => ({
      lo: [{ address: '127.0.0.1', family: 'IPv4', internal: true }],
      eth0: [{ address, family: 'IPv4', internal: false }],
    });
    const a = new RecordingClient({
      appId: 'demo',
      serverUrl: server.url,
      network: interfaceWatchSource({ interfaces }),
    });
    const peer = new RecordingClient({ appId: 'demo', serverUrl: server.url });
    clients.push(a, peer);
    peer.join('ip-change', 2);
    a.join('ip-change', 1);
    await a.waitState(S.ConnectionStateConnected, R.ConnectionChangedJoinSuccess);
    await peer.waitFor((e) => e.name === 'onUserJoined' && e.args[0] === 1);

    const from = a.events.length;
    const changedAt = Date.now();
    address = '192.0.2.99';
    const reconnecting = await a.waitState(
      S.ConnectionStateReconnecting,
      R.ConnectionChangedClientIpAddressChanged,
      5000,
      from,
    );
    const rejoined = await a.waitState(
      S.ConnectionStateConnected,
      R.ConnectionChangedRejoinSuccess,
      5000,
      from,
    );
    const detectMs = reconnecting.at + a.start - changedAt;
    // Detection is bounded by the 2 s poll; the rejoin itself is one round trip on loopback.
    expect(detectMs).toBeLessThanOrEqual(2100);
    expect(rejoined.at - reconnecting.at).toBeLessThan(500);
    expect(a.named('onRejoinChannelSuccess')).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 300));
    expect(peer.named('onUserOffline')).toEqual([]);
    expect(peer.named('onUserJoined').filter((e) => e.args[0] === 1)).toHaveLength(1);
    console.log(
      `ip change: detected after ${detectMs} ms, rejoined ${rejoined.at - reconnecting.at} ms later`,
    );
  });
});
