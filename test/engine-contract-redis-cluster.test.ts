import { randomBytes } from 'node:crypto';
import { type ChannelRef, type Engine, RedisEngine, RedisKeys } from '@holdfast/server';
import { TestRedisCluster } from '@holdfast/server/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineScripts } from '../packages/server/src/engine/redis-commands.js';
import { SCRIPT_KEYS } from '../packages/server/src/engine/redis-keys.js';
import { keySlot, type SlotRange, shardEpochKeys } from '../packages/server/src/engine/redis-shard-epochs.js';
import { engineContract } from './support/engine-contract.js';

// Every engine seam's contract against a real 3-master Redis Cluster (redis-server
// --cluster-enabled yes ×3, redis-cli --cluster create): a script whose keys span two slots, or a
// channel event that does not reach a node subscribed through another shard, fails here.
let cluster: TestRedisCluster;
const opened: Engine[] = [];
beforeAll(async () => {
  cluster = await TestRedisCluster.start(3);
}, 60_000);
afterAll(async () => {
  await Promise.all(opened.map((e) => e.close()));
  await cluster?.kill();
});

engineContract({
  name: 'redis cluster',
  make: async () => {
    const e = await RedisEngine.connect({
      url: `redis+cluster://${cluster.nodes}`,
      prefix: `c${randomBytes(4).toString('hex')}:`,
    });
    opened.push(e);
    return e;
  },
  settle: () => new Promise((r) => setTimeout(r, 100)),
});

/** Channel names that could confuse a hash tag: braces, the key separator, non-ASCII. */
const AWKWARD = [
  { appId: 'app', channel: 'room' },
  { appId: 'app', channel: '{room}' },
  { appId: 'app', channel: '}{' },
  { appId: 'app', channel: 'a}b{c' },
  { appId: 'app', channel: '{}' },
  { appId: 'a:b', channel: 'c:d' },
  { appId: 'app', channel: 'зал 会议 🎙' },
];

describe('redis cluster: key layout', () => {
  it("every Lua script's KEYS hash to one slot (CLUSTER KEYSLOT), for any channel name", async () => {
    const probe = new Redis(cluster.ports[0]!, '127.0.0.1');
    try {
      const k = new RedisKeys('hf:');
      const slot = async (key: string) => Number(await probe.call('CLUSTER', 'KEYSLOT', key));
      const slotsOf = async (keys: readonly string[]) => new Set(await Promise.all(keys.map(slot)));
      // The table covers every script the engine defines.
      const defined: string[] = [];
      defineScripts({ defineCommand: (name: string) => defined.push(name) } as never);
      expect(Object.keys(SCRIPT_KEYS).sort()).toEqual(defined.sort());
      const channelSlots = new Set<number>();
      for (const ref of AWKWARD) {
        for (const [name, keysOf] of Object.entries(SCRIPT_KEYS)) {
          const keys = (keysOf as (k: RedisKeys, ref: ChannelRef, uid: number) => readonly string[])(
            k,
            ref,
            7,
          );
          expect(await slotsOf(keys), `${name} for ${JSON.stringify(ref)}`).toHaveProperty('size', 1);
        }
        // A channel's other keys (stream acks, media host) are in its slot too.
        const [members] = SCRIPT_KEYS.hfAdmit(k, ref);
        expect(
          await slotsOf([members, k.acks(ref, 99), k.topic(ref), k.channel(ref, 'media')]),
        ).toHaveProperty('size', 1);
        channelSlots.add(await slot(members));
      }
      // Channels spread over slots (so over shards); the node-wide keys share one.
      expect(channelSlots.size).toBeGreaterThan(3);
      expect(await slotsOf([k.session('s'), k.deadlines, k.node('n'), k.epoch, k.bus])).toHaveProperty(
        'size',
        1,
      );
      console.log(
        `redis cluster: ${Object.keys(SCRIPT_KEYS).length} scripts × ${AWKWARD.length} channel names ` +
          `(braces, non-ASCII …): every script's keys in one slot (CLUSTER KEYSLOT of a real 3-master ` +
          `cluster); the channels spread over ${channelSlots.size} slots; node-wide keys share one`,
      );
    } finally {
      probe.disconnect();
    }
  });

  it('a channel event published on one shard reaches an engine watching it, for channels on every shard', async () => {
    const prefix = `x${randomBytes(4).toString('hex')}:`;
    const url = `redis+cluster://${cluster.nodes}`;
    const [a, b] = await Promise.all([
      RedisEngine.connect({ url, prefix }),
      RedisEngine.connect({ url, prefix }),
    ]);
    opened.push(a, b);
    const got: string[] = [];
    b.subscribe((m) => {
      if (m.kind === 'channel_event') got.push(`${m.ref.channel}#${m.seq}`);
    });
    const refs = Array.from({ length: 12 }, (_, i) => ({ appId: 'app', channel: `spread-${i}` }));
    // Their topics live on every one of the 3 masters.
    const probe = new Redis(cluster.ports[0]!, '127.0.0.1');
    const ranges = (await probe.call('CLUSTER', 'SLOTS')) as Array<[number, number, [string, number]]>;
    const shardOf = async (key: string) => {
      const s = Number(await probe.call('CLUSTER', 'KEYSLOT', key));
      return ranges.find(([lo, hi]) => s >= lo && s <= hi)?.[2][1];
    };
    const k = new RedisKeys(prefix);
    expect(new Set(await Promise.all(refs.map((r) => shardOf(k.topic(r)))))).toEqual(new Set(cluster.ports));
    probe.disconnect();
    for (const ref of refs) {
      await b.watchChannel(ref);
      await a.admitMember(
        ref,
        { uid: 1, sessionId: 's', role: 'audience', profile: 'live', joinedAt: 0, nodeId: 'n' },
        { maxBroadcasters: 1 },
      );
      await a.publishEvent(ref, { kind: 'user_joined', uid: 1 });
    }
    await expect.poll(() => got.length, { timeout: 5000 }).toBe(12);
    expect(got.sort()).toEqual(refs.map((r) => `${r.channel}#1`).sort());
    // Unwatched: nothing more arrives for it.
    await b.unwatchChannel(refs[0]!);
    await a.publishEvent(refs[0]!, { kind: 'user_joined', uid: 2 });
    await a.publishEvent(refs[1]!, { kind: 'user_joined', uid: 2 });
    await expect.poll(() => got.length, { timeout: 5000 }).toBe(13);
    await new Promise((r) => setTimeout(r, 200));
    expect(got).not.toContain('spread-0#2');
    expect(got).toContain('spread-1#2');
  });
});

describe('redis cluster: one master restarts empty on its own', () => {
  it('keySlot is CLUSTER KEYSLOT; each master gets an epoch key in its slots', async () => {
    const probe = new Redis(cluster.ports[0]!, '127.0.0.1');
    try {
      const keys = ['plain', 'hf:{node-wide}:dl', 'a{}b', '{}{x}', 'x{y}z{w}', 'зал 🎙', 'hf:{c:app:a%7Db}:m'];
      for (const key of keys)
        expect(keySlot(key), key).toBe(Number(await probe.call('CLUSTER', 'KEYSLOT', key)));
      const ranges: SlotRange[] = await probe.cluster('SLOTS');
      const epochs = shardEpochKeys('hf:', ranges);
      const owner = (slot: number) => ranges.find(([lo, hi]) => slot >= lo && slot <= hi)?.[2]?.[1];
      expect(new Set(epochs.map((k) => owner(keySlot(k))))).toEqual(new Set(cluster.ports));
    } finally {
      probe.disconnect();
    }
  });

  it("every engine notices a channel shard's loss at its next heartbeat; events flow again", async () => {
    const url = `redis+cluster://${cluster.nodes}`;
    const prefix = `r${randomBytes(4).toString('hex')}:`;
    const [a, b] = await Promise.all([
      RedisEngine.connect({ url, prefix }),
      RedisEngine.connect({ url, prefix }),
    ]);
    opened.push(a, b);
    const resets = [0, 0];
    a.onReset(() => resets[0]!++);
    b.onReset(() => resets[1]!++);
    const got: number[] = [];
    b.subscribe((m) => m.kind === 'channel_event' && got.push(m.seq));
    // A channel whose shard is not the {node-wide} one.
    const probe = new Redis(cluster.ports[0]!, '127.0.0.1');
    const ranges: SlotRange[] = await probe.cluster('SLOTS');
    probe.disconnect();
    const owner = (key: string) =>
      ranges.find(([lo, hi]) => keySlot(key) >= lo && keySlot(key) <= hi)?.[2]?.[1];
    const k = new RedisKeys(prefix);
    let ref = { appId: 'app', channel: 'lost-0' };
    for (let i = 1; owner(k.topic(ref)) === owner(k.deadlines); i++)
      ref = { appId: 'app', channel: `lost-${i}` };
    const m = {
      uid: 1,
      sessionId: 's',
      role: 'audience' as const,
      profile: 'live' as const,
      joinedAt: 0,
      nodeId: 'n',
    };
    await b.watchChannel(ref);
    await a.admitMember(ref, m, { maxBroadcasters: 1 });
    expect(await a.publishEvent(ref, { kind: 'user_joined', uid: 1 })).toBe(1);
    // Two beats each: the epoch keys are written, then seen.
    for (let i = 0; i < 2; i++) {
      await Promise.all([a.heartbeat('na', 3000), b.heartbeat('nb', 3000)]);
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(resets).toEqual([0, 0]);

    await cluster.restartNode(cluster.ports.indexOf(owner(k.topic(ref))!));
    // That shard is empty (commands to it may fail while the connection comes back).
    await expect.poll(() => a.listMembers(ref).catch(() => 'failed'), { timeout: 10_000 }).toEqual([]);
    const beat = async () => {
      await Promise.all([a.heartbeat('na', 3000), b.heartbeat('nb', 3000)]).catch(() => {});
      return resets.every((n) => n >= 1);
    };
    await expect.poll(beat, { timeout: 15_000, interval: 300 }).toBe(true);
    // What nodes do on a reset: members back, seqs not below what clients saw.
    await a.admitMember(ref, m, { maxBroadcasters: 1 });
    await a.raiseSeq(ref, 1);
    expect(await a.publishEvent(ref, { kind: 'user_joined', uid: 2 })).toBe(2);
    await expect.poll(() => got, { timeout: 10_000 }).toEqual([1, 2]);
    // Quiet again afterwards: no further resets.
    const settled = [...resets];
    for (let i = 0; i < 3; i++) {
      await Promise.all([a.heartbeat('na', 3000), b.heartbeat('nb', 3000)]);
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(resets).toEqual(settled);
  }, 60_000);
});

// Last in this file: it stops the shared cluster and starts it again (empty).
describe('redis cluster: the whole cluster goes down and comes back empty', () => {
  it('commands fail fast meanwhile; then the reset is noticed and events and bus messages flow again', async () => {
    const url = `redis+cluster://${cluster.nodes}`;
    const prefix = `o${randomBytes(4).toString('hex')}:`;
    const [a, b] = await Promise.all([
      RedisEngine.connect({ url, prefix }),
      RedisEngine.connect({ url, prefix }),
    ]);
    opened.push(a, b);
    let resets = 0;
    a.onReset(() => resets++);
    const got: string[] = [];
    b.subscribe((m) => got.push(m.kind === 'channel_event' ? `event ${m.seq}` : m.kind));
    const ref = { appId: 'app', channel: 'outage' };
    const m = {
      uid: 1,
      sessionId: 's',
      role: 'audience' as const,
      profile: 'live' as const,
      joinedAt: 0,
      nodeId: 'n',
    };
    await b.watchChannel(ref);
    await a.admitMember(ref, m, { maxBroadcasters: 1 });
    expect(await a.publishEvent(ref, { kind: 'user_joined', uid: 1 })).toBe(1);
    await expect.poll(() => got, { timeout: 5000 }).toEqual(['event 1']);

    await cluster.stop();
    const asked = Date.now();
    await expect(a.heartbeat('n', 1000)).rejects.toThrow();
    await expect(a.publishEvent(ref, { kind: 'user_joined', uid: 2 })).rejects.toThrow();
    // Fail fast, not queued until the cluster is back (generous: the machine may be loaded).
    expect(Date.now() - asked).toBeLessThan(5000);

    await cluster.restart();
    const works = () =>
      a.heartbeat('n', 1000).then(
        () => true,
        () => false,
      );
    await expect.poll(works, { timeout: 30_000, interval: 250 }).toBe(true);
    await expect.poll(() => resets, { timeout: 10_000 }).toBe(1);
    // The store is empty: the member is asserted again (a node does this on reset), and the
    // watching engine's shard subscriptions were made again by themselves.
    await a.admitMember(ref, m, { maxBroadcasters: 1 });
    await a.raiseSeq(ref, 1);
    await expect
      .poll(
        async () => {
          await a.publishEvent(ref, { kind: 'user_joined', uid: 3 });
          return got.some((g) => g !== 'event 1' && g.startsWith('event '));
        },
        { timeout: 15_000, interval: 500 },
      )
      .toBe(true);
    await a.publish({ kind: 'close_channel', ref });
    await expect.poll(() => got.includes('close_channel'), { timeout: 10_000 }).toBe(true);
  }, 90_000);
});
