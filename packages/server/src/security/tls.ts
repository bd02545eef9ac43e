import { createSecureContext } from 'node:tls';

/**
 * Throws a TypeError saying why when the TLS certificate and key do not load together (not PEM, a
 * key that is not the certificate's, an encrypted key), before the server opens anything.
 */
export function checkTls(tls: { cert: string | Buffer; key: string | Buffer }): void {
  try {
    createSecureContext({ cert: tls.cert, key: tls.key });
  } catch (err) {
    throw new TypeError(`tls: the certificate and key do not load together: ${(err as Error).message}`);
  }
}
