import type { IncomingMessage, ServerResponse } from 'node:http';

export type RouteHandler = (req: IncomingMessage, res: ServerResponse, url: URL) => void | Promise<void>;

interface Route {
  method: string;
  path: string;
  prefix: boolean;
  handler: RouteHandler;
}

/** A minimal HTTP router: exact paths or path prefixes, first match wins. */
export class HttpRouter {
  #routes: Route[] = [];

  /** Registers `handler` for `method` on `path` (or every path under it with `prefix`). */
  add(method: string, path: string, handler: RouteHandler, options: { prefix?: boolean } = {}): void {
    this.#routes.push({ method, path, prefix: options.prefix ?? false, handler });
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname;
    const route = this.#routes.find(
      (r) =>
        (r.method === req.method || r.method === '*') &&
        (r.prefix
          ? path === r.path || path.startsWith(r.path.endsWith('/') ? r.path : `${r.path}/`)
          : path === r.path),
    );
    try {
      if (route) await route.handler(req, res, url);
      else sendJson(res, 404, { error: 'not_found', message: `no route for ${req.method} ${path}` });
    } catch (err) {
      if (!res.headersSent) sendJson(res, 500, { error: 'internal_error', message: 'internal error' });
      else res.destroy(err as Error);
    }
  }
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}
