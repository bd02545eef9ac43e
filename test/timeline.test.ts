import {
  ConnectionChangedReasonType as R,
  ConnectionStateType as S,
  UserOfflineReasonType,
} from '@holdfast/sdk';
import { type RunningServer, startServer } from '@holdfast/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FaultProxy, startFaultProxy } from './support/fault-proxy.js';
import { RecordingClient } from './support/recorder.js';

/**
 * The seed's T0–T7 timeline, over real sockets, at the DEFAULT timings:
 * 4 s interrupted, 10 s lost, 20 s remote offline. The 20-minute give-up (T7)
 * is shortened to 45 s so the test runs in about a minute; everything else is
 * untouched. UID 1 reaches the server through a fault proxy; UID 2 directly.
 */
describe('seed timeline T0–T7 (default timings, real time)', () => {
  let server: RunningServer;
  let proxy: FaultProxy;
  let uid1: RecordingClient;
  let uid2: RecordingClient;

  beforeAll(async () => {
    server = await startServer({ port: 0, apps: [{ appId: 'demo' }], logLevel: 'silent' });
    proxy = await startFaultProxy({ targetPort: server.port });
  });
  afterAll(async () => {
    uid1?.release();
    uid2?.release();
    await proxy?.close();
    await server?.close();
  });

  it('follows the seed: Connecting → Connected → Interrupted (4 s) → Lost (+10 s) → remote offline (20 s) → JoinFailed', async () => {
    uid2 = new RecordingClient({ appId: 'demo', serverUrl: server.url });
    expect(uid2.join('seed-room', 2)).toBe(0);
    await uid2.waitState(S.ConnectionStateConnected, R.ConnectionChangedJoinSuccess);

    // T0–T1: UID 1 joins.
    uid1 = new RecordingClient({ appId: 'demo', serverUrl: proxy.url, timing: { failAfterMs: 45_000 } });
    expect(uid1.join('seed-room', 1)).toBe(0);
    await uid1.waitState(S.ConnectionStateConnected, R.ConnectionChangedJoinSuccess);
    expect(uid1.states().slice(0, 2)).toEqual([
      [S.ConnectionStateConnecting, R.ConnectionChangedConnecting],
      [S.ConnectionStateConnected, R.ConnectionChangedJoinSuccess],
    ]);
    expect(uid1.named('onJoinChannelSuccess')).toHaveLength(1);
    // T2: UID 2 learns about UID 1.
    await uid2.waitFor((e) => e.name === 'onUserJoined' && e.args[0] === 1);

    // Let keepalives run for a while so the cut lands between two of them.
    await new Promise((r) => setTimeout(r, 2000));

    // T3: UID 1's network goes bad (every byte dropped, connections kept open).
    const cutAt1 = Date.now() - uid1.start;
    const cutAt2 = Date.now() - uid2.start;
    proxy.setMode('blackhole');

    // T4: no data for 4 s → (Reconnecting, Interrupted), counted from the last byte the server got
    // through to UID 1 (a keepalive or pong, up to ~2.05 s before the cut).
    const interrupted = await uid1.waitState(
      S.ConnectionStateReconnecting,
      R.ConnectionChangedInterrupted,
      8000,
    );
    const { up: lastUp, down: lastDown } = proxy.lastForwarded();
    expect(cutAt1 + uid1.start - lastDown).toBeLessThan(2400);
    const tInterrupted = interrupted.at - (lastDown - uid1.start);
    expect(tInterrupted).toBeGreaterThanOrEqual(3990);
    expect(tInterrupted).toBeLessThanOrEqual(4300);
    expect(interrupted.at - cutAt1).toBeLessThanOrEqual(4300);
    expect(uid1.named('onConnectionInterrupted')).toHaveLength(1);

    // T5: 10 s after Interrupted → onConnectionLost and (Reconnecting, Lost).
    const lost = await uid1.waitFor((e) => e.name === 'onConnectionLost', 14_000);
    expect(lost.at - interrupted.at).toBeGreaterThanOrEqual(9950);
    expect(lost.at - interrupted.at).toBeLessThanOrEqual(10_300);
    await uid1.waitState(S.ConnectionStateReconnecting, R.ConnectionChangedLost, 1000);

    // T6: UID 2 hears nothing from UID 1 for 20 s → onUserOffline(Dropped).
    const offline = await uid2.waitFor((e) => e.name === 'onUserOffline', 25_000);
    expect(offline.args).toEqual([1, UserOfflineReasonType.UserOfflineDropped]);
    // Counted from UID 1's last byte to the server (its last ping, up to one ping interval before the cut).
    const tOffline = offline.at - (lastUp - uid2.start);
    expect(tOffline).toBeGreaterThanOrEqual(19_990);
    expect(tOffline).toBeLessThanOrEqual(20_600);
    expect(offline.at - cutAt2).toBeLessThanOrEqual(20_600);

    // T7: still no way back → (Failed, JoinFailed); the SDK stops trying.
    const failedAt = await uid1.waitState(S.ConnectionStateFailed, R.ConnectionChangedJoinFailed, 40_000);
    expect(failedAt.at - interrupted.at).toBeGreaterThanOrEqual(44_900);
    expect(failedAt.at - interrupted.at).toBeLessThanOrEqual(45_500);

    // The whole callback sequence, exactly as the seed's figure.
    expect(uid1.states()).toEqual([
      [S.ConnectionStateConnecting, R.ConnectionChangedConnecting],
      [S.ConnectionStateConnected, R.ConnectionChangedJoinSuccess],
      [S.ConnectionStateReconnecting, R.ConnectionChangedInterrupted],
      [S.ConnectionStateReconnecting, R.ConnectionChangedLost],
      [S.ConnectionStateFailed, R.ConnectionChangedJoinFailed],
    ]);
    // UID 2 never flapped: one join, one offline.
    expect(uid2.named('onUserJoined').map((e) => e.args[0])).toEqual([1]);
    expect(uid2.named('onUserOffline')).toHaveLength(1);
    // A failed engine makes no more attempts.
    const attempts = proxy.connectionCount();
    await new Promise((r) => setTimeout(r, 1000));
    expect(proxy.connectionCount()).toBeLessThanOrEqual(attempts);
    expect(uid1.engine.getConnectionState()).toBe(S.ConnectionStateFailed);
  }, 90_000);
});
