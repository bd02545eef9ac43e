import { Cluster, Redis, type RedisOptions } from 'ioredis';
import type { Logger } from 'pino';
import { isClusterUrl, parseClusterUrl } from '../engine/redis-connect.js';

/** The engine's Redis: `redis://…` one server, `redis+cluster://host:port,…` a Redis Cluster. */
export interface RedisWhere {
  url: string;
  prefix?: string;
}

/**
 * The webhooks' own Redis connection (channel counts, the outbox). Commands fail fast during an
 * outage: a channel event is skipped, an outbox write is logged; members' events still go.
 */
export function openRedis(where: RedisWhere, log: Logger): Redis | Cluster {
  const options: RedisOptions = {
    maxRetriesPerRequest: 1,
    commandTimeout: 2000,
    retryStrategy: (times) => Math.min(times * 100, 1000),
  };
  let redis: Redis | Cluster;
  if (isClusterUrl(where.url)) {
    const { nodes, username, password } = parseClusterUrl(where.url);
    redis = new Cluster(nodes, {
      clusterRetryStrategy: (times) => Math.min(times * 100, 1000),
      // A cluster's offline queue ignores commandTimeout and maxRetriesPerRequest: while no node is
      // reachable, commands would wait forever. Without it they fail fast, as the engine's do.
      enableOfflineQueue: false,
      redisOptions: {
        ...options,
        ...(username ? { username } : {}),
        ...(password ? { password } : {}),
      },
    });
  } else redis = new Redis(where.url, options);
  redis.on('error', (err) => log.debug({ err: err.message }, 'webhooks: redis error'));
  return redis;
}
