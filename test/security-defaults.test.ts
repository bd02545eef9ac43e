import { request as httpRequest } from 'node:http';
import type { RunningServer } from '@holdfast/server';
import { describe, expect, it } from 'vitest';
import { type ClientOptions, WebSocket } from 'ws';
import { launchChromium } from './support/chromium.js';
import { basic, get, join, PROXY, securityServers } from './support/security-servers.js';

/**
 * Issue 15 item 5, safe by default: the admin API and console are never open to other machines
 * (credentials are generated for the run), Basic-auth comparison, and the Origin allow-list.
 * Behind proxies and over TLS: security-edge.test.ts.
 */

const { serve, connect } = securityServers();

/** An upgrade the server answers with plain HTTP: its status and JSON body. */
function refusedUpgrade(url: string, options: ClientOptions): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, options);
    ws.on('open', () => reject(new Error('the upgrade was accepted')));
    ws.on('error', () => {});
    ws.on('unexpected-response', (_req, res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (d: string) => {
        text += d;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
    });
  });
}

describe('admin credentials by default', () => {
  it('on 0.0.0.0 without credentials: a secret is generated and required by the admin API and console', async () => {
    const s = await serve({ host: '0.0.0.0' });
    const gen = s.generatedAdmin!;
    expect(gen.customerId).toBe('admin');
    expect(gen.customerSecret).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(await get(s, '/dev/v1/channel/demo')).toBe(401);
    expect(await get(s, '/console/api/snapshot')).toBe(401);
    expect(await get(s, '/dev/v1/channel/demo', basic('admin', 'wrong'))).toBe(401);
    expect(await get(s, '/dev/v1/channel/demo', basic(gen.customerId, gen.customerSecret))).toBe(200);
    expect(await get(s, '/console/api/snapshot', basic(gen.customerId, gen.customerSecret))).toBe(200);
    // Health stays open, and clients still join.
    expect(await get(s, '/healthz')).toBe(200);
    await join(await connect(`ws://127.0.0.1:${s.port}`), 'open', 1);
  });

  it('on loopback without credentials the admin API stays open (development); behind a trusted proxy it does not', async () => {
    const local = await serve();
    expect(local.generatedAdmin).toBeUndefined();
    expect(await get(local, '/dev/v1/channel/demo')).toBe(200);
    const proxied = await serve({ trustedProxies: [PROXY] });
    expect(proxied.generatedAdmin).toBeDefined();
    expect(await get(proxied, '/dev/v1/channel/demo')).toBe(401);
  });

  it('configured credentials are used as they are; a wrong secret of any length, or a wrong id, is 401', async () => {
    const s = await serve({ host: '0.0.0.0', admin: { customerId: 'ops', customerSecret: 's3cret' } });
    expect(s.generatedAdmin).toBeUndefined();
    for (const auth of [
      basic('ops', 'x'), // wrong length
      basic('ops', 's3creT'), // right length, wrong
      basic('ops', 's3cret-and-more'),
      basic('opz', 's3cret'),
      basic('', 's3cret'),
      'Basic !!!',
      undefined,
    ])
      expect(await get(s, '/dev/v1/channel/demo', auth), String(auth)).toBe(401);
    expect(await get(s, '/dev/v1/channel/demo', basic('ops', 's3cret'))).toBe(200);
  });
});

describe('admin API from a browser', () => {
  /** A POST as a browser on `origin` would send it (a "simple" request: no preflight). */
  function post(s: RunningServer, path: string, origin: string | undefined, body: unknown) {
    return new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest(
        `${s.httpUrl}${path}`,
        {
          method: 'POST',
          headers: {
            authorization: basic('ops', 's3cret'),
            'content-type': 'application/json',
            ...(origin ? { origin } : {}),
          },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8').on('data', (d: string) => {
            text += d;
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        },
      );
      req.on('error', reject);
      req.end(JSON.stringify(body));
    });
  }

  it('refuses a request from another site even with the right credentials; its own origin and non-browsers are answered', async () => {
    const s = await serve({ admin: { customerId: 'ops', customerSecret: 's3cret' } });
    const rule = { appid: 'demo', uid: 9, time: 1, privileges: ['join_channel'] };
    const cross = await post(s, '/dev/v1/kicking-rule', 'https://evil.example', rule);
    expect(cross.status).toBe(403);
    expect(JSON.parse(cross.body)).toMatchObject({ error: 'cross_origin' });
    const list = await fetch(`${s.httpUrl}/dev/v1/kicking-rule?appid=demo`, {
      headers: { authorization: basic('ops', 's3cret') },
    });
    expect(((await list.json()) as { rules: unknown[] }).rules).toEqual([]);
    expect((await post(s, '/dev/v1/kicking-rule', s.httpUrl, rule)).status).toBe(200);
    expect((await post(s, '/dev/v1/kicking-rule', undefined, { ...rule, uid: 10 })).status).toBe(200);
  });
});

describe('allowed origins', () => {
  it('refuses a browser origin not in the list with 403 and a reason; listed origins and no Origin connect', async () => {
    const s = await serve({ allowedOrigins: ['https://app.example.com', 'https://*.example.org'] });
    const refused = await refusedUpgrade(s.url, { origin: 'https://evil.example' });
    expect(refused).toEqual({
      status: 403,
      body: {
        error: 'origin_not_allowed',
        message: `origin "https://evil.example" is not in this server's allowed origins (allowedOrigins, --allowed-origin)`,
      },
    });
    expect((await refusedUpgrade(s.url, { origin: 'http://app.example.com' })).status).toBe(403);
    await join(await connect(s.url, { origin: 'https://app.example.com' }), 'o', 1);
    await join(await connect(s.url, { origin: 'https://eu.example.org' }), 'o', 2);
    await join(await connect(s.url), 'o', 3);
  });

  it('in Chromium: a page whose origin is not listed cannot open a WebSocket, a listed one can', async () => {
    const a = await serve({ allowedOrigins: ['https://app.example.com'] });
    // The page's origin is a's address; b lists it.
    const b = await serve({ allowedOrigins: [a.httpUrl] });
    const browser = await launchChromium();
    try {
      const page = await browser.context.newPage();
      await page.goto(`${a.httpUrl}/healthz`);
      const open = (url: string) =>
        page.evaluate(
          (u) =>
            new Promise<string>((resolve) => {
              const ws = new globalThis.WebSocket(u);
              ws.onopen = () => {
                ws.close();
                resolve('open');
              };
              ws.onerror = () => resolve('error');
            }),
          url,
        );
      expect(await open(a.url)).toBe('error');
      expect(await open(b.url)).toBe('open');
      const metrics = await (await fetch(`${a.httpUrl}/metrics`)).text();
      expect(metrics).toMatch(/holdfast_join_refusals_total\{[^}]*reason="origin_not_allowed"[^}]*\} 1\b/);
    } finally {
      await browser.close();
    }
  });

  it('without a list every origin connects', async () => {
    const s = await serve();
    await join(await connect(s.url, { origin: 'https://anywhere.example' }), 'o', 1);
  });

  it('a malformed entry stops the server from starting, naming it', async () => {
    await expect(serve({ allowedOrigins: ['app.example.com'] })).rejects.toThrow(
      'allowedOrigins: "app.example.com" is not an origin',
    );
    await expect(serve({ trustedProxies: ['10.0.0.0/40'] })).rejects.toThrow(
      'trustedProxies: "10.0.0.0/40" is not an IP address or CIDR block',
    );
  });
});
