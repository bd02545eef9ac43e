import {
  NERtcSessionLeaveReason as Leave,
  NERtcConnectionStateChangeReason as NR,
  NERtcConnectionState as NS,
  ConnectionChangedReasonType as R,
  ConnectionStateType as S,
  UserOfflineReasonType,
} from '@holdfast/sdk';
import { type RunningServer, startServer } from '@holdfast/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FaultProxy, startFaultProxy } from './support/fault-proxy.js';
import { NERtcRecordingClient } from './support/nertc-recorder.js';
import { RecordingClient } from './support/recorder.js';

// NERTC timings at their defaults, in real time: give up 40 s after reconnecting starts; peers
// (NERTC and Agora alike, in an app configured with NERTC's 40 s window) see the user leave at 40 s.
let server: RunningServer;
let proxy: FaultProxy;
const clients: Array<{ release(): void }> = [];

beforeAll(async () => {
  server = await startServer({
    port: 0,
    apps: [{ appId: 'ne', offlineAfterMs: 40_000 }],
    logLevel: 'silent',
  });
  proxy = await startFaultProxy({ targetPort: server.port });
});
afterAll(async () => {
  for (const c of clients) c.release();
  await proxy.close();
  await server.close();
});

describe('NERTC give-up at the default timings', () => {
  it('a silent network: (4, 9) at 4 s, (5, joinChannelFailed) + (1, timeout) + onDisconnect(30205) at 44 s; peers see the leave at 40 s', {
    timeout: 70_000,
  }, async () => {
    const a = new NERtcRecordingClient('ne', proxy.url);
    const b = new NERtcRecordingClient('ne', server.url);
    const c = new RecordingClient({ appId: 'ne', serverUrl: server.url });
    clients.push(a, b, c);
    b.engine.joinChannel('', 'ne-giveup', 2);
    c.join('ne-giveup', 3);
    a.engine.joinChannel('', 'ne-giveup', 1);
    await a.waitState(NS.connected, NR.joinSucceed);
    await b.waitFor((e) => e.name === 'onUserJoined' && e.args[0] === 1);
    await c.waitFor((e) => e.name === 'onUserJoined' && e.args[0] === 1);

    const cut = Date.now();
    proxy.setMode('blackhole');
    const since = (at: number, start: number) => at + start - cut;
    const down = await a.waitState(NS.reconnecting, NR.signalDisconnected, 6000);
    const ne = await b.waitFor((e) => e.name === 'onUserLeave' && e.args[0] === 1, 45_000);
    const ag = await c.waitFor((e) => e.name === 'onUserOffline' && e.args[0] === 1, 5000);
    const failed = await a.waitState(NS.failed, NR.joinChannelFailed, 10_000);
    const gone = await a.waitState(NS.disconnected, NR.timeout, 1000);
    const disconnect = await a.waitFor((e) => e.name === 'onDisconnect', 1000);

    const tDown = since(down.at, a.start);
    const tFailed = since(failed.at, a.start);
    const tNe = since(ne.at, b.start);
    const tAg = since(ag.at, c.start);
    console.log(
      `NERTC give-up: reconnecting at ${tDown} ms, failed at ${tFailed} ms (${failed.at - down.at} ms after reconnecting); ` +
        `peers saw the leave at ${tNe} ms (NERTC) and ${tAg} ms (Agora)`,
    );
    expect(tDown).toBeGreaterThanOrEqual(3900);
    expect(tDown).toBeLessThan(5600);
    // 40 s of reconnecting, counted from entering Reconnecting.
    expect(failed.at - down.at).toBeGreaterThanOrEqual(39_900);
    expect(failed.at - down.at).toBeLessThan(40_600);
    expect(gone.at).toBeGreaterThanOrEqual(failed.at);
    expect(disconnect.args).toEqual([30205]);
    expect(a.named('onJoinChannel')).toHaveLength(1);
    expect(a.engine.getConnectionState()).toBe(NS.disconnected);
    // The remote leave: 40 s after the last frame from A (its last ping was at most 1.5 s before the cut).
    expect(ne.args[1]).toBe(Leave.kNERtcSessionLeaveTimeOut);
    expect(tNe).toBeGreaterThanOrEqual(38_400);
    expect(tNe).toBeLessThan(40_600);
    expect(ag.args[1]).toBe(UserOfflineReasonType.UserOfflineDropped);
    expect(Math.abs(tAg - tNe)).toBeLessThan(300);
    // The Agora client in the same channel keeps its own numbering throughout.
    expect(c.states()).toEqual([
      [S.ConnectionStateConnecting, R.ConnectionChangedConnecting],
      [S.ConnectionStateConnected, R.ConnectionChangedJoinSuccess],
    ]);
  });
});
