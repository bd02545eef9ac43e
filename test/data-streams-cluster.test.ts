import { ConnectionChangedReasonType as R, ConnectionStateType as S } from '@holdfast/sdk';
import { TestRedis } from '@holdfast/server/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type NodeProcess, startThreeNodes } from './support/node-process.js';
import { joined, RecordingClients } from './support/recording-clients.js';
import { expected, received, sendMany, waitCount } from './support/streams.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let redis: TestRedis;
const rec = new RecordingClients();
const nodes: NodeProcess[] = [];

beforeAll(async () => {
  redis = await TestRedis.start();
});
afterAll(async () => {
  await redis?.kill();
});
afterEach(async () => {
  rec.releaseAll();
  await Promise.all(nodes.splice(0).map((n) => n.stop()));
});

async function threeNodes(offlineMs = 6000) {
  const started = await startThreeNodes(redis.url, offlineMs);
  nodes.push(...started);
  return started;
}
const client = (serverUrl: string | string[]) => rec.client(serverUrl);

describe('data streams across three nodes on a real redis-server', () => {
  it('a sender on one node reaches receivers on the two others, once and in order', async () => {
    const [a, b, c] = await threeNodes();
    const sender = client(a.url);
    const r1 = client(b.url);
    const r2 = client(c.url);
    await joined(r1, 'dsc-basic', 2);
    await joined(r2, 'dsc-basic', 3);
    await joined(sender, 'dsc-basic', 1);
    const s = sender.engine.createDataStream({ ordered: true });
    await sendMany(sender, s, 'm', 100, 50);
    for (const r of [r1, r2]) expect(await waitCount(r, 100)).toEqual(expected(1, 'm', 100));
  }, 30_000);

  it("kill -9 the sender's node while messages flow: it resumes elsewhere and everything arrives once, in order", async () => {
    const [a, b, c] = await threeNodes();
    const sender = client([a.url, b.url]);
    const r1 = client(b.url);
    const r2 = client(c.url);
    await joined(r1, 'dsc-kill-sender', 2);
    await joined(r2, 'dsc-kill-sender', 3);
    await joined(sender, 'dsc-kill-sender', 1);
    await sleep(1200); // a heartbeat publishes the session's deadline
    const s = sender.engine.createDataStream({ ordered: true });
    await sendMany(sender, s, 'k', 150, 30, async (i) => {
      if (i === 40) await a.kill9();
    });
    await sender.waitState(S.ConnectionStateConnected, R.ConnectionChangedRejoinSuccess, 10_000);
    for (const r of [r1, r2]) {
      expect(await waitCount(r, 150)).toEqual(expected(1, 'k', 150));
      expect(r.named('onUserOffline')).toEqual([]);
    }
    await sleep(300);
    expect(received(r1)).toHaveLength(150);
    expect(sender.named('onStreamMessageError')).toEqual([]);
  }, 40_000);

  it("kill -9 a receiver's node while messages flow: the receiver resumes elsewhere and misses nothing", async () => {
    const [a, b, c] = await threeNodes();
    const sender = client(a.url);
    const moving = client([c.url, b.url]);
    const steady = client(b.url);
    await joined(steady, 'dsc-kill-receiver', 2);
    await joined(moving, 'dsc-kill-receiver', 3);
    await joined(sender, 'dsc-kill-receiver', 1);
    await sleep(1200);
    const s = sender.engine.createDataStream({ ordered: true });
    await sendMany(sender, s, 'r', 150, 30, async (i) => {
      if (i === 40) await c.kill9();
    });
    await moving.waitState(S.ConnectionStateConnected, R.ConnectionChangedRejoinSuccess, 10_000);
    for (const r of [steady, moving]) expect(await waitCount(r, 150)).toEqual(expected(1, 'r', 150));
    await sleep(300);
    expect(received(moving)).toHaveLength(150);
  }, 40_000);
});
