import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ConnectionChangedReasonType as R, ConnectionStateType as S } from '@holdfast/sdk';
import { type RunningServer, startServer } from '@holdfast/server';
import { freePort } from '@holdfast/server/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type FaultProxy, startFaultProxy } from './support/fault-proxy.js';
import { RecordingClient } from './support/recorder.js';

/**
 * `holdfast join` as a real child process (the built CLI, packages/cli/dist/main.js; `npm test`
 * builds it first), through the fault proxy, against a real server. Assertions are on its
 * plain-mode output, the scriptable format: `<time> <kind> <fields> | <meaning> | what to do: …`.
 */
const MAIN = fileURLToPath(new URL('../packages/cli/dist/main.js', import.meta.url));
// Short timings so a cut and a recovery take seconds: the server pings every 250 ms, a client
// is Interrupted after 1 s of silence, and the "short" app drops a silent member after 2 s.
const FAST = ['--interrupted-after-ms', '1000', '--lost-after-ms', '1500'];

class Cli {
  readonly lines: string[] = [];
  readonly stderr: string[] = [];
  readonly exited: Promise<number | null>;
  #waiters: Array<() => void> = [];

  constructor(readonly child: ChildProcess) {
    let buf = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      buf += chunk;
      const parts = buf.split('\n');
      buf = parts.pop()!;
      this.lines.push(...parts);
      for (const w of this.#waiters.splice(0)) w();
    });
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => this.stderr.push(chunk));
    this.exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  }

  /** The first line (from index `from`) matching `re`; fails with everything printed so far. */
  async line(re: RegExp, timeoutMs = 10_000, from = 0): Promise<{ text: string; index: number }> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const index = this.lines.findIndex((l, i) => i >= from && re.test(l));
      if (index >= 0) return { text: this.lines[index]!, index };
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(`no line matching ${re} in:\n${this.lines.join('\n')}\n${this.stderr.join('')}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }
}

function holdfast(...args: string[]): Cli {
  // NO_COLOR and a pipe: the plain, scriptable mode.
  return new Cli(spawn(process.execPath, [MAIN, ...args], { env: { ...process.env, NO_COLOR: '1' } }));
}

let server: RunningServer;
let proxy: FaultProxy;
const clis: Cli[] = [];
const peers: RecordingClient[] = [];

beforeAll(async () => {
  server = await startServer({
    port: 0,
    apps: [{ appId: 'demo' }, { appId: 'short', offlineAfterMs: 2000 }],
    timing: { keepaliveMs: 250, offlineAfterMs: 8000 },
    logLevel: 'silent',
  });
  proxy = await startFaultProxy({ targetPort: server.port });
});
afterEach(async () => {
  proxy.setMode('pass');
  for (const c of clis.splice(0)) c.child.kill('SIGKILL');
  for (const p of peers.splice(0)) p.release();
});
afterAll(async () => {
  await proxy?.close();
  await server?.close();
});

async function peer(appId: string, channel: string, uid: number): Promise<RecordingClient> {
  const p = new RecordingClient({ appId, serverUrl: server.url });
  peers.push(p);
  expect(p.join(channel, uid)).toBe(0);
  await p.waitState(S.ConnectionStateConnected, R.ConnectionChangedJoinSuccess);
  return p;
}

describe('holdfast join (plain output, real child process)', () => {
  it('shows a cut inside the offline window and the recovery; Ctrl-C leaves and the remote sees Quit', async () => {
    const watcher = await peer('demo', 'cli-room', 7);
    const leaver = await peer('demo', 'cli-room', 6);
    const cli = holdfast(
      'join',
      'cli-room',
      '--server',
      proxy.url,
      '--uid',
      '5',
      '--stats-every',
      '1',
      ...FAST,
    );
    clis.push(cli);

    await cli.line(/ state Connecting reason=Connecting\(0\) \| /);
    await cli.line(/ state Connected reason=JoinSuccess\(1\) \| The app joined the channel\./);
    await cli.line(/ joined channel=cli-room uid=5 elapsed=\d+ms$/);
    await cli.line(/ member joined uid=6$/);
    await cli.line(/ member joined uid=7$/);
    await cli.line(/ stats rtt=\d+ms members=6,7$/, 5000);

    const cut = cli.lines.length;
    proxy.setMode('blackhole');
    const interrupted = await cli.line(/ state Reconnecting reason=Interrupted\(2\) /, 5000, cut);
    expect(interrupted.text).toContain('| what to do: Wait: the SDK rejoins automatically.');
    await cli.line(
      / state Reconnecting reason=Lost\(16\) \| The connection to the server is lost/,
      5000,
      cut,
    );

    proxy.setMode('pass');
    const back = await cli.line(/ state Connected reason=RejoinSuccess\(15\) /, 10_000, cut);
    await cli.line(/ rejoined channel=cli-room uid=5 /, 2000, cut);
    // Back inside the 8 s window: the session was resumed, so nobody saw the CLI go or come.
    expect(watcher.named('onUserOffline')).toEqual([]);
    expect(cli.lines.slice(cut, back.index).some((l) => / member offline /.test(l))).toBe(false);

    leaver.engine.leaveChannel();
    await cli.line(/ member offline uid=6 reason=Quit\(0\) \| the user left the channel$/, 5000, cut);
    await cli.line(/ stats rtt=\d+ms members=7$/, 5000, back.index);

    cli.child.kill('SIGINT');
    await cli.line(/ state Disconnected reason=LeaveChannel\(5\) /, 5000, cut);
    await cli.line(/ left duration=\d+s lastmileDelay=\d+ms$/, 5000, cut);
    expect(await cli.exited).toBe(0);
    const quit = await watcher.waitFor((e) => e.name === 'onUserOffline' && e.args[0] === 5, 5000);
    expect(quit.args).toEqual([5, 0]); // UserOfflineQuit
  });

  it('shows a cut past the offline window: KeepAliveTimeout, a fresh join, and the remote saw Dropped', async () => {
    const watcher = await peer('short', 'cli-drop', 8);
    const cli = holdfast(
      'join',
      'cli-drop',
      '--app-id',
      'short',
      '--server',
      proxy.url,
      '--uid',
      '9',
      ...FAST,
    );
    clis.push(cli);
    await cli.line(/ member joined uid=8$/);

    const cut = cli.lines.length;
    proxy.setMode('blackhole');
    await cli.line(/ state Reconnecting reason=Interrupted\(2\) /, 5000, cut);
    const dropped = await watcher.waitFor((e) => e.name === 'onUserOffline' && e.args[0] === 9, 6000);
    expect(dropped.args).toEqual([9, 1]); // UserOfflineDropped

    proxy.setMode('pass');
    const expired = await cli.line(/ state Reconnecting reason=KeepAliveTimeout\(14\) /, 10_000, cut);
    expect(expired.text).toContain('Remote users will see the user join again.');
    await cli.line(/ state Connected reason=RejoinSuccess\(15\) /, 5000, expired.index);
    await watcher.waitFor((e) => e.name === 'onUserJoined' && e.args[0] === 9 && e.at > dropped.at, 5000);
  });

  it('exits 1 with the advice when the SDK gives up, and 2 when the join is refused at once', async () => {
    const unknownApp = holdfast('join', 'room', '--app-id', 'nope', '--server', server.url);
    clis.push(unknownApp);
    const failed = await unknownApp.line(/ state Failed reason=InvalidAppId\(6\) /);
    expect(failed.text).toContain('what to do: Join the channel with a valid App ID.');
    expect(await unknownApp.exited).toBe(1);

    const badName = holdfast('join', 'no/slashes', '--server', server.url);
    clis.push(badName);
    expect(await badName.exited).toBe(2);
    expect(badName.stderr.join('')).toContain('-102 (ErrInvalidChannelName)');
  });

  it('says nothing is listening when the server is not running, and the Failed advice quotes --fail-after-ms', async () => {
    const port = await freePort();
    const cli = holdfast('join', 'room', '--server', `ws://127.0.0.1:${port}`, '--fail-after-ms', '3000');
    clis.push(cli);
    const error = await cli.line(/ error code=1 /);
    expect(error.text).toContain(`nothing is listening at ws://127.0.0.1:${port} — is the server running?`);
    const failed = await cli.line(/ state Failed reason=JoinFailed\(4\) /);
    expect(failed.text).toContain('The SDK kept trying to join for 3 s without success');
    expect(failed.text).not.toContain('20 minutes');
    // One report for the cause, not one per retry.
    expect(cli.lines.filter((l) => l.includes('nothing is listening'))).toHaveLength(1);
    expect(await cli.exited).toBe(1);
  });

  it('has --help with examples on every command', async () => {
    for (const args of [['--help'], ['join', '--help'], ['serve', '--help'], ['token', '--help']]) {
      const cli = holdfast(...args);
      clis.push(cli);
      expect(await cli.exited).toBe(0);
      expect(cli.lines.join('\n')).toMatch(/Examples:\n {2}holdfast /);
    }
  });
});
