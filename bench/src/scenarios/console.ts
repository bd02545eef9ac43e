import { get, type IncomingMessage } from 'node:http';
import { chunk, cpuPercent, members, startTarget, startWorkers, stopAll } from '../harness.js';
import { type Dist, dist, now, shares, sleep } from '../stats.js';
import type { SystemDef } from '../systems.js';

export interface ConsoleParams {
  /** Channels with one member each (the console's snapshot grows with channels). */
  channels: number;
  /** Console viewers (SSE feeds) opened at once. */
  viewers: number;
  /** Each measuring window (CPU, and joins at `joinRate` during it), ms. */
  windowMs: number;
  joinRate: number;
  workers: number;
}

export interface ConsolePhase {
  /** Server CPU over the window, % of one core. */
  serverCpuPercent: number;
  joinLatency: Dist;
  failedJoins: number;
}

export interface ConsoleResult {
  system: string;
  channels: number;
  viewersOffered: number;
  /** Viewers the server accepted (200); the rest were refused (503: the viewer cap). */
  viewersAccepted: number;
  /** Bytes/s to all viewers together during the window with viewers. */
  viewerBytesPerSecond: number;
  without: ConsolePhase;
  with: ConsolePhase;
}

interface Viewer {
  status: number;
  bytes: number;
  res?: IncomingMessage;
}

function openViewer(base: string): Promise<Viewer> {
  return new Promise((resolve) => {
    const v: Viewer = { status: 0, bytes: 0 };
    const req = get(`${base}/console/api/events`, (res) => {
      v.status = res.statusCode ?? 0;
      v.res = res;
      res.on('data', (c: Buffer) => {
        v.bytes += c.length;
      });
      res.on('error', () => {});
      resolve(v);
    });
    req.on('error', () => resolve(v));
  });
}

/**
 * Issue 16 item 3's goal: many console viewers on a node with many channels must cost little and
 * not slow joins. One Holdfast server with `channels` joined members (one per channel); a window
 * without viewers, then one with `viewers` SSE feeds open: server CPU and the latency of joins
 * offered at `joinRate` during each window.
 */
export async function consoleLoad(sys: SystemDef, p: ConsoleParams): Promise<ConsoleResult> {
  const t = await startTarget(sys);
  const workers = await startWorkers(p.workers, sys.keepaliveMs);
  const viewers: Viewer[] = [];
  try {
    const base = `http://${t.target.host}:${t.target.port}`;
    const lists = chunk(members(1, p.channels, 1, 'con'), p.workers);
    await Promise.all(
      workers.map((w, i) =>
        w.call('rawOpen', {
          target: t.target,
          members: lists[i],
          concurrency: 100,
          deadline: now() + 180_000,
        }),
      ),
    );
    await sleep(2000);
    let nextUid = 10_000_000;
    const phase = async (): Promise<ConsolePhase> => {
      const total = Math.round((p.joinRate * p.windowMs) / 1000);
      const joins = members(nextUid, total, 1, `conj${nextUid}-`);
      nextUid += total;
      const parts = shares(total, p.workers);
      const starts = parts.map((_, i) => parts.slice(0, i).reduce((a, b) => a + b, 0));
      const startAt = now() + 200;
      const s0 = await t.stats();
      const results = await Promise.all(
        workers.map((w, i) => {
          const mine = joins.slice(starts[i], starts[i]! + parts[i]!);
          return w.call<{ joined: number; failed: number; latencies: number[] }>('rawOpenAtRate', {
            target: t.target,
            members: mine,
            rate: p.joinRate / p.workers,
            startAt: startAt + (i * 1000) / p.joinRate,
          });
        }),
      );
      const rest = p.windowMs - (now() - startAt);
      if (rest > 0) await sleep(rest);
      const s1 = await t.stats();
      return {
        serverCpuPercent: cpuPercent(s0, s1),
        joinLatency: dist(results.flatMap((r) => r.latencies)),
        failedJoins: results.reduce((a, r) => a + r.failed, 0),
      };
    };
    const without = await phase();
    viewers.push(...(await Promise.all(Array.from({ length: p.viewers }, () => openViewer(base)))));
    await sleep(3000);
    const bytes0 = viewers.reduce((a, v) => a + v.bytes, 0);
    const t0 = now();
    const withViewers = await phase();
    const bytes1 = viewers.reduce((a, v) => a + v.bytes, 0);
    return {
      system: sys.id,
      channels: p.channels,
      viewersOffered: p.viewers,
      viewersAccepted: viewers.filter((v) => v.status === 200).length,
      viewerBytesPerSecond: Math.round(((bytes1 - bytes0) / (now() - t0)) * 1000),
      without,
      with: withViewers,
    };
  } finally {
    for (const v of viewers) v.res?.destroy();
    await Promise.all(workers.map((w) => w.call('rawCloseAll').catch(() => {})));
    await stopAll(workers);
    await t.stop();
  }
}
