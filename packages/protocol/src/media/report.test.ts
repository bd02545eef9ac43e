import { describe, expect, it } from 'vitest';
import { decodeClientFrame } from '../codec.js';
import { MAX_REPORTED_MEDIA_EVENTS, readMediaReport } from './report.js';

const MEDIA = {
  link: 'up',
  audio: 'on',
  video: 'muted',
  txKbps: 812.5,
  rxKbps: 40,
  txLoss: 0,
  rxLoss: 1.5,
  rttMs: 3,
};
const report = (extra: Record<string, unknown>) => JSON.stringify({ type: 'report', states: [], ...extra });

describe('the report frame’s media figures (console media view)', () => {
  it('a good report decodes to the known fields only', () => {
    const r = decodeClientFrame(
      report({
        media: { ...MEDIA, junk: 'x'.repeat(100) },
        mediaEvents: [
          { at: 1, link: 'fault' },
          { at: 2, uid: 7, kind: 'video', phase: 'frozen' },
        ],
      }),
    );
    expect(r).toEqual({
      ok: true,
      frame: {
        type: 'report',
        states: [],
        media: MEDIA,
        mediaEvents: [
          { at: 1, link: 'fault' },
          { at: 2, uid: 7, kind: 'video', phase: 'frozen' },
        ],
      },
    });
  });

  it('a report without media is as before; rttMs may be absent', () => {
    expect(decodeClientFrame(report({}))).toEqual({ ok: true, frame: { type: 'report', states: [] } });
    const { rttMs: _, ...noRtt } = MEDIA;
    const r = readMediaReport(noRtt, undefined);
    expect(r).toEqual({ ok: true, media: noRtt, events: [] });
  });

  it.each([
    ['media not an object', { media: 'up' }, /media must be an object/],
    ['an unknown link state', { media: { ...MEDIA, link: 'great' } }, /link must be/],
    ['a bad track state', { media: { ...MEDIA, audio: 'loud' } }, /audio and \.video/],
    ['a negative bitrate', { media: { ...MEDIA, txKbps: -1 } }, /txKbps/],
    ['an infinite bitrate', { media: { ...MEDIA, rxKbps: 1e308 * 10 } }, /txKbps/],
    ['a bitrate as text', { media: { ...MEDIA, rxKbps: '40' } }, /txKbps/],
    ['a loss over 100 %', { media: { ...MEDIA, rxLoss: 101 } }, /percentages/],
    ['a negative RTT', { media: { ...MEDIA, rttMs: -5 } }, /rttMs/],
    ['events not a list', { mediaEvents: { at: 1, link: 'up' } }, /mediaEvents must be a list/],
    [
      'too many events',
      {
        mediaEvents: Array.from({ length: MAX_REPORTED_MEDIA_EVENTS + 1 }, (_, i) => ({ at: i, link: 'up' })),
      },
      /at most 16/,
    ],
    ['an event without a time', { mediaEvents: [{ link: 'up' }] }, /time `at`/],
    ['an event with a bad link', { mediaEvents: [{ at: 1, link: 'sideways' }] }, /not a link state/],
    [
      'an event with a bad uid',
      { mediaEvents: [{ at: 1, uid: -1, kind: 'video', phase: 'frozen' }] },
      /uid, kind, phase/,
    ],
    [
      'an event with a bad phase',
      { mediaEvents: [{ at: 1, uid: 2, kind: 'video', phase: 'melting' }] },
      /uid, kind, phase/,
    ],
  ])('%s is refused as malformed_frame', (_what, extra, message) => {
    const r = decodeClientFrame(report(extra));
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.code).toBe('malformed_frame');
      expect(r.message).toMatch(message);
    }
  });
});
