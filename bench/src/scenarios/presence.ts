import { chunk, startTarget, startWorkers, stopAll } from '../harness.js';
import { type Dist, dist, now, sleep } from '../stats.js';
import type { SystemDef } from '../systems.js';

export interface PresenceParams {
  members: number;
  trials: number;
  /** Joins before the recorded ones, left out of the figures (every system's join path warmed up). */
  warmupTrials?: number;
  workers: number;
}

export interface PresenceResult {
  system: string;
  members: number;
  trials: number;
  /** Join sent by the newcomer → user_joined at each member, ms, over every (trial, member). */
  perMember: Dist;
  /** Per trial: until the last member has it, ms. */
  untilAll: Dist;
  /** (trial, member) pairs that never got the event within 5 s. */
  missing: number;
  samples: number[];
}

/** Scenario 3: one join into a channel of M members; time until every member has user_joined. */
export async function presence(sys: SystemDef, p: PresenceParams): Promise<PresenceResult> {
  const t = await startTarget(sys);
  const workers = await startWorkers(p.workers, sys.keepaliveMs);
  try {
    const channel = `presence${p.members}`;
    const all = Array.from({ length: p.members }, (_, i) => ({ uid: 1 + i, channel }));
    await Promise.all(
      chunk(all, p.workers).map((list, w) =>
        workers[w]!.call('rawOpen', { target: t.target, members: list, concurrency: 50 }),
      ),
    );
    await Promise.all(workers.map((w) => w.call('rawRecordPresence', { on: true })));
    await sleep(500);
    const perMember: number[] = [];
    const untilAll: number[] = [];
    let missing = 0;
    const warmup = p.warmupTrials ?? 0;
    for (let trial = -warmup; trial < p.trials; trial++) {
      const uid = 1_000_000 + warmup + trial;
      const joiner = workers[(warmup + trial) % workers.length]!;
      const j = await joiner.call<{ ok: boolean; sentAt: number }>('rawJoinOne', {
        target: t.target,
        member: { uid, channel },
      });
      if (!j.ok) throw new Error(`${sys.id}: presence joiner ${uid} failed`);
      let seen: number[] = [];
      const deadline = now() + 5000;
      do {
        await sleep(50);
        seen = (await Promise.all(workers.map((w) => w.call<number[]>('rawJoinSeen', { uid })))).flat();
      } while (seen.length < p.members && now() < deadline);
      const lat = seen.map((at) => at - j.sentAt);
      if (trial >= 0) {
        perMember.push(...lat);
        untilAll.push(Math.max(...lat));
        missing += p.members - seen.length;
      }
      await joiner.call('rawLeave', { uid });
      await sleep(100);
    }
    await Promise.all(workers.map((w) => w.call('rawCloseAll')));
    return {
      system: sys.id,
      members: p.members,
      trials: p.trials,
      perMember: dist(perMember),
      untilAll: dist(untilAll),
      missing,
      samples: perMember,
    };
  } finally {
    await stopAll(workers);
    await t.stop();
  }
}
