import type { Readable } from 'node:stream';
import { type RunningServer, type ServerOptions, startServer } from '@holdfast/server';
import { afterEach } from 'vitest';
import type { ClientOptions } from 'ws';
import { RawClient } from './raw-client.js';

/** All of 127/8 is local on Linux: a "proxy" connects from 127.0.0.3, other peers from 127.0.0.1. */
export const PROXY = '127.0.0.3';

export const basic = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

/** The status of a GET on the server's HTTP port (with Basic credentials when given). */
export async function get(s: RunningServer, path: string, authorization?: string): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${s.port}${path}`, {
    headers: authorization ? { authorization } : {},
  });
  await res.arrayBuffer();
  return res.status;
}

/** Everything a readable (a response, a socket) sends until it ends, as UTF-8 text. */
export function textOf(stream: Readable): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    stream.setEncoding('utf8').on('data', (d: string) => {
      text += d;
    });
    stream.on('end', () => resolve(text));
    stream.on('error', reject);
  });
}

/** Joins `channel` of app `demo` as `uid` and waits for the `joined` frame. */
export async function join(c: RawClient, channel: string, uid: number) {
  c.send({ type: 'join', v: 1, appId: 'demo', channel, uid, role: 'broadcaster', profile: 'communication' });
  return c.next('joined');
}

/**
 * Servers (app `demo`, silent) and raw clients for the security suites; everything opened through
 * them is closed after each test. Call once at the top of a test file.
 */
export function securityServers(): {
  serve(opts?: Partial<ServerOptions>): Promise<RunningServer>;
  connect(url: string, options?: ClientOptions): Promise<RawClient>;
} {
  const servers: RunningServer[] = [];
  const clients: RawClient[] = [];
  afterEach(async () => {
    for (const c of clients.splice(0)) await c.close();
    for (const s of servers.splice(0)) await s.close();
  });
  return {
    async serve(opts = {}) {
      const s = await startServer({ port: 0, apps: [{ appId: 'demo' }], logLevel: 'silent', ...opts });
      servers.push(s);
      return s;
    },
    async connect(url, options) {
      const c = await RawClient.connect(url, options);
      clients.push(c);
      return c;
    },
  };
}
