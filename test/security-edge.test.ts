import { type ChildProcess, spawn } from 'node:child_process';
import { get as httpGet, request as httpRequest } from 'node:http';
import { get as httpsGet } from 'node:https';
import { connect as netConnect, type Socket } from 'node:net';
import { createInterface } from 'node:readline';
import { connect as tlsConnect } from 'node:tls';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { ClientOptions } from 'ws';
import { RawClient } from './support/raw-client.js';
import { basic, join, PROXY, securityServers, textOf } from './support/security-servers.js';
import { selfSigned } from './support/self-signed.js';

/**
 * Issue 15 item 5, safe by default at the network's edge: trusted proxies (X-Forwarded-For) for IP
 * kicking rules and per-address limits, the PROXY protocol from a load balancer, and TLS.
 * All of 127/8 is local on Linux: the "proxy" connects from 127.0.0.3, other peers from 127.0.0.1.
 */

const { serve, connect } = securityServers();

describe('trusted proxies', () => {
  const admin = { customerId: 'ops', customerSecret: 's3cret' };
  const viaProxy = (xff: string): ClientOptions => ({
    localAddress: PROXY,
    headers: { 'x-forwarded-for': xff },
  });

  it('an IP kicking rule matches the address a trusted proxy forwarded, not a forged header from anyone else', async () => {
    const s = await serve({ trustedProxies: [PROXY], admin });
    const proxied = await connect(s.url, viaProxy('198.51.100.1, 203.0.113.9'));
    await join(proxied, 'k', 1);
    const forged = await connect(s.url, {
      localAddress: '127.0.0.1',
      headers: { 'x-forwarded-for': '203.0.113.9' },
    });
    await join(forged, 'k', 2);
    // The console sees the real client address.
    const snap = await fetch(`${s.httpUrl}/console/api/snapshot`, {
      headers: { authorization: basic('ops', 's3cret') },
    });
    const members = JSON.stringify(await snap.json());
    expect(members).toMatch(
      /"uid":1[,}][^}]*"remote":"203\.0\.113\.9"|"remote":"203\.0\.113\.9"[^}]*"uid":1[,}]/,
    );
    expect(members).toMatch(
      /"uid":2[,}][^}]*"remote":"127\.0\.0\.1"|"remote":"127\.0\.0\.1"[^}]*"uid":2[,}]/,
    );

    const rule = await fetch(`${s.httpUrl}/dev/v1/kicking-rule`, {
      method: 'POST',
      headers: { authorization: basic('ops', 's3cret'), 'content-type': 'application/json' },
      body: JSON.stringify({ appid: 'demo', ip: '203.0.113.9', time: 1, privileges: ['join_channel'] }),
    });
    expect(rule.status).toBe(200);
    const end = await proxied.next('end');
    expect(end.code).toBe('banned');
    await proxied.waitClosed();
    // The forged header changed nothing: that client was not kicked.
    await forged.ping(1);
    expect(forged.isOpen).toBe(true);
    // Back through the proxy from the same client: refused.
    const again = await connect(s.url, viaProxy('203.0.113.9'));
    again.send({
      type: 'join',
      v: 1,
      appId: 'demo',
      channel: 'k',
      uid: 3,
      role: 'broadcaster',
      profile: 'communication',
    });
    expect((await again.next('end')).code).toBe('banned');
  });

  it('per-address connection limits count the forwarded client, not the proxy', async () => {
    const s = await serve({ trustedProxies: [PROXY], limits: { maxConnectionsPerAddress: 2 } });
    const a1 = await connect(s.url, viaProxy('203.0.113.50'));
    const a2 = await connect(s.url, viaProxy('203.0.113.50'));
    const a3 = await connect(s.url, viaProxy('203.0.113.50'));
    expect((await a3.next('end')).code).toBe('rate_limited');
    expect((await a3.waitClosed()).code).toBe(4429);
    // Other clients behind the same proxy are not held to the first one's share.
    const b1 = await connect(s.url, viaProxy('203.0.113.51'));
    const b2 = await connect(s.url, viaProxy('203.0.113.51'));
    for (const c of [a1, a2, b1, b2]) await c.ping(7);
    // When one closes, its client's slot is free again.
    await a1.close();
    await new Promise((r) => setTimeout(r, 100));
    const a4 = await connect(s.url, viaProxy('203.0.113.50'));
    await join(a4, 'l', 4);
    // An untrusted peer is counted on its own address whatever it forwards.
    const u1 = await connect(s.url, {
      localAddress: '127.0.0.4',
      headers: { 'x-forwarded-for': '203.0.113.60' },
    });
    const u2 = await connect(s.url, {
      localAddress: '127.0.0.4',
      headers: { 'x-forwarded-for': '203.0.113.61' },
    });
    const u3 = await connect(s.url, {
      localAddress: '127.0.0.4',
      headers: { 'x-forwarded-for': '203.0.113.62' },
    });
    expect((await u3.next('end')).code).toBe('rate_limited');
    await u1.ping(1);
    await u2.ping(1);
  });
});

describe('PROXY protocol', () => {
  const admin = { customerId: 'ops', customerSecret: 's3cret' };
  const certificate = selfSigned();
  afterAll(() => certificate.remove());

  /** A TCP connection from `from` that has sent `header` (the load balancer's part). */
  function viaLoadBalancer(port: number, header: string | Buffer, from = PROXY): Promise<Socket> {
    return new Promise((resolve, reject) => {
      const socket = netConnect({ port, host: '127.0.0.1', localAddress: from }, () => {
        socket.write(header);
        resolve(socket);
      });
      socket.once('error', reject);
    });
  }
  it('v1 from a trusted load balancer: the header names the client for kicking rules and the console', async () => {
    const s = await serve({ proxyProtocol: true, trustedProxies: [PROXY], admin });
    const lb = await viaLoadBalancer(s.port, `PROXY TCP4 203.0.113.20 127.0.0.1 40000 ${s.port}\r\n`);
    const c = await connect(s.url, { createConnection: () => lb });
    await join(c, 'pp', 1);
    // A header and a request in one packet: the request is not lost.
    const both = await new Promise<string>((resolve, reject) => {
      const socket = netConnect({ port: s.port, host: '127.0.0.1', localAddress: PROXY }, () =>
        socket.write(
          `PROXY TCP4 203.0.113.21 127.0.0.1 40001 ${s.port}\r\nGET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
        ),
      );
      let text = '';
      socket.setEncoding('utf8').on('data', (d: string) => {
        text += d;
      });
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
    expect(both).toMatch(/^HTTP\/1\.1 200 /);
    // The console's own requests need the header too (they come through the load balancer).
    const viewer = await viaLoadBalancer(s.port, 'PROXY UNKNOWN\r\n');
    const body = await new Promise<string>((resolve, reject) => {
      httpGet(
        `${s.httpUrl}/console/api/snapshot`,
        { createConnection: () => viewer, headers: { authorization: basic('ops', 's3cret') } },
        (res) => resolve(textOf(res)),
      ).on('error', reject);
    });
    expect(body).toContain('"remote":"203.0.113.20"');
    const rule = await new Promise<number>((resolve, reject) => {
      viaLoadBalancer(s.port, 'PROXY UNKNOWN\r\n').then((socket) => {
        const req = httpRequest(
          `${s.httpUrl}/dev/v1/kicking-rule`,
          {
            method: 'POST',
            createConnection: () => socket,
            headers: { authorization: basic('ops', 's3cret'), 'content-type': 'application/json' },
          },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        );
        req.on('error', reject);
        req.end(JSON.stringify({ appid: 'demo', ip: '203.0.113.20', time: 1, privileges: ['join_channel'] }));
      }, reject);
    });
    expect(rule).toBe(200);
    expect((await c.next('end')).code).toBe('banned');
  });

  it('v2 over TLS; a header from an untrusted peer is ignored; no header, or a bad one, is closed', async () => {
    const s = await serve({
      proxyProtocol: true,
      trustedProxies: [PROXY],
      admin,
      tls: { cert: certificate.cert, key: certificate.key },
      limits: { handshakeTimeoutMs: 300 },
    });
    const v2 = Buffer.concat([
      Buffer.from([
        0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a, 0x21, 0x11, 0, 12,
      ]),
      Buffer.from([203, 0, 113, 30, 127, 0, 0, 1, 0x9c, 0x40, 0x1e, 0x14]),
    ]);
    const tlsOver = (socket: Socket) => () =>
      tlsConnect({ socket, ca: certificate.cert, servername: 'localhost' });
    const trusted = await connect(s.url, { createConnection: tlsOver(await viaLoadBalancer(s.port, v2)) });
    await join(trusted, 'pp2', 1);
    const untrusted = await connect(s.url, {
      createConnection: tlsOver(await viaLoadBalancer(s.port, v2, '127.0.0.5')),
    });
    await join(untrusted, 'pp2', 2);
    // Past the 300 ms handshake deadline the TLS connection through the header is still up.
    await new Promise((r) => setTimeout(r, 700));
    await trusted.ping(1);
    const viewer = await viaLoadBalancer(s.port, 'PROXY UNKNOWN\r\n');
    const body = await new Promise<string>((resolve, reject) => {
      httpsGet(
        `${s.httpUrl}/console/api/snapshot`,
        {
          createConnection: tlsOver(viewer),
          headers: { authorization: basic('ops', 's3cret') },
        },
        (res) => resolve(textOf(res)),
      ).on('error', reject);
    });
    expect(body).toContain('"remote":"203.0.113.30"');
    expect(body).toContain('"remote":"127.0.0.5"');
    // No header: closed without an answer; garbage: closed; silence: closed after the deadline.
    for (const first of ['GET /healthz HTTP/1.1\r\n\r\n', 'PROXY TCP4 nonsense\r\n', '']) {
      const socket = await viaLoadBalancer(s.port, first);
      const started = Date.now();
      const got = await new Promise<string>((resolve) => {
        let text = '';
        socket.setEncoding('utf8').on('data', (d: string) => {
          text += d;
        });
        socket.on('close', () => resolve(text));
      });
      expect(got, JSON.stringify(first)).toBe('');
      if (first === '') expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    }
  });

  it('needs trustedProxies', async () => {
    await expect(serve({ proxyProtocol: true })).rejects.toThrow(
      'proxyProtocol needs trustedProxies: the load balancers whose PROXY headers are believed',
    );
  });
});

describe('TLS', () => {
  const certificate = selfSigned();
  const cert = certificate.certFile;
  const tls = { cert: certificate.cert, key: certificate.key };
  let child: ChildProcess | undefined;
  afterAll(() => {
    child?.kill('SIGKILL');
    certificate.remove();
  });

  it('serves wss:// and https://: a ws client trusting the certificate joins; an untrusting one is refused', async () => {
    // A short handshake deadline: the TLS socket must be recognised as the one that finished it.
    const s = await serve({ tls, limits: { handshakeTimeoutMs: 300 } });
    expect(s.url).toBe(`wss://127.0.0.1:${s.port}`);
    expect(s.httpUrl).toBe(`https://127.0.0.1:${s.port}`);
    const c = await connect(s.url, { ca: tls.cert });
    await join(c, 't', 1);
    await new Promise((r) => setTimeout(r, 700));
    await c.ping(1);
    expect(c.isOpen).toBe(true);
    await expect(RawClient.connect(s.url)).rejects.toThrow(/self-signed|self signed/);
    // Plain HTTP on the TLS port gets nowhere.
    await expect(fetch(`http://127.0.0.1:${s.port}/healthz`)).rejects.toThrow();
  });

  it("a key that is not the certificate's is refused before the server opens anything", async () => {
    const other = selfSigned();
    try {
      await expect(serve({ tls: { cert: tls.cert, key: other.key } })).rejects.toThrow(
        /^tls: the certificate and key do not load together: .*key values mismatch/,
      );
      await expect(serve({ tls: { cert: 'not pem', key: tls.key } })).rejects.toThrow(
        /^tls: the certificate and key do not load together/,
      );
    } finally {
      other.remove();
    }
  });

  it('the Node SDK joins over wss:// (NODE_EXTRA_CA_CERTS)', async () => {
    const s = await serve({ tls });
    const script = fileURLToPath(new URL('./support/child-client.mjs', import.meta.url));
    child = spawn(process.execPath, [script, s.url, 'tls', '5'], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, NODE_EXTRA_CA_CERTS: cert },
    });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the SDK never joined')), 15_000);
      createInterface({ input: child!.stdout! }).on('line', (line) => {
        const e = JSON.parse(line) as { name: string };
        if (e.name === 'onJoinChannelSuccess') {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    const watcher = await connect(s.url, { ca: tls.cert });
    // The SDK's member is in the channel the watcher joins.
    const j = await join(watcher, 'tls', 6);
    expect(JSON.stringify(j)).toContain('"uid":5');
  });
});
