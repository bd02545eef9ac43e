import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
};

export interface StaticSite {
  /** Folder the files are in. */
  root: string;
  /** URL path the folder is mounted at, with a trailing slash (`/console/`). */
  mount: string;
  /** Content-Security-Policy for HTML pages. */
  csp: string;
}

function plain(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

/**
 * Serves a built front-end folder: `mount` itself is index.html, `/mount` redirects to it, and
 * nothing outside `root` is ever read. Vite's hashed files under assets/ are cached for good;
 * HTML is revalidated so a new build shows at once.
 */
export async function serveStatic(site: StaticSite, req: IncomingMessage, res: ServerResponse, url: URL) {
  const bare = site.mount.slice(0, -1);
  if (url.pathname === bare) {
    res.writeHead(308, { location: `${site.mount}${url.search}` });
    res.end();
    return;
  }
  let rel: string;
  try {
    rel = decodeURIComponent(url.pathname.slice(site.mount.length));
  } catch {
    plain(res, 400, 'bad path');
    return;
  }
  if (rel === '' || rel.endsWith('/')) rel += 'index.html';
  const root = resolve(site.root);
  const file = resolve(join(root, rel));
  if (!file.startsWith(root + sep) || rel.includes('\0')) {
    plain(res, 404, 'not found');
    return;
  }
  const info = await stat(file).catch(() => undefined);
  if (!info?.isFile()) {
    const built = await stat(join(root, 'index.html')).catch(() => undefined);
    if (!built) plain(res, 503, `${site.mount} is not built: run "npm run build" (builds packages/console)`);
    else plain(res, 404, 'not found');
    return;
  }
  const type = TYPES[extname(file)] ?? 'application/octet-stream';
  const headers: Record<string, string | number> = {
    'content-type': type,
    'content-length': info.size,
    'x-content-type-options': 'nosniff',
    'cache-control': rel.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
  };
  if (type.startsWith('text/html')) {
    headers['content-security-policy'] = site.csp;
    headers['referrer-policy'] = 'no-referrer';
  }
  res.writeHead(200, headers);
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  createReadStream(file)
    .on('error', () => res.destroy())
    .pipe(res);
}
