import { base64ToBytes } from '@holdfast/protocol';
import { beforeEach, describe, expect, it } from 'vitest';
import { b64, bytes, clock, epochs, seqs, setupStreams, streams, wire } from './data-streams.test-support.js';

// DataStreams alone (set-up: data-streams.test-support.ts): stream ids and sending. What is kept
// until acknowledged is in data-streams-retention.test.ts, receiving in data-streams-receiving.test.ts.

let online: boolean;

beforeEach(() => {
  online = true;
  setupStreams(() => online);
});

describe('DataStreams: stream ids', () => {
  it('creates ids 1..5, then -116; each stream gets its own epoch; unknown ids are not streams', () => {
    expect([1, 2, 3, 4, 5].map(() => streams.create())).toEqual([1, 2, 3, 4, 5]);
    expect(streams.create()).toBe(-116);
    expect(streams.create({ ordered: true })).toBe(-116);
    expect(streams.has(1)).toBe(true);
    expect(streams.has(5)).toBe(true);
    expect(streams.has(6)).toBe(false);
    expect(streams.has(0)).toBe(false);
    // Five epochs were drawn, all distinct; -116 drew none.
    expect(epochs).toHaveLength(5);
    expect(new Set(epochs).size).toBe(5);
    for (const e of epochs) {
      expect(Number.isSafeInteger(e)).toBe(true);
      expect(e).toBeGreaterThanOrEqual(1);
    }
  });

  it('send on a stream that was never created is -2 and nothing goes out', () => {
    expect(streams.send(1, bytes(1))).toBe(-2);
    streams.create();
    expect(streams.send(2, bytes(1))).toBe(-2);
    expect(wire).toEqual([]);
    expect(streams.unacked).toBe(0);
  });

  it('reset() also forgets the rate window: the next channel starts with a full allowance', () => {
    const a = streams.create();
    for (let i = 0; i < 60; i++) expect(streams.send(a, bytes(i))).toBe(0);
    expect(streams.send(a, bytes(0))).toBe(-12);
    streams.reset(false);
    expect(streams.create()).toBe(1);
    expect(streams.send(1, bytes(0))).toBe(0);
  });

  it('reset() destroys the streams: ids start at 1 again with a new epoch, old ids are unknown', () => {
    streams.create();
    streams.create();
    streams.reset(false);
    expect(streams.has(2)).toBe(false);
    expect(streams.send(2, bytes(1))).toBe(-2);
    expect(streams.create()).toBe(1);
    expect(streams.send(1, bytes(1))).toBe(0);
    expect(wire.at(-1)).toMatchObject({ streamId: 1, seq: 1, epoch: epochs[2] });
    expect(epochs[2]).not.toBe(epochs[0]);
  });
});

describe('DataStreams: sending', () => {
  it('numbers each stream on its own from 1, in call order, with epoch, base64 data and sentTs', () => {
    const a = streams.create();
    const b = streams.create({ ordered: true });
    expect(streams.send(a, bytes(1, 2, 3))).toBe(0);
    clock.advance(10);
    expect(streams.send(b, bytes(255))).toBe(0);
    expect(streams.send(a, bytes(4))).toBe(0);
    expect(streams.send(a, bytes(5))).toBe(0);
    expect(seqs(wire)).toEqual(['1#1', '2#1', '1#2', '1#3']);
    expect(wire[0]).toEqual({
      type: 'stream',
      streamId: a,
      epoch: epochs[0],
      seq: 1,
      data: b64(1, 2, 3),
      sentTs: clock.now() - 10,
    });
    expect(wire[1]).toEqual({
      type: 'stream',
      streamId: b,
      epoch: epochs[1],
      seq: 1,
      data: b64(255),
      sentTs: clock.now(),
      ordered: true,
    });
    expect([...base64ToBytes(wire[3]!.data)]).toEqual([5]);
    expect(streams.sentCount).toBe(4);
  });

  it('applies the limits before sending: 1,025 bytes -114, the 61st message in 1 s -12, past 30 KB -115', () => {
    const a = streams.create();
    const b = streams.create();
    expect(streams.send(a, new Uint8Array(1025))).toBe(-114);
    for (let i = 0; i < 60; i++) expect(streams.send(a, bytes(i))).toBe(0);
    expect(streams.send(a, bytes(0))).toBe(-12);
    // Refused messages were neither sent nor numbered: the next accepted one follows on.
    clock.advance(1000);
    expect(streams.send(a, bytes(0))).toBe(0);
    expect(wire.at(-1)?.seq).toBe(61);
    clock.advance(1000);
    for (let i = 0; i < 30; i++) expect(streams.send(b, new Uint8Array(1024))).toBe(0);
    expect(streams.send(a, bytes(1))).toBe(-115);
    expect(wire).toHaveLength(91);
  });

  it('while offline a message is kept (returns 0) and goes out on the rejoin, with its number', () => {
    const a = streams.create();
    online = false;
    expect(streams.send(a, bytes(9))).toBe(0);
    expect(wire).toEqual([]);
    expect(streams.unacked).toBe(1);
    online = true;
    streams.rejoined(undefined);
    expect(seqs(wire)).toEqual(['1#1']);
    expect(wire[0]?.data).toBe(b64(9));
  });
});
