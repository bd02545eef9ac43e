import { TestRedisCluster } from '@holdfast/server/testing';
import { afterAll, beforeAll } from 'vitest';
import { threeNodeSuite } from './support/three-node-suite.js';

// The 3-node suite of redis.test.ts (presence, kill -9 and resume, Dropped after the window, a
// kicking rule on every node) with the nodes on a real 3-master Redis Cluster
// (`holdfast serve --redis redis+cluster://…`).
let cluster: TestRedisCluster;
beforeAll(async () => {
  cluster = await TestRedisCluster.start(3);
}, 60_000);
afterAll(async () => {
  await cluster?.kill();
});

threeNodeSuite('3 nodes on a 3-master Redis Cluster', () => `redis+cluster://${cluster.nodes}`);
