import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The `Holdfast-Signature` header (Stripe's scheme): `t=<unix seconds>,v1=<hex>`, where the hex is
 * HMAC-SHA256(secret, `<t>.<body>`). Signing the time with the body lets a receiver refuse a
 * replay of an old request: it checks the signature, then that `t` is recent.
 */
export const SIGNATURE_HEADER = 'Holdfast-Signature';
/** The event's id (also in the body): the same in every retry of the event. */
export const EVENT_ID_HEADER = 'Holdfast-Event-Id';
/** The event's name (also in the body). */
export const EVENT_NAME_HEADER = 'Holdfast-Event';
/** How old a signed time a receiver accepts by default, in seconds (either way: clocks differ). */
export const DEFAULT_TOLERANCE_S = 300;

const hmac = (secret: string, t: number, body: string): string =>
  createHmac('sha256', secret).update(`${t}.${body}`, 'utf8').digest('hex');

/** The header value for `body` signed at `unixSeconds`. */
export function signatureHeader(secret: string, body: string, unixSeconds: number): string {
  const t = Math.floor(unixSeconds);
  return `t=${t},v1=${hmac(secret, t, body)}`;
}

export type SignatureProblem =
  /** No header at all. */
  | 'missing_signature'
  /** No `t=` with an integer, or no `v1=` with 64 hex digits. */
  | 'malformed_signature'
  /** The signed time is further from the receiver's clock than the tolerance. */
  | 'timestamp_out_of_tolerance'
  /** No `v1` matches: another secret, or the body was changed. */
  | 'signature_mismatch';

export type SignatureCheck = { ok: true; timestamp: number } | { ok: false; reason: SignatureProblem };

/**
 * Checks a `Holdfast-Signature` header against the raw body (the exact bytes received, before any
 * JSON parsing). Several `v1=` entries are allowed (one per secret while a secret is rotated).
 */
export function verifySignature(
  header: string | undefined,
  body: string,
  secret: string,
  nowSeconds: number,
  toleranceS = DEFAULT_TOLERANCE_S,
): SignatureCheck {
  if (header === undefined || header === '') return { ok: false, reason: 'missing_signature' };
  let t: number | undefined;
  const sigs: string[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 't' && /^\d{1,12}$/.test(value)) t = Number(value);
    else if (key === 'v1' && /^[0-9a-f]{64}$/.test(value)) sigs.push(value);
  }
  if (t === undefined || sigs.length === 0) return { ok: false, reason: 'malformed_signature' };
  if (Math.abs(nowSeconds - t) > toleranceS) return { ok: false, reason: 'timestamp_out_of_tolerance' };
  const expected = Buffer.from(hmac(secret, t, body), 'hex');
  const match = sigs.some((s) => timingSafeEqual(Buffer.from(s, 'hex'), expected));
  return match ? { ok: true, timestamp: t } : { ok: false, reason: 'signature_mismatch' };
}
