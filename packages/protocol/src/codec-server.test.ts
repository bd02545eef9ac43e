import { describe, expect, it } from 'vitest';
import { decodeServerFrame, encodeFrame } from './codec.js';
import { bytes, malformed, tooLarge } from './codec.test-support.js';
import type { ServerFrame } from './frames.js';

describe('decodeServerFrame: round trips', () => {
  const frames: ServerFrame[] = [
    {
      type: 'joined',
      sessionId: 's-1',
      uid: 42,
      channel: 'room',
      role: 'broadcaster',
      resumeSecret: 'k-1',
      resumed: false,
      members: [{ uid: 1 }, { uid: 2 }],
      seq: 0,
      keepaliveMs: 5000,
      offlineAfterMs: 20_000,
      serverTime: 1_700_000_000_000,
    },
    {
      type: 'joined',
      sessionId: 's-1',
      uid: 42,
      channel: 'room',
      role: 'audience',
      resumed: true,
      members: [],
      missed: [{ type: 'event', seq: 4, event: { kind: 'user_joined', uid: 7 } }],
      seq: 4,
      keepaliveMs: 5000,
      offlineAfterMs: 20_000,
      tokenExpiresAt: 1_700_000_600_000,
      serverTime: 1_700_000_000_000,
    },
    { type: 'event', seq: 1, event: { kind: 'user_joined', uid: 7 } },
    { type: 'event', seq: 2, event: { kind: 'user_offline', uid: 7, reason: 'quit' } },
    { type: 'event', seq: 3, event: { kind: 'user_offline', uid: 8, reason: 'dropped' } },
    { type: 'ka' },
    { type: 'pong', t: 123.5 },
    { type: 'pong', t: 124, held: 37 },
    { type: 'role_result', id: 1, ok: true, role: 'audience' },
    {
      type: 'role_result',
      id: 2,
      ok: false,
      role: 'audience',
      code: 'too_many_broadcasters',
      message: 'full',
    },
    { type: 'token_result', id: 3, ok: true, tokenExpiresAt: 1_700_000_600_000 },
    { type: 'token_result', id: 4, ok: false, code: 'invalid_token', message: 'bad signature' },
    { type: 'end', code: 'same_uid_login', message: 'another device joined with uid 42' },
    { type: 'left' },
  ];
  for (const frame of frames) {
    it(`${frame.type} ${encodeFrame(frame).slice(0, 60)}`, () => {
      expect(decodeServerFrame(encodeFrame(frame))).toEqual({ ok: true, frame });
      expect(decodeServerFrame(bytes(encodeFrame(frame)))).toEqual({ ok: true, frame });
    });
  }
});

describe('decodeServerFrame: invalid frames', () => {
  const joined = {
    type: 'joined',
    sessionId: 's-1',
    uid: 42,
    channel: 'room',
    role: 'broadcaster',
    resumed: false,
    members: [],
    seq: 0,
    keepaliveMs: 5000,
    offlineAfterMs: 20_000,
    serverTime: 1,
  };
  const joinedMessage =
    'joined is missing sessionId, uid, members, seq or keepaliveMs, or has a bad resumeSecret';
  it.each([
    ['without sessionId', { sessionId: undefined }],
    ['with a numeric sessionId', { sessionId: 1 }],
    ['without uid', { uid: undefined }],
    ['with a float uid', { uid: 1.5 }],
    ['without members', { members: undefined }],
    ['with members as an object', { members: { 0: { uid: 1 } } }],
    ['without seq', { seq: undefined }],
    ['with a string seq', { seq: '0' }],
    ['without keepaliveMs', { keepaliveMs: undefined }],
    ['with keepaliveMs null', { keepaliveMs: null }],
    ['with a numeric resumeSecret', { resumeSecret: 7 }],
    ['with a 129-char resumeSecret', { resumeSecret: 'k'.repeat(129) }],
  ])('joined %s', (_name, patch) => {
    expect(decodeServerFrame(JSON.stringify({ ...joined, ...patch }))).toEqual(malformed(joinedMessage));
  });

  const eventMessage = 'event must carry seq and a known event';
  it.each([
    ['unknown kind', { type: 'event', seq: 1, event: { kind: 'user_left', uid: 7 } }],
    ['no kind', { type: 'event', seq: 1, event: { uid: 7 } }],
    ['offline without reason', { type: 'event', seq: 1, event: { kind: 'user_offline', uid: 7 } }],
    [
      'offline with numeric reason',
      { type: 'event', seq: 1, event: { kind: 'user_offline', uid: 7, reason: 1 } },
    ],
    ['float uid', { type: 'event', seq: 1, event: { kind: 'user_joined', uid: 7.5 } }],
    ['string uid', { type: 'event', seq: 1, event: { kind: 'user_joined', uid: '7' } }],
    ['no event', { type: 'event', seq: 1 }],
    ['event null', { type: 'event', seq: 1, event: null }],
    ['event array', { type: 'event', seq: 1, event: [] }],
    ['no seq', { type: 'event', event: { kind: 'user_joined', uid: 7 } }],
    ['float seq', { type: 'event', seq: 1.5, event: { kind: 'user_joined', uid: 7 } }],
  ])('event with %s', (_name, frame) => {
    expect(decodeServerFrame(JSON.stringify(frame))).toEqual(malformed(eventMessage));
  });

  it('end without code or message', () => {
    const message = 'end must carry code and message';
    expect(decodeServerFrame('{"type":"end","message":"bye"}')).toEqual(malformed(message));
    expect(decodeServerFrame('{"type":"end","code":4000,"message":"bye"}')).toEqual(malformed(message));
    expect(decodeServerFrame('{"type":"end","code":"banned"}')).toEqual(malformed(message));
  });

  it('pong without a numeric t', () => {
    expect(decodeServerFrame('{"type":"pong"}')).toEqual(malformed('pong.t must be a number'));
    expect(decodeServerFrame('{"type":"pong","t":"1"}')).toEqual(malformed('pong.t must be a number'));
  });

  it('pong with a held time that is not a number of ms, 0 or more', () => {
    const message = 'pong.held must be a number of ms, 0 or more';
    expect(decodeServerFrame('{"type":"pong","t":1,"held":-1}')).toEqual(malformed(message));
    expect(decodeServerFrame('{"type":"pong","t":1,"held":"5"}')).toEqual(malformed(message));
    expect(decodeServerFrame('{"type":"pong","t":1,"held":0}')).toMatchObject({ ok: true });
  });

  it('role_result / token_result without id or boolean ok', () => {
    expect(decodeServerFrame('{"type":"role_result","ok":true,"role":"audience"}')).toEqual(
      malformed('role_result must carry id and ok'),
    );
    expect(decodeServerFrame('{"type":"role_result","id":1,"ok":"yes","role":"audience"}')).toEqual(
      malformed('role_result must carry id and ok'),
    );
    expect(decodeServerFrame('{"type":"token_result","id":1.5,"ok":true}')).toEqual(
      malformed('token_result must carry id and ok'),
    );
    expect(decodeServerFrame('{"type":"token_result","id":1}')).toEqual(
      malformed('token_result must carry id and ok'),
    );
  });

  it('not a frame', () => {
    expect(decodeServerFrame('{')).toEqual(malformed('frame is not valid UTF-8 JSON'));
    expect(decodeServerFrame('[]')).toEqual(malformed('frame must be a JSON object'));
    expect(decodeServerFrame('null')).toEqual(malformed('frame must be a JSON object'));
    expect(decodeServerFrame('7')).toEqual(malformed('frame must be a JSON object'));
    expect(decodeServerFrame('{"t":1}')).toEqual(malformed('frame has no string "type"'));
    expect(decodeServerFrame(new Uint8Array([0x7b, 0xc3, 0x7d]))).toEqual(
      malformed('frame is not valid UTF-8 JSON'),
    );
  });

  it('unknown type, including client frame types', () => {
    expect(decodeServerFrame('{"type":"join"}')).toEqual({
      ok: false,
      code: 'unknown_frame_type',
      message: 'unknown frame type "join"',
    });
    expect(decodeServerFrame('{"type":"ping","t":1}')).toMatchObject({
      ok: false,
      code: 'unknown_frame_type',
    });
  });

  it('size limit is 4 MiB by default, and configurable', () => {
    expect(decodeServerFrame(new Uint8Array(4_194_305))).toEqual(tooLarge(4_194_305, 4_194_304));
    const pad = 'p'.repeat(10_000);
    expect(decodeServerFrame(`{"type":"ka","pad":"${pad}"}`)).toEqual({
      ok: true,
      frame: { type: 'ka', pad },
    });
    expect(decodeServerFrame('{"type":"ka"}', 12)).toEqual(tooLarge(13, 12));
    expect(decodeServerFrame('{"type":"ka"}', 13)).toEqual({ ok: true, frame: { type: 'ka' } });
  });
});
