import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson } from '../gateway/router.js';

/** A key for this process only: the digests compared below mean nothing outside it. */
const COMPARE_KEY = randomBytes(32);
const digest = (s: string) => createHmac('sha256', COMPARE_KEY).update(s, 'utf8').digest();

/**
 * Whether two secrets are equal, in time that does not depend on where they differ or on their
 * lengths: both are HMAC-SHA-256'd (32 bytes each, whatever went in) and the digests compared
 * with timingSafeEqual. A plain length check first would tell an attacker the secret's length.
 */
export function secretsEqual(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b));
}

/** The user name of a request's HTTP Basic credentials (not checked: call after {@link checkBasicAuth}). */
export function basicAuthUser(req: IncomingMessage): string | undefined {
  const match = /^Basic ([A-Za-z0-9+/=]+)$/.exec(req.headers.authorization ?? '');
  if (!match) return undefined;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon > 0 ? decoded.slice(0, colon) : undefined;
}

/**
 * HTTP Basic auth with the configured customer id / secret. Without configured
 * credentials everything is allowed (development mode). Answers 401 itself.
 */
export function checkBasicAuth(
  admin: { customerId: string; customerSecret: string } | undefined,
  req: IncomingMessage,
  res: ServerResponse,
): boolean {
  if (!admin) return true;
  const header = req.headers.authorization ?? '';
  const match = /^Basic ([A-Za-z0-9+/=]+)$/.exec(header);
  if (match) {
    const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    // Both compared every time: which of the two was wrong takes no different time.
    const idOk = secretsEqual(decoded.slice(0, Math.max(colon, 0)), admin.customerId);
    const secretOk = secretsEqual(decoded.slice(colon + 1), admin.customerSecret);
    if (colon > 0 && idOk && secretOk) return true;
  }
  sendJson(
    res,
    401,
    { error: 'unauthorized', message: 'HTTP Basic auth with the customer id and secret is required' },
    { 'www-authenticate': 'Basic realm="holdfast"' },
  );
  return false;
}
