import { describe, expect, it } from 'vitest';
import {
  AccessTokenError,
  MAX_ACCESS_TOKEN2_LENGTH,
  parseAccessToken2,
  verifyAccessToken2,
} from './access-token2.js';
import { APP_ID, expectFor, ISSUE_TS, inflate, ours, reencode, UID } from './access-token2.test-support.js';
import { ByteWriter } from './bytes.js';

/** Malformed AccessToken2 input: parse throws an AccessTokenError with a code, verify never throws. */

const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (err) {
    if (err instanceof AccessTokenError) return err.code;
    throw err;
  }
  return undefined;
};

describe('malformed input never throws from verify', () => {
  const token = ours();
  const cases: Array<[string, string, string]> = [
    ['empty', '', 'wrong_version'],
    ['prefix only', '007', 'bad_base64'],
    ['006 token', `006${token.slice(3)}`, 'wrong_version'],
    ['garbage', 'hello world', 'wrong_version'],
    ['bad base64 chars', '007!!!!', 'bad_base64'],
    ['url-safe base64', `007${token.slice(3).replaceAll('+', '-').replaceAll('/', '_')}-_`, 'bad_base64'],
    ['unpadded base64', '007abc', 'bad_base64'],
    ['not zlib', `007${Buffer.from('definitely not zlib').toString('base64')}`, 'bad_zlib'],
    ['empty content', reencode(Buffer.alloc(0)), 'malformed'],
    ['huge string', `007${'A'.repeat(1_000_000)}`, 'too_long'],
    ['zip bomb', reencode(Buffer.alloc(1_000_000)), 'bad_zlib'],
    ['absurd signature length', reencode(Buffer.from([0xff, 0xff, 1, 2, 3])), 'malformed'],
    [
      'absurd service count',
      reencode(
        new ByteWriter().bytes(Buffer.alloc(32)).string(APP_ID).u32(1).u32(1).u32(1).u16(65535).toBuffer(),
      ),
      'malformed',
    ],
    [
      'absurd privilege count',
      reencode(
        new ByteWriter()
          .bytes(Buffer.alloc(32))
          .string(APP_ID)
          .u32(1)
          .u32(1)
          .u32(1)
          .u16(1)
          .u16(1)
          .u16(65535)
          .toBuffer(),
      ),
      'malformed',
    ],
    [
      'invalid UTF-8 app id',
      reencode(
        new ByteWriter()
          .bytes(Buffer.alloc(32))
          .bytes(Buffer.from([0xff, 0xfe]))
          .toBuffer(),
      ),
      'malformed',
    ],
  ];

  it.each(cases)('%s', (_name, input, code) => {
    expect(codeOf(() => parseAccessToken2(input))).toBe(code);
    expect(verifyAccessToken2(input, expectFor())).toMatchObject({ ok: false, code: 'malformed' });
  });

  it('the zip bomb really is small enough to pass the length limit', () => {
    expect(reencode(Buffer.alloc(1_000_000)).length).toBeLessThan(MAX_ACCESS_TOKEN2_LENGTH);
  });

  it('non-string input', () => {
    expect(codeOf(() => parseAccessToken2(42 as unknown as string))).toBe('malformed');
  });

  it('every truncation of the token string is rejected', () => {
    for (let n = 0; n < token.length; n++) {
      expect(verifyAccessToken2(token.slice(0, n), expectFor({ nowSeconds: ISSUE_TS })).ok).toBe(false);
    }
  });

  it.each([UID, 0])('every truncation of the inflated payload is malformed (uid %s)', (uid) => {
    const content = inflate(ours({ uid }));
    for (let n = 0; n < content.length; n++) {
      expect(codeOf(() => parseAccessToken2(reencode(content.subarray(0, n))))).toBe('malformed');
    }
  });

  it('AccessTokenError is an Error with a code', () => {
    try {
      parseAccessToken2('x');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(Error);
      expect(err).toBeInstanceOf(AccessTokenError);
      expect((err as AccessTokenError).code).toBe('wrong_version');
    }
  });

  it('a misconfigured expectation throws', () => {
    expect(() => verifyAccessToken2(token, expectFor({ appCertificate: 'short' }))).toThrow(TypeError);
  });
});
