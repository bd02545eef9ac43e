import {
  ConnectionChangedReasonType as R,
  ConnectionStateType as S,
  UserOfflineReasonType,
} from '@holdfast/sdk';
import { type RunningServer, startServer } from '@holdfast/server';
import { afterEach, describe, expect, it } from 'vitest';
import { type FaultProxy, startFaultProxy } from './support/fault-proxy.js';
import { joined, RecordingClients } from './support/recording-clients.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let server: RunningServer;
let proxy: FaultProxy;
const rec = new RecordingClients();

async function setup(offlineAfterMs = 20_000) {
  server = await startServer({
    port: 0,
    apps: [{ appId: 'demo' }],
    logLevel: 'silent',
    timing: { offlineAfterMs },
  });
  proxy = await startFaultProxy({ targetPort: server.port });
}
const client = (viaProxy: boolean, timing = {}) => rec.client(viaProxy ? proxy.url : server.url, { timing });

afterEach(async () => {
  rec.releaseAll();
  await proxy?.close();
  await server?.close();
});

describe('reconnection over real sockets', () => {
  it('a short outage inside the offline window resumes the session: remote members see no flap', async () => {
    await setup();
    const a = client(true, { interruptedAfterMs: 1000 });
    const b = client(false);
    await joined(b, 'short', 2);
    await joined(a, 'short', 1);
    await b.waitFor((e) => e.name === 'onUserJoined' && e.args[0] === 1);

    proxy.setMode('blackhole');
    await a.waitState(S.ConnectionStateReconnecting, R.ConnectionChangedInterrupted, 5000);
    // While A is away, C joins and leaves: A must get both events, in order, on resume.
    const c = client(false);
    await joined(c, 'short', 3);
    c.engine.leaveChannel();
    await b.waitFor((e) => e.name === 'onUserOffline' && e.args[0] === 3);
    proxy.setMode('pass');

    const rejoin = await a.waitState(S.ConnectionStateConnected, R.ConnectionChangedRejoinSuccess, 8000);
    expect(a.named('onRejoinChannelSuccess')).toHaveLength(1);
    const afterRejoin = a.events.slice(a.events.indexOf(rejoin));
    expect(
      afterRejoin
        .filter((e) => e.name === 'onUserJoined' || e.name === 'onUserOffline')
        .map((e) => [e.name, ...e.args].slice(0, 3)),
    ).toEqual([
      ['onUserJoined', 3, expect.any(Number)],
      ['onUserOffline', 3, UserOfflineReasonType.UserOfflineQuit],
    ]);
    // B saw A join once and never go offline.
    await sleep(300);
    expect(b.named('onUserJoined').filter((e) => e.args[0] === 1)).toHaveLength(1);
    expect(b.named('onUserOffline').filter((e) => e.args[0] === 1)).toHaveLength(0);
  });

  it('a connection reset reconnects at once (Interrupted immediately, then RejoinSuccess)', async () => {
    await setup();
    const a = client(true);
    await joined(a, 'reset', 1);
    proxy.setMode('reset');
    const t0 = Date.now() - a.start;
    const interrupted = await a.waitState(
      S.ConnectionStateReconnecting,
      R.ConnectionChangedInterrupted,
      2000,
    );
    expect(interrupted.at - t0).toBeLessThan(500);
    proxy.setMode('pass');
    const back = await a.waitState(S.ConnectionStateConnected, R.ConnectionChangedRejoinSuccess, 8000);
    // Backoff ceiling is 3 s: recovery after the network returns stays under it.
    expect(back.at - interrupted.at).toBeLessThan(4000);
  });

  it('after the offline window: remote sees Dropped; the returning client gets KeepAliveTimeout, rejoins, remote sees Joined again', async () => {
    await setup(2000);
    const a = client(true, { interruptedAfterMs: 1000 });
    const b = client(false);
    await joined(b, 'window', 2);
    await joined(a, 'window', 1);
    await b.waitFor((e) => e.name === 'onUserJoined' && e.args[0] === 1);
    proxy.setMode('blackhole');
    const offline = await b.waitFor((e) => e.name === 'onUserOffline', 5000);
    expect(offline.args).toEqual([1, UserOfflineReasonType.UserOfflineDropped]);
    proxy.setMode('pass');
    await a.waitState(S.ConnectionStateConnected, R.ConnectionChangedRejoinSuccess, 8000);
    const states = a.states();
    expect(states).toContainEqual([S.ConnectionStateReconnecting, R.ConnectionChangedKeepAliveTimeout]);
    expect(states.indexOf(states.find((s) => s[1] === R.ConnectionChangedKeepAliveTimeout)!)).toBeLessThan(
      states.length - 1,
    );
    await b.waitFor((e) => e.name === 'onUserJoined' && e.args[0] === 1, 3000, b.events.indexOf(offline));
    expect(b.named('onUserJoined').filter((e) => e.args[0] === 1)).toHaveLength(2);
  });

  it('Failed/JoinFailed when reconnecting lasts longer than failAfterMs', async () => {
    await setup();
    const a = client(true, { failAfterMs: 3000, lostAfterMs: 1000 });
    await joined(a, 'giveup', 1);
    proxy.setMode('reset');
    const interrupted = await a.waitState(
      S.ConnectionStateReconnecting,
      R.ConnectionChangedInterrupted,
      2000,
    );
    await a.waitState(S.ConnectionStateReconnecting, R.ConnectionChangedLost, 2000);
    const failed = await a.waitState(S.ConnectionStateFailed, R.ConnectionChangedJoinFailed, 5000);
    expect(failed.at - interrupted.at).toBeGreaterThanOrEqual(2950);
    expect(failed.at - interrupted.at).toBeLessThan(3400);
    expect(a.engine.getConnectionState()).toBe(S.ConnectionStateFailed);
  });

  it('Connecting against an unreachable server keeps retrying and reports onConnectionLost after lostAfterMs', async () => {
    await setup();
    proxy.setMode('reset');
    const a = client(true, { lostAfterMs: 1000, failAfterMs: 2500 });
    expect(a.join('unreachable', 1)).toBe(0);
    const lost = await a.waitFor((e) => e.name === 'onConnectionLost', 3000);
    expect(lost.at).toBeGreaterThanOrEqual(950);
    await a.waitState(S.ConnectionStateFailed, R.ConnectionChangedJoinFailed, 4000);
    expect(a.states()).toEqual([
      [S.ConnectionStateConnecting, R.ConnectionChangedConnecting],
      [S.ConnectionStateFailed, R.ConnectionChangedJoinFailed],
    ]);
  });

  it('the server going away and coming back on the same port: clients rejoin', async () => {
    await setup();
    const a = client(false);
    const port = server.port;
    await joined(a, 'restart', 1);
    await server.close();
    await a.waitState(S.ConnectionStateReconnecting, R.ConnectionChangedInterrupted, 2000);
    server = await startServer({ port, apps: [{ appId: 'demo' }], logLevel: 'silent' });
    const back = await a.waitState(S.ConnectionStateConnected, R.ConnectionChangedRejoinSuccess, 6000);
    expect(back).toBeDefined();
    // The new server had no session: the client was told (KeepAliveTimeout) and joined afresh.
    expect(a.states()).toContainEqual([S.ConnectionStateReconnecting, R.ConnectionChangedKeepAliveTimeout]);
  });
});
