/** Tools for testing apps against a Holdfast server: a TCP fault proxy to cut a client's network. */
export { type FaultMode, type FaultProxy, startFaultProxy } from './testing/fault-proxy.js';
/** A real 3-master Redis Cluster on loopback ports (`redis-cli --cluster create`), nothing on disk. */
export { TestRedisCluster } from './testing/redis-cluster.js';
/** A real `redis-server` on a free loopback port with nothing on disk, for multi-node tests and benchmarks. */
export { freePort, TestRedis } from './testing/redis-server.js';
