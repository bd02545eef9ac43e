import type { Dist } from '../stats.js';
import type { MediaParams } from './params.js';
import type { MediaSystemId } from './subscriber.js';

/** One ramp step: `n` subscribers receiving, measured over a window. */
export interface MediaStep {
  n: number;
  /** Subscribers added at this step that did not get a first frame (the step fails). */
  openFailed: number;
  windowMs: number;
  /** Packets received by all subscribers in the window (= packets the SFU forwarded and delivered). */
  forwarded: number;
  forwardedPerSec: number;
  serverCpuPercent: number;
  /** Server CPU time ÷ forwarded packets, µs. */
  cpuPerPacketUs: number;
  /** The publisher's outbound RTP (Chromium getStats). */
  pubVideoPps: number;
  pubAudioPps: number;
  pubFps: number;
  pubVideoKbps: number;
  /** Chromium's send-side bandwidth estimate at the end of the window, kbit/s. */
  pubBweKbps: number;
  /** Worst subscriber: receiver-reported loss (RTP sequence gaps), % of its packets. */
  lossMaxPercent: number;
  /**
   * Worst subscriber: its video / audio packets ÷ the publisher's (getStats packetsSent) in the
   * window, % (informational: the two counters are not read at the same instant, and what each
   * side counts, e.g. padding, differs).
   */
  deliveryVideoMinPercent: number;
  deliveryAudioMinPercent: number;
  /** Subscribers that went ≥ freezeMs without a new decoded frame or a new audio packet. */
  frozen: number;
  maxVideoGapMs: number;
  maxAudioGapMs: number;
  /** The wrtc subscriber processes and the publisher's UDP relay, summed, % of one core. */
  loadgenCpuPercent: number;
  /** Every Chromium process (the publisher), % of one core. */
  chromiumCpuPercent: number;
  /** Every process on the machine, % of all cores. */
  machineBusyPercent: number;
  /** The rest of the machine (not the server, not the load generators), % of all cores: other work on the box. */
  otherBusyPercent: number;
  passed: boolean;
  why: string;
}

export interface MediaRecovery {
  /**
   * `network`: every datagram between the publisher and the SFU dropped at the publisher's UDP relay
   * (both systems); `replaceTrack`: the publisher's senders paused in the page (both systems);
   * `block`: Holdfast's SFU test seam.
   */
  how: 'network' | 'replaceTrack' | 'block';
  subscribers: number;
  cutMs: number;
  /** Restore → each subscriber's next decoded frame, ms. */
  samples: number[];
  back: number;
  dist: Dist;
}

export interface MediaTrial {
  system: MediaSystemId;
  version: string;
  trial: number;
  /** os.loadavg() just before the trial (1, 5, 15 min). */
  loadAvg: number[];
  firstFrame: {
    base: number;
    /** Subscribe sent → first decoded frame, ms. */
    samples: number[];
    /** Subscribe sent → answer sent (the signalling part), ms. */
    answerSamples: number[];
    /** Subscribe sent → the subscriber's ICE connected, ms. */
    connectedSamples: number[];
    failed: number;
    dist: Dist;
  };
  recovery: MediaRecovery[];
  ramp: MediaStep[];
  /** The largest step that passed (0: none). */
  maxN: number;
  rampStop: string;
  costAt: number;
  /** At `costAt` subscribers (NaN if the ramp did not get there). */
  cpuPerPacketUs: number;
}

export interface MediaResult {
  params: MediaParams;
  systems: MediaSystemId[];
  /** Why Janus is not in the result, if it is not. */
  janusSkipped?: string;
  /** The commit measured, and whether packages/ had uncommitted changes (then the numbers are of those). */
  commit: string;
  dirtyPackages: boolean;
  date: string;
  loadAvgBefore: number[];
  machine: { cpu: string; cores: number };
  trials: MediaTrial[];
}
