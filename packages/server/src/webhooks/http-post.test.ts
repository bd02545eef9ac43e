import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpPost } from './http-post.js';

let server: Server;
let base = '';
const seen: IncomingMessage[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push(req);
    req.resume();
    if (req.url === '/hang') return; // never answers
    if (req.url === '/redirect') return void res.writeHead(302, { location: '/ok' }).end();
    res.writeHead(req.url === '/fail' ? 500 : 204).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

describe('webhook POST', () => {
  it('2xx is delivered; another status, a redirect, a timeout or a refused connection is a failure with why', async () => {
    expect(await httpPost(`${base}/ok`, '{}', { 'content-type': 'application/json' }, 2000)).toEqual({
      ok: true,
      status: 204,
    });
    expect(await httpPost(`${base}/fail`, '{}', {}, 2000)).toEqual({ ok: false, detail: 'HTTP 500' });
    expect(await httpPost(`${base}/redirect`, '{}', {}, 2000)).toEqual({ ok: false, detail: 'HTTP 302' });
    expect(await httpPost(`${base}/hang`, '{}', {}, 200)).toEqual({ ok: false, detail: 'timeout' });
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    expect(await httpPost(`http://127.0.0.1:${port}/`, '{}', {}, 2000)).toEqual({
      ok: false,
      detail: 'ECONNREFUSED',
    });
  });

  it('credentials in the URL go as Basic authorization, not in the request line', async () => {
    const url = base.replace('http://', 'http://hook%20user:p%40ss@');
    expect(await httpPost(`${url}/ok`, '{}', {}, 2000)).toMatchObject({ ok: true });
    const req = seen.at(-1)!;
    expect(req.url).toBe('/ok');
    expect(req.headers.authorization).toBe(`Basic ${Buffer.from('hook user:p@ss').toString('base64')}`);
  });
});
