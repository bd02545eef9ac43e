import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@holdfast/server/testing';

export { freePort };

/**
 * A real tinyproxy (Debian package `tinyproxy`, installed by scripts/ensure-test-deps.sh) in the
 * foreground, on a loopback port, allowing CONNECT only to the given ports. Its log (LogLevel
 * Connect, on stdout) is kept so tests can prove that traffic really went through it.
 */
export interface Tinyproxy {
  readonly port: number;
  readonly url: string;
  /** Everything tinyproxy has logged so far. */
  log(): string;
  /** The `CONNECT host:port` requests tinyproxy served, in order. */
  connects(): string[];
  /** SIGKILL: every tunnel through it dies with it. */
  kill(): Promise<void>;
  /** Starts it again on the same port (a fresh log). */
  restart(): Promise<void>;
  close(): Promise<void>;
}

async function waitListening(port: number, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect({ host: '127.0.0.1', port }, () => {
        s.destroy();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`tinyproxy did not listen on ${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function startTinyproxy(connectPorts: number[]): Promise<Tinyproxy> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'holdfast-tinyproxy-'));
  const conf = join(dir, 'tinyproxy.conf');
  writeFileSync(
    conf,
    [
      `Port ${port}`,
      'Listen 127.0.0.1',
      'Timeout 600',
      'MaxClients 100',
      'Allow 127.0.0.1',
      // Without ConnectPort lines tinyproxy would tunnel to any port; allow only the server's.
      ...connectPorts.map((p) => `ConnectPort ${p}`),
      'LogLevel Connect',
      '',
    ].join('\n'),
  );
  let proc: ChildProcess | undefined;
  let out = '';
  const start = async () => {
    out = '';
    proc = spawn('tinyproxy', ['-d', '-c', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
    proc.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
    });
    proc.stderr?.on('data', (d: Buffer) => {
      out += d.toString();
    });
    await waitListening(port);
  };
  const stop = async () => {
    const p = proc;
    proc = undefined;
    if (!p || p.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      p.once('exit', () => resolve());
      p.kill('SIGKILL');
    });
  };
  await start();
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    log: () => out,
    connects: () =>
      [...out.matchAll(/Request \(file descriptor \d+\): CONNECT (\S+) HTTP/g)].map((m) => m[1]!),
    kill: stop,
    restart: start,
    close: async () => {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
