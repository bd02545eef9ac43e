import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { TestRedisCluster } from '@holdfast/server/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

const MAIN = fileURLToPath(new URL('../packages/cli/dist/main.js', import.meta.url));
/** `holdfast serve` that is expected to refuse: its exit code and stderr. */
async function refused(...args: string[]) {
  const child = spawn(process.execPath, [MAIN, 'serve', '--port', '0', ...args]);
  let err = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    err += chunk;
  });
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  return { code, err };
}

describe('holdfast serve --redis redis+cluster://', () => {
  it('refuses a node that is not host:port, an empty list and a prefix with a brace, naming them (exit 1)', async () => {
    const [db, empty, prefix] = await Promise.all([
      refused('--redis', `redis+cluster://${cluster.nodes}/0`),
      refused('--redis', 'redis+cluster://'),
      refused('--redis', `redis+cluster://${cluster.nodes}`, '--redis-prefix', 'a{b}:'),
    ]);
    expect(db).toMatchObject({ code: 1 });
    expect(db.err).toMatch(/Redis Cluster node ".*\/0" is not host:port \(and a cluster has no db number\)/);
    expect(empty).toMatchObject({ code: 1 });
    expect(empty.err).toMatch(/redis\+cluster:\/\/ needs at least one node/);
    expect(prefix).toMatchObject({ code: 1 });
    expect(prefix.err).toMatch(/Redis key prefix "a\{b\}:" may not contain \{ or \}/);
  });
});
