import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';

export interface AdminCredentials {
  customerId: string;
  customerSecret: string;
}

/** Whether `host` only accepts connections from this machine: `localhost`, 127.0.0.0/8, `::1`. */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  if (h === 'localhost' || h === '::1') return true;
  const v4 = h.startsWith('::ffff:') ? h.slice(7) : h;
  return isIP(v4) === 4 && v4.startsWith('127.');
}

/**
 * The admin API and console credentials a server runs with. Configured ones are used as they
 * are. Without them, both are open only when nobody but this machine can reach them: the server
 * listens on loopback and takes no forwarded traffic (no trusted proxy: a reverse proxy on the
 * same machine would expose loopback to everyone). Otherwise credentials are generated for this
 * run (user `admin`, a random 32-character secret) and `generated` is true: the caller shows them
 * once. Secure by default without refusing to start: `--host 0.0.0.0` still just works.
 */
export function effectiveAdmin(opts: {
  admin?: AdminCredentials | undefined;
  host: string;
  forwarded: boolean;
}): { admin: AdminCredentials | undefined; generated: boolean } {
  if (opts.admin) return { admin: opts.admin, generated: false };
  if (isLoopbackHost(opts.host) && !opts.forwarded) return { admin: undefined, generated: false };
  return {
    admin: { customerId: 'admin', customerSecret: randomBytes(24).toString('base64url') },
    generated: true,
  };
}
