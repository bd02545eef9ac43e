import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TimerHandle } from '@holdfast/protocol';
import type { ServerContext } from '../context.js';
import { buildSnapshot } from './snapshot.js';
import type { ConsoleHello, ConsoleSnapshot } from './types.js';

export interface FeedOptions {
  /** Viewers of the live feed at once; more get 503 and their EventSource retries. */
  maxViewers: number;
  /** How often the one shared snapshot is built and pushed. */
  snapshotEveryMs: number;
  /** Observed events are batched and written this often, one write per viewer per batch. */
  flushEveryMs: number;
  /** Most events in one batch; the rest are counted and announced as `dropped`. */
  maxEventsPerFlush: number;
  /** A viewer with more than this unsent is skipped (that write is not queued for it). */
  skipAboveBytes: number;
  /** Skipped this many writes in a row, or over `dropAboveBytes` unsent: the viewer is cut off. */
  maxSkips: number;
  dropAboveBytes: number;
}

export const DEFAULT_FEED_OPTIONS: FeedOptions = {
  maxViewers: 32,
  snapshotEveryMs: 1000,
  flushEveryMs: 100,
  maxEventsPerFlush: 500,
  skipAboveBytes: 256 * 1024,
  maxSkips: 10,
  dropAboveBytes: 1 << 20,
};

interface Viewer {
  res: ServerResponse;
  skips: number;
}

const sse = (event: string, data: string): string => `event: ${event}\ndata: ${data}\n\n`;

/**
 * The console's live feed (`GET /console/api/events`, Server-Sent Events) for all viewers at
 * once. Whatever the number of viewers, the snapshot is built and serialized once per interval,
 * each observed event is serialized once and the events of each 100 ms go out as one write per
 * viewer. A viewer that does not keep up is skipped, then cut off (its EventSource reconnects and
 * starts again from a `hello`). Nothing runs while nobody watches.
 */
export class ConsoleFeed {
  readonly opts: FeedOptions;
  #viewers = new Set<Viewer>();
  /** Viewers that have had their hello (the others get nothing from the shared stream yet). */
  #ready = new WeakSet<Viewer>();
  /** Serialized events waiting for the next flush. */
  #batch: string[] = [];
  /** Events seen since the last flush (in the batch, or dropped because it was full). */
  #sinceFlush = 0;
  #dropped = 0;
  #unsubscribe: (() => void) | undefined;
  #flushTimer: TimerHandle | undefined;
  #snapshotTimer: TimerHandle | undefined;
  #latest: { at: number; snapshot: ConsoleSnapshot } | undefined;
  #building: Promise<ConsoleSnapshot> | undefined;
  /** Snapshots built since start (tests: one per interval, not one per viewer). */
  builds = 0;

  constructor(
    private readonly ctx: ServerContext,
    opts: Partial<FeedOptions> = {},
  ) {
    this.opts = { ...DEFAULT_FEED_OPTIONS, ...opts };
  }

  get viewerCount(): number {
    return this.#viewers.size;
  }

  /** The shared snapshot, rebuilt when older than `maxAgeMs`; concurrent callers share one build. */
  snapshot(maxAgeMs = this.opts.snapshotEveryMs): Promise<ConsoleSnapshot> {
    const latest = this.#latest;
    if (latest && this.ctx.clock.now() - latest.at < maxAgeMs) return Promise.resolve(latest.snapshot);
    this.#building ??= buildSnapshot(this.ctx)
      .then((snapshot) => {
        this.builds++;
        this.#latest = { at: this.ctx.clock.now(), snapshot };
        return snapshot;
      })
      .finally(() => {
        this.#building = undefined;
      });
    return this.#building;
  }

  /** Serves one viewer: `hello` (shared snapshot + recent events), then the shared stream. */
  async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (this.#viewers.size >= this.opts.maxViewers) {
      const body = JSON.stringify({
        error: 'too_many_viewers',
        message: `the console feed already has ${this.opts.maxViewers} viewers`,
      });
      res.writeHead(503, {
        'content-type': 'application/json; charset=utf-8',
        'content-length': Buffer.byteLength(body),
        'retry-after': '5',
      });
      res.end(body);
      return;
    }
    const viewer: Viewer = { res, skips: 0 };
    // Reserved now, so viewers arriving together cannot all pass the cap while awaiting.
    this.#viewers.add(viewer);
    const leave = (): void => {
      if (!this.#viewers.delete(viewer)) return;
      if (this.#viewers.size === 0) this.#idle();
    };
    req.on('close', leave);
    res.on('close', leave);
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      // nginx and friends would otherwise buffer the stream.
      'x-accel-buffering': 'no',
    });
    res.write('retry: 2000\n\n');
    this.#busy();
    try {
      const snapshot = await this.snapshot();
      if (!this.#viewers.has(viewer)) return;
      // Events since the last flush go out in the next batch: leave them out of the hello.
      const recent = this.ctx.observer.recent();
      const events = recent.slice(0, Math.max(0, recent.length - this.#sinceFlush));
      const hello: ConsoleHello = { snapshot, events };
      res.write(sse('hello', JSON.stringify(hello)));
      this.#ready.add(viewer);
    } catch (err) {
      this.ctx.log.warn({ err }, 'console snapshot failed');
      res.destroy();
    }
  }

  #busy(): void {
    if (this.#unsubscribe) return;
    this.#unsubscribe = this.ctx.observer.subscribe((e) => {
      this.#sinceFlush++;
      if (this.#batch.length < this.opts.maxEventsPerFlush)
        this.#batch.push(sse('observed', JSON.stringify(e)));
      else this.#dropped++;
    });
    const clock = this.ctx.clock;
    const flush = (): void => {
      this.#flush();
      this.#flushTimer = clock.setTimeout(flush, this.opts.flushEveryMs);
    };
    this.#flushTimer = clock.setTimeout(flush, this.opts.flushEveryMs);
    const push = (): void => {
      this.snapshot(0)
        .then((snapshot) => this.#broadcast(sse('snapshot', JSON.stringify(snapshot))))
        .catch((err: unknown) => this.ctx.log.warn({ err }, 'console snapshot failed'))
        .finally(() => {
          if (this.#unsubscribe) this.#snapshotTimer = clock.setTimeout(push, this.opts.snapshotEveryMs);
        });
    };
    this.#snapshotTimer = clock.setTimeout(push, this.opts.snapshotEveryMs);
  }

  #idle(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    if (this.#flushTimer !== undefined) this.ctx.clock.clearTimeout(this.#flushTimer);
    if (this.#snapshotTimer !== undefined) this.ctx.clock.clearTimeout(this.#snapshotTimer);
    this.#flushTimer = this.#snapshotTimer = undefined;
    this.#batch = [];
    this.#sinceFlush = this.#dropped = 0;
  }

  #flush(): void {
    this.#sinceFlush = 0;
    if (this.#batch.length === 0) return;
    let text = this.#batch.join('');
    if (this.#dropped > 0) text += sse('dropped', JSON.stringify({ count: this.#dropped }));
    this.#batch = [];
    this.#dropped = 0;
    this.#broadcast(text);
  }

  /** One encoded buffer for every viewer; backed-up viewers are skipped, then cut off. */
  #broadcast(text: string): void {
    const buf = Buffer.from(text);
    for (const v of this.#viewers) {
      if (!this.#ready.has(v)) continue;
      const backlog = v.res.writableLength;
      if (backlog > this.opts.dropAboveBytes) {
        v.res.destroy();
        continue;
      }
      if (backlog > this.opts.skipAboveBytes) {
        if (++v.skips > this.opts.maxSkips) v.res.destroy();
        continue;
      }
      v.skips = 0;
      v.res.write(buf);
    }
  }
}
