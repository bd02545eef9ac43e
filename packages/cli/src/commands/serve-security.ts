import type { RunningServer } from '@holdfast/server';

/**
 * What `holdfast serve` prints once, to stderr, when the server generated admin credentials (no
 * admin id / secret configured and the admin API is reachable from other machines): the
 * operator's only chance to read them. Undefined when nothing was generated.
 */
export function generatedAdminNotice(
  server: RunningServer,
  options: { host?: string; trustedProxies?: string[] },
): string | undefined {
  const admin = server.generatedAdmin;
  if (!admin) return undefined;
  const why = options.trustedProxies?.length
    ? 'this server takes traffic through trusted proxies'
    : `${options.host ?? '127.0.0.1'} is reachable from other machines`;
  return (
    `holdfast: no admin credentials are configured and ${why}, so the admin API and console are not left open.\n` +
    '  For this run they take HTTP Basic auth with\n' +
    `    user:   ${admin.customerId}\n` +
    `    secret: ${admin.customerSecret}\n` +
    '  This is shown once and changes at every start (and each node of a cluster has its own): set HOLDFAST_ADMIN_ID with HOLDFAST_ADMIN_SECRET or --admin-secret-file to choose your own.\n'
  );
}

/** The console line's note on its access: Basic auth, or open (which only a loopback-only server is). */
export function consoleAccess(server: RunningServer, configured: boolean): string {
  return configured || server.generatedAdmin
    ? ' (HTTP Basic: admin id / secret)'
    : ' (open: no admin credentials, reachable from this machine only)';
}
