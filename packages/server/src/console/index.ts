import type { IncomingMessage, ServerResponse } from 'node:http';
import { checkBasicAuth } from '../admin/auth.js';
import type { ServerContext } from '../context.js';
import { type RouteHandler, sendJson } from '../gateway/router.js';
import { StreamRefusalMarks, watchStreamRefusals } from '../observe/stream-refusals.js';
import { consoleDistPath } from './dist-path.js';
import { streamEvents } from './event-stream.js';
import { ConsoleFeed } from './feed.js';
import { serveStatic } from './static-files.js';
import type { ConsoleHello } from './types.js';

/** Where the built front-end is: @holdfast/console's dist/, as Node resolves it (see dist-path.ts). */
export const CONSOLE_DIST = consoleDistPath();

// The console only talks to its own origin; the demo page also opens WebSockets to a server.
const CONSOLE_CSP =
  "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'";
// img-src data: for the page's empty data: icon (without it every load logged a CSP error).
const DEMO_CSP =
  "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; style-src 'self' 'unsafe-inline'";

/**
 * Registers the web console (/console: apps → channels → members, per-member timelines, event
 * log; its data at /console/api/snapshot and the live feed at /console/api/events) and the SDK
 * demo page (/demo). With admin credentials set, the console and its data need HTTP Basic auth;
 * the demo page shows nothing about the server and stays open, like the WebSocket endpoint.
 * `console: false` in the server options leaves all of it out.
 */
export function registerConsoleRoutes(ctx: ServerContext, dist: string = CONSOLE_DIST): void {
  if (ctx.options.console === false) return;
  // Data-stream refusals as timeline markers (bounded: about one a second per session).
  watchStreamRefusals(ctx.service.streams, new StreamRefusalMarks(ctx.observer, ctx.clock, ctx.nodeId));
  // One feed for all viewers: a snapshot is built once per second however many are watching.
  const maxViewers = ctx.options.limits?.maxConsoleViewers;
  const feed = new ConsoleFeed(ctx, maxViewers !== undefined ? { maxViewers } : {});
  const guarded =
    (handler: (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void>): RouteHandler =>
    async (req, res, url) => {
      if (checkBasicAuth(ctx.options.admin, req, res)) await handler(req, res, url);
    };

  ctx.router.add(
    'GET',
    '/console/api/snapshot',
    guarded(async (_req, res) => {
      const body: ConsoleHello = { snapshot: await feed.snapshot(), events: [...ctx.observer.recent()] };
      sendJson(res, 200, body, { 'cache-control': 'no-store' });
    }),
  );
  ctx.router.add(
    'GET',
    '/console/api/events',
    guarded((req, res) => streamEvents(feed, req, res)),
  );
  const consoleSite = { root: `${dist}console`, mount: '/console/', csp: CONSOLE_CSP };
  const demoSite = { root: `${dist}demo`, mount: '/demo/', csp: DEMO_CSP };
  for (const method of ['GET', 'HEAD']) {
    ctx.router.add(
      method,
      '/console',
      guarded((req, res, url) => serveStatic(consoleSite, req, res, url)),
      { prefix: true },
    );
    ctx.router.add(method, '/demo', (req, res, url) => serveStatic(demoSite, req, res, url), {
      prefix: true,
    });
  }
}
