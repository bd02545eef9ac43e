import {
  ConnectionChangedReasonType as R,
  ConnectionStateType as S,
  UserOfflineReasonType,
} from '@holdfast/sdk';
import { type RunningServer, startServer } from '@holdfast/server';
import { afterEach, describe, expect, it } from 'vitest';
import { type FaultProxy, startFaultProxy } from './support/fault-proxy.js';
import { joined, RecordingClients } from './support/recording-clients.js';
import { expected, received, sendMany, streamErrors, waitCount } from './support/streams.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const enc = new TextEncoder();

let server: RunningServer;
const proxies: FaultProxy[] = [];
const rec = new RecordingClients();

async function setup(offlineAfterMs = 20_000) {
  server = await startServer({
    port: 0,
    apps: [{ appId: 'demo' }],
    logLevel: 'silent',
    timing: { offlineAfterMs },
  });
}
async function proxy(): Promise<FaultProxy> {
  const p = await startFaultProxy({ targetPort: server.port });
  proxies.push(p);
  return p;
}
const client = (url = server.url, timing = {}) => rec.client(url, { timing });
const from = (list: string[], uid: number) => list.filter((m) => m.startsWith(`${uid}:`));

afterEach(async () => {
  rec.releaseAll();
  for (const p of proxies.splice(0)) await p.close();
  await server?.close();
});

describe('data streams over real sockets', () => {
  it('two senders, three receivers; one receiver cut for 8 s while 200 messages flow gets every one once, in order', async () => {
    await setup();
    const cutProxy = await proxy();
    const [a, b] = [client(), client()];
    const [c, e] = [client(), client()];
    const d = client(cutProxy.url, { interruptedAfterMs: 1000 });
    for (const [cl, uid] of [
      [c, 3],
      [d, 4],
      [e, 5],
      [a, 1],
      [b, 2],
    ] as const)
      await joined(cl, 'ds-8s', uid);
    await d.waitFor((x) => x.name === 'onUserJoined' && x.args[0] === 2);
    const sa = a.engine.createDataStream({ ordered: true });
    const sb = b.engine.createDataStream({ ordered: true });
    expect([sa, sb]).toEqual([1, 1]);

    cutProxy.setMode('blackhole');
    const cutAt = Date.now();
    await Promise.all([sendMany(a, sa, 'a', 100, 25), sendMany(b, sb, 'b', 100, 25)]);
    await d.waitState(S.ConnectionStateReconnecting, R.ConnectionChangedInterrupted, 5000);
    await sleep(8000 - (Date.now() - cutAt));
    cutProxy.setMode('pass');
    await d.waitState(S.ConnectionStateConnected, R.ConnectionChangedRejoinSuccess, 10_000);

    for (const r of [c, d, e]) {
      const got = await waitCount(r, 200);
      expect(got).toHaveLength(200);
      expect(from(got, 1)).toEqual(expected(1, 'a', 100));
      expect(from(got, 2)).toEqual(expected(2, 'b', 100));
    }
    // The receivers that stayed connected hear of nothing late or lost, and no presence flap anywhere.
    expect(streamErrors(c)).toEqual([]);
    expect(streamErrors(e)).toEqual([]);
    expect(c.named('onUserOffline')).toEqual([]);
    // D was away more than 5 s: one 117 per sender and stream, nothing missed, the late ones cached.
    const errs = streamErrors(d);
    expect(errs.map(([uid, stream, code, missed]) => [uid, stream, code, missed]).sort()).toEqual([
      [1, 1, 117, 0],
      [2, 1, 117, 0],
    ]);
    for (const [, , , , cached] of errs) expect(cached).toBeGreaterThan(0);
    // Each error came before that sender's first late message.
    const firstError = d.named('onStreamMessageError')[0]!;
    const firstAfterCut = d.named('onStreamMessage').find((m) => m.at >= firstError.at);
    expect(firstAfterCut).toBeDefined();
    // sentTs is the sender's unix ms.
    const m0 = c.named('onStreamMessage')[0]!;
    expect(Math.abs((m0.args[4] as number) - (c.start + m0.at))).toBeLessThan(1000);
  }, 40_000);

  it('a sender cut for 8 s: what it sent meanwhile reaches everyone once, in order, after the resume', async () => {
    await setup();
    const cutProxy = await proxy();
    const a = client(cutProxy.url, { interruptedAfterMs: 1000 });
    const c = client();
    const e = client();
    await joined(c, 'ds-sender', 3);
    await joined(e, 'ds-sender', 5);
    await joined(a, 'ds-sender', 1);
    const sa = a.engine.createDataStream({ ordered: true });
    await sendMany(a, sa, 'before', 10, 50);
    await waitCount(c, 10);
    cutProxy.setMode('blackhole');
    // Sent into the dead connection, then while reconnecting: all must arrive after the resume.
    await sendMany(a, sa, 'during', 100, 20);
    await a.waitState(S.ConnectionStateReconnecting, R.ConnectionChangedInterrupted, 5000);
    await sleep(3000);
    cutProxy.setMode('pass');
    await a.waitState(S.ConnectionStateConnected, R.ConnectionChangedRejoinSuccess, 10_000);
    await sendMany(a, sa, 'after', 10, 50);
    for (const r of [c, e]) {
      const got = await waitCount(r, 120);
      expect(got).toEqual([
        ...expected(1, 'before', 10),
        ...expected(1, 'during', 100),
        ...expected(1, 'after', 10),
      ]);
    }
    expect(streamErrors(a)).toEqual([]);
    expect(c.named('onUserOffline')).toEqual([]);
  }, 40_000);

  it('a receiver away past the offline window: the lost messages are reported as missed, nothing twice', async () => {
    await setup(3000);
    const cutProxy = await proxy();
    const a = client();
    const d = client(cutProxy.url, { interruptedAfterMs: 1000 });
    await joined(a, 'ds-window', 1);
    await joined(d, 'ds-window', 4);
    await d.waitFor((x) => x.name === 'onUserJoined' && x.args[0] === 1);
    const sa = a.engine.createDataStream({ ordered: true });
    await sendMany(a, sa, 'm', 5, 50);
    await waitCount(d, 5);
    cutProxy.setMode('blackhole');
    await a.waitFor((x) => x.name === 'onUserOffline' && x.args[0] === 4, 10_000);
    await sendMany(a, sa, 'm-gone', 20, 50);
    cutProxy.setMode('pass');
    const mark = d.events.findIndex((x) => x.name === 'onConnectionInterrupted');
    // Its session is gone: the SDK joins afresh and is Connected again (the sender never left its view).
    await d.waitFor(
      (x) => x.name === 'onConnectionStateChanged' && x.args[0] === S.ConnectionStateConnected,
      15_000,
      mark,
    );
    // Back as a fresh session: the sender's next message shows the gap.
    await sleep(500);
    await sendMany(a, sa, 'next', 3, 50);
    const got = await waitCount(d, 8);
    expect(got).toEqual([...expected(1, 'm', 5), ...expected(1, 'next', 3)]);
    expect(streamErrors(d)).toEqual([[1, sa, 117, 20, 0]]);
  }, 40_000);

  it('a sender away past the offline window re-sends what the server never took, once', async () => {
    await setup(3000);
    const cutProxy = await proxy();
    const a = client(cutProxy.url, { interruptedAfterMs: 1000 });
    const c = client();
    await joined(c, 'ds-sender-window', 3);
    await joined(a, 'ds-sender-window', 1);
    const sa = a.engine.createDataStream({ ordered: true });
    await sendMany(a, sa, 'x', 5, 50);
    await waitCount(c, 5);
    cutProxy.setMode('blackhole');
    await sendMany(a, sa, 'y', 10, 50);
    await c.waitFor((x) => x.name === 'onUserOffline' && x.args[0] === 1, 10_000);
    cutProxy.setMode('pass');
    await c.waitFor((x) => x.name === 'onUserJoined' && x.args[0] === 1, 15_000, 1);
    const got = await waitCount(c, 15);
    await sleep(300);
    expect(received(c)).toEqual([...expected(1, 'x', 5), ...expected(1, 'y', 10)]);
    expect(got).toHaveLength(15);
    expect(streamErrors(a)).toEqual([]);
    expect(c.named('onUserOffline').map((x) => x.args)).toEqual([
      [1, UserOfflineReasonType.UserOfflineDropped],
    ]);
  }, 40_000);

  it('messages from a member who left are never delivered after its offline event', async () => {
    await setup();
    const a = client();
    const c = client();
    await joined(c, 'ds-left', 3);
    await joined(a, 'ds-left', 1);
    const sa = a.engine.createDataStream({});
    for (let i = 0; i < 30; i++) {
      const data = enc.encode(`z${i}`);
      expect(a.engine.sendStreamMessage(sa, data, data.length)).toBe(0);
    }
    a.engine.leaveChannel();
    const off = await c.waitFor((x) => x.name === 'onUserOffline');
    await sleep(500);
    expect(c.named('onStreamMessage').every((m) => m.at <= off.at)).toBe(true);
    expect(received(c)).toHaveLength(30);
  });

  it('audience members in live broadcasting receive but cannot send (-5)', async () => {
    await setup();
    const host = client();
    const viewer = client();
    expect(host.engine.joinChannel('', 'ds-live', 1, { clientRoleType: 1, channelProfile: 1 })).toBe(0);
    await host.waitState(S.ConnectionStateConnected, R.ConnectionChangedJoinSuccess);
    expect(viewer.engine.joinChannel('', 'ds-live', 2, { clientRoleType: 2, channelProfile: 1 })).toBe(0);
    await viewer.waitState(S.ConnectionStateConnected, R.ConnectionChangedJoinSuccess);
    const sv = viewer.engine.createDataStream({});
    expect(viewer.engine.sendStreamMessage(sv, enc.encode('hi'), 2)).toBe(-5);
    const sh = host.engine.createDataStream({});
    expect(host.engine.sendStreamMessage(sh, enc.encode('hello'), 5)).toBe(0);
    expect(await waitCount(viewer, 1)).toEqual(['1:hello']);
  });
});
