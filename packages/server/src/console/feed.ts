import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TimerHandle } from '@holdfast/protocol';
import type { ServerContext } from '../context.js';
import { diffSnapshots, indexSnapshot, type SnapshotIndex } from './delta.js';
import { buildSnapshot } from './snapshot.js';
import type { ConsoleHello, ConsoleSnapshot } from './types.js';

export interface FeedOptions {
  /** Viewers of the live feed at once; more get 503 and their EventSource retries. */
  maxViewers: number;
  /** How often the one shared snapshot is built and its changes (a delta) pushed. */
  snapshotEveryMs: number;
  /** Every this many pushes, the whole snapshot instead of a delta. */
  fullEvery: number;
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
  fullEvery: 30,
  flushEveryMs: 100,
  maxEventsPerFlush: 500,
  skipAboveBytes: 256 * 1024,
  maxSkips: 10,
  dropAboveBytes: 1 << 20,
};

interface Viewer {
  res: ServerResponse;
  /** Writes skipped in a row because the viewer was backed up. */
  skips: number;
  /** Missed a snapshot or delta: its copy is out of date, the next push sends it the whole one. */
  stale: boolean;
}

const sse = (event: string, data: string): string => `event: ${event}\ndata: ${data}\n\n`;

/**
 * The console's live feed (`GET /console/api/events`, Server-Sent Events) for all viewers at
 * once. Whatever the number of viewers, the snapshot is built once per interval and what changed
 * since the last one (a delta: changed channels only) serialized once for all; each observed
 * event is serialized once and the events of each 100 ms go out as one write per
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
  /**
   * The snapshot every ready viewer holds (its hello's, with the deltas since applied), and its
   * channels' JSON: the next delta is computed against it.
   */
  #base: { snapshot: ConsoleSnapshot; index: SnapshotIndex } | undefined;
  #ticks = 0;
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
    const viewer: Viewer = { res, skips: 0, stale: false };
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
      if (!this.#base) {
        const built = await this.snapshot();
        this.#base ??= { snapshot: built, index: indexSnapshot(built) };
      }
      if (!this.#viewers.has(viewer)) return;
      // The hello carries the base, so the next delta applies to it.
      const snapshot = this.#base.snapshot;
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
        .then((snapshot) => this.#push(snapshot))
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
    this.#base = undefined;
    this.#batch = [];
    this.#sinceFlush = this.#dropped = 0;
  }

  /**
   * Sends what changed since the base as a `delta` (the channels that differ, by their JSON),
   * serialized once for everyone; the whole `snapshot` every `fullEvery`-th time, when there is no
   * base, and to a viewer that missed a push (skipped while backed up: its copy is out of date).
   */
  #push(snapshot: ConsoleSnapshot): void {
    const base = this.#base;
    const full = !base || ++this.#ticks % this.opts.fullEvery === 0;
    let fullFrame: Buffer | undefined;
    const whole = () => {
      fullFrame ??= Buffer.from(sse('snapshot', JSON.stringify(snapshot)));
      return fullFrame;
    };
    let deltaFrame: Buffer | undefined;
    if (base && !full) {
      const { delta, index } = diffSnapshots(base.index, snapshot);
      this.#base = { snapshot, index };
      deltaFrame = Buffer.from(sse('delta', JSON.stringify(delta)));
    } else {
      this.#base = { snapshot, index: indexSnapshot(snapshot) };
    }
    for (const v of this.#viewers) {
      if (!this.#ready.has(v)) continue;
      const frame = deltaFrame && !v.stale ? deltaFrame : whole();
      v.stale = !this.#write(v, frame);
    }
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

  /** One encoded buffer for every ready viewer (a batch of events). */
  #broadcast(text: string): void {
    const buf = Buffer.from(text);
    for (const v of this.#viewers) if (this.#ready.has(v)) this.#write(v, buf);
  }

  /** Writes unless the viewer is backed up: then it is skipped (false), and cut off after a while. */
  #write(v: Viewer, buf: Buffer): boolean {
    const backlog = v.res.writableLength;
    if (backlog > this.opts.dropAboveBytes) {
      v.res.destroy();
      return false;
    }
    if (backlog > this.opts.skipAboveBytes) {
      if (++v.skips > this.opts.maxSkips) v.res.destroy();
      return false;
    }
    v.skips = 0;
    v.res.write(buf);
    return true;
  }
}
