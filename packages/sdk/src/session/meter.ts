import type { Clock } from '@holdfast/protocol';
import type { SessionStats } from './session-types.js';

interface Bytes {
  readonly bytesSent: number;
  readonly bytesReceived: number;
}

/** What onLeaveChannel reports: join timing, bytes over every transport of the join, and the last RTT. */
export class SessionMeter {
  #joinedAt = 0;
  #joinStartedAt = 0;
  #connectTimeMs = 0;
  #tx = 0;
  #rx = 0;
  #rtt = 0;

  constructor(private readonly clock: Clock) {}

  /** Clock time of the last join() call. */
  get joinStartedAt(): number {
    return this.#joinStartedAt;
  }
  get rttMs(): number {
    return this.#rtt;
  }

  /** A join() call: elapsed times count from now, byte counts restart. */
  joinStarted(): void {
    this.#joinStartedAt = this.clock.now();
    this.#tx = this.#rx = 0;
  }

  /** The first `joined` of a join (not a rejoin). */
  connected(): void {
    const now = this.clock.now();
    this.#connectTimeMs = now - this.#joinStartedAt;
    this.#joinedAt = now;
  }

  /** A transport is let go: its bytes are kept. */
  detached(transport: Bytes): void {
    this.#tx += transport.bytesSent;
    this.#rx += transport.bytesReceived;
  }

  /** A pong for the ping sent at clock time `sentAt`, held `heldMs` by the server before it went out. */
  pong(sentAt: number, heldMs = 0): void {
    this.#rtt = Math.max(0, this.clock.now() - sentAt - heldMs);
  }

  stats(current: Bytes | undefined, userCount: number): SessionStats {
    const now = this.clock.now();
    return {
      duration: this.#joinedAt ? Math.round((now - this.#joinedAt) / 1000) : 0,
      txBytes: this.#tx + (current?.bytesSent ?? 0),
      rxBytes: this.#rx + (current?.bytesReceived ?? 0),
      userCount,
      connectTimeMs: this.#connectTimeMs,
      lastRttMs: this.#rtt,
    };
  }
}
