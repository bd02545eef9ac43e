import type { Cluster, Redis } from 'ioredis';
import { channelKey as redisChannelKey } from '../engine/redis-keys.js';
import { type ChannelRef, channelKey } from '../engine/types.js';

/**
 * Members per channel as the webhooks count them: +1 for each `joined`, -1 for each `left` (each
 * told by exactly one node). The step that returns 1 is the channel's creation, the one that returns
 * 0 its end: atomic, so exactly one node sees each, also when several race. It follows the
 * engine's member count a moment later (the hook runs after the engine step).
 */
export interface ChannelCounter {
  /** Adds `delta` to the channel's count; returns the count after it (a count at or below 0 is removed). */
  add(ref: ChannelRef, delta: 1 | -1): Promise<number>;
  close(): Promise<void>;
}

/** Counts shared by every server on one in-memory engine (an in-process cluster). */
const byScope = new WeakMap<object, Map<string, number>>();

export function memoryCounter(scope: object): ChannelCounter {
  let counts = byScope.get(scope);
  if (!counts) {
    counts = new Map();
    byScope.set(scope, counts);
  }
  const map = counts;
  return {
    async add(ref, delta) {
      const key = channelKey(ref);
      const n = (map.get(key) ?? 0) + delta;
      if (n <= 0) map.delete(key);
      else map.set(key, n);
      return n;
    },
    async close() {},
  };
}

const ADD = `
local n = redis.call('INCRBY', KEYS[1], ARGV[1])
if n <= 0 then redis.call('DEL', KEYS[1]) end
return n`;

/** The count in Redis (one key per channel, in the channel's slot): every node of the cluster shares it. */
export function redisCounter(redis: Redis | Cluster, prefix: string): ChannelCounter {
  return {
    async add(ref, delta) {
      return Number(await redis.eval(ADD, 1, redisChannelKey(prefix, ref, 'wh-members'), delta));
    },
    async close() {},
  };
}
