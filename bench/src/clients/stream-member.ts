import type { StreamRateLimiter } from '@holdfast/protocol';
import { RawWs, textFrame } from '../rawws.js';
import { now } from '../stats.js';
import type { RawTarget } from './raw.js';
import { bucketOf, type StreamTally } from './stream-tally.js';

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

/** Where a member counts what it receives: its pool's current phase (a StreamPool, stream-pool.ts). */
export interface StreamCounts {
  readonly tally: StreamTally;
  readonly hist: Uint32Array;
  readonly measureFrom: number;
  readonly measureTo: number;
}

const STREAM = '"data":"';
export class StreamMember {
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
    private readonly pool: StreamCounts,
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
