import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../../packages/cli/dist/main.js', import.meta.url));

/** A Holdfast server node in its own process (so it can really be kill -9'd). */
export interface NodeProcess {
  url: string;
  httpUrl: string;
  proc: ChildProcess;
  kill9(): Promise<void>;
  stop(): Promise<void>;
}

export async function startNodeProcess(args: string[]): Promise<NodeProcess> {
  const proc = spawn(process.execPath, [cli, 'serve', '--port', '0', '--log-level', 'warn', ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    // Generous: a start takes ~1 s, but 18 s was seen for `--version` at load average 36.
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error('node did not start'));
    }, 30_000);
    let out = '';
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (ws:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    proc.once('exit', (code) => reject(new Error(`node exited with ${code}: ${out}`)));
  });
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  return {
    url,
    httpUrl: url.replace('ws://', 'http://'),
    proc,
    async kill9() {
      proc.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      await exited;
    },
  };
}

/** Three real node processes sharing one Redis (`offlineMs`: their offline window); ids node-a/b/c. */
export async function startThreeNodes(
  redisUrl: string,
  offlineMs: number,
): Promise<[NodeProcess, NodeProcess, NodeProcess]> {
  const started = await Promise.allSettled(
    ['a', 'b', 'c'].map((id) =>
      startNodeProcess([
        '--redis',
        redisUrl,
        '--node-id',
        `node-${id}`,
        '--offline-after-ms',
        String(offlineMs),
      ]),
    ),
  );
  const failed = started.find((s) => s.status === 'rejected');
  if (failed) {
    // Nobody else holds the ones that did start: stop them, or they outlive the test run.
    await Promise.all(started.map((s) => (s.status === 'fulfilled' ? s.value.stop() : undefined)));
    throw failed.reason;
  }
  return started.map((s) => (s as PromiseFulfilledResult<NodeProcess>).value) as [
    NodeProcess,
    NodeProcess,
    NodeProcess,
  ];
}
