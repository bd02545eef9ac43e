import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseAccessToken2, verifyAccessToken2 } from './access-token2.js';
import {
  APP_ID,
  agora,
  CERT,
  CHANNEL,
  expectFor,
  ISSUE_TS,
  inflate,
  OTHER_CERT,
  ours,
  reencode,
  UID,
} from './access-token2.test-support.js';
import { ByteWriter } from './bytes.js';

/** Why verifyAccessToken2 refuses a well-formed token, and in which order it checks. */

const OTHER_APP = 'fedcba9876543210fedcba9876543210';

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
