import type { ServerOptions } from '@holdfast/server';

/**
 * The banner's mode line: a single node, or a cluster node with its id and its Redis (the URL
 * without credentials), so a node started with --redis never looks like a lone one.
 */
export function modeLine(options: ServerOptions, nodeId: string): string {
  const redis = typeof options.redis === 'string' ? options.redis : options.redis?.url;
  if (!redis) return `  mode: single node ${nodeId} (in-memory; --redis makes it a cluster node)\n`;
  return `  mode: cluster node ${nodeId} through Redis ${withoutCredentials(redis)}\n`;
}

/**
 * `redis://user:secret@host:6379/0` → `redis://host:6379/0`, `redis+cluster://:secret@a:1,b:2` →
 * `redis+cluster://a:1,b:2`; unparsable text is shown as `(set)`.
 */
export function withoutCredentials(url: string): string {
  const cluster = /^redis\+cluster:\/\/(?:.*@)?([^@]*)$/i.exec(url);
  if (cluster) return `redis+cluster://${cluster[1]}`;
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.toString().replace(/\/$/, '');
  } catch {
    return '(set)';
  }
}

/**
 * What to do when the port cannot be had: the flag to change, rather than Node's bare
 * `listen EADDRINUSE`. Undefined for any other error.
 */
export function listenProblem(err: unknown, options: ServerOptions): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  const where = `${options.host ?? '127.0.0.1'}:${options.port ?? 7700}`;
  if (code === 'EADDRINUSE')
    return (
      `port ${options.port ?? 7700} is already in use on ${options.host ?? '127.0.0.1'} (another holdfast ` +
      'serve, or another program): choose a free one with --port <n> (HOLDFAST_PORT; --port 0 picks any), or stop the other one'
    );
  if (code === 'EACCES')
    return `not allowed to listen on ${where}: ports below 1024 need privileges — use --port 7700 or another above 1023`;
  if (code === 'EADDRNOTAVAIL')
    return `${options.host} is not an address of this machine: change --host (HOLDFAST_HOST), e.g. 127.0.0.1 or 0.0.0.0`;
  return undefined;
}
