import { describe, expect, it } from 'vitest';
import { decodeClientFrame, decodeServerFrame } from '../codec.js';
import { ErrorCodeType } from '../enums/agora.js';
import { TestClock } from '../test-clock.js';
import { refusalErrorCode, refusalToReturnCode, StreamReturnCode } from './codes.js';
import { base64DecodedBytes, base64ToBytes, bytesToBase64, validateClientStreamFrame } from './frames.js';
import { StreamRateLimiter } from './limits.js';
import { DataStreamIds } from './stream-ids.js';

const b64 = (n: number) => bytesToBase64(new Uint8Array(n).fill(7));
const frame = (over: Record<string, unknown> = {}) => ({
  type: 'stream',
  streamId: 1,
  epoch: 99,
  seq: 1,
  data: b64(3),
  sentTs: 1_700_000_000_000,
  ...over,
});

describe('StreamRateLimiter at its exact edges', () => {
  it('accepts the 60th message in a second on one stream and refuses the 61st (ErrTooOften)', () => {
    const clock = new TestClock();
    const l = new StreamRateLimiter(clock);
    for (let i = 0; i < 60; i++) expect(l.consume(1, 10)).toEqual({ ok: true });
    expect(l.consume(1, 10)).toEqual({ ok: false, reason: 'too_often' });
    // Another stream of the same client has its own count.
    expect(l.consume(2, 10)).toEqual({ ok: true });
  });

  it('1,024 bytes pass, 1,025 are too large', () => {
    const l = new StreamRateLimiter(new TestClock());
    expect(l.consume(1, 1024).ok).toBe(true);
    expect(l.consume(1, 1025)).toEqual({ ok: false, reason: 'too_large' });
  });

  it('is a sliding window: a message leaves it exactly 1,000 ms after it was sent', () => {
    const clock = new TestClock();
    const l = new StreamRateLimiter(clock);
    for (let i = 0; i < 30; i++) l.consume(1, 1);
    clock.advance(500);
    for (let i = 0; i < 30; i++) l.consume(1, 1);
    expect(l.consume(1, 1).ok).toBe(false);
    clock.advance(499); // 999 ms after the first 30: still inside
    expect(l.consume(1, 1).ok).toBe(false);
    clock.advance(1); // 1,000 ms: the first 30 leave
    for (let i = 0; i < 30; i++) expect(l.consume(1, 1).ok).toBe(true);
    expect(l.consume(1, 1).ok).toBe(false);
  });

  it('30 KB per window across all streams: the byte that tips it is ErrBitrateLimit', () => {
    const clock = new TestClock();
    const l = new StreamRateLimiter(clock);
    for (let s = 1; s <= 5; s++) for (let i = 0; i < 6; i++) expect(l.consume(s, 1024).ok).toBe(true);
    expect(l.consume(1, 1)).toEqual({ ok: false, reason: 'bitrate' });
    clock.advance(1000);
    expect(l.consume(1, 1024).ok).toBe(true);
  });

  it('refused messages are not counted (a flood cannot extend its own ban)', () => {
    const clock = new TestClock();
    const l = new StreamRateLimiter(clock);
    for (let i = 0; i < 60; i++) l.consume(1, 1);
    for (let i = 0; i < 1000; i++) l.consume(1, 1);
    expect(l.stats().messages).toBe(60);
    clock.advance(1000);
    expect(l.consume(1, 1).ok).toBe(true);
  });

  it('an outage grants what could have been sent meanwhile, and no more, for that long', () => {
    const clock = new TestClock();
    const l = new StreamRateLimiter(clock);
    l.grant(8000);
    // The plain window (60) plus a credit of 8 s of outage and the current window (9 × 60).
    let ok = 0;
    for (let i = 0; i < 1000; i++) if (l.consume(1, 1).ok) ok++;
    expect(ok).toBe(60 + 9 * 60);
    clock.advance(8000);
    // The credit has run out; the plain window applies again.
    ok = 0;
    for (let i = 0; i < 100; i++) if (l.consume(1, 1).ok) ok++;
    expect(ok).toBe(60);
  });

  it('forgets everything on reset', () => {
    const l = new StreamRateLimiter(new TestClock());
    for (let i = 0; i < 60; i++) l.consume(3, 100);
    l.reset();
    expect(l.stats()).toEqual({ streams: 0, messages: 0, bytes: 0 });
    expect(l.consume(3, 100).ok).toBe(true);
  });

  it('keeps only what is inside the window', () => {
    const clock = new TestClock();
    const l = new StreamRateLimiter(clock);
    for (let t = 0; t < 10_000; t++) {
      l.consume(1 + (t % 5), 1);
      clock.advance(20);
    }
    expect(l.stats().messages).toBeLessThanOrEqual(50);
  });
});

describe('stream ids', () => {
  it('hands out 1..5, then -116 ErrTooManyDataStreams; reset starts again at 1', () => {
    const ids = new DataStreamIds();
    expect([1, 2, 3, 4, 5].map(() => ids.create({ ordered: true }))).toEqual([1, 2, 3, 4, 5]);
    expect(ids.create()).toBe(-116);
    expect(ids.get(1)).toEqual({ id: 1, ordered: true, syncWithAudio: false });
    expect(ids.has(6)).toBe(false);
    ids.reset();
    expect(ids.create()).toBe(1);
  });
});

describe('return codes', () => {
  it('are the negated ErrorCodeType values', () => {
    expect(StreamReturnCode).toMatchObject({
      InvalidArgument: -2,
      AudienceCannotSend: -5,
      TooOften: -12,
      NotInChannel: -113,
      SizeTooLarge: -114,
      BitrateLimit: -115,
      TooManyDataStreams: -116,
    });
    expect(refusalToReturnCode('bitrate')).toBe(-115);
    expect(refusalErrorCode('not_sent')).toBe(ErrorCodeType.ErrStreamMessageTimeout);
    expect(refusalErrorCode('too_often')).toBe(12);
  });
});

describe('stream frames', () => {
  it('base64 round-trips and counts decoded bytes', () => {
    const data = new Uint8Array([0, 255, 1, 2, 3]);
    expect(base64ToBytes(bytesToBase64(data))).toEqual(data);
    expect(base64DecodedBytes(b64(1024))).toBe(1024);
    expect(base64DecodedBytes('abc')).toBeUndefined();
    expect(base64DecodedBytes('ab$=')).toBeUndefined();
  });

  it('validates every field with a typed error', () => {
    expect(validateClientStreamFrame(frame()).ok).toBe(true);
    expect(validateClientStreamFrame(frame({ data: b64(1024) }))).toMatchObject({ ok: true, bytes: 1024 });
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ streamId: 0 }, 'bad_stream_id'],
      [{ streamId: 6 }, 'bad_stream_id'],
      [{ streamId: 1.5 }, 'bad_stream_id'],
      [{ epoch: -1 }, 'bad_epoch'],
      [{ seq: 0 }, 'bad_seq'],
      [{ sentTs: 'now' }, 'bad_sent_ts'],
      [{ data: 5 }, 'bad_base64'],
      [{ data: 'not base64!' }, 'bad_base64'],
      [{ data: '' }, 'empty'],
      [{ data: b64(1025) }, 'too_large'],
      [{ data: 'A'.repeat(1_000_000) }, 'too_large'],
    ];
    for (const [over, error] of cases)
      expect(validateClientStreamFrame(frame(over))).toEqual({ ok: false, error });
    expect(validateClientStreamFrame([])).toEqual({ ok: false, error: 'not_object' });
  });

  it('decodes through the codec, and bad ones are malformed frames with the reason', () => {
    expect(decodeClientFrame(JSON.stringify(frame({ ordered: true })))).toMatchObject({
      ok: true,
      frame: { type: 'stream', ordered: true },
    });
    expect(decodeClientFrame(JSON.stringify(frame({ data: b64(1025) })))).toEqual({
      ok: false,
      code: 'malformed_frame',
      message: 'stream: data exceeds 1,024 bytes once decoded (ErrSizeTooLarge)',
    });
  });

  it('the client checks stream events, refusals and acks from the server', () => {
    const ev = {
      type: 'event',
      seq: 3,
      event: { kind: 'stream', uid: 1, streamId: 1, epoch: 2, sseq: 1, data: 'AAAA', sentTs: 1, at: 2 },
    };
    expect(decodeServerFrame(JSON.stringify(ev)).ok).toBe(true);
    expect(decodeServerFrame(JSON.stringify({ ...ev, event: { ...ev.event, sseq: 'x' } })).ok).toBe(false);
    const refused = { type: 'stream_refused', streamId: 1, epoch: 2, seq: 3, code: 'bitrate', message: 'm' };
    expect(decodeServerFrame(JSON.stringify(refused)).ok).toBe(true);
    expect(decodeServerFrame(JSON.stringify({ type: 'pong', t: 1, acks: [{ epoch: 1, seq: 2 }] })).ok).toBe(
      true,
    );
    expect(decodeServerFrame(JSON.stringify({ type: 'pong', t: 1, acks: [{ epoch: 1 }] })).ok).toBe(false);
  });
});
