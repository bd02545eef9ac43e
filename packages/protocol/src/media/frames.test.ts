import { describe, expect, it } from 'vitest';
import { decodeClientFrame, decodeServerFrame, MAX_MEDIA_FRAME_BYTES } from '../codec.js';
import { MAX_SDP_BYTES } from './frames.js';

const sdp = (n: number) => `v=0\r\n${'a'.repeat(n - 5)}`;

describe('media signalling frames', () => {
  it('an SDP frame may exceed the general 8 KB limit up to the SDP limit; other frames may not', () => {
    expect(decodeClientFrame(JSON.stringify({ type: 'media_publish', sdp: sdp(12_000) }))).toMatchObject({
      ok: true,
      frame: { type: 'media_publish' },
    });
    expect(
      decodeClientFrame(JSON.stringify({ type: 'media_answer', version: 3, sdp: sdp(MAX_SDP_BYTES) })),
    ).toMatchObject({ ok: true, frame: { type: 'media_answer', version: 3 } });
    expect(
      decodeClientFrame(JSON.stringify({ type: 'media_publish', sdp: sdp(MAX_SDP_BYTES + 1) })),
    ).toMatchObject({
      ok: false,
      code: 'malformed_frame',
    });
    expect(
      decodeClientFrame(`{"type":"media_publish","sdp":"${'x'.repeat(MAX_MEDIA_FRAME_BYTES)}"}`),
    ).toMatchObject({
      ok: false,
      code: 'frame_too_large',
    });
    // A ping padded past 8 KB is too large, also when it claims to be an SDP frame further in.
    expect(decodeClientFrame(JSON.stringify({ type: 'ping', t: 1, pad: 'x'.repeat(9000) }))).toMatchObject({
      ok: false,
      code: 'frame_too_large',
    });
    expect(
      decodeClientFrame(`{"type":"media_publish","type":"ping","t":1,"pad":"${'x'.repeat(9000)}"}`),
    ).toMatchObject({ ok: false, code: 'frame_too_large' });
  });

  it('the same limits for frames read as bytes (what a server reads off its sockets)', () => {
    const bytes = (s: string) => Buffer.from(s);
    expect(
      decodeClientFrame(bytes(JSON.stringify({ type: 'media_sub_offer', version: 2, sdp: sdp(12_000) }))),
    ).toMatchObject({ ok: true, frame: { type: 'media_sub_offer' } });
    expect(
      decodeClientFrame(bytes(JSON.stringify({ type: 'media_publish', sdp: sdp(12_000) }))),
    ).toMatchObject({
      ok: true,
    });
    // A prefix cut short, or not at the start, is not an SDP frame.
    expect(
      decodeClientFrame(bytes(JSON.stringify({ type: 'media_publis', sdp: sdp(12_000) }))),
    ).toMatchObject({
      ok: false,
      code: 'frame_too_large',
    });
    expect(decodeClientFrame(bytes(` {"type":"media_publish","sdp":"${sdp(12_000)}"}`))).toMatchObject({
      ok: false,
      code: 'frame_too_large',
    });
    expect(decodeClientFrame(bytes('{"type":"media_'))).toMatchObject({ ok: false, code: 'malformed_frame' });
  });

  it('validates state, subscribe and answer frames with a reason', () => {
    expect(decodeClientFrame('{"type":"media_state","audio":"on","video":"muted"}')).toMatchObject({
      ok: true,
    });
    expect(decodeClientFrame('{"type":"media_state","audio":"loud","video":"on"}')).toMatchObject({
      ok: false,
      message: 'media_state.audio and .video must be "on", "muted" or "off"',
    });
    expect(
      decodeClientFrame(
        '{"type":"media_subscribe","audio":true,"video":false,"wanted":[{"uid":3,"kind":"video"}]}',
      ),
    ).toEqual({
      ok: true,
      frame: { type: 'media_subscribe', audio: true, video: false, wanted: [{ uid: 3, kind: 'video' }] },
    });
    expect(
      decodeClientFrame('{"type":"media_subscribe","audio":true,"video":true,"paused":[{"uid":"x"}]}'),
    ).toMatchObject({
      ok: false,
      code: 'malformed_frame',
    });
    expect(decodeClientFrame('{"type":"media_answer","sdp":"v=0"}')).toMatchObject({ ok: false });
    expect(decodeClientFrame('{"type":"media_unpublish"}')).toEqual({
      ok: true,
      frame: { type: 'media_unpublish' },
    });
  });

  it('the client checks the server media frames and media events', () => {
    const offer = {
      type: 'media_offer',
      version: 1,
      sdp: 'v=0',
      tracks: [{ mid: '0', uid: 2, kind: 'video', state: 'on' }],
    };
    expect(decodeServerFrame(JSON.stringify(offer)).ok).toBe(true);
    expect(
      decodeServerFrame(
        JSON.stringify({ ...offer, tracks: [{ mid: '0', uid: 2, kind: 'smell', state: 'on' }] }),
      ).ok,
    ).toBe(false);
    expect(
      decodeServerFrame(
        '{"type":"event","seq":4,"event":{"kind":"media","uid":2,"audio":"on","video":"off"}}',
      ).ok,
    ).toBe(true);
    expect(
      decodeServerFrame('{"type":"event","seq":4,"event":{"kind":"media","uid":2,"audio":"on"}}').ok,
    ).toBe(false);
  });
});
