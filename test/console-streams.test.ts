import { bytesToBase64 } from '@holdfast/protocol';
import { ConnectionChangedReasonType as R, ConnectionStateType as S } from '@holdfast/sdk';
import { type ConsoleHello, type ConsoleMember, type RunningServer, startServer } from '@holdfast/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawClient } from './support/raw-client.js';
import { RecordingClient } from './support/recorder.js';

/**
 * Issue 13: the console counts each member's data-stream messages — sent (accepted by the server),
 * received (sent to the member's connection) and refused — and /console/api/snapshot shows them
 * (behind the admin credentials, like every console route). Two SDK clients and one raw client
 * that sends faster than a stream allows (the SDK would not), against a real server.
 */
const ADMIN = { customerId: 'ops', customerSecret: 'console-streams-secret' };
const AUTH = `Basic ${Buffer.from(`${ADMIN.customerId}:${ADMIN.customerSecret}`).toString('base64')}`;
const CHANNEL = 'cs-room';
const enc = new TextEncoder();
const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

let server: RunningServer;
const peers: RecordingClient[] = [];
const raws: RawClient[] = [];

beforeAll(async () => {
  server = await startServer({ port: 0, apps: [{ appId: 'demo' }], admin: ADMIN, logLevel: 'silent' });
});
afterAll(async () => {
  for (const p of peers) p.release();
  await Promise.all(raws.map((r) => r.close()));
  await server?.close();
});

/** An SDK client in the channel, counting the stream messages it receives. */
async function sdkClient(uid: number): Promise<{ c: RecordingClient; got: () => number }> {
  const c = new RecordingClient({ appId: 'demo', serverUrl: server.url });
  peers.push(c);
  let got = 0;
  c.engine.registerEventHandler({ onStreamMessage: () => void got++ });
  expect(c.join(CHANNEL, uid)).toBe(0);
  await c.waitState(S.ConnectionStateConnected, R.ConnectionChangedJoinSuccess);
  return { c, got: () => got };
}

async function members(): Promise<Map<number, ConsoleMember>> {
  const res = await fetch(`${server.httpUrl}/console/api/snapshot`, { headers: { authorization: AUTH } });
  expect(res.status).toBe(200);
  const body = (await res.json()) as ConsoleHello;
  const channel = body.snapshot.apps
    .find((a) => a.appId === 'demo')
    ?.channels.find((c) => c.channel === CHANNEL);
  return new Map((channel?.members ?? []).map((m) => [m.uid, m]));
}

async function until(what: string, ok: () => boolean | Promise<boolean>, timeoutMs = 8000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(100);
  }
}

describe('console: data-stream counts per member', () => {
  it('shows sent, received and refused for each member in the snapshot', async () => {
    // A raw client (uid 9) that ignores the limits, and two SDK clients.
    const raw = await RawClient.connect(server.url);
    raws.push(raw);
    raw.send({
      type: 'join',
      v: 1,
      appId: 'demo',
      channel: CHANNEL,
      uid: 9,
      role: 'broadcaster',
      profile: 'communication',
    });
    await raw.next('joined');
    const a = await sdkClient(1);
    const b = await sdkClient(2);
    // Before any message, nobody has counts (the field is left out).
    expect([...(await members()).values()].map((m) => [m.uid, m.live?.streams])).toEqual([
      [1, undefined],
      [2, undefined],
      [9, undefined],
    ]);

    const N = 20;
    const M = 5;
    const sa = a.c.engine.createDataStream({ ordered: true });
    const sb = b.c.engine.createDataStream({ ordered: true });
    for (let i = 0; i < N; i++) {
      const data = enc.encode(`a-${i}`);
      expect(a.c.engine.sendStreamMessage(sa, data, data.length)).toBe(0);
    }
    for (let i = 0; i < M; i++) {
      const data = enc.encode(`b-${i}`);
      expect(b.c.engine.sendStreamMessage(sb, data, data.length)).toBe(0);
    }
    // 125 at once on one stream: the server takes 120 (its limit in any 1 s, twice the SDK's) and refuses 5.
    for (let seq = 1; seq <= 125; seq++)
      raw.send({
        type: 'stream',
        streamId: 1,
        epoch: 77,
        seq,
        data: bytesToBase64(enc.encode(`raw-${seq}`)),
        sentTs: Date.now(),
      });
    await until('the messages to arrive', () => a.got() === M + 120 && b.got() === N + 120);
    await until('the raw client to be refused 5 times', () => raw.framesOf('stream_refused').length === 5);
    expect(raw.framesOf('stream_refused').every((f) => f.code === 'too_often')).toBe(true);

    // The snapshot is shared and rebuilt at most once a second: poll until it has caught up.
    const want = new Map([
      [1, { sent: N, received: M + 120, refused: 0 }],
      [2, { sent: M, received: N + 120, refused: 0 }],
      [9, { sent: 120, received: N + M, refused: 5 }],
    ]);
    let seen = new Map<number, unknown>();
    await until(`counts ${JSON.stringify([...want])}, last seen ${JSON.stringify([...seen])}`, async () => {
      seen = new Map([...(await members())].map(([uid, m]) => [uid, m.live?.streams]));
      return [...want].every(([uid, counts]) => JSON.stringify(seen.get(uid)) === JSON.stringify(counts));
    });

    // A member that joins afterwards has sent and received nothing: no counts.
    await sdkClient(3);
    await until('uid 3 in the snapshot', async () => (await members()).has(3));
    const after = await members();
    expect(after.get(3)!.live).toBeDefined();
    expect(after.get(3)!.live!.streams).toBeUndefined();
    expect(after.get(9)!.live!.streams).toEqual(want.get(9));
  });

  it('needs the admin credentials like the rest of the console', async () => {
    expect((await fetch(`${server.httpUrl}/console/api/snapshot`)).status).toBe(401);
  });
});
