import { type ChildProcess, execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, spawnRedis } from './redis-server.js';

const run = promisify(execFile);

/**
 * A real Redis Cluster of `masters` redis-server processes on loopback ports (no replicas, nothing
 * persisted; each node's cluster config file in a temp directory removed by `kill`), created with
 * `redis-cli --cluster create`. For multi-node tests of the engine's cluster mode.
 */
export class TestRedisCluster {
  #procs: ChildProcess[] = [];
  private constructor(
    readonly ports: number[],
    readonly dir: string,
  ) {}

  /** `127.0.0.1:P1,127.0.0.1:P2,…`: the `--redis-cluster` value. */
  get nodes(): string {
    return this.ports.map((p) => `127.0.0.1:${p}`).join(',');
  }

  static async start(masters = 3): Promise<TestRedisCluster> {
    const ports: number[] = [];
    while (ports.length < masters) {
      const p = await freePort();
      // The cluster bus listens on port + 10000: both must be free and below 65536.
      if (p + 10_000 < 65_536 && !ports.includes(p)) ports.push(p);
    }
    const cluster = new TestRedisCluster(ports, await mkdtemp(join(tmpdir(), 'hf-redis-cluster-')));
    try {
      await Promise.all(ports.map((p) => cluster.#spawn(p)));
      await run('redis-cli', [
        '--cluster',
        'create',
        ...ports.map((p) => `127.0.0.1:${p}`),
        '--cluster-replicas',
        '0',
        '--cluster-yes',
      ]);
      await cluster.#waitOk();
    } catch (err) {
      await cluster.kill();
      throw err;
    }
    return cluster;
  }

  async #spawn(port: number): Promise<void> {
    const conf = join(this.dir, `nodes-${port}.conf`);
    const proc = spawnRedis(port, [
      '--cluster-enabled',
      'yes',
      '--cluster-config-file',
      conf,
      '--dir',
      this.dir,
    ]);
    this.#procs.push(await proc);
  }

  /** Every node agrees the cluster is up (all 16,384 slots served). */
  async #waitOk(): Promise<void> {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const states = await Promise.all(
        this.ports.map(async (p) => {
          const { stdout } = await run('redis-cli', ['-p', String(p), 'cluster', 'info']);
          return stdout.includes('cluster_state:ok');
        }),
      );
      if (states.every(Boolean)) return;
      if (Date.now() > deadline) throw new Error('redis cluster did not reach cluster_state:ok');
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Kills every node (SIGKILL) and waits for them to exit; `restart` brings the cluster back. */
  async stop(): Promise<void> {
    await Promise.all(
      this.#procs.map(
        (proc) =>
          new Promise<void>((resolve) => {
            if (proc.pid === undefined || proc.exitCode !== null || proc.signalCode !== null)
              return resolve();
            proc.once('exit', () => resolve());
            proc.kill('SIGKILL');
          }),
      ),
    );
    this.#procs = [];
  }

  /**
   * Starts every node again on its port, empty (nothing was persisted) but with its cluster config
   * file, so the same masters serve the same slots; resolves at cluster_state:ok.
   */
  async restart(): Promise<void> {
    await this.stop();
    await Promise.all(this.ports.map((p) => this.#spawn(p)));
    await this.#waitOk();
  }

  /** Kills master `i` (SIGKILL) and starts it again on its port, empty; resolves at cluster_state:ok. */
  async restartNode(i: number): Promise<void> {
    const port = this.ports[i];
    if (port === undefined) throw new RangeError(`no node ${i}`);
    const proc = this.#procs.find((p) => p.spawnargs.includes(String(port)));
    if (proc && proc.exitCode === null && proc.signalCode === null)
      await new Promise<void>((resolve) => {
        proc.once('exit', () => resolve());
        proc.kill('SIGKILL');
      });
    this.#procs = this.#procs.filter((p) => p !== proc);
    await this.#spawn(port);
    await this.#waitOk();
  }

  /** Kills every node (SIGKILL), waits for them to exit, removes the temp directory. */
  async kill(): Promise<void> {
    await this.stop();
    await rm(this.dir, { recursive: true, force: true });
  }
}
