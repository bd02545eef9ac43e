import { beforeEach, describe, expect, it } from 'vitest';
import { MAX_UNACKED_MESSAGES } from './data-streams.js';
import {
  b64,
  bytes,
  clock,
  epochs,
  errors,
  LOCAL_UID,
  refusal,
  seqs,
  setupStreams,
  streams,
  told,
  wire,
} from './data-streams.test-support.js';

// DataStreams alone (set-up: data-streams.test-support.ts): sent messages kept until acknowledged,
// and what was never sent. Sending is in data-streams-sending.test.ts.

let online: boolean;

beforeEach(() => {
  online = true;
  setupStreams(() => online);
});

describe('DataStreams: kept until acknowledged', () => {
  it('acked() forgets up to the acked seq of that epoch only', () => {
    const a = streams.create();
    const b = streams.create();
    for (let i = 0; i < 3; i++) streams.send(a, bytes(i));
    for (let i = 0; i < 2; i++) streams.send(b, bytes(i));
    expect(streams.unacked).toBe(5);
    streams.acked(undefined);
    streams.acked([]);
    expect(streams.unacked).toBe(5);
    streams.acked([{ epoch: epochs[0]!, seq: 2 }]);
    expect(streams.unacked).toBe(3);
    // An unknown epoch acks nothing.
    streams.acked([{ epoch: 12345, seq: 100 }]);
    expect(streams.unacked).toBe(3);
    wire.length = 0;
    streams.rejoined(undefined);
    expect(seqs(wire)).toEqual(['1#3', '2#1', '2#2']);
    streams.acked([
      { epoch: epochs[0]!, seq: 3 },
      { epoch: epochs[1]!, seq: 2 },
    ]);
    expect(streams.unacked).toBe(0);
  });

  it('rejoined(streamAcks) drops what the server has and sends the rest again, in send order', () => {
    const a = streams.create();
    const b = streams.create();
    streams.send(a, bytes(1)); // a#1
    streams.send(b, bytes(2)); // b#1
    streams.send(a, bytes(3)); // a#2
    online = false;
    streams.send(b, bytes(4)); // b#2 (never sent)
    streams.send(a, bytes(5)); // a#3 (never sent)
    expect(seqs(wire)).toEqual(['1#1', '2#1', '1#2']);
    online = true;
    wire.length = 0;
    streams.rejoined([{ epoch: epochs[0]!, seq: 1 }]);
    expect(seqs(wire)).toEqual(['2#1', '1#2', '2#2', '1#3']);
    expect(wire.map((f) => f.data)).toEqual([b64(2), b64(3), b64(4), b64(5)]);
    expect(streams.unacked).toBe(4);
    // A second rejoin with everything acked sends nothing.
    wire.length = 0;
    streams.rejoined([
      { epoch: epochs[0]!, seq: 3 },
      { epoch: epochs[1]!, seq: 2 },
    ]);
    expect(wire).toEqual([]);
    expect(streams.unacked).toBe(0);
    expect(errors()).toEqual([]);
  });

  it('refused(): the message is dropped (not sent again) and told with the refusal code and the local uid', () => {
    const a = streams.create();
    const b = streams.create();
    streams.send(a, bytes(1));
    streams.send(a, bytes(2));
    streams.send(b, bytes(3));
    streams.refused(refusal(wire[1]!, 'too_often'));
    expect(errors()).toEqual([['error', LOCAL_UID, a, 12, 1, 0]]);
    expect(streams.unacked).toBe(2);
    streams.refused(refusal(wire[2]!, 'not_broadcaster'));
    streams.refused(refusal(wire[0]!, 'not_sent'));
    expect(errors().slice(1)).toEqual([
      ['error', LOCAL_UID, b, 5, 1, 0],
      ['error', LOCAL_UID, a, 117, 1, 0],
    ]);
    expect(streams.unacked).toBe(0);
    wire.length = 0;
    streams.rejoined(undefined);
    expect(wire).toEqual([]);
  });

  it('refused() drops the message of that epoch only (the same seq on another stream stays)', () => {
    const a = streams.create();
    const b = streams.create();
    streams.send(a, bytes(1));
    streams.send(b, bytes(2));
    streams.refused(refusal(wire[1]!, 'too_often'));
    expect(errors()).toEqual([['error', LOCAL_UID, b, 12, 1, 0]]);
    wire.length = 0;
    streams.rejoined(undefined);
    expect(seqs(wire)).toEqual(['1#1']);
  });

  it('refusal codes too_large and bitrate map to 114 and 115', () => {
    const a = streams.create();
    streams.send(a, bytes(1));
    streams.send(a, bytes(2));
    streams.refused(refusal(wire[0]!, 'too_large'));
    streams.refused(refusal(wire[1]!, 'bitrate'));
    expect(errors()).toEqual([
      ['error', LOCAL_UID, a, 114, 1, 0],
      ['error', LOCAL_UID, a, 115, 1, 0],
    ]);
  });

  it(`past ${MAX_UNACKED_MESSAGES} unacked messages the oldest is dropped and told as not sent`, () => {
    const ids = [1, 2, 3, 4, 5].map(() => streams.create());
    online = false;
    let sent = 0;
    // 5 streams × 60 messages per second, 1 byte each: within every limit.
    while (sent < MAX_UNACKED_MESSAGES) {
      for (const id of ids) {
        for (let i = 0; i < 60 && sent < MAX_UNACKED_MESSAGES; i++, sent++)
          expect(streams.send(id, bytes(sent % 256))).toBe(0);
      }
      clock.advance(1000);
    }
    expect(streams.unacked).toBe(MAX_UNACKED_MESSAGES);
    expect(errors()).toEqual([]);
    expect(streams.send(3, bytes(1))).toBe(0);
    expect(streams.unacked).toBe(MAX_UNACKED_MESSAGES);
    // The oldest was stream 1's first message.
    expect(errors()).toEqual([['error', LOCAL_UID, 1, 117, 1, 0]]);
    online = true;
    streams.rejoined(undefined);
    expect(wire).toHaveLength(MAX_UNACKED_MESSAGES);
    expect(seqs(wire.slice(0, 2))).toEqual(['1#2', '1#3']);
  });
});

describe('DataStreams: what was never sent', () => {
  it('dropUnsent() tells only never-sent messages, per stream, and keeps the sent ones for a resend', () => {
    const a = streams.create();
    const b = streams.create();
    streams.send(a, bytes(1)); // sent
    online = false;
    streams.send(a, bytes(2));
    streams.send(a, bytes(3));
    streams.send(b, bytes(4));
    streams.dropUnsent();
    expect(errors()).toEqual([
      ['error', LOCAL_UID, a, 117, 2, 0],
      ['error', LOCAL_UID, b, 117, 1, 0],
    ]);
    expect(streams.unacked).toBe(1);
    online = true;
    wire.length = 0;
    streams.rejoined(undefined);
    expect(seqs(wire)).toEqual(['1#1']);
  });

  it('a message sent again after a rejoin counts as sent even if the rejoin attempt fails', () => {
    const a = streams.create();
    online = false;
    streams.send(a, bytes(1));
    online = true;
    streams.rejoined(undefined); // on the wire now
    online = false;
    streams.rejoined(undefined); // a later attempt could not send it: it still reached the server once
    streams.dropUnsent();
    expect(errors()).toEqual([]);
    expect(streams.unacked).toBe(1);
  });

  it('reset(true) tells only never-sent messages and forgets everything; reset(false) tells nothing', () => {
    const a = streams.create();
    streams.send(a, bytes(1));
    online = false;
    streams.send(a, bytes(2));
    streams.reset(true);
    expect(errors()).toEqual([['error', LOCAL_UID, a, 117, 1, 0]]);
    expect(streams.unacked).toBe(0);
    const b = streams.create();
    streams.send(b, bytes(3));
    told.length = 0;
    streams.reset(false);
    expect(told).toEqual([]);
    expect(streams.unacked).toBe(0);
  });

  it('nothing unsent: dropUnsent and reset(true) tell nothing', () => {
    const a = streams.create();
    streams.send(a, bytes(1));
    streams.dropUnsent();
    streams.reset(true);
    expect(told).toEqual([]);
  });
});
