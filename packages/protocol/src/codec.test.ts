import { describe, expect, it } from 'vitest';
import { decodeClientFrame, encodeFrame } from './codec.js';
import { bytes, malformed, tooLarge } from './codec.test-support.js';
import type { ClientFrame } from './frames.js';
import { MAX_CLIENT_FRAME_BYTES, MAX_SERVER_FRAME_BYTES } from './frames.js';

const JOIN = {
  type: 'join',
  v: 1,
  appId: 'app_1',
  channel: 'room',
  uid: 42,
  role: 'broadcaster',
  profile: 'communication',
} as const;

/** A join with one field replaced (or removed when `value` is undefined). */
function joinWith(field: string, value: unknown): string {
  const f: Record<string, unknown> = { ...JOIN, [field]: value };
  if (value === undefined) delete f[field];
  return JSON.stringify(f);
}

describe('limits', () => {
  it('are 8 KiB for clients and 4 MiB for servers', () => {
    expect(MAX_CLIENT_FRAME_BYTES).toBe(8192);
    expect(MAX_SERVER_FRAME_BYTES).toBe(4_194_304);
  });
});

describe('encodeFrame', () => {
  it('is plain JSON text', () => {
    expect(encodeFrame({ type: 'ping', t: 5, ack: 2 })).toBe('{"type":"ping","t":5,"ack":2}');
    expect(encodeFrame({ type: 'leave' })).toBe('{"type":"leave"}');
    expect(encodeFrame({ type: 'ka' })).toBe('{"type":"ka"}');
  });
});

describe('decodeClientFrame: round trips', () => {
  const frames: ClientFrame[] = [
    { ...JOIN },
    { ...JOIN, uid: 0, role: 'audience', profile: 'live', token: '007abc' },
    { ...JOIN, resume: { sessionId: 's-1', secret: 'k-1', lastSeq: 0 } },
    { ...JOIN, token: '007xyz', resume: { sessionId: 's-2', secret: 'k-2', lastSeq: 17 } },
    { type: 'leave' },
    { type: 'ping', t: 1_700_000_000_000 },
    { type: 'ping', t: 12.5, ack: 3 },
    { type: 'set_role', id: 1, role: 'audience' },
    { type: 'set_role', id: 2, role: 'broadcaster' },
    { type: 'renew_token', id: 7, token: '007new' },
    { type: 'renew_token', id: 8, token: '' },
  ];
  for (const frame of frames) {
    it(`${frame.type} ${encodeFrame(frame)}`, () => {
      expect(decodeClientFrame(encodeFrame(frame))).toEqual({ ok: true, frame });
      expect(decodeClientFrame(bytes(encodeFrame(frame)))).toEqual({ ok: true, frame });
    });
  }

  it('leave drops any extra fields', () => {
    expect(decodeClientFrame('{"type":"leave","x":1,"y":[2]}')).toEqual({
      ok: true,
      frame: { type: 'leave' },
    });
  });

  it('checks only the shape of uid (range rules live in validation.ts)', () => {
    expect(decodeClientFrame(joinWith('uid', 1.5))).toEqual({ ok: true, frame: { ...JOIN, uid: 1.5 } });
    expect(decodeClientFrame(joinWith('uid', -1))).toEqual({ ok: true, frame: { ...JOIN, uid: -1 } });
  });
});

describe('decodeClientFrame: not a frame', () => {
  it.each(['', '{', 'not json', '{"type":"leave"', "{'type':'leave'}", '{"type":"leave"}}'])(
    'malformed JSON %j',
    (text) => {
      expect(decodeClientFrame(text)).toEqual(malformed('frame is not valid UTF-8 JSON'));
    },
  );

  it.each(['[]', '[{"type":"leave"}]', '42', 'null', 'true', '"leave"'])('non-object JSON %s', (text) => {
    expect(decodeClientFrame(text)).toEqual(malformed('frame must be a JSON object'));
  });

  it.each(['{}', '{"type":1}', '{"type":null}', '{"type":["leave"]}', '{"type":{}}', '{"Type":"leave"}'])(
    'missing or non-string type %s',
    (text) => {
      expect(decodeClientFrame(text)).toEqual(malformed('frame has no string "type"'));
    },
  );

  it('unknown type', () => {
    expect(decodeClientFrame('{"type":"hello"}')).toEqual({
      ok: false,
      code: 'unknown_frame_type',
      message: 'unknown frame type "hello"',
    });
    expect(decodeClientFrame('{"type":""}')).toEqual({
      ok: false,
      code: 'unknown_frame_type',
      message: 'unknown frame type ""',
    });
    // server frame types are not client frame types
    expect(decodeClientFrame('{"type":"pong","t":1}')).toMatchObject({
      ok: false,
      code: 'unknown_frame_type',
    });
    expect(decodeClientFrame('{"type":"Join"}')).toMatchObject({ ok: false, code: 'unknown_frame_type' });
  });

  it('unknown type is cut to 32 characters in the message', () => {
    const type = 'x'.repeat(40);
    expect(decodeClientFrame(JSON.stringify({ type }))).toEqual({
      ok: false,
      code: 'unknown_frame_type',
      message: `unknown frame type "${'x'.repeat(32)}"`,
    });
  });

  it('invalid UTF-8 bytes', () => {
    expect(decodeClientFrame(new Uint8Array([0x7b, 0xff, 0x7d]))).toEqual(
      malformed('frame is not valid UTF-8 JSON'),
    );
    // a lone continuation byte inside a string value
    const valid = bytes('{"type":"renew_token","id":1,"token":"ab"}');
    const broken = new Uint8Array(valid);
    broken[valid.length - 3] = 0x80;
    expect(decodeClientFrame(valid)).toMatchObject({ ok: true });
    expect(decodeClientFrame(broken)).toEqual(malformed('frame is not valid UTF-8 JSON'));
    // a truncated 3-byte sequence
    expect(decodeClientFrame(new Uint8Array([...bytes('{"type":"'), 0xe2, 0x82, ...bytes('"}')]))).toEqual(
      malformed('frame is not valid UTF-8 JSON'),
    );
  });
});

describe('decodeClientFrame: invalid fields', () => {
  const cases: [string, string, string][] = [
    // join
    ['join.v missing', joinWith('v', undefined), 'join.v must be an integer'],
    ['join.v float', joinWith('v', 1.5), 'join.v must be an integer'],
    ['join.v string', joinWith('v', '1'), 'join.v must be an integer'],
    ['join.v too big', joinWith('v', 2 ** 53), 'join.v must be an integer'],
    ['join.appId missing', joinWith('appId', undefined), 'join.appId must be a string'],
    ['join.appId number', joinWith('appId', 1), 'join.appId must be a string'],
    ['join.appId 257 chars', joinWith('appId', 'a'.repeat(257)), 'join.appId must be a string'],
    ['join.channel missing', joinWith('channel', undefined), 'join.channel must be a string'],
    ['join.channel null', joinWith('channel', null), 'join.channel must be a string'],
    ['join.channel 1025 chars', joinWith('channel', 'c'.repeat(1025)), 'join.channel must be a string'],
    ['join.uid missing', joinWith('uid', undefined), 'join.uid must be a number'],
    ['join.uid string', joinWith('uid', '42'), 'join.uid must be a number'],
    ['join.uid null', joinWith('uid', null), 'join.uid must be a number'],
    ['join.token number', joinWith('token', 7), 'join.token must be a string'],
    ['join.token null', joinWith('token', null), 'join.token must be a string'],
    ['join.token 4097 chars', joinWith('token', 't'.repeat(4097)), 'join.token must be a string'],
    ['join.role missing', joinWith('role', undefined), 'join.role must be "broadcaster" or "audience"'],
    ['join.role host', joinWith('role', 'host'), 'join.role must be "broadcaster" or "audience"'],
    ['join.role number', joinWith('role', 1), 'join.role must be "broadcaster" or "audience"'],
    [
      'join.profile missing',
      joinWith('profile', undefined),
      'join.profile must be "communication" or "live"',
    ],
    ['join.profile rtc', joinWith('profile', 'rtc'), 'join.profile must be "communication" or "live"'],
    ['join.profile number', joinWith('profile', 0), 'join.profile must be "communication" or "live"'],
    // ping
    ['ping.t missing', '{"type":"ping"}', 'ping.t must be a number'],
    ['ping.t string', '{"type":"ping","t":"1"}', 'ping.t must be a number'],
    ['ping.t null', '{"type":"ping","t":null}', 'ping.t must be a number'],
    ['ping.ack float', '{"type":"ping","t":1,"ack":1.5}', 'ping.ack must be an integer'],
    ['ping.ack string', '{"type":"ping","t":1,"ack":"1"}', 'ping.ack must be an integer'],
    ['ping.ack null', '{"type":"ping","t":1,"ack":null}', 'ping.ack must be an integer'],
    // set_role
    ['set_role.id missing', '{"type":"set_role","role":"audience"}', 'set_role.id must be an integer'],
    ['set_role.id float', '{"type":"set_role","id":1.5,"role":"audience"}', 'set_role.id must be an integer'],
    [
      'set_role.id string',
      '{"type":"set_role","id":"1","role":"audience"}',
      'set_role.id must be an integer',
    ],
    [
      'set_role.role missing',
      '{"type":"set_role","id":1}',
      'set_role.role must be "broadcaster" or "audience"',
    ],
    [
      'set_role.role host',
      '{"type":"set_role","id":1,"role":"host"}',
      'set_role.role must be "broadcaster" or "audience"',
    ],
    // renew_token
    ['renew_token.id missing', '{"type":"renew_token","token":"t"}', 'renew_token.id must be an integer'],
    [
      'renew_token.id float',
      '{"type":"renew_token","id":0.5,"token":"t"}',
      'renew_token.id must be an integer',
    ],
    ['renew_token.token missing', '{"type":"renew_token","id":1}', 'renew_token.token must be a string'],
    [
      'renew_token.token number',
      '{"type":"renew_token","id":1,"token":7}',
      'renew_token.token must be a string',
    ],
    [
      'renew_token.token 4097 chars',
      JSON.stringify({ type: 'renew_token', id: 1, token: 't'.repeat(4097) }),
      'renew_token.token must be a string',
    ],
  ];
  it.each(cases)('%s', (_name, text, message) => {
    expect(decodeClientFrame(text)).toEqual(malformed(message));
  });

  const resumeMessage =
    'join.resume must be { sessionId: string, secret: non-empty string, lastSeq: integer >= 0, media?: boolean }';
  it.each([
    ['null', null],
    ['a string', 's-1'],
    ['an array', ['s-1', 0]],
    ['without sessionId', { secret: 'k', lastSeq: 0 }],
    ['with a numeric sessionId', { sessionId: 1, secret: 'k', lastSeq: 0 }],
    ['with a 129-char sessionId', { sessionId: 's'.repeat(129), secret: 'k', lastSeq: 0 }],
    // Issue 16: a resume must present the session's secret.
    ['without secret', { sessionId: 's-1', lastSeq: 0 }],
    ['with an empty secret', { sessionId: 's-1', secret: '', lastSeq: 0 }],
    ['with a numeric secret', { sessionId: 's-1', secret: 7, lastSeq: 0 }],
    ['with a 129-char secret', { sessionId: 's-1', secret: 'k'.repeat(129), lastSeq: 0 }],
    ['without lastSeq', { sessionId: 's-1', secret: 'k' }],
    ['with lastSeq -1', { sessionId: 's-1', secret: 'k', lastSeq: -1 }],
    ['with lastSeq 1.5', { sessionId: 's-1', secret: 'k', lastSeq: 1.5 }],
    ['with lastSeq "3"', { sessionId: 's-1', secret: 'k', lastSeq: '3' }],
    ['with media "yes"', { sessionId: 's-1', secret: 'k', lastSeq: 0, media: 'yes' }],
    ['with media 1', { sessionId: 's-1', secret: 'k', lastSeq: 0, media: 1 }],
  ])('join.resume %s', (_name, resume) => {
    expect(decodeClientFrame(joinWith('resume', resume))).toEqual(malformed(resumeMessage));
  });

  it.each([true, false])('accepts join.resume.media %s', (media) => {
    const frame = { ...JOIN, resume: { sessionId: 's-1', secret: 'k', lastSeq: 3, media } };
    expect(decodeClientFrame(JSON.stringify(frame))).toEqual({ ok: true, frame });
  });

  it('accepts the longest allowed strings', () => {
    const frame = {
      ...JOIN,
      appId: 'a'.repeat(256),
      channel: 'c'.repeat(1024),
      token: 't'.repeat(4096),
      resume: { sessionId: 's'.repeat(128), secret: 'k'.repeat(128), lastSeq: 0 },
    };
    expect(decodeClientFrame(JSON.stringify(frame))).toEqual({ ok: true, frame });
  });
});

describe('decodeClientFrame: size limit', () => {
  const pingOfLength = (n: number): string => {
    const head = '{"type":"ping","t":1,"pad":"';
    return `${head}${'p'.repeat(n - head.length - 2)}"}`;
  };

  it('accepts exactly the limit and refuses one byte more (string)', () => {
    const atLimit = pingOfLength(8192);
    expect(atLimit.length).toBe(8192);
    expect(decodeClientFrame(atLimit)).toMatchObject({ ok: true, frame: { type: 'ping', t: 1 } });
    expect(decodeClientFrame(pingOfLength(8193))).toEqual(tooLarge(8193, 8192));
  });

  it('accepts exactly the limit and refuses one byte more (Uint8Array)', () => {
    expect(decodeClientFrame(bytes(pingOfLength(8192)))).toMatchObject({ ok: true });
    expect(decodeClientFrame(bytes(pingOfLength(8193)))).toEqual(tooLarge(8193, 8192));
    expect(decodeClientFrame(new Uint8Array(100_000))).toEqual(tooLarge(100_000, 8192));
  });

  it('refuses before parsing: even garbage gets frame_too_large', () => {
    expect(decodeClientFrame('x'.repeat(8193))).toEqual(tooLarge(8193, 8192));
  });

  it('counts UTF-8 bytes, not characters', () => {
    // 3000 × '€' (3 bytes each): 3030 characters but 9030 bytes
    const euro = `{"type":"ping","t":1,"pad":"${'€'.repeat(3000)}"}`;
    expect(euro.length).toBe(3030);
    expect(decodeClientFrame(euro)).toEqual(tooLarge(9030, 8192));
    expect(decodeClientFrame(bytes(euro))).toEqual(tooLarge(9030, 8192));

    // 2100 × '😀' (2 UTF-16 units, 4 bytes each): 4230 characters but 8430 bytes
    const emoji = `{"type":"ping","t":1,"pad":"${'😀'.repeat(2100)}"}`;
    expect(emoji.length).toBe(4230);
    expect(decodeClientFrame(emoji)).toEqual(tooLarge(8430, 8192));

    // 1500 × '😀': 3030 characters, 6030 bytes — measured exactly and accepted
    const smallEmoji = `{"type":"ping","t":1,"pad":"${'😀'.repeat(1500)}"}`;
    expect(decodeClientFrame(smallEmoji)).toMatchObject({ ok: true, frame: { type: 'ping', t: 1 } });
  });

  it('honours a custom limit', () => {
    expect(decodeClientFrame('{"type":"leave"}', 16)).toEqual({ ok: true, frame: { type: 'leave' } });
    expect(decodeClientFrame('{"type":"leave"} ', 16)).toEqual(tooLarge(17, 16));
    expect(decodeClientFrame(bytes('{"type":"leave"} '), 16)).toEqual(tooLarge(17, 16));
    // 'é' is 2 bytes: 16 characters, 17 bytes
    expect(decodeClientFrame('{"type":"leavé"}', 16)).toEqual(tooLarge(17, 16));
  });
});
