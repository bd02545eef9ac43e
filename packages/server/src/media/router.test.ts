import type { ClientMediaFrame, ServerMediaFrame } from '@holdfast/protocol';
import { TestClock } from '@holdfast/protocol';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { LiveSession } from '../channels/live-session.js';
import type { LocalSessions } from '../channels/local-sessions.js';
import { MemoryEngine } from '../engine/memory.js';
import { type BusMessage, type ChannelRef, channelKey } from '../engine/types.js';
import type { MediaMember } from './media-plane.js';
import { type MediaPlaneLike, MediaRouter } from './router.js';

const ref: ChannelRef = { appId: 'app', channel: 'room' };
const key = channelKey(ref);
const flush = () => new Promise((r) => setTimeout(r, 0));
const settle = async () => {
  for (let i = 0; i < 10; i++) await flush();
};

/** A stand-in SFU that records what reaches it, with which member (and so which route back). */
class RecordingPlane implements MediaPlaneLike {
  readonly calls: string[] = [];
  readonly members = new Map<number, MediaMember>();
  #hosted = new Map<string, ChannelRef>();
  get rooms(): number {
    return this.#hosted.size;
  }
  hosted(): ChannelRef[] {
    return [...this.#hosted.values()];
  }
  hosts(r: ChannelRef): boolean {
    return this.#hosted.has(channelKey(r));
  }
  knows(r: ChannelRef, uid: number): boolean {
    return this.hosts(r) && this.members.has(uid);
  }
  async handle(m: MediaMember, frame: ClientMediaFrame): Promise<void> {
    // Like the real plane: an answer only reaches a room that exists.
    if (frame.type === 'media_answer' && !this.hosts(m.ref)) return;
    this.#hosted.set(channelKey(m.ref), m.ref);
    this.members.set(m.uid, m);
    this.calls.push(`${m.uid}:${frame.type}${'sdp' in frame ? `:${frame.sdp}` : ''}:${m.mayPublish}`);
    m.send({ type: 'media_publish_answer', sdp: `answer-${m.uid}` });
  }
  resumed(m: MediaMember): void {
    this.calls.push(`${m.uid}:resumed`);
  }
  roleChanged(m: MediaMember): void {
    this.calls.push(`${m.uid}:role:${m.mayPublish}`);
  }
  leave(_r: ChannelRef, uid: number): void {
    this.calls.push(`${uid}:leave`);
    this.members.delete(uid);
  }
  block(_r: ChannelRef, uid: number, blocked: boolean): void {
    this.calls.push(`${uid}:block:${blocked}`);
  }
  drop(r: ChannelRef): void {
    this.calls.push('drop');
    this.#hosted.delete(channelKey(r));
    for (const m of this.members.values()) m.send({ type: 'media_moved' });
    this.members.clear();
  }
  close(): void {}
}

/** One node: its router, its plane, and its sessions (each with the frames it was sent). */
function node(nodeId: string, engine: MemoryEngine, clock: TestClock) {
  const sessions: Array<LiveSession & { got: ServerMediaFrame[] }> = [];
  const local = { inChannel: (k: string) => sessions.filter((s) => s.key === k) } as unknown as LocalSessions;
  const plane = new RecordingPlane();
  const router = new MediaRouter(plane, {
    nodeId,
    engine,
    local,
    clock,
    log: pino({ level: 'silent' }),
    claimTtlMs: 3000,
    checkEveryMs: 1000,
  });
  const join = (uid: number, role: 'broadcaster' | 'audience' = 'broadcaster') => {
    const got: ServerMediaFrame[] = [];
    const live = {
      key,
      ref,
      uid,
      tag: `t${uid}`,
      profile: 'live',
      role,
      got,
      conn: { send: (f: ServerMediaFrame) => got.push(f) },
    } as unknown as LiveSession & { got: ServerMediaFrame[] };
    sessions.push(live);
    void engine.admitMember(
      ref,
      { uid, sessionId: `s${uid}`, role, profile: 'live', joinedAt: 0, nodeId },
      { maxBroadcasters: 17 },
    );
    return live;
  };
  return { router, plane, join };
}

const publish = (sdp: string): ClientMediaFrame => ({ type: 'media_publish', sdp });

/** Two nodes (a, b) on one MemoryEngine and one test clock. */
function nodes() {
  const clock = new TestClock();
  const engine = new MemoryEngine(clock);
  return { clock, engine, a: node('a', engine, clock), b: node('b', engine, clock) };
}

describe('MediaRouter: one media host per channel', () => {
  it("an audience member's publish is refused on its own node and claims nothing", async () => {
    const { engine, a } = nodes();
    const viewer = a.join(9, 'audience');
    await a.router.handle(viewer, publish('x'));
    expect(a.plane.calls).toEqual(['9:media_publish:x:false']);
    expect(await engine.mediaHost(ref)).toBeUndefined();
  });

  it('the first node to open media hosts it; another node relays its members there, in order, and gets the replies', async () => {
    const { engine, a, b } = nodes();
    const one = a.join(1);
    await a.router.handle(one, publish('o1'));
    expect(await engine.mediaHost(ref)).toBe('a');
    const two = b.join(2);
    for (let i = 0; i < 5; i++) void b.router.handle(two, publish(`p${i}`));
    await settle();
    expect(b.plane.calls).toEqual([]);
    expect(a.plane.calls).toEqual([
      '1:media_publish:o1:true',
      ...[0, 1, 2, 3, 4].map((i) => `2:media_publish:p${i}:true`),
    ]);
    // The host's replies reach the member's own connection on node b.
    expect(two.got.filter((f) => f.type === 'media_publish_answer')).toHaveLength(5);
    expect(one.got).toEqual([{ type: 'media_publish_answer', sdp: 'answer-1' }]);
  });

  it("the member's node decides what it may do: an audience member's frames carry mayPublish false", async () => {
    const { a, b } = nodes();
    await a.router.handle(a.join(1), publish('o1'));
    const two = b.join(2, 'audience');
    await b.router.handle(two, { type: 'media_subscribe', audio: true, video: true });
    b.router.roleChanged(two);
    b.router.leave(two);
    await settle();
    expect(a.plane.calls.slice(1)).toEqual(['2:media_subscribe:false', '2:role:false', '2:leave']);
  });

  it('the host renews its claim; when it stops (died), the other node tells its members media_moved and the next frame makes it the host', async () => {
    const { clock, engine, a, b } = nodes();
    await a.router.handle(a.join(1), publish('o1'));
    const two = b.join(2);
    await b.router.handle(two, publish('p'));
    await settle();
    // Ten seconds of heartbeats: a renews, b sees the same host, nothing moves.
    for (let i = 0; i < 10; i++) {
      clock.advance(1000);
      await settle();
    }
    expect(two.got.some((f) => f.type === 'media_moved')).toBe(false);
    // Node a dies: its timers stop, its claim lapses after 3 s; b notices at its next check.
    a.router.close = () => {};
    (a.router as unknown as { check(): Promise<void> }).check = async () => {};
    let movedAfter = 0;
    while (!two.got.some((f) => f.type === 'media_moved')) {
      clock.advance(250);
      movedAfter += 250;
      await settle();
      if (movedAfter > 10_000) throw new Error('never moved');
    }
    expect(movedAfter).toBeGreaterThan(2000);
    expect(movedAfter).toBeLessThanOrEqual(4000);
    await b.router.handle(two, publish('again'));
    expect(await engine.mediaHost(ref)).toBe('b');
    expect(b.plane.calls).toEqual(['2:media_publish:again:true']);
  });

  it('a host that finds its claim taken gives the room up and tells every member media_moved', async () => {
    const { clock, engine, a } = nodes();
    const one = a.join(1);
    await a.router.handle(one, publish('o1'));
    await engine.releaseMediaHost(ref, 'a');
    await engine.claimMediaHost(ref, 'z', 3000);
    clock.advance(1000);
    await settle();
    expect(a.plane.calls.at(-1)).toBe('drop');
    expect(one.got.at(-1)).toEqual({ type: 'media_moved' });
  });

  it('the host lets go of a remote member whose member record is gone (its node died and the orphan was dropped)', async () => {
    const { clock, engine, a, b } = nodes();
    await a.router.handle(a.join(1), publish('o1'));
    await b.router.handle(b.join(2), publish('p'));
    await settle();
    await engine.removeMember(ref, 2, 's2');
    clock.advance(1000);
    await settle();
    expect(a.plane.calls.at(-1)).toBe('2:leave');
  });

  it('a resume whose media host is gone, or that the host does not know, is told media_moved; a known one gets its offer again', async () => {
    const { a, b } = nodes();
    // No host at all.
    const lone = b.join(5);
    b.router.resumed(lone);
    await settle();
    expect(lone.got).toEqual([{ type: 'media_moved' }]);
    // A host that knows the member: the resume reaches it.
    await a.router.handle(a.join(1), publish('o1'));
    const two = b.join(2);
    await b.router.handle(two, publish('p'));
    b.router.resumed(two);
    await settle();
    expect(a.plane.calls.at(-1)).toBe('2:resumed');
    // A member the host does not know (its media was on a host that died).
    const three = b.join(3);
    b.router.resumed(three);
    await settle();
    expect(three.got).toEqual([{ type: 'media_moved' }]);
  });

  it("a member the host does not know resuming is told media_moved alone: the node's other members keep their media there", async () => {
    const { engine, a, b } = nodes();
    await a.router.handle(a.join(1), publish('o1'));
    const two = b.join(2);
    await b.router.handle(two, publish('p'));
    await settle();
    // uid 3 on node b never opened media; its session resumes (a network blip).
    const three = b.join(3);
    b.router.resumed(three);
    await settle();
    expect(three.got).toEqual([{ type: 'media_moved' }]);
    expect(two.got.some((f) => f.type === 'media_moved')).toBe(false);
    // uid 2's next frame still goes to the host it has media on.
    await b.router.handle(two, publish('again'));
    await settle();
    expect(a.plane.calls.at(-1)).toBe('2:media_publish:again:true');
    expect(await engine.mediaHost(ref)).toBe('a');
  });

  it('a media_moved reply for one member from a host that lost the claim moves every member of the node at once', async () => {
    const { engine, a, b } = nodes();
    await a.router.handle(a.join(1), publish('o1'));
    const two = b.join(2);
    const four = b.join(4);
    await b.router.handle(two, publish('p'));
    await b.router.handle(four, publish('q'));
    await settle();
    // The claim went to z and a gave the room up without a word to b's members (say the replies were lost).
    await engine.releaseMediaHost(ref, 'a');
    await engine.claimMediaHost(ref, 'z', 3000);
    a.plane.members.clear();
    a.plane.drop(ref);
    // uid 2's next frame reaches a, which answers media_moved for uid 2 alone; no check has run (no time passed).
    await b.router.handle(two, publish('again'));
    await settle();
    expect(two.got.filter((f) => f.type === 'media_moved')).toHaveLength(1);
    expect(four.got.filter((f) => f.type === 'media_moved')).toHaveLength(1);
  });

  it('a draining host gives its rooms up at once: members are told media_moved and the claim is free', async () => {
    const { engine, a, b } = nodes();
    const one = a.join(1);
    await a.router.handle(one, publish('o1'));
    const two = b.join(2);
    await b.router.handle(two, publish('p'));
    await settle();
    a.router.close();
    await settle();
    expect(one.got.at(-1)).toEqual({ type: 'media_moved' });
    expect(two.got.at(-1)).toEqual({ type: 'media_moved' });
    expect(await engine.mediaHost(ref)).toBeUndefined();
  });
});

describe('MediaRouter: what a call leaves behind', () => {
  it('a relayed frame that opens no room on the host (an answer with nothing to answer) leaves no route to its member there', async () => {
    const { engine, a, b } = nodes();
    const two = b.join(2);
    await engine.claimMediaHost(ref, 'a', 3000); // a holds the claim, no room (its room just closed, say)
    await b.router.handle(two, { type: 'media_answer', version: 1, sdp: 'x' });
    await settle();
    expect(a.plane.rooms).toBe(0);
    expect(a.router.routes).toEqual({ away: 0, remote: 0, chains: 0 });
    // A member that did open media keeps its route until it leaves.
    await b.router.handle(two, publish('p'));
    await settle();
    expect(a.router.routes.remote).toBe(1);
    b.router.leave(two);
    await settle();
    expect(a.router.routes).toEqual({ away: 0, remote: 0, chains: 0 });
    expect(b.router.routes).toEqual({ away: 0, remote: 0, chains: 0 });
  });
});

describe('MediaRouter: a malformed bus message', () => {
  it('is logged and skipped: it throws nothing into the engine (whose Redis subscriber would crash the process) and the next one is served', async () => {
    const { engine, a, b } = nodes();
    await a.router.handle(a.join(1), publish('o1'));
    const two = b.join(2);
    const bad = [
      { kind: 'media_reply', to: 'b', uid: 2 }, // no ref, no frame (another version's message, say)
      { kind: 'media_reply', to: 'b', ref, uid: 2 },
      { kind: 'media_call', to: 'a', from: 'b', uid: 2, call: { op: 'leave' } },
    ] as unknown as BusMessage[];
    for (const m of bad) await expect(engine.publish(m)).resolves.toBeUndefined();
    await b.router.handle(two, publish('p'));
    await settle();
    expect(two.got).toEqual([{ type: 'media_publish_answer', sdp: 'answer-2' }]);
  });
});

describe('MediaRouter: engine calls in flight when the node closes', () => {
  /** Holds the answer to every claim by `node` (the engine has done the claim) until `open()`. */
  function gateClaims(engine: MemoryEngine, node: string) {
    const claim = engine.claimMediaHost.bind(engine);
    let open!: () => void;
    const gate = new Promise<void>((r) => {
      open = r;
    });
    engine.claimMediaHost = async (r, n, ttl) => {
      const held = await claim(r, n, ttl);
      if (n === node) await gate;
      return held;
    };
    return open;
  }

  it("a member's first frame whose claim is answered after close() opens no room, leaves no claim, and is told media_moved", async () => {
    const { engine, a } = nodes();
    const open = gateClaims(engine, 'a');
    const one = a.join(1);
    const done = a.router.handle(one, publish('o1'));
    await settle();
    a.router.close();
    open();
    await done;
    await settle();
    expect(a.plane.calls).toEqual([]);
    expect(await engine.mediaHost(ref)).toBeUndefined();
    expect(one.got).toEqual([{ type: 'media_moved' }]);
  });

  it("a relayed frame whose claim is answered after the host's close() opens no room, leaves no claim, and is told media_moved", async () => {
    const { engine, a, b } = nodes();
    const two = b.join(2);
    // b relays to a (a holds the claim but no room yet, as after a restart).
    await engine.claimMediaHost(ref, 'a', 3000);
    const open = gateClaims(engine, 'a');
    void b.router.handle(two, publish('p'));
    await settle();
    a.router.close();
    open();
    await settle();
    expect(a.plane.calls).toEqual([]);
    expect(await engine.mediaHost(ref)).toBeUndefined();
    expect(two.got).toContainEqual({ type: 'media_moved' });
  });

  it('a renewal in flight when close() runs does not claim the other rooms again', async () => {
    const { clock, engine, a } = nodes();
    await a.router.handle(a.join(1), publish('o1'));
    const other: ChannelRef = { appId: 'app', channel: 'other' };
    await a.router.handle(
      { ...a.join(3), ref: other, key: channelKey(other) } as unknown as LiveSession,
      publish('o3'),
    );
    const open = gateClaims(engine, 'a');
    clock.advance(1000); // the check renews the first room's claim and waits for the answer
    await settle();
    a.router.close();
    open();
    await settle();
    expect(await engine.mediaHost(ref)).toBeUndefined();
    expect(await engine.mediaHost(other)).toBeUndefined();
  });
});
