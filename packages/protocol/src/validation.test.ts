import { describe, expect, it } from 'vitest';
import {
  channelNameProblem,
  isHex32,
  isValidAppId,
  isValidChannelName,
  isValidUid,
  MAX_CHANNEL_NAME_BYTES,
  MAX_UID,
} from './validation.js';

// API-FACTS §3.1: the 26 symbols, written out one by one.
const SYMBOLS = [
  '!',
  '#',
  '$',
  '%',
  '&',
  '(',
  ')',
  '+',
  '-',
  ':',
  ';',
  '<',
  '=',
  '.',
  '>',
  '?',
  '@',
  '[',
  ']',
  '^',
  '_',
  '{',
  '}',
  '|',
  '~',
  ',',
];
const LETTERS_DIGITS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

describe('channel names', () => {
  it('limits are 64 bytes', () => {
    expect(MAX_CHANNEL_NAME_BYTES).toBe(64);
  });

  it('the allowed set has 89 characters', () => {
    expect(SYMBOLS.length).toBe(26);
    expect(new Set(SYMBOLS).size).toBe(26);
    expect(LETTERS_DIGITS.length + 1 + SYMBOLS.length).toBe(89);
  });

  it.each(SYMBOLS)('allows the symbol %s alone and inside a name', (symbol) => {
    expect(channelNameProblem(symbol)).toBeUndefined();
    expect(channelNameProblem(`a${symbol}b`)).toBeUndefined();
    expect(isValidChannelName(`${symbol}${symbol}`)).toBe(true);
  });

  it('allows every letter, digit and the space', () => {
    for (const c of LETTERS_DIGITS) expect(isValidChannelName(c), c).toBe(true);
    expect(isValidChannelName(' ')).toBe(true);
    expect(isValidChannelName('room 1')).toBe(true);
    expect(isValidChannelName(LETTERS_DIGITS.slice(0, 62))).toBe(true);
    expect(isValidChannelName(SYMBOLS.join(''))).toBe(true);
  });

  it('allows exactly the 89 characters among all of ASCII', () => {
    const allowed = new Set([...LETTERS_DIGITS, ' ', ...SYMBOLS]);
    const accepted: string[] = [];
    for (let code = 0; code < 128; code++) {
      const c = String.fromCharCode(code);
      const problem = channelNameProblem(c);
      if (problem === undefined) accepted.push(c);
      else expect(problem, `U+${code.toString(16)}`).toBe('bad_character');
    }
    expect(accepted.length).toBe(89);
    expect(new Set(accepted)).toEqual(allowed);
  });

  it.each([
    ['*', '*'],
    ['/', 'a/b'],
    ['backslash', 'a\\b'],
    ['quote', "it's"],
    ['double quote', 'say "hi"'],
    ['backtick', 'a`b'],
    ['é', 'café'],
    ['emoji', 'room😀'],
    ['tab', 'a\tb'],
    ['newline', 'a\nb'],
    ['NUL', 'a\u0000b'],
    ['DEL', 'a\u007fb'],
    ['non-breaking space', 'a\u00a0b'],
    ['full-width letter', 'ａ'],
  ])('refuses %s', (_name, name) => {
    expect(channelNameProblem(name)).toBe('bad_character');
    expect(isValidChannelName(name)).toBe(false);
  });

  it('refuses the empty name', () => {
    expect(channelNameProblem('')).toBe('empty');
    expect(isValidChannelName('')).toBe(false);
  });

  it('allows 64 characters and refuses 65', () => {
    expect(channelNameProblem('a'.repeat(64))).toBeUndefined();
    expect(channelNameProblem('~'.repeat(64))).toBeUndefined();
    expect(channelNameProblem('a'.repeat(65))).toBe('too_long');
    expect(isValidChannelName('a'.repeat(65))).toBe(false);
    expect(channelNameProblem('a'.repeat(1000))).toBe('too_long');
  });

  it('refuses non-ASCII names of any length (never more than 64 bytes once valid)', () => {
    expect(channelNameProblem('é'.repeat(40))).toBe('bad_character'); // 40 chars, 80 bytes
    expect(channelNameProblem('é'.repeat(65))).toBe('too_long');
  });

  it.each([undefined, null, 42, ['room'], { name: 'room' }])('refuses a non-string %j', (value) => {
    expect(channelNameProblem(value)).toBe('not_a_string');
    expect(isValidChannelName(value)).toBe(false);
  });
});

describe('uids', () => {
  it('MAX_UID is 2^32-1', () => {
    expect(MAX_UID).toBe(4_294_967_295);
  });

  it.each([0, 1, 2 ** 31, 2 ** 32 - 1])('accepts %d', (uid) => {
    expect(isValidUid(uid)).toBe(true);
  });

  it.each([-1, 2 ** 32, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '1', null, undefined, 1n, [1]])(
    'refuses %s',
    (uid) => {
      expect(isValidUid(uid)).toBe(false);
    },
  );
});

describe('app ids', () => {
  it.each(['a', 'A', '0', '_', '-', 'my-app_01', 'a'.repeat(64), '0123456789abcdef0123456789ABCDEF'])(
    'accepts %j',
    (appId) => {
      expect(isValidAppId(appId)).toBe(true);
    },
  );

  it.each(['', 'a'.repeat(65), 'my app', 'a.b', 'a/b', 'a:b', 'café', 'a\n', ' a'])('refuses %j', (appId) => {
    expect(isValidAppId(appId)).toBe(false);
  });

  it.each([1, null, undefined, ['a']])('refuses the non-string %j', (appId) => {
    expect(isValidAppId(appId)).toBe(false);
  });
});

describe('isHex32', () => {
  it('accepts 32 hex characters in either case', () => {
    expect(isHex32('0123456789abcdef0123456789abcdef')).toBe(true);
    expect(isHex32('0123456789ABCDEF0123456789ABCDEF')).toBe(true);
    expect(isHex32('0123456789aBcDeF0123456789AbCdEf')).toBe(true);
  });

  it('refuses other lengths, non-hex characters and non-strings', () => {
    expect(isHex32('0123456789abcdef0123456789abcde')).toBe(false); // 31
    expect(isHex32('0123456789abcdef0123456789abcdef0')).toBe(false); // 33
    expect(isHex32('0123456789abcdef0123456789abcdeg')).toBe(false);
    expect(isHex32('0123456789abcdef-123456789abcdef')).toBe(false);
    expect(isHex32('0123456789abcdef0123456789abcdef\n')).toBe(false);
    expect(isHex32('')).toBe(false);
    expect(isHex32(0x1234)).toBe(false);
    expect(isHex32(undefined)).toBe(false);
  });
});
