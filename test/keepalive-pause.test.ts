import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import {
  ConnectionChangedReasonType as R,
  ConnectionStateType as S,
  UserOfflineReasonType,
} from '@holdfast/sdk';
import { type RunningServer, startServer } from '@holdfast/server';
import { afterAll, describe, expect, it } from 'vitest';
import { RecordingClient } from './support/recorder.js';

interface Line {
  name: string;
  args: unknown[];
  at: number;
}

const script = fileURLToPath(new URL('./support/child-client.mjs', import.meta.url));
let server: RunningServer | undefined;
let child: ChildProcess | undefined;
let watcher: RecordingClient | undefined;

afterAll(async () => {
  child?.kill('SIGKILL');
  watcher?.release();
  await server?.close();
});

describe('keep-alive timeout with a really paused process (SIGSTOP / SIGCONT)', () => {
  it('the server ends the silent session; on wake-up the SDK reports KeepAliveTimeout and joins afresh', async () => {
    server = await startServer({
      port: 0,
      apps: [{ appId: 'demo' }],
      logLevel: 'silent',
      timing: { offlineAfterMs: 2000 },
    });
    watcher = new RecordingClient({ appId: 'demo', serverUrl: server.url });
    watcher.join('paused', 2);
    await watcher.waitState(S.ConnectionStateConnected, R.ConnectionChangedJoinSuccess);

    const proc = spawn(process.execPath, [script, server.url, 'paused', '1'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    child = proc;
    const lines: Line[] = [];
    const waiters: Array<() => void> = [];
    createInterface({ input: proc.stdout! }).on('line', (l) => {
      lines.push(JSON.parse(l) as Line);
      for (const w of waiters.splice(0)) w();
    });
    const waitLine = async (pred: (l: Line) => boolean, timeoutMs: number) => {
      const deadline = Date.now() + timeoutMs;
      while (!lines.some(pred)) {
        if (Date.now() > deadline) throw new Error(`child never printed it; got ${JSON.stringify(lines)}`);
        await new Promise<void>((r) => {
          waiters.push(r);
          setTimeout(r, 100);
        });
      }
    };
    const isState = (state: number, reason: number) => (l: Line) =>
      l.name === 'onConnectionStateChanged' && l.args[0] === state && l.args[1] === reason;

    await waitLine(isState(S.ConnectionStateConnected, R.ConnectionChangedJoinSuccess), 10_000);
    await watcher.waitFor((e) => e.name === 'onUserJoined' && e.args[0] === 1);

    proc.kill('SIGSTOP');
    const offline = await watcher.waitFor((e) => e.name === 'onUserOffline', 5000);
    expect(offline.args).toEqual([1, UserOfflineReasonType.UserOfflineDropped]);
    await new Promise((r) => setTimeout(r, 500));
    const linesBeforeWake = lines.length;
    proc.kill('SIGCONT');

    await waitLine(isState(S.ConnectionStateConnected, R.ConnectionChangedRejoinSuccess), 10_000);
    const afterWake = lines.slice(linesBeforeWake).filter((l) => l.name === 'onConnectionStateChanged');
    expect(afterWake.map((l) => l.args)).toContainEqual([
      S.ConnectionStateReconnecting,
      R.ConnectionChangedKeepAliveTimeout,
    ]);
    expect(afterWake.at(-1)?.args).toEqual([S.ConnectionStateConnected, R.ConnectionChangedRejoinSuccess]);
    // Remote users saw Dropped, then Joined.
    await watcher.waitFor(
      (e) => e.name === 'onUserJoined' && e.args[0] === 1,
      3000,
      watcher.events.indexOf(offline),
    );
  });
});
