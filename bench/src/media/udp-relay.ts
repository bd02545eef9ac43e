import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { serve } from '../rpc.js';
import { procStats } from '../servers/proc-stats.js';
import { type Impairment, NO_IMPAIRMENT, Shaper } from './shaper.js';

/**
 * The publisher's network path, in its own process: a UDP relay between Chromium and the SFU that
 * can be cut (every datagram dropped both ways, as when a network goes away) and restored. The
 * publisher is told the relay's front socket is the SFU (its answer's candidates are replaced), and
 * the SFU is told the relay's back socket is the publisher (the offer's candidates are replaced).
 * Both on 127.0.0.1. The publisher's direction (its media) can also be impaired: random loss and a
 * rate-limited bottleneck (shaper.ts); the SFU's direction (its feedback) never is.
 */
let front: Socket | undefined;
let back: Socket | undefined;
let client: RemoteInfo | undefined;
let cut = false;
let target: { host: string; port: number } | undefined;
const counts = { up: 0, down: 0, dropped: 0, impaired: 0 };
const shaper = new Shaper();

serve({
  /** `backHost`: the address the SFU-facing socket binds to (the SFU's own: Janus's is not 127.0.0.1). */
  start: async (p: { backHost?: string }) => {
    front = createSocket('udp4');
    back = createSocket('udp4');
    const f = front;
    const b = back;
    f.on('message', (msg, from) => {
      client = from;
      if (cut || !target) return void counts.dropped++;
      const to = target;
      const step = shaper.datagram(performance.now(), msg.length);
      if (step.drop) return void counts.impaired++;
      counts.up++;
      if (step.delayMs === 0) b.send(msg, to.port, to.host);
      else setTimeout(() => b.send(msg, to.port, to.host), step.delayMs);
    });
    b.on('message', (msg) => {
      if (cut || !client) return void counts.dropped++;
      counts.down++;
      f.send(msg, client.port, client.address);
    });
    await Promise.all([
      new Promise<void>((resolve) => f.bind(0, '127.0.0.1', resolve)),
      new Promise<void>((resolve) => b.bind(0, p.backHost ?? '127.0.0.1', resolve)),
    ]);
    return { front: f.address().port, back: b.address().port, backHost: b.address().address };
  },
  /** Where the SFU is (from its answer). */
  target: (p: { host: string; port: number }) => {
    target = p;
  },
  cut: (p: { on: boolean }) => {
    cut = p.on;
    return { ...counts };
  },
  /** Impairs the publisher's direction from now on (NO_IMPAIRMENT's fields where not given). */
  impair: (p: Partial<Impairment>) => {
    shaper.impairment = { ...NO_IMPAIRMENT, ...p };
    return { ...counts };
  },
  stats: () => procStats(false),
  stop: () => {
    front?.close();
    back?.close();
  },
});
