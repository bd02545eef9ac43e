import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ConsoleFeed } from './feed.js';

/**
 * `GET /console/api/events`: Server-Sent Events. First `hello` (snapshot + recent events), then
 * the observed events as `observed` (batched every 100 ms) and a fresh `snapshot` each second —
 * one shared feed for every viewer (see {@link ConsoleFeed}). SSE rather than a WebSocket: one
 * direction is all the console needs, it goes through HTTP auth and proxies like any GET, and
 * the browser's EventSource reconnects by itself.
 */
export function streamEvents(feed: ConsoleFeed, req: IncomingMessage, res: ServerResponse): Promise<void> {
  return feed.serve(req, res);
}
