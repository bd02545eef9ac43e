import { type RunningServer, startServer } from '@holdfast/server';
import { TestRedis } from '@holdfast/server/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RawClient } from './support/raw-client.js';

// The broadcaster limit is claimed in the same atomic engine step as the uid: N racing joins (or
// role changes) into a channel with K seats make exactly K broadcasters, on one node or three.
const LIMIT = 4;
const RACERS = 24;
let redis: TestRedis;
const servers: RunningServer[] = [];
const clients: RawClient[] = [];

beforeAll(async () => {
  redis = await TestRedis.start();
});
afterAll(async () => {
  await redis?.kill();
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

let runs = 0;
async function nodes(n: number, redisUrl?: string): Promise<RunningServer[]> {
  const prefix = `race${++runs}-${Date.now()}:`;
  const started = await Promise.all(
    Array.from({ length: n }, (_, i) =>
      startServer({
        port: 0,
        apps: [{ appId: 'demo' }],
        logLevel: 'silent',
        nodeId: `race-${i}`,
        limits: { maxBroadcasters: LIMIT },
        ...(redisUrl ? { redis: { url: redisUrl, prefix } } : {}),
      }),
    ),
  );
  servers.push(...started);
  return started;
}

const join = (channel: string, uid: number, role: 'broadcaster' | 'audience') => ({
  type: 'join',
  v: 1,
  appId: 'demo',
  channel,
  uid,
  role,
  profile: 'live',
});

async function open(url: string): Promise<RawClient> {
  const c = await RawClient.connect(url);
  clients.push(c);
  return c;
}

/** Each racer's outcome: 'joined', or the end code it was refused with. */
async function outcome(c: RawClient): Promise<string> {
  const joined = c.next('joined', () => true, 5000).then(() => 'joined');
  const ended = c.next('end', () => true, 5000).then((e) => e.code as string);
  joined.catch(() => {});
  ended.catch(() => {});
  return Promise.race([joined, ended]);
}

describe('broadcaster limit under races', () => {
  for (const [name, count, useRedis] of [
    ['one in-memory node', 1, false],
    ['three nodes on one redis-server', 3, true],
  ] as const) {
    it(`${RACERS} concurrent broadcaster joins admit exactly ${LIMIT} (${name})`, async () => {
      const ns = await nodes(count, useRedis ? redis.url : undefined);
      const racers = await Promise.all(
        Array.from({ length: RACERS }, (_, i) => open(ns[i % ns.length]!.url)),
      );
      for (const [i, c] of racers.entries()) c.send(join('race-join', i + 1, 'broadcaster'));
      const outcomes = await Promise.all(racers.map(outcome));
      expect(outcomes.filter((o) => o === 'joined')).toHaveLength(LIMIT);
      expect(outcomes.filter((o) => o === 'too_many_broadcasters')).toHaveLength(RACERS - LIMIT);
    });

    it(`${RACERS} concurrent set_role(broadcaster) make exactly ${LIMIT} broadcasters (${name})`, async () => {
      const ns = await nodes(count, useRedis ? redis.url : undefined);
      const members = await Promise.all(
        Array.from({ length: RACERS }, (_, i) => open(ns[i % ns.length]!.url)),
      );
      for (const [i, c] of members.entries()) c.send(join('race-role', i + 1, 'audience'));
      await Promise.all(members.map((c) => c.next('joined', () => true, 5000)));
      for (const c of members) c.send({ type: 'set_role', id: 1, role: 'broadcaster' });
      const results = await Promise.all(members.map((c) => c.next('role_result', () => true, 5000)));
      expect(results.filter((r) => r.ok)).toHaveLength(LIMIT);
      const refused = results.filter((r) => !r.ok);
      expect(refused).toHaveLength(RACERS - LIMIT);
      expect(refused.every((r) => !r.ok && r.code === 'too_many_broadcasters' && r.role === 'audience')).toBe(
        true,
      );
    });
  }
});
