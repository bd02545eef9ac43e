// Agora-compatible AccessToken2 ("007...") tokens: build, parse, verify (API-FACTS §3.2).
//
//   token        = "007" + base64(deflate(packBytes(signature) + signing_info))
//   signing_info = packString(appId) u32 issueTs u32 expire u32 salt u16 serviceCount service*
//   RTC service  = u16 type(1) u16 n (u16 privilege u32 expire)*n packString(channelName) packString(uid)
//   signature    = HMAC(key=HMAC(key=u32le(salt), HMAC(key=u32le(issueTs), appCertificate)), signing_info)
//
// Expiry semantics (checked against the agora-token builders, which store their arguments verbatim):
// - `expire` and every privilege value are durations in seconds relative to `issueTs`, not timestamps.
// - Agora documents that a privilege "is limited by the token expiration time", so a privilege's
//   effective deadline is min(issueTs + value, issueTs + expire).
// - A privilege value of 0 is what the agora-token builders write when privilegeExpire is omitted
//   (their default is 0). Read literally it would make such tokens unusable from the start, and in the
//   older 006 format 0 meant "no privilege expiry", so we treat 0 as "not set": the privilege lasts
//   until the token expires. The token `expire` itself has no such exception: 0 means already expired.
// - A deadline is exclusive: a token with expiresAt T is valid while now < T.
import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';
import { deflateSync, inflateSync } from 'node:zlib';
import { ByteReadError, ByteReader, ByteWriter } from './bytes.js';

export const ACCESS_TOKEN2_VERSION = '007';
/** Longer inputs are rejected before any decoding. Real RTC tokens are ~150-300 chars. */
export const MAX_ACCESS_TOKEN2_LENGTH = 2048;
/** Cap on the inflated payload, so a small token cannot be a zip bomb. */
const MAX_INFLATED_BYTES = 16 * 1024;

export const SERVICE_TYPE_RTC = 1;
export const RTC_PRIVILEGES = { join: 1, publishAudio: 2, publishVideo: 3, publishData: 4 } as const;
export type RtcPrivilegeName = keyof typeof RTC_PRIVILEGES;

export type AccessTokenErrorCode = 'malformed' | 'wrong_version' | 'too_long' | 'bad_base64' | 'bad_zlib';

export class AccessTokenError extends Error {
  override readonly name = 'AccessTokenError';
  constructor(
    readonly code: AccessTokenErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export interface ParsedRtcService {
  kind: 'rtc';
  type: typeof SERVICE_TYPE_RTC;
  /** privilege id → expire (seconds after issueTs; 0 = not set) */
  privileges: Map<number, number>;
  channelName: string;
  /** Decimal uid, a user account, or '' (uid 0: any uid may join). */
  uid: string;
}

export interface ParsedOtherService {
  kind: 'other';
  type: number;
  privileges: Map<number, number>;
}

export interface ParsedAccessToken2 {
  signature: Buffer;
  /** The signed bytes, exactly as they appear in the token. */
  signingInfo: Buffer;
  appId: string;
  issueTs: number;
  /** Token lifetime in seconds after issueTs. */
  expire: number;
  salt: number;
  serviceCount: number;
  /** Decoded services in token order. Decoding stops at the first unknown service type (its layout is
   *  unknown), so this may be shorter than serviceCount; the signature still covers every byte. */
  services: Array<ParsedRtcService | ParsedOtherService>;
}

// Layout after the privileges map for every service type agora-token knows (RTC is decoded separately).
type Field = 'string' | 'u16' | 'rtm2Permissions';
const SERVICE_TAILS: Readonly<Record<number, readonly Field[]>> = {
  1: ['string', 'string'], // Rtc: channelName, uid
  2: ['string'], // Rtm: userId
  3: ['string', 'string'], // Streaming: channelName, account
  4: [], // Fpa
  5: ['string'], // Chat: userId
  6: ['string', 'string'], // FCdn: channelName, account
  7: ['string', 'string', 'u16'], // Apaas: roomUuid, userUuid, role
  8: ['string', 'rtm2Permissions'], // Rtm2: userId, permissions
  9: [], // ConvoAI
  10: [], // Stt
};

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const HEX32 = /^[0-9a-fA-F]{32}$/;

export function parseAccessToken2(token: string): ParsedAccessToken2 {
  if (typeof token !== 'string') throw new AccessTokenError('malformed', 'token is not a string');
  if (token.length > MAX_ACCESS_TOKEN2_LENGTH) {
    throw new AccessTokenError('too_long', `token longer than ${MAX_ACCESS_TOKEN2_LENGTH} characters`);
  }
  if (!token.startsWith(ACCESS_TOKEN2_VERSION)) {
    throw new AccessTokenError('wrong_version', `token does not start with "${ACCESS_TOKEN2_VERSION}"`);
  }
  const body = token.slice(ACCESS_TOKEN2_VERSION.length);
  if (body.length === 0 || body.length % 4 !== 0 || !BASE64.test(body)) {
    throw new AccessTokenError('bad_base64', 'token body is not padded standard base64');
  }
  let content: Buffer;
  try {
    content = inflateSync(Buffer.from(body, 'base64'), { maxOutputLength: MAX_INFLATED_BYTES });
  } catch (err) {
    throw new AccessTokenError('bad_zlib', `token body does not inflate: ${(err as Error).message}`);
  }
  try {
    return decodeContent(content);
  } catch (err) {
    if (err instanceof ByteReadError) throw new AccessTokenError('malformed', err.message);
    throw err;
  }
}

function decodeContent(content: Buffer): ParsedAccessToken2 {
  const r = new ByteReader(content);
  const signature = Buffer.from(r.bytes());
  const signingInfo = Buffer.from(content.subarray(r.offset));
  const appId = r.string();
  const issueTs = r.u32();
  const expire = r.u32();
  const salt = r.u32();
  const serviceCount = r.u16();
  const services: ParsedAccessToken2['services'] = [];
  for (let i = 0; i < serviceCount; i++) {
    const type = r.u16();
    const tail = SERVICE_TAILS[type];
    if (tail === undefined) break;
    const privileges = new Map<number, number>();
    for (let n = r.u16(); n > 0; n--) privileges.set(r.u16(), r.u32());
    if (type === SERVICE_TYPE_RTC) {
      services.push({ kind: 'rtc', type, privileges, channelName: r.string(), uid: r.string() });
      continue;
    }
    for (const field of tail) skipField(r, field);
    services.push({ kind: 'other', type, privileges });
  }
  // Trailing bytes are tolerated (as agora-token does): they are signed, so they cannot be forged.
  return { signature, signingInfo, appId, issueTs, expire, salt, serviceCount, services };
}

function skipField(r: ByteReader, field: Field): void {
  if (field === 'string') r.bytes();
  else if (field === 'u16') r.u16();
  else {
    // resourceType → permissionType → resources[]; every loop consumes input, so it is bounded.
    for (let types = r.u16(); types > 0; types--) {
      r.u16();
      for (let perms = r.u16(); perms > 0; perms--) {
        r.u16();
        for (let res = r.u16(); res > 0; res--) r.bytes();
      }
    }
  }
}

function hmac(key: Buffer, message: Buffer | string): Buffer {
  return createHmac('sha256', key).update(message).digest();
}

function u32le(value: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(value);
  return b;
}

function sign(appCertificate: string, issueTs: number, salt: number, signingInfo: Buffer): Buffer {
  const key = hmac(u32le(salt), hmac(u32le(issueTs), appCertificate));
  return hmac(key, signingInfo);
}

function assertHex32(value: string, what: string): void {
  if (typeof value !== 'string' || !HEX32.test(value)) {
    throw new TypeError(`${what} must be 32 hex characters`);
  }
}

function assertU32(value: number, what: string): void {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) {
    throw new RangeError(`${what} must be an integer in 0..2^32-1, got ${value}`);
  }
}

export interface BuildAccessToken2Options {
  appId: string;
  appCertificate: string;
  channelName: string;
  /** Numeric uid (0 = any uid may join) or a string user account (used verbatim). */
  uid: number | string;
  /** Token lifetime in seconds from issueTs. */
  tokenExpireSeconds: number;
  /** Lifetime of each granted privilege in seconds from issueTs; defaults to tokenExpireSeconds. */
  privilegeExpireSeconds?: number;
  /** publisher (default): join + publish audio/video/data; subscriber: join only. */
  role?: 'publisher' | 'subscriber';
  /** Unix seconds; defaults to now. */
  issueTs?: number;
  /** Defaults to a random value in 1..99999999. */
  salt?: number;
}

export function buildAccessToken2(opts: BuildAccessToken2Options): string {
  assertHex32(opts.appId, 'appId');
  assertHex32(opts.appCertificate, 'appCertificate');
  const issueTs = opts.issueTs ?? Math.floor(Date.now() / 1000);
  const salt = opts.salt ?? randomInt(1, 100_000_000);
  const privilegeExpire = opts.privilegeExpireSeconds ?? opts.tokenExpireSeconds;
  assertU32(issueTs, 'issueTs');
  assertU32(salt, 'salt');
  assertU32(opts.tokenExpireSeconds, 'tokenExpireSeconds');
  assertU32(privilegeExpire, 'privilegeExpireSeconds');
  let uid: string;
  if (typeof opts.uid === 'number') {
    assertU32(opts.uid, 'uid');
    uid = opts.uid === 0 ? '' : String(opts.uid);
  } else {
    uid = opts.uid;
  }
  const { join, publishAudio, publishVideo, publishData } = RTC_PRIVILEGES;
  const granted = opts.role === 'subscriber' ? [join] : [join, publishAudio, publishVideo, publishData];

  const w = new ByteWriter().string(opts.appId).u32(issueTs).u32(opts.tokenExpireSeconds).u32(salt);
  w.u16(1).u16(SERVICE_TYPE_RTC).u16(granted.length);
  for (const privilege of granted) w.u16(privilege).u32(privilegeExpire);
  const signingInfo = w.string(opts.channelName).string(uid).toBuffer();

  const signature = sign(opts.appCertificate, issueTs, salt, signingInfo);
  const content = Buffer.concat([new ByteWriter().bytes(signature).toBuffer(), signingInfo]);
  const token = ACCESS_TOKEN2_VERSION + deflateSync(content).toString('base64');
  if (token.length > MAX_ACCESS_TOKEN2_LENGTH) {
    throw new RangeError(`token exceeds ${MAX_ACCESS_TOKEN2_LENGTH} characters (channelName/uid too long)`);
  }
  return token;
}

export type VerifyFailureCode =
  | 'malformed'
  | 'invalid_signature'
  | 'wrong_app'
  | 'wrong_channel'
  | 'wrong_uid'
  | 'no_rtc_service'
  | 'no_join_privilege'
  | 'expired';

export type VerifyResult =
  | {
      ok: true;
      /** Unix seconds at which the join privilege (and so the session) ends; never after tokenExpiresAt. */
      joinExpiresAt: number;
      /** Effective unix-seconds deadline of each privilege; undefined when not granted. */
      privileges: Record<RtcPrivilegeName, number | undefined>;
      tokenExpiresAt: number;
    }
  | { ok: false; code: VerifyFailureCode; message: string };

export interface VerifyExpectation {
  appId: string;
  appCertificate: string;
  channelName: string;
  /** The uid joining; a string user account is compared verbatim. */
  uid: number | string;
  nowSeconds: number;
}

const fail = (code: VerifyFailureCode, message: string): VerifyResult => ({ ok: false, code, message });

/**
 * Checks, in order: well-formed → app id → signature → RTC service → channel → uid → join privilege
 * → expiry. Throws TypeError only for a misconfigured expectation (appId/appCertificate not 32 hex).
 */
export function verifyAccessToken2(token: string, expect: VerifyExpectation): VerifyResult {
  assertHex32(expect.appId, 'appId');
  assertHex32(expect.appCertificate, 'appCertificate');
  let t: ParsedAccessToken2;
  try {
    t = parseAccessToken2(token);
  } catch (err) {
    if (err instanceof AccessTokenError) return fail('malformed', `${err.code}: ${err.message}`);
    throw err;
  }
  // App ids are hex; compare case-insensitively. The signature covers the id exactly as written.
  if (t.appId.toLowerCase() !== expect.appId.toLowerCase()) {
    return fail('wrong_app', 'token is for another app id');
  }
  const expected = sign(expect.appCertificate, t.issueTs, t.salt, t.signingInfo);
  if (t.signature.length !== expected.length || !timingSafeEqual(t.signature, expected)) {
    return fail('invalid_signature', 'token signature does not match the app certificate');
  }
  const rtc = t.services.filter((s): s is ParsedRtcService => s.kind === 'rtc');
  if (rtc.length === 0) return fail('no_rtc_service', 'token carries no RTC service');
  const inChannel = rtc.filter((s) => s.channelName === expect.channelName);
  if (inChannel.length === 0) return fail('wrong_channel', 'token is for another channel');
  const uid = String(expect.uid);
  const service = inChannel.find((s) => s.uid === uid) ?? inChannel.find((s) => s.uid === '');
  if (service === undefined) return fail('wrong_uid', 'token is for another uid');
  if (!service.privileges.has(RTC_PRIVILEGES.join)) {
    return fail('no_join_privilege', 'token does not grant the join privilege');
  }

  const tokenExpiresAt = t.issueTs + t.expire;
  const deadline = (privilege: number): number | undefined => {
    const value = service.privileges.get(privilege);
    if (value === undefined) return undefined;
    return value === 0 ? tokenExpiresAt : Math.min(t.issueTs + value, tokenExpiresAt);
  };
  const privileges: Record<RtcPrivilegeName, number | undefined> = {
    join: deadline(RTC_PRIVILEGES.join),
    publishAudio: deadline(RTC_PRIVILEGES.publishAudio),
    publishVideo: deadline(RTC_PRIVILEGES.publishVideo),
    publishData: deadline(RTC_PRIVILEGES.publishData),
  };
  const joinExpiresAt = privileges.join ?? tokenExpiresAt;
  if (expect.nowSeconds >= tokenExpiresAt) return fail('expired', `token expired at ${tokenExpiresAt}`);
  if (expect.nowSeconds >= joinExpiresAt) {
    return fail('expired', `join privilege expired at ${joinExpiresAt}`);
  }
  return { ok: true, joinExpiresAt, privileges, tokenExpiresAt };
}
