import {
  base64ToBytes,
  type ClientStreamFrame,
  type EventFrame,
  type StreamMessageEvent,
  type StreamRefusedFrame,
  TestClock,
} from '@holdfast/protocol';
import { beforeEach, describe, expect, it } from 'vitest';
import { DataStreams, MAX_UNACKED_MESSAGES, STREAM_LATE_MS } from './data-streams.js';

// DataStreams alone: a TestClock, a fake transmit the test switches on and off, and a listener
// that records every call in order.

const LOCAL_UID = 77;
type Told = ['message', number, number, number[], number] | ['error', number, number, number, number, number];

let clock: TestClock;
let told: Told[];
let wire: ClientStreamFrame[];
let online: boolean;
let streams: DataStreams;
let epochs: number[];

function make(): DataStreams {
  // A fixed sequence of "random" values: each stream's epoch is known to the test.
  const randoms = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.15, 0.25];
  let i = 0;
  return new DataStreams(
    clock,
    {
      message: (uid, streamId, data, sentTs) => told.push(['message', uid, streamId, [...data], sentTs]),
      error: (uid, streamId, code, missed, cached) =>
        told.push(['error', uid, streamId, code, missed, cached]),
    },
    (frame) => {
      if (!online) return false;
      wire.push(frame);
      return true;
    },
    () => LOCAL_UID,
    () => {
      const r = randoms[i++ % randoms.length]!;
      epochs.push(1 + Math.floor(r * (Number.MAX_SAFE_INTEGER - 1)));
      return r;
    },
  );
}

beforeEach(() => {
  clock = new TestClock();
  told = [];
  wire = [];
  online = true;
  epochs = [];
  streams = make();
});

const bytes = (...values: number[]) => new Uint8Array(values);
const seqs = (frames: ClientStreamFrame[]) => frames.map((f) => `${f.streamId}#${f.seq}`);
const errors = () => told.filter((t) => t[0] === 'error');
const messages = () => told.filter((t) => t[0] === 'message');
const b64 = (...values: number[]) => btoa(String.fromCharCode(...values));

function event(over: Partial<StreamMessageEvent> & { sseq: number }): StreamMessageEvent {
  return {
    kind: 'stream',
    uid: 5,
    streamId: 1,
    epoch: 1000,
    data: b64(over.sseq % 256),
    sentTs: 1,
    at: clock.now(),
    ...over,
  };
}
const replayed = (seq: number, e: StreamMessageEvent): EventFrame => ({ type: 'event', seq, event: e });
function refusal(frame: ClientStreamFrame, code: StreamRefusedFrame['code']): StreamRefusedFrame {
  return {
    type: 'stream_refused',
    streamId: frame.streamId,
    epoch: frame.epoch,
    seq: frame.seq,
    code,
    message: code,
  };
}

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

describe('DataStreams: receiving', () => {
  it('delivers bytes, uid, stream id and sentTs; the first message of a stream is no gap, whatever its seq', () => {
    streams.receive(event({ sseq: 7, data: b64(1, 2, 250), sentTs: 1234 }));
    expect(told).toEqual([['message', 5, 1, [1, 2, 250], 1234]]);
    expect(streams.receivedCount).toBe(1);
  });

  it('drops duplicates and older messages of the same sender epoch', () => {
    streams.receive(event({ sseq: 1 }));
    streams.receive(event({ sseq: 2 }));
    streams.receive(event({ sseq: 2 }));
    streams.receive(event({ sseq: 1 }));
    streams.receive(event({ sseq: 3 }));
    expect(messages().map((m) => m[3])).toEqual([[1], [2], [3]]);
    expect(errors()).toEqual([]);
  });

  it('a gap is told as error(117, missed n, cached 0) before the message that follows it', () => {
    streams.receive(event({ sseq: 1 }));
    streams.receive(event({ sseq: 5 }));
    expect(told).toEqual([
      ['message', 5, 1, [1], 1],
      ['error', 5, 1, 117, 3, 0],
      ['message', 5, 1, [5], 1],
    ]);
    expect(streams.missedCount).toBe(3);
    streams.receive(event({ sseq: 6 }));
    expect(errors()).toHaveLength(1);
  });

  it('senders, and epochs of one sender, are numbered apart', () => {
    streams.receive(event({ sseq: 4 }));
    streams.receive(event({ uid: 6, sseq: 1 }));
    streams.receive(event({ epoch: 2000, streamId: 2, sseq: 1 }));
    streams.receive(event({ uid: 6, sseq: 2 }));
    streams.receive(event({ sseq: 5 }));
    streams.receive(event({ epoch: 2000, streamId: 2, sseq: 2 }));
    expect(errors()).toEqual([]);
    expect(messages().map((m) => [m[1], m[2], m[3][0]])).toEqual([
      [5, 1, 4],
      [6, 1, 1],
      [5, 2, 1],
      [6, 1, 2],
      [5, 1, 5],
      [5, 2, 2],
    ]);
  });

  it('reset() forgets senders: the same seqs are delivered again in the next channel', () => {
    streams.receive(event({ sseq: 1 }));
    streams.reset(false);
    streams.receive(event({ sseq: 1 }));
    expect(messages()).toHaveLength(2);
  });
});

describe('DataStreams: late replays after a resume', () => {
  const serverTime = 1_700_000_100_000;
  const member = () => true;

  it(`one error(117, 0, cached n) per sender and stream for messages more than ${STREAM_LATE_MS} ms old`, () => {
    const missed: EventFrame[] = [
      replayed(10, event({ sseq: 1, at: serverTime - 9000 })),
      replayed(11, event({ sseq: 2, at: serverTime - 8000 })),
      replayed(12, event({ uid: 6, streamId: 3, epoch: 3000, sseq: 1, at: serverTime - 7000 })),
      { type: 'event', seq: 13, event: { kind: 'user_joined', uid: 9 } },
      replayed(14, event({ sseq: 3, at: serverTime - 6000 })),
    ];
    streams.replayStarting(missed, serverTime, member);
    expect(told).toEqual([
      ['error', 5, 1, 117, 0, 3],
      ['error', 6, 3, 117, 0, 1],
    ]);
  });

  it('two streams of one sender are told apart', () => {
    streams.replayStarting(
      [
        replayed(1, event({ sseq: 1, at: serverTime - 9000 })),
        replayed(2, event({ streamId: 2, epoch: 2000, sseq: 1, at: serverTime - 9000 })),
        replayed(3, event({ streamId: 2, epoch: 2000, sseq: 2, at: serverTime - 9000 })),
      ],
      serverTime,
      member,
    );
    expect(told).toEqual([
      ['error', 5, 1, 117, 0, 1],
      ['error', 5, 2, 117, 0, 2],
    ]);
  });

  it('exactly 5,000 ms is not late; 5,001 ms is', () => {
    streams.replayStarting([replayed(1, event({ sseq: 1, at: serverTime - 5000 }))], serverTime, member);
    expect(told).toEqual([]);
    streams.replayStarting([replayed(1, event({ sseq: 1, at: serverTime - 5001 }))], serverTime, member);
    expect(told).toEqual([['error', 5, 1, 117, 0, 1]]);
  });

  it('counts only the late ones of a stream; recent ones are not cached', () => {
    streams.replayStarting(
      [
        replayed(1, event({ sseq: 1, at: serverTime - 5001 })),
        replayed(2, event({ sseq: 2, at: serverTime - 5000 })),
        replayed(3, event({ sseq: 3, at: serverTime - 100 })),
      ],
      serverTime,
      member,
    );
    expect(told).toEqual([['error', 5, 1, 117, 0, 1]]);
  });

  it('not for a sender that is not a member, nor for messages already delivered', () => {
    streams.receive(event({ sseq: 1 }));
    streams.receive(event({ sseq: 2 }));
    told.length = 0;
    streams.replayStarting(
      [
        replayed(1, event({ sseq: 2, at: serverTime - 9000 })),
        replayed(2, event({ uid: 8, sseq: 1, at: serverTime - 9000 })),
      ],
      serverTime,
      (uid) => uid !== 8,
    );
    expect(told).toEqual([]);
    streams.replayStarting([replayed(3, event({ sseq: 3, at: serverTime - 9000 }))], serverTime, member);
    expect(told).toEqual([['error', 5, 1, 117, 0, 1]]);
  });
});
