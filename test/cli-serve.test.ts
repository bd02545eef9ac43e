import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { RawClient } from './support/raw-client.js';

/** `holdfast serve` (the built CLI) prints where the console is, and `--no-console` leaves it out. */
const MAIN = fileURLToPath(new URL('../packages/cli/dist/main.js', import.meta.url));
const children: ChildProcess[] = [];

afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
});

/** Starts `holdfast serve --port 0 …` and resolves with everything it printed once it is listening. */
function serve(...args: string[]): Promise<string> {
  const child = spawn(process.execPath, [MAIN, 'serve', '--port', '0', '--log-level', 'silent', ...args]);
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      if (out.includes('  apps: ')) resolve(out);
    });
    child.on('exit', (code) => reject(new Error(`serve exited with ${code}: ${out}`)));
  });
}

describe('holdfast serve --console', () => {
  it('serves the console by default and prints its address', async () => {
    const out = await serve();
    const url = /console: (http:\/\/\S+\/console\/)[ \n]/.exec(out)?.[1];
    expect(url).toBeDefined();
    expect(out).toMatch(/demo: http:\/\/\S+\/demo\/\n/);
    const snapshot = await fetch(`${url}api/snapshot`);
    expect(snapshot.status).toBe(200);
    expect(await snapshot.json()).toMatchObject({ snapshot: { apps: [{ appId: 'demo' }] }, events: [] });
  });

  it('says the console needs the admin credentials when they are set', async () => {
    const out = await serve('--admin-id', 'ops', '--admin-secret', 'secret');
    expect(out).toMatch(/console: http:\/\/\S+\/console\/ \(HTTP Basic/);
    const url = /console: (\S+)/.exec(out)![1]!;
    expect((await fetch(`${url}api/snapshot`)).status).toBe(401);
  });

  it('leaves the console and the demo page out with --no-console', async () => {
    const out = await serve('--no-console');
    expect(out).not.toContain('console:');
    const http = /health: (http:\/\/[^/]+)/.exec(out)![1]!;
    expect((await fetch(`${http}/console/api/snapshot`)).status).toBe(404);
    expect((await fetch(`${http}/demo/`)).status).toBe(404);
  });
});

describe('holdfast serve timing flags', () => {
  it('--keepalive-ms and --ping-interval-ms reach the server: the joined frame carries the ping interval', async () => {
    const out = await serve('--keepalive-ms', '500', '--ping-interval-ms', '1200', '--backlog', '1024');
    const url = /listening on (ws:\/\/\S+)\n/.exec(out)![1]!;
    const client = await RawClient.connect(url);
    client.send({
      type: 'join',
      v: 1,
      appId: 'demo',
      channel: 'flags',
      uid: 1,
      role: 'broadcaster',
      profile: 'communication',
    });
    expect((await client.next('joined')).keepaliveMs).toBe(1200);
    await client.next('ka', () => true, 2000);
    await client.close();
  });

  it('a keepalive too slow for the clients is refused with a clear message and exit code 1', async () => {
    const child = spawn(process.execPath, [MAIN, 'serve', '--port', '0', '--keepalive-ms', '5000']);
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      err += chunk;
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(1);
    expect(err).toMatch(/^holdfast: timing.keepaliveMs 5000 leaves clients no margin/);
  });
});
