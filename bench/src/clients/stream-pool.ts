import { StreamRateLimiter } from '@holdfast/protocol';
import { RawWs, textFrame } from '../rawws.js';
import { now, sleep } from '../stats.js';
import type { RawTarget } from './raw.js';
import type { Member } from './raw-pool.js';

/**
 * Data-stream load for the `streams` scenario: lean members of one channel that all receive, some
 * of which also send. No client library on either side: a Holdfast member speaks the wire format
 * (`join`, `ping` with the ack, `stream` frames, reading `event` frames of kind `stream`); a
 * Socket.IO member speaks engine.io v4 (`40`, `420["join",…]`, answers `2` with `3`, emits
 * `42["stream",{…}]`, reads the room broadcast `42["stream",uid,{…}]`).
 *
 * The payload is the same for both systems: `payloadBytes` bytes whose first 16 are the send time
 * (float64, ms, this machine's wall clock — the receiver's clock is the same one), the sender's
 * index and its message number; it travels as standard base64, as Holdfast's wire carries it. A
 * receiver reads only those 16 bytes (the first 24 base64 characters after `"data":"`), so a
 * delivery costs the load generator one frame read, one string search and a 24-character decode.
 */

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

const STREAM = '"data":"';

class StreamMember {
  readonly ws: RawWs;
  joinedAt = 0;
  #ack = 0;
  lastPingAt = 0;
  /** Last message number seen per sender index. */
  readonly last = new Int32Array(1024);
  /** Sender side: the stream epochs (Holdfast), the message number, the SDK's limiter. */
  epochs: number[] = [];
  /** Per stream: the last seq sent (the wire's per-stream sequence, 1, 2, …). */
  seqs: number[] = [];
  /** The sender's message number across its streams (in the payload). */
  next = 0;
  limiter: StreamRateLimiter | undefined;
  #onJoined: ((ok: boolean) => void) | undefined;

  constructor(
    readonly target: RawTarget,
    readonly uid: number,
    readonly channel: string,
    private readonly pool: StreamPool,
    onJoined: (ok: boolean) => void,
  ) {
    this.#onJoined = onJoined;
    const path =
      target.wire === 'holdfast' ? `/?tag=${uid}` : `/socket.io/?EIO=4&transport=websocket&tag=${uid}`;
    this.ws = new RawWs(
      { host: target.host, port: target.port, path },
      {
        onOpen: () => {
          if (target.wire === 'holdfast') this.#sendJoin();
        },
        onText: (text) => (target.wire === 'holdfast' ? this.#onHoldfast(text) : this.#onSocketIo(text)),
        onClose: () => {
          this.#joined(false);
          pool.tally.closed++;
        },
      },
    );
  }

  #joined(ok: boolean): void {
    const cb = this.#onJoined;
    this.#onJoined = undefined;
    cb?.(ok);
  }

  /** Holdfast: the client keepalive, with the ack of the last event seen. */
  ping(at: number): void {
    this.lastPingAt = at;
    if (this.target.wire === 'holdfast' && this.joinedAt > 0)
      this.ws.sendText(`{"type":"ping","t":0,"ack":${this.#ack}}`);
  }

  /** One data-stream message of `payload` (already holding time, index and number) on stream `streamId`. */
  send(streamId: number, payload: Buffer): void {
    const data = payload.toString('base64');
    const seq = ++this.seqs[streamId - 1]!;
    if (this.target.wire === 'holdfast')
      this.ws.sendText(
        `{"type":"stream","streamId":${streamId},"epoch":${this.epochs[streamId - 1]},"seq":${seq},"data":"${data}","sentTs":${Date.now()},"ordered":true}`,
      );
    else this.ws.send(textFrame(`42["stream",{"streamId":${streamId},"seq":${seq},"data":"${data}"}]`));
  }

  #sendJoin(): void {
    if (this.target.wire === 'holdfast')
      this.ws.sendText(
        `{"type":"join","v":1,"appId":"demo","channel":"${this.channel}","uid":${this.uid},"role":"broadcaster","profile":"communication"}`,
      );
    else this.ws.send(textFrame(`420["join",{"room":"${this.channel}","uid":${this.uid}}]`));
  }

  #onHoldfast(text: string): void {
    const at = now();
    if (text.startsWith('{"type":"event","seq":')) {
      let i = 22;
      let seq = 0;
      for (let c = text.charCodeAt(i); c >= 48 && c <= 57; c = text.charCodeAt(++i)) seq = seq * 10 + c - 48;
      this.#ack = seq;
      const d = text.indexOf(STREAM, i);
      if (d > 0 && text.includes('"kind":"stream"', i)) this.#received(text, d + STREAM.length, at);
      return;
    }
    if (text.startsWith('{"type":"pong"') || text.startsWith('{"type":"ka"')) return;
    const f = JSON.parse(text) as { type: string; seq?: number; code?: string };
    if (f.type === 'joined') {
      this.joinedAt = at;
      this.#ack = f.seq ?? 0;
      this.#joined(true);
    } else if (f.type === 'stream_refused') {
      const t = this.pool.tally;
      t.refused++;
      t.refusedBy[f.code ?? '?'] = (t.refusedBy[f.code ?? '?'] ?? 0) + 1;
    } else if (f.type === 'end') {
      const t = this.pool.tally;
      t.endedBy[f.code ?? '?'] = (t.endedBy[f.code ?? '?'] ?? 0) + 1;
      this.ws.destroy();
    }
  }

  #onSocketIo(text: string): void {
    const at = now();
    const type = text.charCodeAt(0);
    if (type === 0x32 /* 2: ping */) {
      this.ws.send(PONG);
      return;
    }
    if (type === 0x30 /* 0: open */) {
      this.ws.send(CONNECT);
      return;
    }
    if (type !== 0x34 /* 4: message */) return;
    const packet = text.charCodeAt(1);
    if (packet === 0x32 /* 2: event */) {
      if (text.startsWith('42["stream"')) {
        const d = text.indexOf(STREAM, 11);
        if (d > 0) this.#received(text, d + STREAM.length, at);
      }
    } else if (packet === 0x30 /* 0: connected to namespace */) this.#sendJoin();
    else if (packet === 0x33 /* 3: ack */) {
      this.joinedAt = at;
      this.#joined(true);
    }
  }

  #received(text: string, d: number, at: number): void {
    const head = Buffer.from(text.slice(d, d + 24), 'base64');
    const sentAt = head.readDoubleLE(0);
    const sender = head.readUInt32LE(8);
    const n = head.readUInt32LE(12);
    const t = this.pool.tally;
    t.received++;
    const last = this.last[sender]!;
    if (n <= last) t.duplicates++;
    else {
      if (last > 0 && n > last + 1) t.gaps += n - last - 1;
      this.last[sender] = n;
    }
    if (sentAt < this.pool.measureFrom || sentAt >= this.pool.measureTo) return;
    const ms = at - sentAt;
    t.measured++;
    t.sum += ms;
    if (ms < t.min) t.min = ms;
    if (ms > t.max) t.max = ms;
    this.pool.hist[bucketOf(ms)]!++;
  }
}

const PONG = textFrame('3');
const CONNECT = textFrame('40');

const freshTally = (): StreamTally => ({
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
