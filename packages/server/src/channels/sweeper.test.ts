import { TestClock } from '@holdfast/protocol';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { Engine } from '../engine/types.js';
import { sessionTransition } from '../session/machine.js';
import { LiveSession } from './live-session.js';
import type { ChannelService } from './service.js';
import { Sweeper } from './sweeper.js';

/** A frame from the client at `at` (the session machine's `seen`). */
const seen = (live: LiveSession, at: number) =>
  live.setState(sessionTransition(live.state, { type: 'seen' }, at).state);

/** A sweeper over stub sessions and an engine that records what it is asked to publish. */
function rig() {
  const clock = new TestClock(1_000_000);
  const sessions = [1, 2, 3].map(
    (uid) =>
      new LiveSession(`s${uid}`, { appId: 'a', channel: 'c' }, 'k', uid, {
        now: clock.now(),
        attachment: 0,
        role: 'broadcaster',
        profile: 'communication',
        offlineAfterMs: 20_000,
        phase: 'detached',
      }),
  );
  const published: Array<Array<{ sessionId: string; deadline: number }>> = [];
  const engine = {
    heartbeat: async () => clock.now() + 5, // the engine's clock runs 5 ms ahead
    setDeadlines: async (entries: Array<{ sessionId: string; deadline: number }>) => {
      published.push(entries);
    },
    claimOrphans: async () => [],
  } as unknown as Engine;
  const service = {
    nodeId: 'n1',
    eachLocalSession: () => sessions,
    retryFailedEffects: async () => {},
  } as unknown as ChannelService;
  const sweeper = new Sweeper(service, engine, {
    clock,
    sweepIntervalMs: 200,
    heartbeatMs: 1000,
    log: pino({ level: 'silent' }),
  });
  return { clock, sessions, published, sweeper };
}

describe('Sweeper heartbeat: offline deadlines', () => {
  it('publishes every deadline once (in engine time), then only the ones that moved', async () => {
    const { clock, sessions, published, sweeper } = rig();
    await sweeper.beat();
    expect(published).toEqual([
      sessions.map((s) => ({ sessionId: s.id, deadline: s.lastSeenAt + 20_000 + 5 })),
    ]);
    clock.advance(1000);
    await sweeper.beat();
    expect(published).toHaveLength(1); // nothing moved: no engine write at all
    seen(sessions[1]!, clock.now()); // a ping from uid 2
    clock.advance(1000);
    await sweeper.beat();
    expect(published[1]).toEqual([{ sessionId: 's2', deadline: sessions[1]!.lastSeenAt + 20_005 }]);
  });

  it('every 10th beat writes all deadlines again, moved or not (heals writes the engine lost)', async () => {
    const { clock, published, sweeper } = rig();
    for (let beat = 1; beat <= 10; beat++) {
      await sweeper.beat();
      clock.advance(1000);
    }
    expect(published.map((p) => p.length)).toEqual([3, 3]);
  });

  it('a deadline moved by less than 250 ms (clock-offset jitter) is left alone; a forgotten one is sent again', async () => {
    const { clock, sessions, published, sweeper } = rig();
    await sweeper.beat();
    seen(sessions[0]!, sessions[0]!.lastSeenAt + 249);
    clock.advance(1000);
    await sweeper.beat();
    expect(published).toHaveLength(1);
    seen(sessions[0]!, sessions[0]!.lastSeenAt + 1);
    sessions[2]!.publishedDeadline = undefined; // e.g. the engine lost its state and it was re-asserted
    clock.advance(1000);
    await sweeper.beat();
    expect(published[1]!.map((e) => e.sessionId)).toEqual(['s1', 's3']);
  });
});
