import { Cluster, type ClusterOptions, Redis, type RedisOptions } from 'ioredis';
import { RedisOptionsError } from './redis-keys.js';

/** The connections the engine needs: commands, and a subscriber for the bus and channel topics. */
export interface RedisConnections {
  cmd: Redis | Cluster;
  sub: Redis | Cluster;
  /**
   * A cluster: the subscriber is sharded (a connection per master) and every topic is a shard
   * channel (SPUBLISH / SSUBSCRIBE). ioredis's classic cluster subscriber is not used: with every
   * node down it re-selects a node in a tight loop (64 % of a core measured; sharded: 2 %).
   */
  sharded: boolean;
}

/** A Redis Cluster to reach: some of its nodes (the rest are found from them) and the credentials for all. */
export interface ClusterTarget {
  nodes: Array<{ host: string; port: number }>;
  username?: string;
  password?: string;
}

const CLUSTER_SCHEME = 'redis+cluster://';

/** Whether `url` names a Redis Cluster (`redis+cluster://…`) rather than one server. */
export const isClusterUrl = (url: string): boolean => url.toLowerCase().startsWith(CLUSTER_SCHEME);

/**
 * Parses `redis+cluster://[[user]:password@]host:port[,host:port…]` (IPv6 hosts in brackets; port
 * 6379 when left out). Throws RedisOptionsError: `no_seeds` (no node), `bad_seed` (a node that is
 * not host:port, or a path: a cluster has no db number).
 */
export function parseClusterUrl(url: string): ClusterTarget {
  if (!isClusterUrl(url)) throw new RedisOptionsError('bad_seed', `"${url}" is not a redis+cluster:// URL`);
  const rest = url.slice(CLUSTER_SCHEME.length);
  const at = rest.lastIndexOf('@');
  const userinfo = at >= 0 ? rest.slice(0, at) : undefined;
  const hosts = rest.slice(at + 1).replace(/\/$/, '');
  if (hosts.trim() === '')
    throw new RedisOptionsError('no_seeds', 'redis+cluster:// needs at least one node (host:port)');
  const nodes = hosts.split(',').map((text) => {
    const m = /^(\[[0-9a-fA-F:.]+\]|[^:/[\]\s]+)(?::(\d{1,5}))?$/.exec(text.trim());
    const port = Number(m?.[2] ?? '6379');
    if (!m || port < 1 || port > 65_535)
      throw new RedisOptionsError(
        'bad_seed',
        `Redis Cluster node "${text}" is not host:port (and a cluster has no db number)`,
      );
    return { host: m[1]!.replace(/^\[(.*)\]$/, '$1'), port };
  });
  const out: ClusterTarget = { nodes };
  if (userinfo !== undefined) {
    const colon = userinfo.indexOf(':');
    const user = decodeURIComponent(colon >= 0 ? userinfo.slice(0, colon) : userinfo);
    const password = colon >= 0 ? decodeURIComponent(userinfo.slice(colon + 1)) : '';
    if (colon < 0) {
      if (user) out.password = user; // redis+cluster://secret@… : a password alone, as redis:// reads it
    } else {
      if (user) out.username = user;
      if (password) out.password = password;
    }
  }
  return out;
}

/**
 * Opens (lazily: `connect()` each) the engine's connections: `redis://…` one server, or
 * `redis+cluster://…` a Redis Cluster.
 */
export function openConnections(url: string): RedisConnections {
  const common: RedisOptions = {
    // Fail commands fast during an outage (the caller retries); reconnect forever.
    maxRetriesPerRequest: 1,
    retryStrategy: (times) => Math.min(times * 100, 1000),
    lazyConnect: true,
  };
  if (!isClusterUrl(url))
    return {
      cmd: new Redis(url, common),
      sub: new Redis(url, { ...common, maxRetriesPerRequest: null }),
      sharded: false,
    };
  const target = parseClusterUrl(url);
  const credentials = {
    ...(target.username ? { username: target.username } : {}),
    ...(target.password ? { password: target.password } : {}),
  };
  const cluster = (maxRetriesPerRequest: number | null, extra: ClusterOptions) =>
    new Cluster(target.nodes, {
      lazyConnect: true,
      clusterRetryStrategy: (times) => Math.min(times * 100, 1000),
      redisOptions: { maxRetriesPerRequest, ...credentials },
      ...extra,
    });
  return {
    // A cluster's offline queue ignores maxRetriesPerRequest: while no node is reachable, commands
    // would wait forever (a drain would hang). Without the queue they fail fast, as on one server.
    cmd: cluster(1, { enableOfflineQueue: false }),
    // Subscriptions wait for the cluster to come back, and are made again then.
    sub: cluster(null, { shardedSubscribers: true }),
    sharded: true,
  };
}
