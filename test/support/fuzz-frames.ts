/**
 * Frames for the wire fuzzer (test/fuzz.test.ts): valid client frames of every kind, and mutations
 * of them — grammar-level (wrong types, missing or extra fields, huge or negative numbers, unknown
 * types, prototype keys, duplicate keys, deep nesting) and byte-level (flips, truncation, junk,
 * binary, oversize). Deterministic for a seed, so a failure can be replayed.
 */

/** mulberry32: a small seeded PRNG. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type Frame = string | Buffer;

export class FrameGen {
  #seq = 0;
  #id = 0;
  readonly epoch: number;

  constructor(private readonly r: () => number) {
    this.epoch = 1 + Math.floor(r() * 2 ** 40);
  }

  int(n: number): number {
    return Math.floor(this.r() * n);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }

  join(uid: number, channel: string): Record<string, unknown> {
    return { type: 'join', v: 1, appId: 'demo', channel, uid, role: 'broadcaster', profile: 'communication' };
  }

  /** A frame the server accepts from a joined broadcaster (it may answer, never end the connection). */
  valid(): Record<string, unknown> {
    const now = Date.now();
    switch (this.int(7)) {
      case 0:
        return { type: 'ping', t: now, ack: this.int(50), rtt: this.int(300) };
      case 1:
        return {
          type: 'report',
          states: Array.from({ length: 1 + this.int(4) }, (_, i) => ({
            at: now - 1000 + i,
            state: this.pick(['connected', 'reconnecting', 'connecting']),
            reason: this.pick(['interrupted', 'rejoin_success', 'lost']),
          })),
        };
      case 2:
      case 3: {
        const bytes = Buffer.alloc(1 + this.int(200), this.int(256));
        return {
          type: 'stream',
          streamId: 1,
          epoch: this.epoch,
          seq: ++this.#seq,
          data: bytes.toString('base64'),
          sentTs: now,
        };
      }
      case 4:
        return { type: 'set_role', id: ++this.#id, role: this.pick(['broadcaster', 'audience']) };
      case 5:
        return { type: 'data_state', enabled: this.r() < 0.5 };
      default:
        return { type: 'ping', t: now };
    }
  }

  /** One of many ways to spoil `frame`. Most are refused with a typed end; a few happen to stay valid. */
  mutate(frame: Record<string, unknown>): Frame {
    const text = JSON.stringify(frame);
    const keys = Object.keys(frame);
    const junk = [
      null,
      true,
      -1,
      0,
      1e308,
      -1e308,
      2 ** 53 + 1,
      1.5,
      '',
      'x'.repeat(300),
      '\u0000',
      '\ud800',
      [],
      {},
      [1, [2, [3]]],
      { type: 'ping' },
    ];
    switch (this.int(20)) {
      case 0: {
        // flip bytes
        const b = Buffer.from(text);
        for (let i = 0, n = 1 + this.int(4); i < n; i++) b[this.int(b.length)] = this.int(256);
        return b.toString('latin1');
      }
      case 1:
        return text.slice(0, this.int(text.length));
      case 2: {
        const at = this.int(text.length);
        return (
          text.slice(0, at) +
          this.pick(['{', '}', '"', ',', ':', '[', '\\', 'null', '\u0000']) +
          text.slice(at)
        );
      }
      case 3:
        return JSON.stringify({ ...frame, [this.pick(keys)]: this.pick(junk) });
      case 4: {
        const copy = { ...frame };
        delete copy[this.pick(keys.filter((k) => k !== 'type').concat('type'))];
        return JSON.stringify(copy);
      }
      case 5:
        return JSON.stringify({
          ...frame,
          type: this.pick(['teleport', 'JOIN', 'ping ', '', 'joined', 'end', 'ka', 'pong', '__proto__']),
        });
      case 6:
        return JSON.stringify({ ...frame, pad: 'x'.repeat(8 * 1024 + this.int(4096)) });
      case 7:
        return Buffer.from(text);
      case 8:
        return '';
      case 9:
        return `${'['.repeat(3000 + this.int(1000))}${']'.repeat(3000)}`;
      case 10:
        return text.replace('{', '{"__proto__":{"type":"leave","isAdmin":true},');
      case 11:
        return text.replace('{', `{"type":"${this.pick(['leave', 'join', 'stream', 'teleport'])}",`);
      case 12:
        return JSON.stringify(this.pick([[frame], 42, 'ping', null, true]));
      case 13:
        return JSON.stringify({
          ...frame,
          extra: this.pick(junk),
          constructor: { prototype: { polluted: 1 } },
        });
      case 14:
        // a stream message that breaks its own rules
        return JSON.stringify({
          type: 'stream',
          streamId: this.pick([0, 6, -1, 1.5, '1', 1]),
          epoch: this.pick([0, -1, 'e', 2 ** 60, this.epoch]),
          seq: this.pick([0, -5, 'x', 2 ** 53 + 3, 1]),
          data: this.pick(['', '!!!', 'QQ', 'QUJD', 'A'.repeat(1400), Buffer.alloc(1025).toString('base64')]),
          sentTs: this.pick([Date.now(), -1, 'now']),
        });
      case 15:
        return JSON.stringify({
          type: 'report',
          states: this.pick([null, 'x', [{}], Array(80).fill({ at: 1, state: 'up', reason: 7 })]),
        });
      case 16:
        return JSON.stringify({
          type: 'set_role',
          id: this.pick([-1, 'a', 1.5, null]),
          role: this.pick(['admin', 1, null]),
        });
      case 17:
        return JSON.stringify({
          type: 'renew_token',
          id: this.int(9),
          token: this.pick(['', '007', 'x'.repeat(4000), 5]),
        });
      case 18:
        // a second join on a joined connection, or a resume of nobody
        return JSON.stringify({
          ...this.join(this.int(1000), 'fz-x'),
          resume: this.pick([null, {}, { sessionId: 'nope', secret: 'x', lastSeq: -1 }]),
        });
      default:
        return JSON.stringify({
          type: this.pick(['media_publish', 'media_subscribe', 'media_state', 'media_unpublish']),
          sdp: 'v=0',
          junk: this.pick(junk),
        });
    }
  }

  /** A spoiled join, for the first frame of a connection. */
  badJoin(uid: number, channel: string): Frame {
    const j = this.join(uid, channel);
    switch (this.int(8)) {
      case 0:
        return JSON.stringify({ ...j, appId: this.pick(['', 'nope', '../../etc', 'x'.repeat(65), 7]) });
      case 1:
        return JSON.stringify({ ...j, channel: this.pick(['', 'a/b', 'x'.repeat(65), null, 'é']) });
      case 2:
        return JSON.stringify({ ...j, uid: this.pick([-1, 2 ** 32, 1.5, '7', null]) });
      case 3:
        return JSON.stringify({ ...j, v: this.pick([0, 2, 99, '1']) });
      case 4:
        return JSON.stringify({ ...j, role: this.pick(['admin', '', 3]), profile: this.pick(['game', 1]) });
      case 5:
        return JSON.stringify({ ...j, token: this.pick(['007eJxTYJ', 'x'.repeat(3000), 12]) });
      case 6:
        return JSON.stringify(this.valid());
      default:
        return this.mutate(j);
    }
  }
}
