import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson } from '../gateway/router.js';

const same = (a: string, b: string): boolean => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

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
    if (
      colon > 0 &&
      same(decoded.slice(0, colon), admin.customerId) &&
      same(decoded.slice(colon + 1), admin.customerSecret)
    )
      return true;
  }
  sendJson(
    res,
    401,
    { error: 'unauthorized', message: 'HTTP Basic auth with the customer id and secret is required' },
    { 'www-authenticate': 'Basic realm="holdfast"' },
  );
  return false;
}
