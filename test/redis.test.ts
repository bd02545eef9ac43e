import { RedisEngine, startServer } from '@holdfast/server';
import { TestRedis } from '@holdfast/server/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { joined, RecordingClients } from './support/recording-clients.js';
import { threeNodeSuite } from './support/three-node-suite.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let redis: TestRedis;
const rec = new RecordingClients();

beforeAll(async () => {
  redis = await TestRedis.start();
});
afterAll(async () => {
  await redis?.kill();
});
afterEach(() => {
  rec.releaseAll();
});

const client = (serverUrl: string | string[]) => rec.client(serverUrl);

describe('Redis engine (real redis-server)', () => {
  it('numbers channel events, replays them, and snapshots members atomically', async () => {
    const engine = await RedisEngine.connect({ url: redis.url, prefix: 'unit:' });
    try {
      const ref = { appId: 'demo', channel: 'with:colons and spaces' };
      const m = {
        uid: 1,
        sessionId: 's1',
        role: 'broadcaster' as const,
        profile: 'live' as const,
        joinedAt: 1,
        nodeId: 'n',
      };
      expect(await engine.admitMember(ref, m, { maxBroadcasters: 17 })).toEqual({ ok: true });
      expect(await engine.admitMember(ref, { ...m, sessionId: 's2' }, { maxBroadcasters: 17 })).toMatchObject(
        {
          ok: true,
          previous: { sessionId: 's1' },
        },
      );
      const seen: unknown[] = [];
      engine.subscribe((msg) => seen.push(msg));
      await engine.watchChannel(ref);
      expect(await engine.publishEvent(ref, { kind: 'user_joined', uid: 1 })).toBe(1);
      expect(await engine.publishEvent(ref, { kind: 'user_offline', uid: 1, reason: 'quit' })).toBe(2);
      expect(await engine.eventsSince(ref, 1)).toEqual([
        { seq: 2, event: { kind: 'user_offline', uid: 1, reason: 'quit' } },
      ]);
      expect(await engine.eventsSince(ref, 5)).toBeUndefined();
      expect(await engine.snapshot(ref)).toEqual({ members: [{ ...m, sessionId: 's2' }], seq: 2 });
      expect((await engine.listChannels('demo')).map((c) => c.channel)).toContain(ref.channel);
      await sleep(100);
      expect(seen).toContainEqual({
        kind: 'channel_event',
        ref,
        seq: 2,
        event: { kind: 'user_offline', uid: 1, reason: 'quit' },
      });
      expect(await engine.removeMember(ref, 1, 's1')).toBeUndefined();
      expect((await engine.removeMember(ref, 1, 's2'))?.uid).toBe(1);
      expect(await engine.listChannels('demo')).not.toContainEqual(
        expect.objectContaining({ channel: ref.channel }),
      );
      // Orphans: a dead node's session past its deadline is claimed exactly once.
      const now = await engine.heartbeat('alive', 10_000);
      await engine.putSession({
        id: 'o1',
        appId: 'demo',
        channel: 'c',
        uid: 1,
        nodeId: 'dead',
        createdAt: 0,
        secretHash: 'h',
      });
      await engine.putSession({
        id: 'o2',
        appId: 'demo',
        channel: 'c',
        uid: 2,
        nodeId: 'alive',
        createdAt: 0,
        secretHash: 'h',
      });
      await engine.setDeadlines([
        { sessionId: 'o1', deadline: now - 1 },
        { sessionId: 'o2', deadline: now - 1 },
      ]);
      expect((await engine.claimOrphans(now, 10)).map((s) => s.id)).toEqual(['o1']);
      expect(await engine.claimOrphans(now, 10)).toEqual([]);
    } finally {
      await engine.close();
    }
  });

  it("a node receives a channel's events only while one of its sessions watches it", async () => {
    const engine = await RedisEngine.connect({ url: redis.url, prefix: 'watch:' });
    try {
      const room = { appId: 'demo', channel: 'watched room' };
      const other = { appId: 'demo', channel: 'not watched' };
      const seqs: Array<[string, number]> = [];
      engine.subscribe((m) => {
        if (m.kind === 'channel_event') seqs.push([m.ref.channel, m.seq]);
      });
      // Events are kept only for channels with members.
      for (const ref of [room, other])
        await engine.admitMember(
          ref,
          { uid: 1, sessionId: 's1', role: 'audience', profile: 'live', joinedAt: 0, nodeId: 'n' },
          { maxBroadcasters: 1 },
        );
      const publish = async (ref: typeof room) => {
        await engine.publishEvent(ref, { kind: 'user_joined', uid: 1 });
        await sleep(100);
      };
      await engine.watchChannel(room);
      await engine.watchChannel(room); // a second local session of the same channel
      await publish(room);
      await publish(other);
      expect(seqs).toEqual([['watched room', 1]]);
      expect(engine.watchedChannels).toBe(1);
      await engine.unwatchChannel(room); // one session left: still watched
      await publish(room);
      expect(seqs).toEqual([
        ['watched room', 1],
        ['watched room', 2],
      ]);
      await engine.unwatchChannel(room); // the last one left
      expect(engine.watchedChannels).toBe(0);
      await publish(room);
      expect(seqs).toHaveLength(2);
      // Node-wide messages still reach a node that watches nothing.
      const kicks: unknown[] = [];
      engine.subscribe((m) => {
        if (m.kind === 'close_channel') kicks.push(m);
      });
      await engine.publish({ kind: 'close_channel', ref: other });
      await sleep(100);
      expect(kicks).toHaveLength(1);
    } finally {
      await engine.close();
    }
  });

  it('Redis restarts (empty) during traffic: nodes do not crash, re-assert their members, presence converges', async () => {
    const local = await TestRedis.start();
    const servers = await Promise.all(
      ['x', 'y'].map((id) =>
        startServer({ port: 0, apps: [{ appId: 'demo' }], logLevel: 'silent', redis: local.url, nodeId: id }),
      ),
    );
    try {
      const c1 = client(servers[0]!.url);
      const c2 = client(servers[1]!.url);
      await joined(c1, 'r-restart', 1);
      await joined(c2, 'r-restart', 2);
      await c1.waitFor((e) => e.name === 'onUserJoined' && e.args[0] === 2);
      await local.kill();
      await sleep(1500);
      for (const s of servers) expect((await fetch(`${s.httpUrl}/healthz`)).status).toBe(200);
      await local.restart();
      // Nodes reconnect, notice the reset, and put their sessions and members back.
      const deadline = Date.now() + 10_000;
      let users: number[] = [];
      while (Date.now() < deadline) {
        const res = await fetch(`${servers[0]!.httpUrl}/dev/v1/channel/user/demo/r-restart`);
        users = ((await res.json()) as { data: { users: number[] } }).data.users;
        if (users.length === 2) break;
        await sleep(200);
      }
      expect(users.sort()).toEqual([1, 2]);
      // Traffic flows again: a newcomer sees both, both see the newcomer.
      const c3 = client(servers[1]!.url);
      await joined(c3, 'r-restart', 3);
      expect(
        c3
          .named('onUserJoined')
          .map((e) => e.args[0])
          .sort(),
      ).toEqual([1, 2]);
      await c1.waitFor((e) => e.name === 'onUserJoined' && e.args[0] === 3, 5000);
      // Nobody was announced as gone.
      expect(c1.named('onUserOffline')).toEqual([]);
    } finally {
      rec.releaseAll();
      await Promise.all(servers.map((s) => s.close()));
      await local.kill();
    }
  }, 40_000);
});

// The 3-node suite on this redis-server (each test its own channel names); over a Redis Cluster in
// redis-cluster.test.ts.
threeNodeSuite('3 nodes on a real redis-server', () => redis.url);
