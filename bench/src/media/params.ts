import type { Capture } from './chromium-publisher.js';

/** Sizes of the media bench (`--quick` for the smoke, full for BENCHMARKS.md). */
export interface MediaParams {
  /** Trials per system, interleaved (trial 1 of each system, then trial 2 starting with the next, …). */
  trials: number;
  /** wrtc subscriber processes (subscriber i in process i mod workers). */
  workers: number;
  capture: Capture;
  /** A new subscriber joins a publisher that `base` subscribers already receive; `samples` times per trial. */
  firstFrame: { base: number; samples: number; timeoutMs: number };
  /**
   * The publisher's media is cut for `cutMs` with `subscribers` receiving (at its UDP relay, then by
   * pausing its tracks; Holdfast also at the server); recovery is timed, then `settleMs` before the next.
   */
  recovery: { subscribers: number; cutMs: number; waitMs: number; settleMs: number };
  /**
   * Subscribers added step by step; at each step a window of `windowMs` (after `settleMs`) is
   * measured. A step fails with a subscriber that lost ≥ `lossLimit` of its packets, stalled
   * (no new frame / audio packet) for ≥ `freezeMs`, or did not get its first frame, or with the
   * publisher below 80 % of its frame rate; the ramp ends after two failing steps in a row.
   */
  ramp: {
    steps: number[];
    windowMs: number;
    settleMs: number;
    sampleMs: number;
    lossLimit: number;
    freezeMs: number;
  };
  /** The ramp step whose CPU per forwarded packet is the headline figure. */
  costAt: number;
}

/** 320×240 at 30 fps, video capped at 500 kbit/s: the same publisher for both systems. */
const CAPTURE: Capture = { width: 320, height: 240, fps: 30, maxBitrate: 500_000 };

export const MEDIA_FULL: MediaParams = {
  trials: 3,
  workers: 2,
  capture: CAPTURE,
  firstFrame: { base: 2, samples: 15, timeoutMs: 10_000 },
  recovery: { subscribers: 4, cutMs: 8000, waitMs: 10_000, settleMs: 3000 },
  ramp: {
    steps: [1, 2, 4, 8, 12, 16, 24, 32, 40, 48, 56, 64, 80, 96],
    windowMs: 6000,
    settleMs: 1500,
    sampleMs: 250,
    lossLimit: 0.01,
    freezeMs: 1000,
  },
  costAt: 16,
};

export const MEDIA_QUICK: MediaParams = {
  trials: 1,
  workers: 1,
  capture: CAPTURE,
  firstFrame: { base: 1, samples: 2, timeoutMs: 10_000 },
  recovery: { subscribers: 2, cutMs: 2000, waitMs: 8000, settleMs: 1000 },
  ramp: { steps: [1, 2], windowMs: 1500, settleMs: 500, sampleMs: 250, lossLimit: 0.01, freezeMs: 1000 },
  costAt: 2,
};
