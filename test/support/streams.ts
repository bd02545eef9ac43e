import { expect } from 'vitest';
import type { RecordingClient } from './recorder.js';

const enc = new TextEncoder();
const dec = new TextDecoder();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The data-stream messages a client received, as `uid:text` in arrival order. */
export const received = (c: RecordingClient): string[] =>
  c.named('onStreamMessage').map((e) => `${e.args[0]}:${dec.decode(e.args[2] as Uint8Array)}`);

/** `[uid, streamId, code, missed, cached]` of every onStreamMessageError. */
export const streamErrors = (c: RecordingClient): number[][] =>
  c.named('onStreamMessageError').map((e) => e.args as number[]);

/** Waits until the client has received `n` messages (or the time is up); returns what it has. */
export async function waitCount(c: RecordingClient, n: number, timeoutMs = 15_000): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  while (received(c).length < n && Date.now() < deadline) await sleep(50);
  return received(c);
}

/** Sends `tag-0 … tag-(n-1)` at `perSecond`; every call must return 0 (queued while reconnecting). */
export async function sendMany(
  c: RecordingClient,
  streamId: number,
  tag: string,
  n: number,
  perSecond: number,
  onEach?: (i: number) => Promise<void>,
): Promise<void> {
  for (let i = 0; i < n; i++) {
    const data = enc.encode(`${tag}-${i}`);
    expect(c.engine.sendStreamMessage(streamId, data, data.length)).toBe(0);
    await onEach?.(i);
    await sleep(1000 / perSecond);
  }
}

/** What `sendMany(…, tag, n)` from `uid` looks like at a receiver. */
export const expected = (uid: number, tag: string, n: number): string[] =>
  Array.from({ length: n }, (_, i) => `${uid}:${tag}-${i}`);
