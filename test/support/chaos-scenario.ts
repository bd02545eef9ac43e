import { fileURLToPath } from 'node:url';
import { type MessageFigures, percentile } from './reliability.js';

/** test/support/chaos-child.mjs: the script each namespace runs. */
export const CHAOS_CHILD = fileURLToPath(new URL('./chaos-child.mjs', import.meta.url));

export type Fault = 'loss' | 'blackhole' | 'rst' | 'ipchange';

/** What chaos-child.mjs is told to do. */
export interface ChaosSpec {
  name: string;
  fault: Fault;
  /** Addresses the rule hits (the faulted client is 127.0.0.2; give-up clients 127.0.0.3). */
  targets: string[];
  faultMs: number;
  lossProbability?: number;
  /** Also run an Agora (D) and a NERTC (E) client on 127.0.0.3 that give up after `giveupAfterMs`. */
  giveup?: boolean;
  giveupAfterMs?: number;
  rate?: number;
}

export interface ChildEvent {
  name: string;
  args: unknown[];
  /** unix ms */
  at: number;
}
export interface ChildClient {
  uid: number;
  kind: 'agora' | 'nertc';
  localAddress: string;
  events: ChildEvent[];
}
/** What chaos-child.mjs prints. */
export interface ChaosResult {
  spec: ChaosSpec;
  times: {
    start: number;
    joined: number;
    fault: number;
    lift: number;
    rejoined: number;
    stop: number;
    settled: number;
    end: number;
  };
  clients: Record<string, ChildClient>;
  /** Messages each sender (by uid) sent. */
  sent: Record<string, number>;
  log: string[];
  error?: string;
}

/** Sender name by uid: A is the faulted client, B an observer that also sends. */
const SENDERS: Record<number, string> = { 1: 'A', 2: 'B' };

/** `[state, reason, at]` of a client's state changes. */
export function states(c: ChildClient): Array<[number, number, number]> {
  return c.events
    .filter((e) => e.name === 'onConnectionStateChanged')
    .map((e) => [e.args[0] as number, e.args[1] as number, e.at]);
}

/** The first state change matching, at or after `from` (unix ms). */
export function firstState(
  c: ChildClient,
  pred: (state: number, reason: number) => boolean,
  from: number,
): { state: number; reason: number; at: number } | undefined {
  const hit = states(c).find(([s, r, at]) => at >= from && pred(s, r));
  return hit && { state: hit[0], reason: hit[1], at: hit[2] };
}

/**
 * Counts, at every receiver (A, B, C), the messages of every other sender: what arrived, what never
 * came (lost, or reported missed through onStreamMessageError 117), what came twice or out of order.
 */
export function messageFigures(r: ChaosResult): MessageFigures & { perReceiver: Record<string, string> } {
  let expected = 0;
  let delivered = 0;
  let lost = 0;
  let reportedMissed = 0;
  let duplicates = 0;
  let outOfOrder = 0;
  const latencies: number[] = [];
  const perReceiver: Record<string, string> = {};
  for (const rx of ['A', 'B', 'C']) {
    const client = r.clients[rx]!;
    for (const [uidText, count] of Object.entries(r.sent)) {
      const uid = Number(uidText);
      if (uid === client.uid) continue;
      const name = SENDERS[uid]!;
      const got = client.events.filter((e) => e.name === 'onStreamMessage' && e.args[0] === uid);
      const indices = got.map((e) => Number(String(e.args[2]).slice(name.length + 1)));
      const unique = new Set(indices);
      let ooo = 0;
      for (let i = 1; i < indices.length; i++) if (indices[i]! < indices[i - 1]!) ooo++;
      const missed = client.events
        .filter((e) => e.name === 'onStreamMessageError' && e.args[0] === uid && e.args[2] === 117)
        .reduce((n, e) => n + (e.args[3] as number), 0);
      const never = count - unique.size;
      expected += count;
      delivered += unique.size;
      duplicates += indices.length - unique.size;
      outOfOrder += ooo;
      reportedMissed += Math.min(missed, never);
      lost += Math.max(0, never - missed);
      for (const e of got) latencies.push(e.at - (e.args[3] as number));
      perReceiver[`${name}→${rx}`] = `${unique.size}/${count}${missed ? ` (${missed} reported missed)` : ''}`;
    }
  }
  const sent = Object.values(r.sent).reduce((n, x) => n + x, 0);
  return {
    sent,
    expected,
    delivered,
    lost,
    reportedMissed,
    duplicates,
    outOfOrder,
    latencyP50: percentile(latencies, 50),
    latencyP99: percentile(latencies, 99),
    latencyMax: latencies.length ? Math.max(...latencies) : Number.NaN,
    perReceiver,
  };
}
