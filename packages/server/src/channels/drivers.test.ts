import { type ServerFrame, TestClock, type WireErrorCode } from '@holdfast/protocol';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { AppRegistry } from '../auth/apps.js';
import { DEFAULT_SERVER_TIMING } from '../config.js';
import { MemoryEngine } from '../engine/memory.js';
import { Observer } from '../observe/observer.js';
import { ClusterControl } from './cluster.js';
import { type Attachment, newAttachmentId } from './live-session.js';
import { LocalSessions } from './local-sessions.js';
import { ChannelService } from './service.js';
import { Sweeper } from './sweeper.js';

// The drivers (ChannelService, ClusterControl, Sweeper) over one MemoryEngine with N in-process
// nodes, every timer on one TestClock: no sockets, no real sleeps.
const WINDOW = 20_000;
const HEARTBEAT = 1000;
const log = pino({ level: 'silent' });

function node(nodeId: string, engine: MemoryEngine, clock: TestClock) {
  const local = new LocalSessions();
  const service = new ChannelService(engine, new AppRegistry([{ appId: 'demo' }]), local, {
    nodeId,
    clock,
    offlineAfterMs: WINDOW,
    timing: DEFAULT_SERVER_TIMING,
    maxBroadcasters: 2,
    log,
    observer: new Observer(),
  });
  // The fan-out's end-of-turn step as a microtask (`flush()` below lets it run), its busy time on
  // the test clock (no rest between rounds: the test clock does not move while a step runs).
  const cluster = new ClusterControl(service, local, engine, {
    nodeId,
    clock,
    log,
    fanout: { defer: queueMicrotask, busyClock: () => clock.now() },
  });
  const sweeper = new Sweeper(service, engine, { clock, sweepIntervalMs: 200, heartbeatMs: HEARTBEAT, log });
  return { service, cluster, sweeper, local };
}

/** One node on its own engine and test clock. */
function oneNode() {
  const clock = new TestClock(0);
  const engine = new MemoryEngine(clock);
  return { clock, engine, a: node('a', engine, clock) };
}

function transport(): Attachment & { frames: ServerFrame[]; ended?: WireErrorCode } {
  const t: Attachment & { frames: ServerFrame[]; ended?: WireErrorCode } = {
    attachmentId: newAttachmentId(),
    remoteAddress: '10.0.0.1',
    frames: [],
    send: (f) => void t.frames.push(f),
    sendEncoded: (data) => void t.frames.push(JSON.parse(data.toString()) as ServerFrame),
    sendEvents: (frames) => {
      for (const f of frames) t.frames.push(JSON.parse(f.frame.toString()) as ServerFrame);
    },
    batches: false,
    bufferedBytes: 0,
    end: (code) => {
      t.ended = code;
    },
  };
  return t;
}
const join = (
  uid: number,
  role: 'broadcaster' | 'audience' = 'broadcaster',
  resume?: { sessionId: string; secret: string; lastSeq: number },
) => ({
  type: 'join' as const,
  v: 1,
  appId: 'demo',
  channel: 'room',
  uid,
  role,
  profile: 'communication' as const,
  ...(resume ? { resume } : {}),
});
const ref = { appId: 'demo', channel: 'room' };
/** The resume secret of the session `t` joined (its fresh `joined` frame). */
const secretOf = (t: { frames: ServerFrame[] }): string => {
  const joined = t.frames.find((f) => f.type === 'joined');
  if (joined?.type !== 'joined' || !joined.resumeSecret) throw new Error('no resume secret');
  return joined.resumeSecret;
};
/** Lets the engine's promise chains run (no time passes on the clock). */
const flush = async () => {
  for (let i = 0; i < 20; i++) await Promise.resolve();
};
const events = (t: { frames: ServerFrame[] }) =>
  t.frames.flatMap((f) =>
    f.type === 'event'
      ? [`${f.event.kind}:${f.event.uid}${'reason' in f.event ? `:${f.event.reason}` : ''}`]
      : [],
  );

describe('drivers over the memory engine with a test clock', () => {
  it('a session of a dead node is claimed by a live one after window and heartbeat lapse: Dropped, once', async () => {
    const clock = new TestClock(0);
    const engine = new MemoryEngine(clock);
    const a = node('a', engine, clock);
    const b = node('b', engine, clock);
    const watcher = transport();
    await b.service.join(join(1), watcher);
    const doomed = transport();
    await a.service.join(join(2), doomed);
    await flush();
    expect(events(watcher)).toEqual(['user_joined:2']);
    expect(doomed.frames[0]).toMatchObject({ type: 'joined', members: [{ uid: 1 }] });
    expect(events(doomed)).toEqual([]); // its own user_joined never reaches it
    await a.sweeper.beat(); // deadline published, node a alive for 3 beats
    await b.sweeper.beat();
    a.service.abandon(); // node a dies: no more heartbeats
    a.cluster.stop();
    clock.advance(WINDOW - 1);
    await b.service.touch(b.local.all()[0]!);
    await b.sweeper.beat();
    expect(events(watcher)).toEqual(['user_joined:2']);
    clock.advance(1);
    await b.sweeper.beat();
    await flush();
    expect(events(watcher)).toEqual(['user_joined:2', 'user_offline:2:dropped']);
    await b.sweeper.beat();
    expect(events(watcher)).toHaveLength(2);
    expect(await engine.listMembers(ref)).toHaveLength(1);
  });

  it('a session resumed on another node inside the window moves there: the old node lets go, no flap', async () => {
    const clock = new TestClock(0);
    const engine = new MemoryEngine(clock);
    const a = node('a', engine, clock);
    const b = node('b', engine, clock);
    const watcher = transport();
    await a.service.join(join(1), watcher);
    const first = transport();
    const live = await a.service.join(join(2), first);
    await flush();
    clock.advance(WINDOW - 1);
    const moved = transport();
    const resumed = await b.service.join(
      join(2, 'broadcaster', { sessionId: live!.id, secret: secretOf(first), lastSeq: 0 }),
      moved,
    );
    await flush();
    expect(resumed?.id).toBe(live!.id);
    expect(first.ended).toBe('replaced');
    expect(a.local.has(live!.id)).toBe(false);
    expect(b.local.has(live!.id)).toBe(true);
    expect(moved.frames[0]).toMatchObject({ type: 'joined', resumed: true });
    expect(events(watcher)).toEqual(['user_joined:2']);
  });

  it('same uid from another device: the older session ends SameUidLogin, remote members see nothing', async () => {
    const clock = new TestClock(0);
    const engine = new MemoryEngine(clock);
    const a = node('a', engine, clock);
    const b = node('b', engine, clock);
    const watcher = transport();
    await a.service.join(join(1), watcher);
    const older = transport();
    await a.service.join(join(2), older);
    const newer = transport();
    await b.service.join(join(2), newer);
    await flush();
    expect(older.ended).toBe('same_uid_login');
    expect(a.local.size).toBe(1);
    expect(events(watcher)).toEqual(['user_joined:2']);
  });

  it('a resume with the session id but without its secret is refused on every node; the session is untouched', async () => {
    const clock = new TestClock(0);
    const engine = new MemoryEngine(clock);
    const a = node('a', engine, clock);
    const b = node('b', engine, clock);
    const watcher = transport();
    await a.service.join(join(1), watcher);
    const victim = transport();
    const live = await a.service.join(join(2), victim);
    await flush();
    const secret = secretOf(victim);
    expect(secret).toMatch(/^[A-Za-z0-9_-]{32}$/);
    // The engine keeps a hash, never the secret.
    const record = await engine.getSession(live!.id);
    expect(JSON.stringify(record)).not.toContain(secret);
    expect(record?.secretHash).toHaveLength(43);
    // One character off: the last one changed (to 'A', or to 'B' when the secret ends in 'A' — a fixed
    // 'A' made this guess the secret itself once in 64 runs, and the test failed in CI on 4 Dec).
    const oneOff = `${secret.slice(0, 31)}${secret.endsWith('A') ? 'B' : 'A'}`;
    expect(oneOff).not.toBe(secret);
    for (const [n, guess] of [
      [a, 'x'.repeat(32)],
      [b, 'x'.repeat(32)],
      [a, live!.id],
      [b, oneOff],
    ] as const) {
      const attacker = transport();
      const got = await n.service.join(
        join(2, 'broadcaster', { sessionId: live!.id, secret: guess, lastSeq: 0 }),
        attacker,
      );
      await flush();
      expect(got).toBeUndefined();
      expect(attacker.ended).toBe('rejected');
      expect(attacker.frames.filter((f) => f.type === 'joined')).toEqual([]);
    }
    // The victim: still attached on node a, nothing ended, no presence change for anyone.
    expect(victim.ended).toBeUndefined();
    expect(a.local.get(live!.id)?.state.phase).toBe('attached');
    expect(b.local.size).toBe(0);
    expect((await engine.getSession(live!.id))?.nodeId).toBe('a');
    expect(events(watcher)).toEqual(['user_joined:2']);
    // With the secret, the resume on node b works.
    const back = transport();
    expect(
      (await b.service.join(join(2, 'broadcaster', { sessionId: live!.id, secret, lastSeq: 0 }), back))?.id,
    ).toBe(live!.id);
    expect(back.frames[0]).toMatchObject({ type: 'joined', resumed: true });
    expect(back.frames[0]).not.toHaveProperty('resumeSecret');
  });

  it('one session taken back and forth between two nodes: past 3 takeovers in 10 s the loser gets same_uid_login', async () => {
    const clock = new TestClock(0);
    const engine = new MemoryEngine(clock);
    const a = node('a', engine, clock);
    const b = node('b', engine, clock);
    const first = transport();
    const live = await a.service.join(join(2), first);
    await flush();
    const resume = { sessionId: live!.id, secret: secretOf(first), lastSeq: 0 };
    const ends: Array<WireErrorCode | undefined> = [];
    let previous = first;
    for (let i = 0; i < 6; i++) {
      clock.advance(100);
      const next = transport();
      await (i % 2 === 0 ? b : a).service.join(join(2, 'broadcaster', resume), next);
      await flush();
      ends.push(previous.ended);
      previous = next;
    }
    expect(ends).toEqual([
      'replaced',
      'replaced',
      'replaced',
      'same_uid_login',
      'same_uid_login',
      'same_uid_login',
    ]);
    // The window passes: a move is a plain one again.
    clock.advance(10_000);
    const later = transport();
    await a.service.join(join(2, 'broadcaster', resume), later);
    await flush();
    expect(previous.ended).toBe('replaced');
  });

  it('the token expiry and the offline window at their exact edges, through the sweeper', async () => {
    const { clock, a } = oneNode();
    const watcher = transport();
    await a.service.join(join(1), watcher);
    const quiet = transport();
    const live = await a.service.join(join(2), quiet);
    a.service.detach(live!, quiet);
    clock.advance(WINDOW - 1);
    a.service.touch(a.local.get(a.local.all().find((s) => s.uid === 1)!.id)!);
    await a.sweeper.sweepLocal();
    expect(a.local.has(live!.id)).toBe(true);
    clock.advance(1);
    await a.sweeper.sweepLocal();
    await flush();
    expect(a.local.has(live!.id)).toBe(false);
    expect(events(watcher)).toEqual(['user_joined:2', 'user_offline:2:dropped']);
  });

  it('kick and channel close through the bus end local sessions with their codes; members see Kicked', async () => {
    const { engine, a } = oneNode();
    const watcher = transport();
    await a.service.join(join(1, 'audience'), watcher);
    const kicked = transport();
    await a.service.join(join(2), kicked);
    await engine.publish({
      kind: 'kick',
      rule: {
        id: 1,
        appId: 'demo',
        uid: 2,
        privileges: ['join_channel'],
        createdAt: 0,
        updatedAt: 0,
        expiresAt: 60_000,
      },
    });
    await flush();
    expect(kicked.ended).toBe('banned');
    expect(events(watcher)).toEqual(['user_joined:2', 'user_offline:2:kicked']);
    await engine.publish({ kind: 'close_channel', ref });
    await flush();
    expect(watcher.ended).toBe('channel_closed');
    expect(await engine.listMembers(ref)).toEqual([]);
  });
});
