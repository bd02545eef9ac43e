import { createHmac, randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { deflateSync, inflateSync } from 'node:zlib';
import agoraToken from 'agora-token';
import { describe, expect, it } from 'vitest';
import {
  AccessTokenError,
  buildAccessToken2,
  MAX_ACCESS_TOKEN2_LENGTH,
  parseAccessToken2,
  verifyAccessToken2,
} from './access-token2.js';
import { ByteWriter } from './bytes.js';

const { RtcTokenBuilder, RtcRole } = agoraToken;

// agora-token's low-level AccessToken2 module ships without typings; describe the parts we use.
interface AgoraService {
  __channel_name: string;
  __uid: string;
  __privileges: Record<number, number>;
  add_privilege(privilege: number, expire: number): void;
}
interface AgoraAccessToken2 {
  appId: string;
  issueTs: number;
  expire: number;
  salt: number;
  from_string(token: string): boolean;
  verifySignature(appCertificate: string): boolean;
  getServices(type: number): AgoraService[];
  add_service(service: AgoraService): void;
  build(): string;
  __signing(appCertificate: string): Buffer;
}
const agora = createRequire(import.meta.url)('agora-token/src/AccessToken2.js') as {
  AccessToken2: new (appId?: string, cert?: string, issueTs?: number, expire?: number) => AgoraAccessToken2;
  ServiceRtc: new (channelName: string, uid: number | string) => AgoraService;
  kRtcServiceType: number;
};

const APP_ID = '970CA35de60c44645bbae8a215061b33';
const CERT = '5CFd2fd1755d40ecb72977518be15d3b';
const OTHER_CERT = '0123456789abcdef0123456789abcdef';
const OTHER_APP = 'fedcba9876543210fedcba9876543210';
const CHANNEL = '7d72365eb983485397e3e3f9d460bdda';
const UID = 2882341273;
const ISSUE_TS = 1_700_000_000;

const now = () => Math.floor(Date.now() / 1000);
const expectFor = (overrides: Partial<Parameters<typeof verifyAccessToken2>[1]> = {}) => ({
  appId: APP_ID,
  appCertificate: CERT,
  channelName: CHANNEL,
  uid: UID,
  nowSeconds: now(),
  ...overrides,
});
const ours = (overrides: Partial<Parameters<typeof buildAccessToken2>[0]> = {}) =>
  buildAccessToken2({
    appId: APP_ID,
    appCertificate: CERT,
    channelName: CHANNEL,
    uid: UID,
    tokenExpireSeconds: 3600,
    issueTs: ISSUE_TS,
    salt: 12345678,
    ...overrides,
  });
const inflate = (token: string) => inflateSync(Buffer.from(token.slice(3), 'base64'));
const reencode = (content: Buffer) => `007${deflateSync(content).toString('base64')}`;
const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (err) {
    if (err instanceof AccessTokenError) return err.code;
    throw err;
  }
  return undefined;
};

describe('tokens built by agora-token verify with ours', () => {
  it('buildTokenWithUid publisher grants all four privileges', () => {
    const token = RtcTokenBuilder.buildTokenWithUid(APP_ID, CERT, CHANNEL, UID, RtcRole.PUBLISHER, 3600, 600);
    const { issueTs } = parseAccessToken2(token);
    expect(Math.abs(issueTs - now())).toBeLessThanOrEqual(2);
    const r = verifyAccessToken2(token, expectFor({ nowSeconds: issueTs }));
    expect(r).toEqual({
      ok: true,
      tokenExpiresAt: issueTs + 3600,
      joinExpiresAt: issueTs + 600,
      privileges: {
        join: issueTs + 600,
        publishAudio: issueTs + 600,
        publishVideo: issueTs + 600,
        publishData: issueTs + 600,
      },
    });
  });

  it('buildTokenWithUid subscriber grants join only', () => {
    const token = RtcTokenBuilder.buildTokenWithUid(
      APP_ID,
      CERT,
      CHANNEL,
      UID,
      RtcRole.SUBSCRIBER,
      3600,
      3600,
    );
    const r = verifyAccessToken2(token, expectFor());
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.privileges.join).toBe(r.tokenExpiresAt);
    expect(r.privileges.publishAudio).toBeUndefined();
    expect(r.privileges.publishVideo).toBeUndefined();
    expect(r.privileges.publishData).toBeUndefined();
  });

  it.each([
    ['publisher', RtcRole.PUBLISHER, 4],
    ['subscriber', RtcRole.SUBSCRIBER, 1],
  ])('buildTokenWithUserAccount %s verifies against the account string', (_name, role, granted) => {
    const account = 'alice@example.com ☃';
    const token = RtcTokenBuilder.buildTokenWithUserAccount(APP_ID, CERT, 'канал 1', account, role, 600, 600);
    const r = verifyAccessToken2(token, expectFor({ channelName: 'канал 1', uid: account }));
    expect(r.ok).toBe(true);
    if (r.ok) expect(Object.values(r.privileges).filter((v) => v !== undefined)).toHaveLength(granted);
    expect(verifyAccessToken2(token, expectFor({ channelName: 'канал 1', uid: 'bob' }))).toMatchObject({
      ok: false,
      code: 'wrong_uid',
    });
  });

  it('uid 0 is a wildcard', () => {
    const token = RtcTokenBuilder.buildTokenWithUid(APP_ID, CERT, CHANNEL, 0, RtcRole.PUBLISHER, 600, 600);
    expect(parseAccessToken2(token).services[0]).toMatchObject({ kind: 'rtc', uid: '' });
    for (const uid of [0, 1, UID, 'some-account']) {
      expect(verifyAccessToken2(token, expectFor({ uid })).ok).toBe(true);
    }
  });

  it('privilegeExpire 0 (agora default) lasts until the token expires', () => {
    const token = RtcTokenBuilder.buildTokenWithUid(APP_ID, CERT, CHANNEL, UID, RtcRole.PUBLISHER, 600, 0);
    const r = verifyAccessToken2(token, expectFor());
    expect(r.ok && r.joinExpiresAt === r.tokenExpiresAt).toBe(true);
  });

  it('a privilege longer than the token is clamped to the token expiry', () => {
    const token = RtcTokenBuilder.buildTokenWithUid(APP_ID, CERT, CHANNEL, UID, RtcRole.PUBLISHER, 60, 86400);
    const r = verifyAccessToken2(token, expectFor());
    expect(
      r.ok && r.joinExpiresAt === r.tokenExpiresAt && r.privileges.publishData === r.tokenExpiresAt,
    ).toBe(true);
  });

  it('RTC + RTM token: the RTM service is skipped over', () => {
    const token = RtcTokenBuilder.buildTokenWithRtm(
      APP_ID,
      CERT,
      CHANNEL,
      String(UID),
      RtcRole.PUBLISHER,
      600,
      600,
    );
    const parsed = parseAccessToken2(token);
    expect(parsed.services.map((s) => s.type)).toEqual([1, 2]);
    expect(verifyAccessToken2(token, expectFor()).ok).toBe(true);
  });
});

describe('tokens built by ours are read by agora-token', () => {
  it.each(['publisher', 'subscriber'] as const)(
    '%s token parses with matching fields and signature',
    (role) => {
      const token = ours({ role, tokenExpireSeconds: 7200, privilegeExpireSeconds: 900 });
      const at = new agora.AccessToken2();
      expect(at.from_string(token)).toBe(true);
      expect(at.appId.toString()).toBe(APP_ID);
      expect(at.issueTs).toBe(ISSUE_TS);
      expect(at.expire).toBe(7200);
      expect(at.salt).toBe(12345678);
      const [rtc, ...rest] = at.getServices(agora.kRtcServiceType);
      expect(rest).toHaveLength(0);
      expect(rtc?.__channel_name.toString()).toBe(CHANNEL);
      expect(rtc?.__uid.toString()).toBe(String(UID));
      expect(rtc?.__privileges).toEqual(
        role === 'publisher' ? { 1: 900, 2: 900, 3: 900, 4: 900 } : { 1: 900 },
      );
      expect(at.verifySignature(CERT)).toBe(true);
      expect(at.verifySignature(OTHER_CERT)).toBe(false);
    },
  );

  it('is byte-identical to agora-token given the same issueTs and salt', () => {
    for (const uid of [UID, 0, 'user-account']) {
      const at = new agora.AccessToken2(APP_ID, CERT, ISSUE_TS, 3600);
      at.salt = 12345678;
      const svc = new agora.ServiceRtc(CHANNEL, uid);
      for (const p of [1, 2, 3, 4]) svc.add_privilege(p, 1800);
      at.add_service(svc);
      expect(ours({ uid, privilegeExpireSeconds: 1800 })).toBe(at.build());
    }
  });

  it('defaults: privilege expire = token expire, random salt in range, issueTs = now', () => {
    const p = parseAccessToken2(ours({ issueTs: undefined, salt: undefined }));
    expect(Math.abs(p.issueTs - now())).toBeLessThanOrEqual(2);
    expect(p.salt).toBeGreaterThanOrEqual(1);
    expect(p.salt).toBeLessThanOrEqual(99_999_999);
    expect(p.services[0]?.privileges).toEqual(new Map([1, 2, 3, 4].map((k) => [k, 3600])));
  });

  it('rejects invalid build options', () => {
    expect(() => ours({ appId: 'not-hex' })).toThrow(TypeError);
    expect(() => ours({ appCertificate: CERT.slice(1) })).toThrow(TypeError);
    expect(() => ours({ uid: -1 })).toThrow(RangeError);
    expect(() => ours({ uid: 2 ** 32 })).toThrow(RangeError);
    expect(() => ours({ tokenExpireSeconds: 1.5 })).toThrow(RangeError);
    // Too long to be parsed back (incompressible), and too long for a u16 length prefix.
    expect(() => ours({ channelName: randomBytes(2000).toString('hex') })).toThrow(RangeError);
    expect(() => ours({ channelName: 'x'.repeat(70_000) })).toThrow(RangeError);
  });
});

describe('verify failures', () => {
  const token = ours({ tokenExpireSeconds: 3600, privilegeExpireSeconds: 60 });
  const at = (nowSeconds: number) => expectFor({ nowSeconds });

  it('accepts the token inside its window', () => {
    expect(verifyAccessToken2(token, at(ISSUE_TS)).ok).toBe(true);
    expect(verifyAccessToken2(token, at(ISSUE_TS + 59))).toMatchObject({
      ok: true,
      joinExpiresAt: ISSUE_TS + 60,
    });
  });

  it.each([
    ['wrong certificate', { appCertificate: OTHER_CERT }, 'invalid_signature'],
    ['wrong app', { appId: OTHER_APP }, 'wrong_app'],
    ['wrong channel', { channelName: 'other' }, 'wrong_channel'],
    ['wrong uid', { uid: UID + 1 }, 'wrong_uid'],
    ['uid 0 against a specific-uid token', { uid: 0 }, 'wrong_uid'],
    ['expired join privilege', { nowSeconds: ISSUE_TS + 60 }, 'expired'],
    ['expired token', { nowSeconds: ISSUE_TS + 3600 }, 'expired'],
  ] as const)('%s', (_name, overrides, code) => {
    expect(verifyAccessToken2(token, expectFor({ nowSeconds: ISSUE_TS, ...overrides }))).toMatchObject({
      ok: false,
      code,
    });
  });

  it('app id comparison ignores hex case', () => {
    expect(
      verifyAccessToken2(token, expectFor({ appId: APP_ID.toLowerCase(), nowSeconds: ISSUE_TS })).ok,
    ).toBe(true);
  });

  it('check order: signature before channel, channel before uid, uid before expiry', () => {
    const check = (o: Partial<ReturnType<typeof expectFor>>) =>
      verifyAccessToken2(token, expectFor({ nowSeconds: ISSUE_TS + 99999, ...o }));
    expect(check({ appCertificate: OTHER_CERT, channelName: 'x', uid: 1 })).toMatchObject({
      code: 'invalid_signature',
    });
    expect(check({ channelName: 'x', uid: 1 })).toMatchObject({ code: 'wrong_channel' });
    expect(check({ uid: 1 })).toMatchObject({ code: 'wrong_uid' });
    expect(check({})).toMatchObject({ code: 'expired' });
  });

  it('tampered signing info fails the signature', () => {
    const content = inflate(token);
    const at = content.indexOf(Buffer.from(CHANNEL));
    content[at] = 'X'.charCodeAt(0);
    const tampered = reencode(content);
    expect(verifyAccessToken2(tampered, expectFor({ nowSeconds: ISSUE_TS }))).toMatchObject({
      code: 'invalid_signature',
    });
  });

  it('a signed token without an RTC service or without join', () => {
    // Hand-made signing info, signed with agora-token's own key derivation (an independent oracle).
    const signed = (count: number, services: (w: ByteWriter) => ByteWriter) => {
      const signingInfo = services(new ByteWriter().string(APP_ID).u32(ISSUE_TS).u32(3600).u32(7).u16(count));
      const probe = new agora.AccessToken2(APP_ID, CERT, ISSUE_TS, 3600);
      probe.salt = 7;
      const info = signingInfo.toBuffer();
      const sig = createHmac('sha256', probe.__signing(CERT)).update(info).digest();
      return reencode(Buffer.concat([new ByteWriter().bytes(sig).toBuffer(), info]));
    };
    const fpaOnly = signed(1, (w) => w.u16(4).u16(1).u16(1).u32(3600));
    expect(verifyAccessToken2(fpaOnly, expectFor({ nowSeconds: ISSUE_TS }))).toMatchObject({
      code: 'no_rtc_service',
    });
    const noJoin = signed(1, (w) => w.u16(1).u16(1).u16(2).u32(3600).string(CHANNEL).string(String(UID)));
    expect(verifyAccessToken2(noJoin, expectFor({ nowSeconds: ISSUE_TS }))).toMatchObject({
      code: 'no_join_privilege',
    });
    // RTC followed by a service type nobody knows: parsing stops there, the signature still holds.
    const unknownTail = signed(2, (w) =>
      w.u16(1).u16(1).u16(1).u32(0).string(CHANNEL).string('').u16(99).u32(0xdeadbeef),
    );
    expect(parseAccessToken2(unknownTail).services).toHaveLength(1);
    expect(verifyAccessToken2(unknownTail, expectFor({ nowSeconds: ISSUE_TS }))).toMatchObject({
      ok: true,
      joinExpiresAt: ISSUE_TS + 3600,
    });
  });
});

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
