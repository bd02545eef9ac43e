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
  const ended: Array<[string, string, number]> = [];
  const service = {
    nodeId: 'n1',
    eachLocalSession: () => sessions,
    retryFailedEffects: async () => {},
    holds: (live: LiveSession) => sessions.includes(live),
    end: async (live: LiveSession, cause: string) => {
      ended.push([live.id, cause, clock.now()]);
      live.setState({ ...live.state, phase: 'ended' });
      sessions.splice(sessions.indexOf(live), 1);
    },
  } as unknown as ChannelService;
  const sweeper = new Sweeper(service, engine, {
    clock,
    sweepIntervalMs: 200,
    heartbeatMs: 1000,
    log: pino({ level: 'silent' }),
  });
  return { clock, sessions, published, sweeper, ended };
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

describe('Sweeper: sessions end on time, not at the next sweep', () => {
  it('a silent session ends exactly when its window closes; one that spoke meanwhile goes back under its new time', async () => {
    const { clock, sessions, sweeper, ended } = rig();
    const start = clock.now();
    for (const s of sessions) sweeper.watch(s);
    clock.advance(5_000);
    seen(sessions[1]!, clock.now()); // uid 2 pings at +5 s: its window now ends at +25 s
    clock.advance(14_999);
    await Promise.resolve();
    expect(ended).toEqual([]);
    clock.advance(1);
    await new Promise((r) => setTimeout(r, 0));
    expect(ended).toEqual([
      ['s1', 'timed_out', start + 20_000],
      ['s3', 'timed_out', start + 20_000],
    ]);
    clock.advance(4_999);
    await new Promise((r) => setTimeout(r, 0));
    expect(ended).toHaveLength(2);
    clock.advance(1);
    await new Promise((r) => setTimeout(r, 0));
    expect(ended[2]).toEqual(['s2', 'timed_out', start + 25_000]);
  });

  it('sessions that keep pinging do not wake the timer once each: it runs to the earliest real deadline', async () => {
    const { clock, sessions, sweeper, ended } = rig();
    let timers = 0;
    const setTimeout_ = clock.setTimeout.bind(clock);
    clock.setTimeout = (fn, ms) => {
      timers++;
      return setTimeout_(fn, ms);
    };
    for (const s of sessions) sweeper.watch(s);
    // Each pings every 6 s, 2 s apart, for 2 minutes: none is ever due.
    for (let t = 1; t <= 120; t++) {
      clock.advance(1000);
      sessions.forEach((s, i) => {
        if (t % 6 === 2 * i) seen(s, clock.now());
      });
      await Promise.resolve();
    }
    expect(ended).toEqual([]);
    // Once per ~14 s for all three (a timer per stale entry was ~3 per 14 s); then silence ends them.
    expect(timers).toBeLessThanOrEqual(10);
    for (let t = 0; t < 20; t++) {
      clock.advance(1000);
      await new Promise((r) => setTimeout(r, 0));
    }
    expect(ended.map(([id]) => id).sort()).toEqual(['s1', 's2', 's3']);
  });

  it('a token renewed with an earlier expiry (or a resume with one) ends the session at that expiry, not at the time queued before', async () => {
    const { clock, sessions, sweeper, ended } = rig();
    const start = clock.now();
    sweeper.watch(sessions[0]!); // queued under its silence deadline, +20 s
    clock.advance(2_000);
    const renewed = sessionTransition(
      sessions[0]!.state,
      { type: 'token_renewed', id: 1, tokenExpiresAt: start + 5_000 },
      clock.now(),
    );
    sessions[0]!.setState(renewed.state);
    clock.advance(3_000);
    await new Promise((r) => setTimeout(r, 0));
    expect(ended).toEqual([['s1', 'token_expired', start + 5_000]]);
  });

  it('a token expiry before the window ends the session at the expiry; a session already gone is skipped', async () => {
    const { clock, sessions, sweeper, ended } = rig();
    const start = clock.now();
    sessions[0]!.setState({ ...sessions[0]!.state, tokenExpiresAt: start + 7_000 });
    const gone = sessions.splice(2, 1)[0]!;
    sweeper.watch(sessions[0]!);
    sweeper.watch(gone);
    clock.advance(7_000);
    await new Promise((r) => setTimeout(r, 0));
    expect(ended).toEqual([['s1', 'token_expired', start + 7_000]]);
    clock.advance(20_000);
    await new Promise((r) => setTimeout(r, 0));
    expect(ended.map((e) => e[0])).toEqual(['s1']);
  });
});
