import { serve } from '../rpc.js';
import { procStats } from '../servers/proc-stats.js';
import { now } from '../stats.js';
import { type InboundTotals, MediaSubscriber, type SubTarget } from './subscriber.js';

/**
 * A load-generator process of the media bench: `@roamhq/wrtc` subscribers of one publisher, driven
 * by the coordinator. During a measurement window each subscriber's inbound totals are sampled
 * every `sampleMs` (getStats), which is how a stall (no new decoded frame, or no new audio packet)
 * is timed.
 */
export interface OpenResult {
  uid: number;
  ok: boolean;
  error?: string;
  subscribeSentAt: number;
  answeredAt: number;
  connectedAt: number;
  firstFrameAt: number;
}

/** One subscriber over a window: what it received, and its longest stalls. */
export interface SubWindow {
  uid: number;
  delta: InboundTotals;
  /** Longest time without a new decoded video frame / a new audio packet, ms (to the sampling period). */
  maxVideoGapMs: number;
  maxAudioGapMs: number;
  samples: number;
}

interface Tracked {
  sub: MediaSubscriber;
  base: InboundTotals;
  last: InboundTotals;
  videoChangedAt: number;
  audioChangedAt: number;
  maxVideoGapMs: number;
  maxAudioGapMs: number;
  samples: number;
}

const subs = new Map<number, Tracked>();
let windowOn = false;
let loop: Promise<void> | undefined;
let sampleMs = 250;

async function sampleOnce(t: Tracked): Promise<void> {
  const s = await t.sub.totals().catch(() => undefined);
  if (!s) return;
  if (s.framesDecoded > t.last.framesDecoded) t.videoChangedAt = s.at;
  else t.maxVideoGapMs = Math.max(t.maxVideoGapMs, s.at - t.videoChangedAt);
  if (s.audioPackets > t.last.audioPackets) t.audioChangedAt = s.at;
  else t.maxAudioGapMs = Math.max(t.maxAudioGapMs, s.at - t.audioChangedAt);
  t.last = s;
  t.samples++;
}

/** Wakes the sampling loop's sleep at once (the window's end). */
let wake: (() => void) | undefined;

async function sampling(): Promise<void> {
  while (windowOn) {
    const started = now();
    await Promise.all([...subs.values()].map(sampleOnce));
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, Math.max(0, sampleMs - (now() - started)));
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}

async function open(p: {
  target: SubTarget;
  uids: number[];
  concurrency: number;
  firstFrameMs: number;
}): Promise<OpenResult[]> {
  const out: OpenResult[] = [];
  let next = 0;
  const one = async (uid: number) => {
    const sub = new MediaSubscriber(uid, p.target);
    try {
      await sub.open();
      await sub.firstFrame(p.firstFrameMs);
      const base = await sub.totals();
      subs.set(uid, {
        sub,
        base,
        last: base,
        videoChangedAt: base.at,
        audioChangedAt: base.at,
        maxVideoGapMs: 0,
        maxAudioGapMs: 0,
        samples: 0,
      });
      out.push({ uid, ok: true, ...times(sub) });
    } catch (err) {
      out.push({ uid, ok: false, error: (err as Error).message, ...times(sub) });
      sub.close();
    }
  };
  await Promise.all(
    Array.from({ length: Math.min(p.concurrency, p.uids.length) }, async () => {
      while (next < p.uids.length) await one(p.uids[next++]!);
    }),
  );
  return out;
}

const times = (s: MediaSubscriber) => ({
  subscribeSentAt: s.subscribeSentAt,
  answeredAt: s.answeredAt,
  connectedAt: s.connectedAt,
  firstFrameAt: s.firstFrameAt,
});

serve({
  open,
  close: (p: { uids: number[] }) => {
    for (const uid of p.uids) {
      subs.get(uid)?.sub.close();
      subs.delete(uid);
    }
  },
  closeAll: () => {
    windowOn = false;
    for (const t of subs.values()) t.sub.close();
    subs.clear();
  },
  count: () => subs.size,
  /** Starts a measurement window: a fresh baseline for every subscriber, stalls timed from now. */
  windowStart: async (p: { sampleMs: number }) => {
    sampleMs = p.sampleMs;
    await Promise.all(
      [...subs.values()].map(async (t) => {
        const s = await t.sub.totals();
        Object.assign(t, {
          base: s,
          last: s,
          videoChangedAt: s.at,
          audioChangedAt: s.at,
          maxVideoGapMs: 0,
          maxAudioGapMs: 0,
          samples: 0,
        });
      }),
    );
    windowOn = true;
    loop = sampling();
  },
  windowEnd: async (): Promise<SubWindow[]> => {
    windowOn = false;
    wake?.();
    await loop;
    const out: SubWindow[] = [];
    for (const [uid, t] of subs) {
      await sampleOnce(t);
      const delta = Object.fromEntries(
        Object.entries(t.last).map(([k, v]) => [k, v - t.base[k as keyof InboundTotals]]),
      ) as unknown as InboundTotals;
      out.push({
        uid,
        delta,
        maxVideoGapMs: t.maxVideoGapMs,
        maxAudioGapMs: t.maxAudioGapMs,
        samples: t.samples,
      });
    }
    return out;
  },
  /** Recovery: every subscriber times its next decoded frame from now. */
  arm: () => {
    for (const t of subs.values()) t.sub.arm();
  },
  armed: () => [...subs.values()].map((t) => ({ uid: t.sub.uid, at: t.sub.armedFrameAt })),
  stats: () => procStats(false),
});
