import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ConnectionChangedReasonType as R, ConnectionStateType as S } from '@holdfast/sdk';
import { type RunningServer, startServer } from '@holdfast/server';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RecordingClient } from './support/recorder.js';

/**
 * Issue 13: `holdfast join` shows data-stream messages, and with `--send` sends each line of its
 * standard input as one message. The built CLI (packages/cli/dist/main.js) as real child
 * processes with piped stdin and stdout, against a real server: two of them chat through a
 * channel. Assertions are on the plain output (stdout is not a terminal).
 */
const MAIN = fileURLToPath(new URL('../packages/cli/dist/main.js', import.meta.url));

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

  /** Types `text` on the CLI's standard input. */
  type(text: string): void {
    this.child.stdin!.write(text);
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

// NO_COLOR is left unset: output that is not a terminal is plain whatever the environment says.
const { NO_COLOR: _, ...ENV } = process.env;
const holdfast = (...args: string[]) => {
  const cli = new Cli(spawn(process.execPath, [MAIN, ...args], { env: ENV }));
  clis.push(cli);
  return cli;
};

let server: RunningServer;
const clis: Cli[] = [];
const peers: RecordingClient[] = [];

beforeAll(async () => {
  server = await startServer({ port: 0, apps: [{ appId: 'demo' }], logLevel: 'silent' });
});
afterEach(() => {
  for (const c of clis.splice(0)) c.child.kill('SIGKILL');
  for (const p of peers.splice(0)) p.release();
});
afterAll(async () => {
  await server?.close();
});

const join = (channel: string, uid: number, ...more: string[]) =>
  holdfast('join', channel, '--server', server.url, '--uid', String(uid), '--send', ...more);

describe('holdfast join --send (plain output, real child processes)', () => {
  it('two terminals chat through a channel: each line typed on one shows on the other', async () => {
    const b = join('chat', 12);
    await b.line(/ joined channel=chat uid=12 /);
    const a = join('chat', 11);
    // Typed before A has joined: it waits, and goes out once A is in the channel.
    a.type('early bird\n');
    await a.line(/ stream created stream=1 ordered=true /);
    await a.line(/ joined channel=chat uid=11 /);
    await b.line(/ member joined uid=11$/);

    await b.line(/ stream message uid=11 stream=1 bytes=10 latency=-?\d+ms \| early bird$/);
    a.type('hello from A\n');
    await a.line(/ stream sent stream=1 bytes=12 \| hello from A$/);
    const got = await b.line(/ stream message uid=11 stream=1 bytes=12 latency=(-?\d+)ms \| hello from A$/);
    // Same machine, same clock: the latency is small.
    expect(Math.abs(Number(/latency=(-?\d+)ms/.exec(got.text)![1]))).toBeLessThan(2000);

    b.type('hi A | B here, ünïcödé ✓\n');
    await a.line(/ stream message uid=12 stream=1 bytes=\d+ latency=-?\d+ms \| hi A \| B here, ünïcödé ✓$/);

    // Exactly 1,024 bytes goes; 1,025 is refused by the CLI with the reason, and never sent.
    a.type(`${'x'.repeat(1024)}\n`);
    await b.line(/ stream message uid=11 stream=1 bytes=1024 latency=-?\d+ms \| x{1024}$/);
    a.type(`${'y'.repeat(1025)}\n`);
    const refused = await a.line(/ stream not_sent code=-114 \(ErrSizeTooLarge\) bytes=1025 \| /);
    expect(refused.text).toContain('over 1,024 bytes');
    expect(refused.text).toContain('what to do: send shorter lines');
    a.type('after the long one\n');
    await b.line(/ stream message uid=11 stream=1 bytes=18 latency=-?\d+ms \| after the long one$/);
    expect(b.lines.some((l) => l.includes('yyyy'))).toBe(false);

    // The end of standard input is said once; A stays in the channel.
    a.child.stdin!.end();
    await a.line(/ input closed \| standard input ended/);
    await new Promise((r) => setTimeout(r, 300));
    expect(b.lines.some((l) => / member offline uid=11 /.test(l))).toBe(false);

    a.child.kill('SIGINT');
    await b.line(/ member offline uid=11 reason=Quit\(0\) /);
    expect(await a.exited).toBe(0);
    b.child.kill('SIGINT');
    expect(await b.exited).toBe(0);
    // Piped: plain lines, no terminal escapes, no status block.
    for (const cli of [a, b]) {
      expect(cli.lines.some((l) => l.includes('\u001b'))).toBe(false);
      expect(cli.lines.some((l) => l.includes('Ctrl-C to leave'))).toBe(false);
    }
  });

  it('prints what a non-zero sendStreamMessage code means: an audience member in live broadcasting cannot send', async () => {
    const cli = join('live-room', 21, '--role', 'audience', '--profile', 'live');
    await cli.line(/ joined channel=live-room uid=21 /);
    cli.type('can I talk?\n');
    const line = await cli.line(/ stream not_sent code=-5 \(ErrRefused\) bytes=11 \| /);
    expect(line.text).toContain('an audience member in live broadcasting cannot send');
    expect(line.text).toContain('what to do: join with --role broadcaster');
    expect(line.text).toMatch(/\| line: can I talk\?$/);
  });

  it('shows a remote message with control characters escaped, on one line', async () => {
    const cli = join('escape-room', 31);
    await cli.line(/ joined channel=escape-room uid=31 /);
    const peer = new RecordingClient({ appId: 'demo', serverUrl: server.url });
    peers.push(peer);
    expect(peer.join('escape-room', 32)).toBe(0);
    await peer.waitState(S.ConnectionStateConnected, R.ConnectionChangedJoinSuccess);
    await cli.line(/ member joined uid=32$/);
    const stream = peer.engine.createDataStream({ ordered: true });
    const data = new TextEncoder().encode('\u001b[2Jboom\nsecond line\\');
    expect(peer.engine.sendStreamMessage(stream, data, data.length)).toBe(0);
    const got = await cli.line(/ stream message uid=32 stream=1 /);
    expect(got.text).toMatch(/ bytes=21 latency=-?\d+ms \| \\x1b\[2Jboom\\nsecond line\\\\$/);
  });

  it('--help tells about --send', async () => {
    const cli = holdfast('join', '--help');
    expect(await cli.exited).toBe(0);
    const help = cli.lines.join('\n');
    expect(help).toMatch(/--send\s+send each line typed on standard input as one\s+data-stream message/);
    expect(help).toContain('holdfast join room-1 --uid 1 --send');
    expect(help).toContain('stream message uid=');
  });
});
