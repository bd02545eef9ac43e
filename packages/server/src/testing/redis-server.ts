import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';

/** A free loopback TCP port. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Starts `redis-server` on loopback `port` with nothing persisted (plus `extraArgs`) and resolves
 * once it accepts connections (kills it and rejects after 10 s; rejects when it cannot be started).
 */
export async function spawnRedis(port: number, extraArgs: string[] = []): Promise<ChildProcess> {
  const args = ['--port', String(port), '--bind', '127.0.0.1', ...extraArgs];
  args.push('--save', '', '--appendonly', 'no', '--protected-mode', 'no');
  const proc = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`redis-server :${port} did not start`));
    }, 10_000);
    proc.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    proc.stdout!.on('data', (d: Buffer) => {
      if (d.toString().includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  return proc;
}

/** A real redis-server on a loopback port, nothing on disk (installed by scripts/ensure-test-deps.sh). */
export class TestRedis {
  #proc: ChildProcess | undefined;
  constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** The server's process id while it runs (a benchmark reads its CPU from /proc). */
  get pid(): number | undefined {
    return this.#proc?.pid;
  }

  static async start(): Promise<TestRedis> {
    const r = new TestRedis(await freePort());
    await r.restart();
    return r;
  }

  /** (Re)starts the server on the same port, empty. */
  async restart(): Promise<void> {
    this.#proc = await spawnRedis(this.port);
  }

  /** Kills the server abruptly (SIGKILL) and waits for it to exit. */
  async kill(): Promise<void> {
    const proc = this.#proc;
    if (!proc || proc.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      proc.once('exit', () => resolve());
      proc.kill('SIGKILL');
    });
  }
}
