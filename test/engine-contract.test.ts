import { randomBytes } from 'node:crypto';
import { type Engine, MemoryEngine, RedisEngine } from '@holdfast/server';
import { TestRedis } from '@holdfast/server/testing';
import { afterAll, beforeAll } from 'vitest';
import { engineContract } from './support/engine-contract.js';

// Every engine seam's contract, against the in-memory engine and a real redis-server.
engineContract({ name: 'memory', make: async () => new MemoryEngine(), settle: async () => {} });

let redis: TestRedis;
const opened: Engine[] = [];
beforeAll(async () => {
  redis = await TestRedis.start();
});
afterAll(async () => {
  await Promise.all(opened.map((e) => e.close()));
  await redis?.kill();
});
engineContract({
  name: 'redis',
  // A key prefix per engine: each test starts from an empty store on the shared server.
  make: async () => {
    const e = await RedisEngine.connect({ url: redis.url, prefix: `c${randomBytes(4).toString('hex')}:` });
    opened.push(e);
    return e;
  },
  settle: () => new Promise((r) => setTimeout(r, 50)),
});
