import { LibPool } from './clients/lib-pool.js';
import type { RawTarget } from './clients/raw.js';
import { type Member, RawPool } from './clients/raw-pool.js';
import { type SendPlan, StreamPool } from './clients/stream-pool.js';
import { serve } from './rpc.js';
import { procStats } from './servers/proc-stats.js';
import { profileStart, profileStop } from './servers/profiler.js';
import { now } from './stats.js';

/** A load-generator process: lean raw clients and full-library clients, driven by the coordinator. */
let raw: RawPool | undefined;
const lib = new LibPool();

let streams: StreamPool | undefined;
const streamPool = (): StreamPool => {
  streams ??= new StreamPool();
  return streams;
};

const pool = (): RawPool => {
  raw ??= new RawPool(1500);
  return raw;
};

serve({
  rawInit: (p: { keepaliveMs: number }) => {
    raw?.dispose();
    raw = new RawPool(p.keepaliveMs);
  },
  rawOpen: (p: { target: RawTarget; members: Member[]; concurrency: number; deadline?: number }) =>
    pool().open(p.target, p.members, p.concurrency, p.deadline ?? Infinity),
  rawOpenAtRate: (p: { target: RawTarget; members: Member[]; rate: number; startAt: number }) =>
    pool().openAtRate(p.target, p.members, p.rate, p.startAt),
  rawResetGaps: () => pool().resetGaps(),
  rawGaps: (p: { limitMs: number }) => pool().gaps(p.limitMs),
  rawRecordPresence: (p: { on: boolean }) => {
    pool().recordPresence = p.on;
    pool().joinSeen.clear();
    pool().offlineSeen.clear();
  },
  /** Arrival times of user_joined(uid) at this process's members. */
  rawJoinSeen: (p: { uid: number }) => pool().joinSeen.get(p.uid) ?? [],
  /** Arrival times of user_offline(uid) at this process's members. */
  rawOfflineSeen: (p: { uid: number }) => pool().offlineSeen.get(p.uid) ?? [],
  rawJoinOne: async (p: { target: RawTarget; member: Member }) => {
    const { client, ok } = await pool().openOne(p.target, p.member);
    return { ok, sentAt: client.joinSentAt, joinedAt: client.joinedAt, startedAt: client.startedAt };
  },
  /** Sends `uid`'s leave; `sentAt` is when (ms), `ok` false if there is no such open client. */
  rawLeave: (p: { uid: number }) => {
    const client = pool().find(p.uid);
    const ok = client?.ws.isOpen ?? false;
    const sentAt = now();
    client?.leave();
    return { ok, sentAt };
  },
  rawCount: () => pool().clients.size,
  /** Big channel: how many of this process's members know every other member (`expected` of them). */
  rawComplete: (p: { expected: number }) => pool().complete(p.expected),
  rawCloseAll: () => pool().closeAll(),
  libOpen: (p: {
    kind: 'holdfast' | 'socketio';
    url: string;
    members: Member[];
    concurrency: number;
    lean?: boolean;
  }) => lib.open(p.kind, p.url, p.members, p.concurrency, p.lean ?? true),
  libOnline: () => lib.fireOnline(),
  /** `BENCH_PROFILE_DIR`: the client libraries' CPU during a storm (the SDK is half of it). */
  profileStart: () => profileStart(),
  profileStop: (p: { file: string }) => profileStop(p.file),
  libCollect: () => lib.collect(),
  libCloseAll: () => lib.closeAll(),
  /** Data streams (the `streams` scenario): members of one channel that receive, some of which send. */
  streamOpen: (p: { target: RawTarget; members: Member[]; concurrency: number }) =>
    streamPool().open(p.target, p.members, p.concurrency),
  streamReopen: () => streamPool().reopen(),
  streamReset: (p: { from: number; to: number }) => streamPool().reset(p),
  streamSend: (p: SendPlan) => streamPool().send(p),
  streamCounts: () => streamPool().counts(),
  streamCollect: () => streamPool().collect(),
  streamCloseAll: () => streamPool().closeAll(),
  stats: () => procStats(false),
});
