import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { asciiTextFrame, textFrame, writeFrame } from './ws-frames.js';

let wss: WebSocketServer | undefined;
let client: WebSocket | undefined;

afterEach(async () => {
  client?.terminate();
  await new Promise<void>((resolve) => (wss ? wss.close(() => resolve()) : resolve()));
  wss = undefined;
});

/** A real ws server and client; resolves with the server side of the connection and what the client reads. */
async function pair(): Promise<{ server: WebSocket; received: string[]; binary: boolean[] }> {
  wss = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: false });
  const serverSide = new Promise<WebSocket>((resolve) => wss!.once('connection', resolve));
  await new Promise<void>((resolve) => wss!.once('listening', resolve));
  client = new WebSocket(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}`);
  const received: string[] = [];
  const binary: boolean[] = [];
  client.on('message', (data, isBinary) => {
    received.push(data.toString());
    binary.push(isBinary);
  });
  await new Promise((resolve) => client!.once('open', resolve));
  return { server: await serverSide, received, binary };
}

const until = async (fn: () => boolean) => {
  for (let i = 0; i < 200 && !fn(); i++) await new Promise((r) => setTimeout(r, 10));
};

describe('raw WebSocket frames', () => {
  it('frames of every header size arrive whole, as text, in order with ws.send frames between them', async () => {
    const { server, received, binary } = await pair();
    const payloads = [
      '',
      'ka',
      'é'.repeat(62),
      'x'.repeat(125),
      'y'.repeat(126),
      'z'.repeat(65_535),
      'w'.repeat(70_000),
    ];
    const expected: string[] = [];
    for (const [i, p] of payloads.entries()) {
      // A Buffer payload and a string payload (UTF-8: 'é' is two bytes) alike.
      expect(writeFrame(server, textFrame(i % 2 ? Buffer.from(p) : p))).toBe(true);
      server.send(`between ${i}`);
      expected.push(p, `between ${i}`);
    }
    expect(writeFrame(server, asciiTextFrame('{"type":"pong","t":1764720000123.5,"held":12}'))).toBe(true);
    expected.push('{"type":"pong","t":1764720000123.5,"held":12}');
    await until(() => received.length === expected.length);
    expect(received).toEqual(expected);
    expect(binary.every((b) => !b)).toBe(true);
  });

  it('does not write while ws has frames queued (they would overtake them), nor without a socket', async () => {
    const { server, received } = await pair();
    const sender = (server as unknown as { _sender: { _queue: unknown[] } })._sender;
    sender._queue.push(['held by the test']);
    expect(writeFrame(server, textFrame('late'))).toBe(false);
    sender._queue.pop();
    expect(writeFrame(server, textFrame('now'))).toBe(true);
    await until(() => received.length === 1);
    expect(received).toEqual(['now']);
    // Still connecting: no socket yet.
    const connecting = new WebSocket(`ws://127.0.0.1:${(wss!.address() as AddressInfo).port}`);
    connecting.on('error', () => {});
    expect(writeFrame(connecting, textFrame('x'))).toBe(false);
    connecting.terminate();
  });
});
