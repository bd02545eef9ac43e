import net from 'node:net';
import { freePort } from '@holdfast/server/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FaultProxy, startFaultProxy } from './support/fault-proxy.js';

interface Client {
  socket: net.Socket;
  received: () => string;
  /** Resolves once the accumulated received text contains `text`. */
  waitFor: (text: string) => Promise<void>;
  /** Resolves on 'close' with the error code seen before it, if any. */
  closed: Promise<string | undefined>;
  isClosed: () => boolean;
}

function connect(port: number): Promise<Client> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    let data = '';
    let done = false;
    let errorCode: string | undefined;
    const waiters: Array<{ text: string; resolve: () => void }> = [];
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      data += chunk;
      for (const w of waiters.filter((w) => data.includes(w.text))) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      errorCode = err.code;
      reject(err);
    });
    const closed = new Promise<string | undefined>((res) =>
      socket.on('close', () => {
        done = true;
        res(errorCode);
      }),
    );
    socket.on('connect', () =>
      resolve({
        socket,
        received: () => data,
        waitFor: (text) =>
          data.includes(text)
            ? Promise.resolve()
            : new Promise((res) => waiters.push({ text, resolve: res })),
        closed,
        isClosed: () => done,
      }),
    );
  });
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('fault proxy', () => {
  let echo: net.Server;
  let echoSockets: Set<net.Socket>;
  let proxy: FaultProxy;
  const clients: net.Socket[] = [];

  const open = async (): Promise<Client> => {
    const c = await connect(proxy.port);
    clients.push(c.socket);
    return c;
  };

  beforeEach(async () => {
    echoSockets = new Set();
    echo = net.createServer((s) => {
      echoSockets.add(s);
      s.on('error', () => {});
      s.on('close', () => echoSockets.delete(s));
      s.pipe(s);
    });
    await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
    proxy = await startFaultProxy({ targetPort: (echo.address() as net.AddressInfo).port });
  });

  afterEach(async () => {
    for (const c of clients.splice(0)) c.destroy();
    await proxy.close();
    for (const s of echoSockets) s.destroy();
    await new Promise((resolve) => echo.close(resolve));
  });

  it('passes bytes both ways', async () => {
    expect(proxy.url).toBe(`ws://127.0.0.1:${proxy.port}`);
    expect(proxy.mode()).toBe('pass');
    const c = await open();
    c.socket.write('hello');
    await c.waitFor('hello');
    expect(proxy.connectionCount()).toBe(1);
  });

  it('blackhole drops bytes both ways but keeps connections open; back to pass closes them', async () => {
    const before = await open();
    before.socket.write('a');
    await before.waitFor('a');

    proxy.setMode('blackhole');
    before.socket.write('lost');
    const during = await open(); // the handshake still completes
    during.socket.write('lost too');
    await delay(300);
    expect(before.received()).toBe('a');
    expect(during.received()).toBe('');
    expect(before.isClosed()).toBe(false);
    expect(during.isClosed()).toBe(false);
    expect(proxy.connectionCount()).toBe(2);
    expect(echoSockets.size).toBe(1); // the connection opened during the blackhole never reached the server

    proxy.setMode('pass');
    await Promise.all([before.closed, during.closed]);
    expect(proxy.connectionCount()).toBe(0);

    const after = await open();
    after.socket.write('fresh');
    await after.waitFor('fresh');
    expect(after.received()).toBe('fresh');
  });

  it('reset aborts existing connections with RST and resets new ones', async () => {
    const c = await open();
    c.socket.write('x');
    await c.waitFor('x');
    const [upstream] = echoSockets;
    const upstreamClosed = new Promise((resolve) => upstream!.on('close', resolve));

    proxy.setMode('reset');
    expect(await c.closed).toBe('ECONNRESET');
    await upstreamClosed;
    expect(proxy.connectionCount()).toBe(0);

    const fresh = net.connect({ host: '127.0.0.1', port: proxy.port });
    clients.push(fresh);
    const code = await new Promise<string | undefined>((resolve) => {
      let err: string | undefined;
      fresh.on('error', (e: NodeJS.ErrnoException) => {
        err = e.code;
      });
      fresh.on('close', () => resolve(err));
    });
    expect(code).toBe('ECONNRESET');
    expect(echoSockets.size).toBe(0);
  });

  it('closes the client when the upstream connect fails', async () => {
    const dead = await startFaultProxy({ targetPort: await freePort() });
    try {
      const c = await connect(dead.port);
      clients.push(c.socket);
      await c.closed;
      expect(dead.connectionCount()).toBe(0);
    } finally {
      await dead.close();
    }
  });

  it('never becomes its own target (it would connect to itself without end)', async () => {
    // Asked for its target's port: refused. With port 0 the kernel may hand it the "dead" target port
    // of the test above (a CI run saw 9,988 connections to itself): it listens again elsewhere.
    const port = await freePort();
    await expect(startFaultProxy({ targetPort: port, port })).rejects.toThrow(/its own target/);
  });

  it('close() stops the listener and destroys every connection', async () => {
    const a = await open();
    a.socket.write('a');
    await a.waitFor('a');
    proxy.setMode('blackhole');
    const b = await open();

    await proxy.close();
    await Promise.all([a.closed, b.closed]);
    expect(proxy.connectionCount()).toBe(0);
    await expect(connect(proxy.port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await expect.poll(() => echoSockets.size).toBe(0);
  });
});
