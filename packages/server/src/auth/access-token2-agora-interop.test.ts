import { randomBytes } from 'node:crypto';
import agoraToken from 'agora-token';
import { describe, expect, it } from 'vitest';
import { parseAccessToken2, verifyAccessToken2 } from './access-token2.js';
import {
  APP_ID,
  agora,
  CERT,
  CHANNEL,
  expectFor,
  ISSUE_TS,
  now,
  OTHER_CERT,
  ours,
  UID,
} from './access-token2.test-support.js';

/** AccessToken2 interoperability with agora-token, both ways. */

const { RtcTokenBuilder, RtcRole } = agoraToken;

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
