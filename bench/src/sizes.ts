import type { CapacityParams } from './scenarios/capacity.js';

/** Run sizes: `full` for the published numbers, `quick` for the CI smoke (well under a minute). */
export interface Sizes {
  capacity: CapacityParams;
  /** Several server processes for the machine-level number (0 = skip). */
  machine: { servers: number; perServer: number } | undefined;
  join: { rate: number; durationMs: number; workers: number };
  presence: { members: number[]; trials: number; workers: number };
  fault: { clients: number; workers: number; outageMs: number };
  /** Holdfast server offline window for the fault scenarios (the seed's 20 s in full runs). */
  offlineAfterMs: number;
  /** Socket.IO at its defaults needs up to 45 s to notice anything: skipped in the fault scenarios when false. */
  slowPeer: boolean;
}

export const FULL: Sizes = {
  capacity: { servers: 1, perServer: 19_900, channelSize: 10, idleMs: 10_000, concurrency: 400 },
  machine: { servers: 6, perServer: 17_000 },
  join: { rate: 1000, durationMs: 10_000, workers: 2 },
  presence: { members: [100, 1000], trials: 20, workers: 2 },
  fault: { clients: 1000, workers: 2, outageMs: 8000 },
  offlineAfterMs: 20_000,
  slowPeer: true,
};

export const QUICK: Sizes = {
  capacity: { servers: 1, perServer: 300, channelSize: 10, idleMs: 1000, concurrency: 100 },
  machine: undefined,
  join: { rate: 100, durationMs: 1000, workers: 2 },
  presence: { members: [50], trials: 3, workers: 2 },
  fault: { clients: 40, workers: 1, outageMs: 4500 },
  offlineAfterMs: 8000,
  slowPeer: false,
};
