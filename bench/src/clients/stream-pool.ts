import { StreamRateLimiter } from '@holdfast/protocol';
import { now, sleep } from '../stats.js';
import type { RawTarget } from './raw.js';
import type { Member } from './raw-pool.js';
import { StreamMember } from './stream-member.js';
import { freshTally, HIST_BUCKETS, type StreamTally } from './stream-tally.js';

export { bucketOf, bucketValue, HIST_BUCKETS, type StreamTally } from './stream-tally.js';

/* Data-stream load for the `streams` scenario (what its members speak and send: stream-member.ts). */

export interface SendPlan {
  /** uid → the sender's index in the whole channel (0..senders-1): its phase in the schedule. */
  senders: Array<[uid: number, index: number]>;
  /** Total senders in the channel (all workers): spreads their phases over one period. */
  totalSenders: number;
  /** Messages per second per sender. */
  rate: number;
  /** Streams each sender spreads its messages over (round-robin): each stream gets rate / streams. */
  streams: number;
  payloadBytes: number;
  startAt: number;
  durationMs: number;
}

export interface SendResult {
  sent: number;
  /** Slots a sender let pass (its timer ran more than one period late): never sent in a burst. */
  skipped: number;
  /** Held back by the SDK's own limiter (the server would have refused it): should stay 0. */
  heldBack: number;
  /** Slots of a sender whose connection had closed (not sent, not expected anywhere). */
  notOpen: number;
  /** Latest a message left after its slot, ms. */
  maxLateMs: number;
}
/** One load-generator process's members of the stream channel. */
export class StreamPool {
  readonly members = new Map<number, StreamMember>();
  tally: StreamTally = freshTally();
  hist = new Uint32Array(HIST_BUCKETS);
  measureFrom = 0;
  measureTo = Number.POSITIVE_INFINITY;
  #ticker: NodeJS.Timeout | undefined;

  /** Holdfast members ping every `keepaliveMs` (what the server asks for); Socket.IO's answer the server. */
  constructor(keepaliveMs = 5950) {
    this.#ticker = setInterval(() => {
      const at = now();
      for (const m of this.members.values()) if (at - m.lastPingAt >= keepaliveMs) m.ping(at);
    }, 250);
  }

  /** Joins `members` (at most `concurrency` joins in flight); resolves with how many joined. */
  async open(
    target: RawTarget,
    list: Member[],
    concurrency: number,
  ): Promise<{ joined: number; failed: number }> {
    let next = 0;
    let joined = 0;
    const lane = async () => {
      while (next < list.length) {
        const m = list[next++]!;
        const ok = await new Promise<boolean>((resolve) => {
          const member = new StreamMember(target, m.uid, m.channel, this, resolve);
          // Spread the keepalives over the interval.
          member.lastPingAt = now() - Math.random() * 5000;
          this.members.set(m.uid, member);
          setTimeout(() => resolve(false), 15_000).unref();
        });
        if (ok) joined++;
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, list.length) }, lane));
    return { joined, failed: list.length - joined };
  }

  /**
   * Joins again every member whose connection has closed (e.g. a sender the server closed for its
   * refusals), so each phase starts with the whole channel; a sender keeps its message numbering.
   */
  async reopen(): Promise<number> {
    const dead = [...this.members.values()].filter((m) => !m.ws.isOpen);
    await Promise.all(
      dead.map(
        (m) =>
          new Promise<boolean>((resolve) => {
            const fresh = new StreamMember(m.target, m.uid, m.channel, this, resolve);
            fresh.next = m.next;
            fresh.lastPingAt = now();
            this.members.set(m.uid, fresh);
            setTimeout(() => resolve(false), 15_000).unref();
          }),
      ),
    );
    return dead.length;
  }

  /** Starts a phase: counters cleared; only messages sent in [from, to) go into the latency figures. */
  reset(p: { from: number; to: number }): void {
    this.tally = freshTally();
    this.hist.fill(0);
    this.measureFrom = p.from;
    this.measureTo = p.to;
  }

  /** Counters only (the drain polls this). */
  counts(): { received: number; refused: number; closed: number } {
    const t = this.tally;
    return { received: t.received, refused: t.refused, closed: t.closed };
  }

  collect(): StreamTally {
    const hist: Array<[number, number]> = [];
    this.hist.forEach((c, b) => {
      if (c) hist.push([b, c]);
    });
    return { ...this.tally, hist };
  }

  /**
   * Open loop on a fixed schedule: sender `index` sends its k-th message at
   * `startAt + (k + index / totalSenders) * 1000 / rate`, round-robin over its streams. A sender
   * whose slot has passed by more than one period lets it go (counted as skipped) instead of
   * catching up in a burst, and every message is checked against the SDK's own limiter first.
   */
  async send(p: SendPlan): Promise<SendResult> {
    const period = 1000 / p.rate;
    const end = p.startAt + p.durationMs;
    const res: SendResult = { sent: 0, skipped: 0, heldBack: 0, notOpen: 0, maxLateMs: 0 };
    const senders = p.senders.map(([uid, index]) => {
      const m = this.members.get(uid);
      if (!m) throw new Error(`no member ${uid} in this worker`);
      if (m.epochs.length < p.streams) {
        m.epochs = Array.from({ length: p.streams }, () => 1 + Math.floor(Math.random() * 2 ** 40));
        m.seqs = Array.from({ length: p.streams }, () => 0);
        m.limiter = new StreamRateLimiter();
      }
      return { m, index, at: p.startAt + (index / p.totalSenders) * period };
    });
    const payload = Buffer.alloc(p.payloadBytes, 0x61);
    while (senders.length) {
      let soonest = Number.POSITIVE_INFINITY;
      const t = now();
      for (let i = senders.length - 1; i >= 0; i--) {
        const s = senders[i]!;
        while (s.at <= t - period && s.at < end) {
          res.skipped++;
          s.at += period;
        }
        if (s.at >= end) {
          senders.splice(i, 1);
          continue;
        }
        if (s.at <= t && !s.m.ws.isOpen) {
          res.notOpen++;
          s.at += period;
        } else if (s.at <= t) {
          const m = s.m;
          const n = ++m.next;
          const streamId = 1 + (n % p.streams);
          const sendAt = now();
          if (m.limiter!.consume(streamId, p.payloadBytes, sendAt).ok) {
            payload.writeDoubleLE(sendAt, 0);
            payload.writeUInt32LE(s.index, 8);
            payload.writeUInt32LE(n, 12);
            m.send(streamId, payload);
            res.sent++;
            res.maxLateMs = Math.max(res.maxLateMs, sendAt - s.at);
          } else {
            res.heldBack++;
            m.next--;
          }
          s.at += period;
        }
        soonest = Math.min(soonest, s.at);
      }
      if (!senders.length) break;
      const wait = soonest - now();
      if (wait >= 1) await sleep(wait);
      else await new Promise<void>((resolve) => setImmediate(resolve));
    }
    return { ...res, maxLateMs: Math.round(res.maxLateMs * 100) / 100 };
  }

  async closeAll(): Promise<void> {
    for (const m of this.members.values()) m.ws.destroy();
    this.members.clear();
    await sleep(50);
  }

  dispose(): void {
    clearInterval(this.#ticker);
  }
}
