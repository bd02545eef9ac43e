import { type ChildProcess, spawn } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { fileURLToPath } from 'node:url';
import { type RunningServer, startServer } from '@holdfast/server';
import { freePort, TestRedis } from '@holdfast/server/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './support/chromium.js';

/**
 * A new user's first hour (issue 15 item 6): `GET /` says where to go, the banner says whether
 * this is a cluster node, a taken port names the flag to change, and /demo loads without a CSP
 * error. Real servers; the CLI as a child process; the demo page in Debian's Chromium.
 */
const MAIN = fileURLToPath(new URL('../packages/cli/dist/main.js', import.meta.url));
const children: ChildProcess[] = [];
const servers: RunningServer[] = [];
afterEach(async () => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
  for (const s of servers.splice(0)) await s.close();
});

/** `holdfast serve …`: resolves with stdout once listening, or stdout+stderr and the exit code. */
function serve(...args: string[]): Promise<{ out: string; err: string; code: number | null }> {
  const child = spawn(process.execPath, [MAIN, 'serve', '--log-level', 'silent', ...args]);
  children.push(child);
  return new Promise((resolve) => {
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      if (out.includes('  apps: ')) resolve({ out, err, code: null });
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      err += chunk;
    });
    child.on('exit', (code) => resolve({ out, err, code }));
  });
}

describe('GET / is a landing page', () => {
  it('links the console, the demo, health, readiness and metrics', async () => {
    const server = await startServer({ port: 0, apps: [{ appId: 'demo' }], logLevel: 'silent' });
    servers.push(server);
    const res = await fetch(`${server.httpUrl}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const html = await res.text();
    for (const href of ['/console/', '/demo/', '/healthz', '/readyz', '/metrics'])
      expect(html).toContain(`<a href="${href}">`);
    expect(html).toContain(server.nodeId);
    // Every link it gives answers.
    for (const href of ['/healthz', '/readyz', '/metrics'])
      expect((await fetch(`${server.httpUrl}${href}`)).status).toBe(200);
  });

  it('links only what is on: no console or metrics links without them', async () => {
    const server = await startServer({
      port: 0,
      apps: [],
      console: false,
      metrics: false,
      logLevel: 'silent',
    });
    servers.push(server);
    const html = await (await fetch(`${server.httpUrl}/`)).text();
    expect(html).toContain('<a href="/healthz">');
    expect(html).not.toContain('/console/');
    expect(html).not.toContain('/metrics');
  });
});

describe('holdfast serve: banner and a taken port', () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await TestRedis.start();
  });
  afterAll(async () => {
    await redis?.kill();
  });

  it('a single node says so, with its id', async () => {
    const { out } = await serve('--port', '0', '--node-id', 'solo');
    expect(out).toContain('  mode: single node solo (in-memory; --redis makes it a cluster node)\n');
  });

  it('a node with --redis says cluster mode, its node id and the Redis (without credentials)', async () => {
    const url = redis.url.replace('redis://', 'redis://:not-a-real-secret@');
    const { out } = await serve('--port', '0', '--node-id', 'node-a', '--redis', url);
    expect(out).toContain(`  mode: cluster node node-a through Redis ${redis.url}\n`);
    expect(out).not.toContain('not-a-real-secret');
  });

  it('EADDRINUSE names the flag to change, exit status 1', async () => {
    const port = await freePort();
    const taken: Server = createServer();
    await new Promise<void>((r) => taken.listen(port, '127.0.0.1', r));
    try {
      const { err, code } = await serve('--port', String(port));
      expect(code).toBe(1);
      expect(err).toContain(`port ${port} is already in use on 127.0.0.1`);
      expect(err).toContain('choose a free one with --port <n> (HOLDFAST_PORT; --port 0 picks any)');
    } finally {
      await new Promise<void>((r) => taken.close(() => r()));
    }
  });
});

describe('/demo has no CSP error', () => {
  it('its CSP allows its data: icon, and Chromium logs no error at all loading it', async () => {
    const server = await startServer({ port: 0, apps: [{ appId: 'demo' }], logLevel: 'silent' });
    servers.push(server);
    const res = await fetch(`${server.httpUrl}/demo/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("img-src 'self' data:");
    const browser = await launchChromium();
    try {
      const page = await browser.context.newPage();
      const messages: string[] = [];
      page.on('console', (m) => messages.push(`${m.type()}: ${m.text()}`));
      await page.goto(`${server.httpUrl}/demo/`, { waitUntil: 'load' });
      await page.waitForTimeout(500);
      expect(messages.filter((m) => m.startsWith('error'))).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
