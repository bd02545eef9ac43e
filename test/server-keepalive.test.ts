import { type RunningServer, startServer } from '@holdfast/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawClient } from './support/raw-client.js';

const KEEPALIVE_MS = 300;
const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let server: RunningServer;
const clients: RawClient[] = [];

beforeAll(async () => {
  server = await startServer({
    port: 0,
    apps: [{ appId: 'demo' }, { appId: 'short', offlineAfterMs: 1500 }],
    logLevel: 'silent',
    timing: { keepaliveMs: KEEPALIVE_MS },
  });
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await server?.close();
});

async function join(appId: string, channel: string, uid: number) {
  const client = await RawClient.connect(server.url);
  clients.push(client);
  client.send({ type: 'join', v: 1, appId, channel, uid, role: 'broadcaster', profile: 'communication' });
  return { client, joined: await client.next('joined') };
}

/** Arrival times of every frame of `type` from now on. */
function arrivals(client: RawClient, type: string): number[] {
  const times: number[] = [];
  client.ws.on('message', (data) => {
    if (data.toString().includes(`"type":"${type}"`)) times.push(Date.now());
  });
  return times;
}

describe('server keepalive over real sockets', () => {
  it('a joined client that sends nothing gets a `ka` every keepalive interval (and is asked to ping at just under 3×)', async () => {
    const { client, joined } = await join('demo', 'ka-quiet', 1);
    expect(joined.keepaliveMs).toBe(3 * KEEPALIVE_MS - 37); // less one wheel tick (300 / 8)
    const kas = arrivals(client, 'ka');
    await delay(2000);
    expect(kas.length).toBeGreaterThanOrEqual(5);
    const gaps = kas.slice(1).map((t, i) => t - kas[i]!);
    // [interval, interval + tick) on the server, plus event-loop slack on a busy CI machine.
    for (const g of gaps) {
      expect(g).toBeGreaterThanOrEqual(KEEPALIVE_MS - 15);
      expect(g).toBeLessThan(KEEPALIVE_MS + 37 + 120);
    }
  });

  it('no `ka` where the server writes anyway: pongs to frequent pings stand in for it', async () => {
    const { client } = await join('demo', 'ka-busy', 2);
    const kas = arrivals(client, 'ka');
    const pongs = arrivals(client, 'pong');
    for (let i = 0; i < 15; i++) {
      client.send({ type: 'ping', t: i });
      await delay(100);
    }
    expect(pongs.length).toBeGreaterThanOrEqual(14);
    expect(kas).toEqual([]);
  });

  it('a pong is the JSON of { type, t, held } with t echoed exactly (written without building the frame)', async () => {
    const { client } = await join('demo', 'ka-pong', 3);
    const texts: string[] = [];
    client.ws.on('message', (data) => {
      if (data.toString().includes('"type":"pong"')) texts.push(data.toString());
    });
    const ts = [0, 1234.5, -0.25, 1e21, 1764720000123];
    for (const t of ts) client.send({ type: 'ping', t, rtt: 12 });
    // Each ping's pong waits for the connection's next keepalive (the last one up to an interval).
    for (let i = 0; i < 300 && texts.length < ts.length; i++) await delay(10);
    const pongs = texts.map((text) => JSON.parse(text) as { type: string; t: number; held?: number });
    expect(pongs.map((p) => p.t)).toEqual(ts);
    for (const [i, p] of pongs.entries()) {
      expect(texts[i]).toBe(JSON.stringify(p));
      expect(Object.keys(p)).toEqual(p.held === undefined ? ['type', 't'] : ['type', 't', 'held']);
    }
  });

  it('pongs go out in place of the next keepalive and say how long the ping was held', async () => {
    const { client } = await join('demo', 'ka-held', 4);
    /** Per pong: [ping → pong as the client saw it, held as the server says], ms. */
    const seen: Array<[number, number]> = [];
    client.ws.on('message', (data) => {
      const text = data.toString();
      if (!text.includes('"type":"pong"')) return;
      const p = JSON.parse(text) as { t: number; held?: number };
      seen.push([performance.now() - p.t, p.held ?? 0]);
    });
    for (let i = 0; i < 20; i++) {
      client.send({ type: 'ping', t: performance.now() });
      await delay(13);
    }
    for (let i = 0; i < 300 && seen.length < 20; i++) await delay(10);
    expect(seen).toHaveLength(20);
    // Pings sent 13 ms apart into 37 ms ticks (300 / 8): most wait for their tick, and say so.
    expect(seen.filter(([, held]) => held > 0).length).toBeGreaterThanOrEqual(5);
    for (const [roundTrip, held] of seen) {
      // Never more than the round trip the client saw (the server counts whole ms) …
      expect(held).toBeLessThanOrEqual(roundTrip + 1);
      // … and at most a keepalive interval and a tick (event-loop lag on a loaded CI machine aside).
      expect(held).toBeLessThan(KEEPALIVE_MS + 700);
    }
  });

  it('a connection that has not joined gets no keepalive', async () => {
    const client = await RawClient.connect(server.url);
    clients.push(client);
    await delay(KEEPALIVE_MS * 3);
    expect(client.frames).toEqual([]);
  });

  it("refuses a keepalive too slow for the clients' 4 s timer, with a TypeError naming it", async () => {
    await expect(
      startServer({ port: 0, apps: [{ appId: 'demo' }], logLevel: 'silent', timing: { keepaliveMs: 4000 } }),
    ).rejects.toThrow(/timing.keepaliveMs 4000 leaves clients no margin/);
  });

  it('a short per-app offline window caps the ping interval at 30 % of it', async () => {
    const { joined } = await join('short', 'ka-short', 3);
    expect(joined.offlineAfterMs).toBe(1500);
    expect(joined.keepaliveMs).toBe(450);
  });
});
