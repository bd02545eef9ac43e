import { connect, type Socket } from 'node:net';
import { CloseCode } from '@holdfast/protocol';
import { type RunningServer, startServer } from '@holdfast/server';
import { TestRedis } from '@holdfast/server/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sampleValue, scrape } from './support/prom-text.js';
import { RawClient } from './support/raw-client.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const servers: RunningServer[] = [];
const sockets: Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function readyz(server: RunningServer): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${server.httpUrl}/readyz`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** Polls /readyz until it answers `status` (or fails after `timeoutMs`). */
async function readyzBecomes(server: RunningServer, status: number, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await readyz(server);
    if (r.status === status) return r;
    if (Date.now() > deadline) throw new Error(`/readyz still ${r.status}: ${JSON.stringify(r.body)}`);
    await sleep(100);
  }
}

/** A client that completes a WebSocket upgrade by hand and then never reads or answers anything. */
function deafClient(server: RunningServer): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(server.port, '127.0.0.1');
    sockets.push(s);
    s.once('error', reject);
    s.write(
      'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
    );
    s.once('data', (d: Buffer) =>
      d.toString().startsWith('HTTP/1.1 101') ? resolve(s) : reject(new Error(d.toString())),
    );
  });
}

describe('/readyz while draining', () => {
  it('answers 503 with the reason while the node drains; new upgrades get HTTP 503; joined clients get server_shutdown', async () => {
    const server = await startServer({ port: 0, apps: [{ appId: 'demo' }], logLevel: 'silent' });
    servers.push(server);
    expect(await readyz(server)).toMatchObject({ status: 200, body: { status: 'ready' } });
    const member = await RawClient.connect(server.url);
    member.send({
      type: 'join',
      v: 1,
      appId: 'demo',
      channel: 'drain',
      uid: 1,
      role: 'broadcaster',
      profile: 'communication',
    });
    await member.next('joined');
    // A client that will not close: the drain waits for it until its timeout.
    await deafClient(server);

    const started = Date.now();
    const drained = server.drain(1500);
    expect(server.draining).toBe(true);
    const during = await readyz(server);
    expect(during.status).toBe(503);
    expect(during.body).toMatchObject({ status: 'unavailable', reason: expect.stringMatching(/^draining/) });
    expect((await fetch(`${server.httpUrl}/healthz`)).status).toBe(200);
    // The member is told to go elsewhere, with the reason and its close code.
    expect((await member.next('end')).code).toBe('server_shutdown');
    expect((await member.waitClosed()).code).toBe(CloseCode.server_shutdown);
    // A new WebSocket is refused before it opens: plain HTTP 503, which the SDK counts a failed attempt.
    const refused = await new Promise<string>((resolve) => {
      const s = connect(server.port, '127.0.0.1');
      sockets.push(s);
      s.write(
        'GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
          'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
      );
      s.once('data', (d: Buffer) => resolve(d.toString()));
    });
    expect(refused).toMatch(/^HTTP\/1\.1 503 Service Unavailable\r\n/);
    expect(refused).toContain('\r\nRetry-After: 1\r\n');
    expect(refused).toContain('"error":"server_shutdown"');
    const m = await scrape(`${server.httpUrl}/metrics`);
    expect(sampleValue(m, 'holdfast_draining')).toBe(1);
    expect(sampleValue(m, 'holdfast_ready')).toBe(0);
    expect(sampleValue(m, 'holdfast_join_refusals_total', { reason: 'server_shutdown' })).toBe(1);
    // The deaf client holds the drain open until the timeout (1.5 s), then the node closes.
    await drained;
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(1400);
    expect(took).toBeLessThan(4000);
    await expect(fetch(`${server.httpUrl}/readyz`)).rejects.toThrow();
  });

  it('a drain with nobody connected finishes at once', async () => {
    const server = await startServer({ port: 0, apps: [{ appId: 'demo' }], logLevel: 'silent' });
    const started = Date.now();
    await server.drain(10_000);
    expect(Date.now() - started).toBeLessThan(1000);
  });
});

describe('/readyz and the engine (real redis-server)', () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await TestRedis.start();
  });
  afterAll(async () => {
    await redis?.kill();
  });

  it('answers 503 naming Redis while it is unreachable, and 200 again once it is back', async () => {
    const server = await startServer({
      port: 0,
      apps: [{ appId: 'demo' }],
      logLevel: 'silent',
      redis: { url: redis.url, prefix: 'readyz:' },
      nodeId: 'r1',
    });
    servers.push(server);
    expect(await readyz(server)).toMatchObject({ status: 200, body: { status: 'ready', nodeId: 'r1' } });
    await redis.kill();
    const down = await readyzBecomes(server, 503);
    expect(down.body).toMatchObject({
      status: 'unavailable',
      reason: expect.stringMatching(/^redis unreachable/),
    });
    const m = await scrape(`${server.httpUrl}/metrics`);
    expect(sampleValue(m, 'holdfast_ready')).toBe(0);
    expect(sampleValue(m, 'holdfast_engine_errors_total', { op: 'heartbeat' })).toBeGreaterThan(0);
    // Liveness is not readiness: the process is fine, and says so.
    const health = await fetch(`${server.httpUrl}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', ready: false });
    await redis.restart();
    expect((await readyzBecomes(server, 200)).body).toMatchObject({ status: 'ready' });
  });
});
