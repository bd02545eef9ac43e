import { ConnectionChangedReasonType as R, ConnectionStateType as S } from '@holdfast/sdk';
import { type RunningServer, startServer } from '@holdfast/server';
import { TestRedis } from '@holdfast/server/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RecordingClient } from './support/recorder.js';
import { short, WebhookSink } from './support/webhook-sink.js';

const SECRET = 'webhook-cluster-secret-0123456789';
let redis: TestRedis;
let sink: WebhookSink;
let a: RunningServer;
let b: RunningServer;
const clients: RecordingClient[] = [];

const node = (nodeId: string, url = sink.url, prefix = 'whc:') =>
  startServer({
    port: 0,
    apps: [{ appId: 'demo', offlineAfterMs: 2000 }],
    redis: { url: redis.url, prefix },
    nodeId,
    logLevel: 'silent',
    media: { enabled: false },
    timing: { heartbeatMs: 250 },
    webhooks: { urls: [url], secret: SECRET },
  });

beforeAll(async () => {
  redis = await TestRedis.start();
  sink = await WebhookSink.start(SECRET);
  a = await node('a');
  b = await node('b');
});
afterAll(async () => {
  for (const c of clients) c.release();
  await Promise.all([a?.close(), b?.close()]);
  await sink?.close();
  await redis?.kill();
});

async function join(server: RunningServer, channel: string, uid: number) {
  const c = new RecordingClient({ appId: 'demo', serverUrl: server.url });
  clients.push(c);
  expect(c.join(channel, uid)).toBe(0);
  await c.waitState(S.ConnectionStateConnected, R.ConnectionChangedJoinSuccess);
  return c;
}
const sorted = (xs: string[]) => [...xs].sort();

describe('webhooks across a 2-node cluster over a real redis-server', () => {
  it('members racing in and out on both nodes: every event exactly once, one created and one destroyed per channel', async () => {
    const channels = ['race-0', 'race-1', 'race-2', 'race-3', 'race-4'];
    // Both nodes admit a member into each empty channel at the same time, then both leave at once.
    const pairs = await Promise.all(
      channels.map((ch, i) => Promise.all([join(a, ch, 100 + i), join(b, ch, 200 + i)])),
    );
    for (const pair of pairs) for (const c of pair) c.engine.leaveChannel();
    await sink.until(() => channels.every((ch) => sink.of(ch).length >= 6), 15_000, 'every race event');
    await new Promise((r) => setTimeout(r, 500)); // a duplicate would be right behind
    for (const [i, ch] of channels.entries()) {
      const events = sink.of(ch);
      expect(sorted(events.map(short))).toEqual(
        sorted([
          'channel_created',
          `user_joined:${100 + i}`,
          `user_joined:${200 + i}`,
          `user_left:${100 + i}`,
          `user_left:${200 + i}`,
          'channel_destroyed',
        ]),
      );
      // Each member's events come from the node that holds it.
      for (const e of events.filter((x) => x.uid !== undefined))
        expect(e.nodeId).toBe(e.uid! < 200 ? 'a' : 'b');
    }
    const ids = sink.accepted.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(sink.refused).toEqual([]);
    // Delivered events are out of the Redis outbox (nothing left for a node that takes it over).
    const r = new Redis(redis.url);
    try {
      expect(await r.keys('whc:{node-wide}:wh:ob:*')).toEqual([]);
    } finally {
      r.disconnect();
    }
  });

  it('a node that dies: its member is dropped by the surviving node, user_left sent once (orphan_dropped)', async () => {
    const survivor = await join(a, 'crash', 1);
    const ghost = await join(b, 'crash', 2);
    await sink.until(() => sink.of('crash').length >= 3);
    await new Promise((r) => setTimeout(r, 600)); // a heartbeat publishes the session's deadline
    ghost.release(); // its client goes away too
    await b.kill();
    // Offline window 2 s + the dead node's heartbeat lapsing; then a's member leaves too.
    await sink.until(() => sink.of('crash').some((e) => e.event === 'user_left'), 15_000, 'the orphan drop');
    const left = sink.of('crash').filter((e) => e.event === 'user_left');
    expect(left).toHaveLength(1);
    expect(left[0]).toMatchObject({ uid: 2, reason: 'dropped', cause: 'orphan_dropped', nodeId: 'a' });
    survivor.engine.leaveChannel();
    await sink.until(() => sink.of('crash').some((e) => e.event === 'channel_destroyed'), 10_000);
    await new Promise((r) => setTimeout(r, 300));
    expect(sorted(sink.of('crash').map(short))).toEqual(
      sorted([
        'channel_created',
        'user_joined:1',
        'user_joined:2',
        'user_left:2',
        'user_left:1',
        'channel_destroyed',
      ]),
    );
  });

  it('a node that dies with events undelivered: another node takes its outbox over and sends them, once', async () => {
    const down = await WebhookSink.start(SECRET);
    await down.refuse(); // the receiver is down while node d has events for it
    // A cluster of its own (another key prefix): nodes a and b of the tests above stay out of it.
    const c = await node('c', down.url, 'who:');
    const d = await node('d', down.url, 'who:');
    try {
      const member = await join(d, 'outbox', 5);
      await new Promise((r) => setTimeout(r, 600)); // kept in Redis; d's deadline published
      member.release();
      await d.kill();
      await down.resume();
      // c takes d's outbox over once d's heartbeat lapses, and later drops d's member itself.
      await down.until(() => down.of('outbox').length >= 4, 20_000, "d's events and the drop");
      await new Promise((r) => setTimeout(r, 500));
      // Events of two nodes have no common order (c's own may come first: d's are taken over once
      // d's alive key lapses, 3 s); each node's come in its order, and `at` tells the truth.
      const got = down.of('outbox').map((e) => `${short(e)}@${e.nodeId}`);
      expect(sorted(got)).toEqual(
        sorted(['channel_created@d', 'user_joined:5@d', 'user_left:5@c', 'channel_destroyed@c']),
      );
      expect(got.indexOf('channel_created@d')).toBeLessThan(got.indexOf('user_joined:5@d'));
      expect(got.indexOf('user_left:5@c')).toBeLessThan(got.indexOf('channel_destroyed@c'));
      expect(new Set(down.accepted.map((e) => e.id)).size).toBe(down.accepted.length);
    } finally {
      await c.close();
      await down.close();
    }
  });

  it('a node that closes with events undelivered hands them on at once: another node sends them', async () => {
    const down = await WebhookSink.start(SECRET);
    await down.refuse();
    const e = await node('e', down.url, 'whd:');
    const f = await node('f', down.url, 'whd:');
    try {
      const member = await join(e, 'handover', 6);
      await new Promise((r) => setTimeout(r, 300));
      member.release();
      await e.close(); // waits 2 s for the receiver, then leaves its queue to the others
      await down.resume();
      // f sends e's two events, and its own drop of e's member (handed over at close, not resumed).
      await down.until(() => down.of('handover').length >= 4, 15_000, "e's events from f");
      await new Promise((r) => setTimeout(r, 300));
      const got = down.of('handover').map((x) => `${short(x)}@${x.nodeId}`);
      expect(sorted(got)).toEqual(
        sorted(['channel_created@e', 'user_joined:6@e', 'user_left:6@f', 'channel_destroyed@f']),
      );
      expect(got.indexOf('channel_created@e')).toBeLessThan(got.indexOf('user_joined:6@e'));
      expect(new Set(down.accepted.map((x) => x.id)).size).toBe(down.accepted.length);
    } finally {
      await f.close();
      await down.close();
    }
  });
});
