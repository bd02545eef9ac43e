/**
 * Plain integers the gateway increments as things happen; /metrics reads them at scrape time.
 * Nothing here allocates per frame: a field increment, or a Map entry per distinct label value
 * (a bounded set: wire codes, latency buckets).
 */
export class GatewayCounters {
  /** Frames read from clients (every WebSocket message, valid or not). */
  framesIn = 0;
  /** Frames written to clients (events, keepalives, pongs, answers, ends). */
  framesOut = 0;
  /** Joins that ended before a `joined` frame, by the wire code the client was told. */
  readonly joinRefusals = new Map<string, number>();
  /** Time from a join frame to its `joined` frame (fresh joins and resumes). */
  readonly joinLatency = new LatencyBuckets(JOIN_LATENCY_BUCKETS_S);

  refused(code: string): void {
    this.joinRefusals.set(code, (this.joinRefusals.get(code) ?? 0) + 1);
  }
}

/** Upper bounds (seconds) of the join latency histogram's buckets. */
export const JOIN_LATENCY_BUCKETS_S = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
] as const;

/**
 * A histogram kept as integers: `observe` finds the bucket and increments it (no labels, no
 * allocation); the cumulative counts Prometheus wants are computed at scrape time.
 */
export class LatencyBuckets {
  /** counts[i]: observations in (bounds[i-1], bounds[i]]; the last one is +Inf. */
  readonly counts: number[];
  sum = 0;
  count = 0;

  constructor(readonly bounds: readonly number[]) {
    this.counts = new Array(bounds.length + 1).fill(0);
  }

  observe(seconds: number): void {
    let i = 0;
    while (i < this.bounds.length && seconds > this.bounds[i]!) i++;
    this.counts[i]!++;
    this.sum += seconds;
    this.count++;
  }

  /** Cumulative counts per upper bound, `+Inf` last (the Prometheus `_bucket` series). */
  cumulative(): Array<{ le: string; count: number }> {
    let running = 0;
    const out = this.bounds.map((b, i) => {
      running += this.counts[i]!;
      return { le: String(b), count: running };
    });
    out.push({ le: '+Inf', count: this.count });
    return out;
  }
}
