import { type RunningServer, startServer } from '@holdfast/server';
import { TestRedis } from '@holdfast/server/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RecordingClient } from './support/recorder.js';

/**
 * In a cluster, a node's console lists the members other nodes hold with what the engine knows of
 * them (issue 15 item 6): which node, and when that node last had data from them (its published
 * offline deadline less the window) — not "no data". Two nodes on a real redis-server.
 */
let redis: TestRedis;
const nodes: RunningServer[] = [];
const clients: RecordingClient[] = [];
const OFFLINE_MS = 8000;

beforeAll(async () => {
  redis = await TestRedis.start();
  for (const id of ['node-a', 'node-b'])
    nodes.push(
      await startServer({
        port: 0,
        apps: [{ appId: 'demo' }],
        logLevel: 'silent',
        redis: redis.url,
        nodeId: id,
        timing: { offlineAfterMs: OFFLINE_MS, heartbeatMs: 250 },
      }),
    );
});
afterAll(async () => {
  for (const c of clients) c.release();
  for (const n of nodes) await n.close();
  await redis?.kill();
});

interface Member {
  uid: number;
  node: string;
  live?: { lastSeenAt: number };
  seen?: { lastSeenAt: number };
}
async function members(node: RunningServer, channel: string): Promise<{ now: number; members: Member[] }> {
  const body = (await (await fetch(`${node.httpUrl}/console/api/snapshot`)).json()) as {
    snapshot: { now: number; apps: Array<{ channels: Array<{ channel: string; members: Member[] }> }> };
  };
  const c = body.snapshot.apps[0]?.channels.find((x) => x.channel === channel);
  return { now: body.snapshot.now, members: c?.members ?? [] };
}

describe("a node's console and the members other nodes hold", () => {
  it("lists them with their node and when that node last had data, from the engine's data", async () => {
    const [a, b] = nodes as [RunningServer, RunningServer];
    for (const [node, uid] of [
      [a, 1],
      [b, 2],
    ] as const) {
      const c = new RecordingClient({ appId: 'demo', serverUrl: node.url });
      clients.push(c);
      c.join('mixed', uid);
      await c.waitFor((e) => e.name === 'onJoinChannelSuccess', 10_000);
    }
    // Node b publishes its deadlines each heartbeat (250 ms here): wait until node a sees uid 2's.
    let seen: { now: number; members: Member[] } | undefined;
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      seen = await members(a, 'mixed');
      if (seen.members.find((m) => m.uid === 2)?.seen) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const own = seen!.members.find((m) => m.uid === 1)!;
    const other = seen!.members.find((m) => m.uid === 2)!;
    expect(own).toMatchObject({ node: 'node-a' });
    expect(own.live).toBeDefined();
    expect(own.seen).toBeUndefined();
    expect(other).toMatchObject({ node: 'node-b' });
    expect(other.live).toBeUndefined();
    // Fresh: within the ping interval plus the 1 s deadline beat (generous under load).
    const silentMs = seen!.now - other.seen!.lastSeenAt;
    expect(silentMs).toBeGreaterThan(-1500);
    expect(silentMs).toBeLessThan(OFFLINE_MS);
    // And node b sees node a's member the same way.
    const fromB = await members(b, 'mixed');
    expect(fromB.members.find((m) => m.uid === 2)?.live).toBeDefined();
  });
});
