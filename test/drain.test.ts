import { CloseCode } from '@holdfast/protocol';
import { ConnectionChangedReasonType as R, ConnectionStateType as S } from '@holdfast/sdk';
import { TestRedis } from '@holdfast/server/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type NodeProcess, startNodeProcess } from './support/node-process.js';
import { RawClient } from './support/raw-client.js';
import { joined, RecordingClients } from './support/recording-clients.js';

/** SIGTERM to a `holdfast serve` process: it drains (clients move elsewhere), then exits 0. */
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const rec = new RecordingClients();
const nodes: NodeProcess[] = [];
afterEach(async () => {
  rec.releaseAll();
  await Promise.all(nodes.splice(0).map((n) => n.kill9()));
});

const client = (serverUrl: string | string[]) => rec.client(serverUrl);
/** Sends SIGTERM; resolves with the exit code and how long the process took to exit. */
function term(node: NodeProcess): Promise<{ code: number | null; ms: number }> {
  const started = Date.now();
  return new Promise((resolve) => {
    node.proc.once('exit', (code) => resolve({ code, ms: Date.now() - started }));
    node.proc.kill('SIGTERM');
  });
}

describe('SIGTERM drains a holdfast serve node', () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await TestRedis.start();
  });
  afterAll(async () => {
    await redis?.kill();
  });

  it('moves a connected SDK client to another node with no offline flap for the others, then exits 0', async () => {
    const [a, b] = await Promise.all(
      ['a', 'b'].map((id) =>
        startNodeProcess(['--redis', redis.url, '--node-id', `drain-${id}`, '--drain-timeout-ms', '8000']),
      ),
    );
    nodes.push(a!, b!);
    const mover = client([a!.url, b!.url]);
    const watcher = client(b!.url);
    await joined(watcher, 'drain', 2);
    await joined(mover, 'drain', 1);
    await watcher.waitFor((e) => e.name === 'onUserJoined' && e.args[0] === 1);
    const from = mover.events.length;

    const exit = await term(a!);
    expect(exit.code).toBe(0);
    // Told to go elsewhere, the client resumes its session on b: Reconnecting, then RejoinSuccess.
    await mover.waitState(S.ConnectionStateReconnecting, R.ConnectionChangedInterrupted, 5000, from);
    await mover.waitState(S.ConnectionStateConnected, R.ConnectionChangedRejoinSuccess, 10_000, from);
    // The drain did not wait out its timeout: the client closed its socket as soon as it was told.
    expect(exit.ms).toBeLessThan(5000);
    await sleep(1000);
    expect(watcher.named('onUserOffline')).toEqual([]);
    expect(mover.named('onUserOffline')).toEqual([]);
    // And b lists both members of the channel.
    const res = await fetch(`${b!.httpUrl}/dev/v1/channel/user/demo/drain`);
    expect(((await res.json()) as { data: { users: number[] } }).data.users.sort()).toEqual([1, 2]);
  });

  it('alone, ends its clients with server_shutdown (close code 4503) and exits 0', async () => {
    const node = await startNodeProcess(['--drain-timeout-ms', '5000']);
    nodes.push(node);
    const raw = await RawClient.connect(node.url);
    raw.send({
      type: 'join',
      v: 1,
      appId: 'demo',
      channel: 'alone',
      uid: 1,
      role: 'broadcaster',
      profile: 'communication',
    });
    await raw.next('joined');
    const sdk = client(node.url);
    await joined(sdk, 'alone', 2);
    const from = sdk.events.length;

    const exit = await term(node);
    expect(exit.code).toBe(0);
    expect(await raw.next('end')).toMatchObject({ code: 'server_shutdown' });
    expect((await raw.waitClosed()).code).toBe(CloseCode.server_shutdown);
    // The SDK goes to Reconnecting and keeps trying (nowhere else to go): nobody saw it leave.
    await sdk.waitState(S.ConnectionStateReconnecting, R.ConnectionChangedInterrupted, 5000, from);
    expect(sdk.named('onUserOffline')).toEqual([]);
  });
});
