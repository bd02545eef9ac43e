import type { EventFrame } from '@holdfast/protocol';
import { beforeEach, describe, expect, it } from 'vitest';
import { STREAM_LATE_MS } from './data-streams.js';
import {
  b64,
  errors,
  event,
  messages,
  replayed,
  setupStreams,
  streams,
  told,
} from './data-streams.test-support.js';

// DataStreams alone (set-up: data-streams.test-support.ts): receiving, and late replays after a
// resume. Sending is in data-streams-sending.test.ts.

beforeEach(() => setupStreams());

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
