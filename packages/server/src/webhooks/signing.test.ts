import { describe, expect, it } from 'vitest';
import { signatureHeader, verifySignature } from './signing.js';

const secret = 'whsec_test';
const body = '{"id":"a","event":"user_joined"}';
// openssl: printf '%s' '1700000000.{"id":"a","event":"user_joined"}' | openssl dgst -sha256 -hmac whsec_test
const KNOWN = '5c0862141bd0394ba2af80e23aabc506f035027f373d06931955f0d93f06f79b';

describe('webhook signing', () => {
  it('signs "<t>.<body>" with HMAC-SHA256 (a vector computed with openssl)', () => {
    expect(signatureHeader(secret, body, 1_700_000_000)).toBe(`t=1700000000,v1=${KNOWN}`);
    expect(signatureHeader(secret, body, 1_700_000_000.9)).toBe(`t=1700000000,v1=${KNOWN}`);
  });

  it('verifies its own header inside the tolerance, either way of the clock', () => {
    const h = signatureHeader(secret, body, 1_700_000_000);
    expect(verifySignature(h, body, secret, 1_700_000_000)).toEqual({ ok: true, timestamp: 1_700_000_000 });
    expect(verifySignature(h, body, secret, 1_700_000_300).ok).toBe(true);
    expect(verifySignature(h, body, secret, 1_699_999_700).ok).toBe(true);
  });

  it('refuses with a reason: replayed late, another secret, a changed body, no or a broken header', () => {
    const h = signatureHeader(secret, body, 1_700_000_000);
    const check = (header: string | undefined, b = body, s = secret, now = 1_700_000_000) =>
      verifySignature(header, b, s, now);
    expect(check(h, body, secret, 1_700_000_301)).toEqual({
      ok: false,
      reason: 'timestamp_out_of_tolerance',
    });
    expect(check(h, body, 'another-secret')).toEqual({ ok: false, reason: 'signature_mismatch' });
    expect(check(h, body.replace('joined', 'left'))).toEqual({ ok: false, reason: 'signature_mismatch' });
    expect(check(undefined)).toEqual({ ok: false, reason: 'missing_signature' });
    expect(check('')).toEqual({ ok: false, reason: 'missing_signature' });
    expect(check('v1=abc')).toEqual({ ok: false, reason: 'malformed_signature' });
    expect(check(`t=1700000000,v1=${KNOWN.slice(1)}`)).toEqual({ ok: false, reason: 'malformed_signature' });
    expect(check(`t=soon,v1=${KNOWN}`)).toEqual({ ok: false, reason: 'malformed_signature' });
    // A re-signed time with the old signature does not pass: the time is signed too.
    expect(check(`t=1700000100,v1=${KNOWN}`)).toEqual({ ok: false, reason: 'signature_mismatch' });
  });

  it('accepts any of several v1 entries (secret rotation)', () => {
    const other = signatureHeader('old-secret', body, 1_700_000_000).split(',')[1];
    expect(verifySignature(`t=1700000000,${other},v1=${KNOWN}`, body, secret, 1_700_000_000).ok).toBe(true);
  });
});
