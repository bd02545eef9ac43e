import type { CapacityParams } from './scenarios/capacity.js';
import type { ConsoleParams } from './scenarios/console.js';
import type { CrossnodeParams } from './scenarios/crossnode.js';
import type { StreamsParams } from './scenarios/streams.js';

/** Run sizes: `full` for the published numbers, `quick` for the CI smoke (well under a minute). */
export interface Sizes {
  /**
   * Trials of every system per scenario, interleaved (trial 1 of each system, then trial 2 starting
   * with the next system, …) so that machine noise hits all of them; tables show the median and the
   * min–max range over the trials.
   */
  runs: number;
  capacity: CapacityParams;
  /** Several server processes for the machine-level number (0 = skip). */
  machine: { servers: number; perServer: number; connectBudgetMs: number } | undefined;
  /** The same on one real Redis, Holdfast only (issue 17's item 3 as asked). */
  machineRedis: { servers: number; perServer: number; connectBudgetMs: number } | undefined;
  join: { rate: number; durationMs: number; workers: number; warmupMs: number };
  /**
   * Joins per row: `trials`, or more where a row would have fewer than `minSamples` per-member
   * latencies (a p99 over 2,000 samples is the 20th worst: one slow trial of 20 sets it).
   */
  presence: { members: number[]; trials: number; minSamples: number; warmupTrials: number; workers: number };
  /** Several Holdfast nodes sharing one channel through a real Redis. */
  crossnode: CrossnodeParams;
  fault: { clients: number; workers: number; outageMs: number; settleMs: number; marginMs: number };
  /** Holdfast server offline window for the fault scenarios (the seed's 20 s in full runs). */
  offlineAfterMs: number;
  /** Socket.IO at its defaults needs up to 45 s to notice anything: skipped in the fault scenarios when false. */
  slowPeer: boolean;
  /** Data streams in one channel: fan-out latency and a throughput ramp (issue 13). */
  streams: StreamsParams;
  /** Console viewers on a node with many channels (issue 16 item 3). */
  console: ConsoleParams;
}

export const FULL: Sizes = {
  runs: 3,
  // 18,000 channels, not the 20,000: one process may hold 20,000 files on this machine (hard
  // limit), and the viewers and the windows' joins (500 each) need theirs.
  console: { channels: 18_000, viewers: 500, windowMs: 10_000, joinRate: 50, workers: 2 },
  capacity: {
    servers: 1,
    perServer: 19_900,
    channelSize: 10,
    idleMs: 10_000,
    concurrency: 100,
    connectBudgetMs: 120_000,
  },
  machine: { servers: 6, perServer: 17_000, connectBudgetMs: 90_000 },
  machineRedis: { servers: 6, perServer: 17_000, connectBudgetMs: 90_000 },
  join: { rate: 1000, durationMs: 10_000, workers: 2, warmupMs: 2000 },
  presence: { members: [100, 1000], trials: 20, minSamples: 10_000, warmupTrials: 20, workers: 2 },
  crossnode: { nodes: 3, members: 300, trials: 20 },
  fault: { clients: 1000, workers: 2, outageMs: 8000, settleMs: 3000, marginMs: 3000 },
  offlineAfterMs: 20_000,
  slowPeer: true,
  // 60 messages/s per sender over 2 streams (30/s each: half the 60/s per-stream limit; 6 KB/s of
  // the 30 KB/s per client), 100-byte payloads, one channel of 100.
  streams: {
    members: 100,
    trials: 5,
    workers: 2,
    payloadBytes: 100,
    perSenderRate: 60,
    streamsPerSender: 2,
    latencySenders: [1, 10],
    phaseMs: 10_000,
    warmupMs: 1000,
    rampSenders: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 14, 16, 18, 20, 24, 28, 32, 40, 48, 56, 64, 80, 99],
    rampStepMs: 3000,
    p99LimitMs: 50,
    drainMs: 3000,
    quietBelowPercent: 30,
    quietMaxWaitMs: 5000,
  },
};

export const QUICK: Sizes = {
  runs: 1,
  console: { channels: 300, viewers: 50, windowMs: 2000, joinRate: 50, workers: 2 },
  capacity: {
    servers: 1,
    perServer: 300,
    channelSize: 10,
    idleMs: 1000,
    concurrency: 100,
    connectBudgetMs: 30_000,
  },
  machine: undefined,
  // Two processes on one Redis, small: the smoke checks the Redis variant runs and holds everyone.
  machineRedis: { servers: 2, perServer: 150, connectBudgetMs: 30_000 },
  join: { rate: 100, durationMs: 1000, workers: 2, warmupMs: 200 },
  presence: { members: [50], trials: 2, minSamples: 0, warmupTrials: 1, workers: 2 },
  crossnode: { nodes: 3, members: 30, trials: 2 },
  // The outage must outlast the 4 s client detection and end inside the (shortened) offline window
  // even for a client whose last ping left a whole ping interval (30 % of the window: 2.7 s) before
  // the cut: 2.7 s + 4.3 s + the reconnect < 9 s.
  fault: { clients: 40, workers: 1, outageMs: 4300, settleMs: 1000, marginMs: 1500 },
  offlineAfterMs: 9000,
  slowPeer: false,
  streams: {
    members: 20,
    trials: 1,
    workers: 2,
    payloadBytes: 100,
    perSenderRate: 60,
    streamsPerSender: 2,
    latencySenders: [1, 3],
    phaseMs: 800,
    warmupMs: 200,
    rampSenders: [2, 4],
    rampStepMs: 600,
    p99LimitMs: 50,
    drainMs: 5000,
    quietBelowPercent: 100,
    quietMaxWaitMs: 0,
  },
};
