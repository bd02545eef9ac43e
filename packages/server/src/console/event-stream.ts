import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ServerContext } from '../context.js';
import type { ObservedEvent } from '../observe/observer.js';
import { buildSnapshot } from './snapshot.js';
import type { ConsoleHello } from './types.js';

/** How often the member list (with RTTs and last-data times) is pushed. */
const SNAPSHOT_EVERY_MS = 1000;
/** A console that reads slower than this much backlog is cut off; it reconnects and starts afresh. */
const MAX_BACKLOG_BYTES = 1 << 20;

/**
 * `GET /console/api/events`: Server-Sent Events. First `hello` (snapshot + recent events), then
 * every observed event as `observed`, and a fresh `snapshot` each second. SSE rather than a
 * WebSocket: one direction is all the console needs, it goes through HTTP auth and proxies like
 * any GET, and the browser's EventSource reconnects by itself.
 */
export async function streamEvents(ctx: ServerContext, req: IncomingMessage, res: ServerResponse) {
  // Subscribe before reading the recent events, so nothing falls between the two.
  const early: ObservedEvent[] = [];
  let ready = false;
  let closed = false;
  const send = (event: string, data: unknown): void => {
    if (closed) return;
    res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    if (res.writableLength > MAX_BACKLOG_BYTES) res.destroy();
  };
  const unsubscribe = ctx.observer.subscribe((e) => {
    if (ready) send('observed', e);
    else early.push(e);
  });
  const events = [...ctx.observer.recent()];
  let timer: unknown;
  const stop = (): void => {
    closed = true;
    unsubscribe();
    if (timer !== undefined) ctx.clock.clearTimeout(timer as never);
  };
  req.on('close', stop);
  res.on('close', stop);

  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    // nginx and friends would otherwise buffer the stream.
    'x-accel-buffering': 'no',
  });
  res.write('retry: 2000\n\n');
  try {
    const snapshot = await buildSnapshot(ctx);
    const seen = new Set(events);
    const hello: ConsoleHello = { snapshot, events: [...events, ...early.filter((e) => !seen.has(e))] };
    send('hello', hello);
  } catch (err) {
    ctx.log.warn({ err }, 'console snapshot failed');
    res.destroy();
    return;
  }
  ready = true;

  const tick = (): void => {
    buildSnapshot(ctx)
      .then((snapshot) => send('snapshot', snapshot))
      .catch((err: unknown) => ctx.log.warn({ err }, 'console snapshot failed'))
      .finally(() => {
        if (!closed) timer = ctx.clock.setTimeout(tick, SNAPSHOT_EVERY_MS);
      });
  };
  if (!closed) timer = ctx.clock.setTimeout(tick, SNAPSHOT_EVERY_MS);
}
