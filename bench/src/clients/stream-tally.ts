/** Latency histogram: 10 µs buckets to 20 ms, 100 µs to 200 ms, 1 ms to 10 s (then the last bucket). */
const FINE = 2000;
const MID = 1800;
const COARSE = 9800;
export const HIST_BUCKETS = FINE + MID + COARSE;

export function bucketOf(ms: number): number {
  if (ms < 20) return Math.max(0, Math.floor(ms * 100));
  if (ms < 200) return FINE + Math.floor((ms - 20) * 10);
  return Math.min(HIST_BUCKETS - 1, FINE + MID + Math.floor(ms - 200));
}

/** The middle of a bucket, ms. */
export function bucketValue(b: number): number {
  if (b < FINE) return (b + 0.5) / 100;
  if (b < FINE + MID) return 20 + (b - FINE + 0.5) / 10;
  return 200 + (b - FINE - MID + 0.5);
}

/** What one worker saw of the current phase (the coordinator merges the workers'). */
export interface StreamTally {
  /** Deliveries since the reset (any send time): what the drain waits for. */
  received: number;
  /** Deliveries of messages sent inside the measured window. */
  measured: number;
  /** Sparse latency histogram of the measured deliveries: [bucket, count]. */
  hist: Array<[number, number]>;
  min: number;
  max: number;
  sum: number;
  /** A message from a sender seen again at a receiver, or older than the last seen from it. */
  duplicates: number;
  /** Messages skipped in a sender's sequence at a receiver (counted when a later one arrives). */
  gaps: number;
  /** `stream_refused` frames received by this worker's senders (Holdfast). */
  refused: number;
  /** The refusals by code (`too_often`, `bitrate`, …). */
  refusedBy: Record<string, number>;
  /** Connections that closed during the phase. */
  closed: number;
  /** `end` frames received (Holdfast), by code: why the server closed a member. */
  endedBy: Record<string, number>;
}

export const freshTally = (): StreamTally => ({
  received: 0,
  measured: 0,
  hist: [],
  min: Number.POSITIVE_INFINITY,
  max: 0,
  sum: 0,
  duplicates: 0,
  gaps: 0,
  refused: 0,
  refusedBy: {},
  closed: 0,
  endedBy: {},
});
