import { execFileSync } from 'node:child_process';
import { TestRedis } from '@holdfast/server/testing';
import { type RunningTarget, startTarget, startWorkers, stopAll } from '../harness.js';
import type { Child } from '../rpc.js';
import { type Dist, dist, now, shares, sleep, thin } from '../stats.js';
import type { SystemDef } from '../systems.js';

export interface CrossnodeParams {
  /** Holdfast server processes, all on one Redis. */
  nodes: number;
  /** Members of the one channel, spread evenly over the nodes. */
  members: number;
  trials: number;
}

/** One presence event (join or leave), split by where the receiving member is connected. */
export interface CrossnodeSplit {
  /** Members on the newcomer's node: newcomer's frame sent → event at the member, ms. */
  sameNode: Dist;
  /** Members on the other nodes: the event went through Redis pub/sub. */
  otherNodes: Dist;
  /** Per trial: until the last member (any node) has it, ms. */
  untilAll: Dist;
  /** (trial, member) pairs that never got the event within 5 s. */
  missingSameNode: number;
  missingOtherNodes: number;
  missing: number;
  /** Events received more often than once per (trial, member). */
  duplicates: number;
}

export interface CrossnodeResult {
  system: string;
  nodes: number;
  members: number;
  trials: number;
  redisVersion: string;
  /** Newcomer's `join` sent → `user_joined` at each member. */
  join: CrossnodeSplit;
  /** Newcomer's `leave` sent → `user_offline` (quit) at each member. */
  leave: CrossnodeSplit;
  /** At most 400 evenly spaced values of each sample, for plots. */
  samples: Record<'joinSame' | 'joinOther' | 'leaveSame' | 'leaveOther', number[]>;
}

/** Accumulates one event kind's latencies over the trials. */
class Split {
  readonly same: number[] = [];
  readonly other: number[] = [];
  readonly untilAll: number[] = [];
  missSame = 0;
  missOther = 0;
  duplicates = 0;

  /** `seen[n]`: arrival times at node n's members; `expected[n]`: how many members node n has. */
  add(seen: number[][], expected: number[], joinerNode: number, sentAt: number): void {
    let last = 0;
    seen.forEach((times, n) => {
      const lat = times.map((at) => at - sentAt);
      const missing = Math.max(0, expected[n]! - times.length);
      this.duplicates += Math.max(0, times.length - expected[n]!);
      if (n === joinerNode) {
        this.same.push(...lat);
        this.missSame += missing;
      } else {
        this.other.push(...lat);
        this.missOther += missing;
      }
      for (const l of lat) last = Math.max(last, l);
    });
    this.untilAll.push(last);
  }

  result(): CrossnodeSplit {
    return {
      sameNode: dist(this.same),
      otherNodes: dist(this.other),
      untilAll: dist(this.untilAll),
      missingSameNode: this.missSame,
      missingOtherNodes: this.missOther,
      missing: this.missSame + this.missOther,
      duplicates: this.duplicates,
    };
  }
}

/** Polls every node's worker for `uid`'s events until each has `expected[n]` (or 5 s pass). */
async function collect(
  workers: Child[],
  method: 'rawJoinSeen' | 'rawOfflineSeen',
  uid: number,
  expected: number[],
): Promise<number[][]> {
  const deadline = now() + 5000;
  let seen: number[][] = [];
  do {
    await sleep(50);
    seen = await Promise.all(workers.map((w) => w.call<number[]>(method, { uid })));
  } while (seen.some((s, n) => s.length < expected[n]!) && now() < deadline);
  return seen;
}

const redisVersion = (): string => {
  try {
    return /v=(\S+)/.exec(execFileSync('redis-server', ['--version'], { encoding: 'utf8' }))?.[1] ?? '';
  } catch {
    return '';
  }
};

/**
 * Scenario 3b: `nodes` Holdfast server processes on one real Redis (loopback, nothing on disk), one
 * channel of M members spread evenly over them. Per trial a newcomer joins on node `trial % nodes`,
 * then leaves; latency = its frame sent → the presence event at each member, split into members on
 * the newcomer's node and members on the other nodes (the cross-node propagation through Redis).
 * One load-generator process per node holds that node's members; the newcomer has its own process.
 */
export async function crossnode(sys: SystemDef, p: CrossnodeParams): Promise<CrossnodeResult> {
  const redis = await TestRedis.start();
  const servers: RunningTarget[] = [];
  const workers: Child[] = [];
  try {
    const ids = Array.from({ length: p.nodes }, (_, n) => String.fromCharCode(97 + n));
    const started = await Promise.allSettled(
      ids.map((nodeId) => startTarget(sys, undefined, { redis: redis.url, nodeId })),
    );
    for (const s of started) if (s.status === 'fulfilled') servers.push(s.value);
    const refused = started.find((s) => s.status === 'rejected');
    if (refused) throw refused.reason;
    workers.push(...(await startWorkers(p.nodes + 1, sys.keepaliveMs)));
    const nodeWorkers = workers.slice(0, p.nodes);
    const joiner = workers[p.nodes]!;
    const channel = `crossnode${p.members}`;
    const perNode = shares(p.members, p.nodes);
    let uid = 1;
    const opened = await Promise.all(
      perNode.map((count, n) => {
        const members = Array.from({ length: count }, () => ({ uid: uid++, channel }));
        return nodeWorkers[n]!.call<{ joined: number; failed: number }>('rawOpen', {
          target: servers[n]!.target,
          members,
          concurrency: 50,
        });
      }),
    );
    const failed = opened.reduce((a, o) => a + o.failed, 0);
    if (failed) throw new Error(`crossnode: ${failed} members failed to join`);
    await Promise.all(nodeWorkers.map((w) => w.call('rawRecordPresence', { on: true })));
    await sleep(500);
    const join = new Split();
    const leave = new Split();
    for (let trial = 0; trial < p.trials; trial++) {
      const node = trial % p.nodes;
      const newcomer = 2_000_000 + trial;
      const j = await joiner.call<{ ok: boolean; sentAt: number }>('rawJoinOne', {
        target: servers[node]!.target,
        member: { uid: newcomer, channel },
      });
      if (!j.ok) throw new Error(`crossnode: newcomer ${newcomer} failed to join node ${ids[node]}`);
      join.add(await collect(nodeWorkers, 'rawJoinSeen', newcomer, perNode), perNode, node, j.sentAt);
      const l = await joiner.call<{ ok: boolean; sentAt: number }>('rawLeave', { uid: newcomer });
      if (!l.ok) throw new Error(`crossnode: newcomer ${newcomer} was gone before its leave`);
      leave.add(await collect(nodeWorkers, 'rawOfflineSeen', newcomer, perNode), perNode, node, l.sentAt);
      await sleep(100);
    }
    await Promise.all(workers.map((w) => w.call('rawCloseAll')));
    return {
      system: sys.id,
      nodes: p.nodes,
      members: p.members,
      trials: p.trials,
      redisVersion: redisVersion(),
      join: join.result(),
      leave: leave.result(),
      samples: {
        joinSame: thin(join.same, 400),
        joinOther: thin(join.other, 400),
        leaveSame: thin(leave.same, 400),
        leaveOther: thin(leave.other, 400),
      },
    };
  } finally {
    await stopAll(workers);
    await Promise.all(servers.map((s) => s.stop()));
    await redis.kill();
  }
}
