import { createHash } from 'node:crypto';
import { type Engine, MemoryEngine, type RunningServer, startServer } from '@holdfast/server';
import { afterEach, describe, expect, it } from 'vitest';
import { RawClient } from './support/raw-client.js';

/**
 * The engine fails at each step of a join, resume, takeover and leave in turn: the client gets a
 * typed end, and no session record, member record, local session or channel watch is left behind.
 */
class FaultyEngine {
  readonly inner = new MemoryEngine();
  /** Method name → the call number (1-based, from when armed) that throws. */
  #fail = new Map<string, number>();
  #calls = new Map<string, number>();
  watches = 0;

  arm(method: string, nth = 1): void {
    this.#fail.set(method, nth);
    this.#calls.set(method, 0);
  }

  engine(): Engine {
    return new Proxy(this.inner, {
      get: (target, prop: string) => {
        const value = Reflect.get(target, prop) as unknown;
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          const nth = this.#fail.get(prop);
          if (nth !== undefined) {
            const n = (this.#calls.get(prop) ?? 0) + 1;
            this.#calls.set(prop, n);
            if (n === nth) {
              this.#fail.delete(prop);
              return Promise.reject(new Error(`injected failure in ${prop}`));
            }
          }
          if (prop === 'watchChannel') this.watches++;
          if (prop === 'unwatchChannel') this.watches--;
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    }) as Engine;
  }
}

let server: RunningServer | undefined;
const clients: RawClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await server?.close();
  server = undefined;
});

async function start(faulty: FaultyEngine): Promise<RunningServer> {
  server = await startServer({
    port: 0,
    apps: [{ appId: 'demo' }],
    logLevel: 'silent',
    engine: faulty.engine(),
    timing: { heartbeatMs: 100, sweepIntervalMs: 50 },
  });
  return server;
}
async function open(url: string): Promise<RawClient> {
  const c = await RawClient.connect(url);
  clients.push(c);
  return c;
}
const join = (
  channel: string,
  uid: number,
  resume?: { sessionId: string; secret: string; lastSeq: number },
) => ({
  type: 'join',
  v: 1,
  appId: 'demo',
  channel,
  uid,
  role: 'broadcaster',
  profile: 'communication',
  ...(resume ? { resume } : {}),
});
async function sessions(s: RunningServer): Promise<number> {
  return ((await (await fetch(`${s.httpUrl}/healthz`)).json()) as { sessions: number }).sessions;
}
/** Nothing of `channel` is left anywhere, once failed cleanups had a heartbeat to retry. */
async function expectNothingLeft(faulty: FaultyEngine, s: RunningServer, channel: string, ids: string[]) {
  const deadline = Date.now() + 3000;
  for (;;) {
    const members = await faulty.inner.listMembers({ appId: 'demo', channel });
    const records = await Promise.all(ids.map((id) => faulty.inner.getSession(id)));
    const left = {
      members: members.length,
      records: records.filter(Boolean).length,
      local: await sessions(s),
      watches: faulty.watches,
    };
    if (Object.values(left).every((v) => v === 0) || Date.now() > deadline) {
      expect(left).toEqual({ members: 0, records: 0, local: 0, watches: 0 });
      return;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('no stranded state when the engine fails', () => {
  for (const step of ['admitMember', 'putSession', 'watchChannel', 'snapshot'])
    it(`fresh join, ${step} fails: the client is told internal_error; nothing is left`, async () => {
      const faulty = new FaultyEngine();
      const s = await start(faulty);
      faulty.arm(step);
      const c = await open(s.url);
      c.send(join(`fail-${step}`, 7));
      expect((await c.next('end')).code).toBe('internal_error');
      await expectNothingLeft(faulty, s, `fail-${step}`, []);
    });

  for (const step of ['putSession', 'snapshot'])
    it(`fresh join, ${step} fails after the uid claim: the members hear nothing of a uid never announced`, async () => {
      const faulty = new FaultyEngine();
      const s = await start(faulty);
      const channel = `quiet-${step}`;
      const member = await open(s.url);
      member.send(join(channel, 1));
      await member.next('joined');
      faulty.arm(step);
      const c = await open(s.url);
      c.send(join(channel, 7));
      expect((await c.next('end')).code).toBe('internal_error');
      // The uid is let go (no member 7 left), with no user_offline for the user_joined never sent.
      const ref = { appId: 'demo', channel };
      const deadline = Date.now() + 3000;
      while ((await faulty.inner.getMember(ref, 7)) && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 50));
      expect(await faulty.inner.getMember(ref, 7)).toBeUndefined();
      await member.ping(1); // anything published before the pong has reached the member
      expect(((await faulty.inner.eventsSince(ref, 0)) ?? []).filter((e) => e.event.uid === 7)).toEqual([]);
      expect(member.framesOf('event').filter((f) => f.event.uid === 7)).toEqual([]);
    });

  it('same uid: an audience join over an announced broadcaster fails after its claim — the others are told the uid left', async () => {
    const faulty = new FaultyEngine();
    const s = await start(faulty);
    const channel = 'double-fault';
    const live = (uid: number, role: string) => ({ ...join(channel, uid), role, profile: 'live' });
    const member = await open(s.url);
    member.send(live(1, 'audience'));
    await member.next('joined');
    const first = await open(s.url);
    first.send(live(7, 'broadcaster'));
    await first.next('joined');
    await member.next('event', (f) => f.event.kind === 'user_joined' && f.event.uid === 7);
    faulty.arm('putSession');
    const second = await open(s.url);
    second.send(live(7, 'audience'));
    expect((await second.next('end')).code).toBe('internal_error');
    // The failed claim took the uid's member record over and let it go: no member 7 is left, so the
    // others must not keep seeing the broadcaster (a new joiner's member list would not have it).
    const off = await member.next('event', (f) => f.event.kind === 'user_offline' && f.event.uid === 7);
    expect(off.event).toMatchObject({ reason: 'dropped' });
    expect(await faulty.inner.getMember({ appId: 'demo', channel }, 7)).toBeUndefined();
  });

  it('fresh join, the announcement fails after joined: the session stays and the announcement is retried', async () => {
    const faulty = new FaultyEngine();
    const s = await start(faulty);
    faulty.arm('publishEvent');
    const c = await open(s.url);
    c.send(join('fail-announce', 7));
    await c.next('joined');
    const ref = { appId: 'demo', channel: 'fail-announce' };
    const deadline = Date.now() + 3000;
    while (((await faulty.inner.eventsSince(ref, 0)) ?? []).length === 0 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    expect(await faulty.inner.eventsSince(ref, 0)).toEqual([
      { seq: 1, event: { kind: 'user_joined', uid: 7 } },
    ]);
    expect(c.framesOf('end')).toEqual([]);
    expect(await sessions(s)).toBe(1);
  });

  for (const step of ['snapshot', 'eventsSince'])
    it(`resume, ${step} fails: typed end; nothing is left`, async () => {
      const faulty = new FaultyEngine();
      const s = await start(faulty);
      const first = await open(s.url);
      first.send(join(`resume-${step}`, 7));
      const { sessionId, resumeSecret } = await first.next('joined');
      await first.close();
      faulty.arm(step);
      const again = await open(s.url);
      again.send(join(`resume-${step}`, 7, { sessionId, secret: resumeSecret!, lastSeq: 0 }));
      expect((await again.next('end')).code).toBe('internal_error');
      await expectNothingLeft(faulty, s, `resume-${step}`, [sessionId]);
    });

  for (const step of ['putSession', 'publish', 'watchChannel'])
    it(`takeover from another node, ${step} fails: typed end; nothing is left`, async () => {
      const faulty = new FaultyEngine();
      const s = await start(faulty);
      // A session of a node that is gone (no local state here), as another node left it.
      const ref = { appId: 'demo', channel: `takeover-${step}` };
      const sessionId = `dead-${step}`;
      await faulty.inner.admitMember(
        ref,
        { uid: 7, sessionId, role: 'broadcaster', profile: 'communication', joinedAt: 0, nodeId: 'gone' },
        { maxBroadcasters: 10 },
      );
      // Its client holds the secret; the engine, its SHA-256 (base64url).
      const secret = `secret-${step}`;
      const secretHash = createHash('sha256').update(secret).digest('base64url');
      await faulty.inner.putSession({
        id: sessionId,
        ...ref,
        uid: 7,
        nodeId: 'gone',
        createdAt: 0,
        secretHash,
      });
      faulty.arm(step);
      const c = await open(s.url);
      c.send(join(ref.channel, 7, { sessionId, secret, lastSeq: 0 }));
      expect((await c.next('end')).code).toBe('internal_error');
      await expectNothingLeft(faulty, s, ref.channel, [sessionId]);
    });

  for (const step of ['deleteSession', 'removeMember', 'unwatchChannel'])
    it(`leave, ${step} fails: the client is told left; the cleanup is retried until nothing is left`, async () => {
      const faulty = new FaultyEngine();
      const s = await start(faulty);
      const c = await open(s.url);
      c.send(join(`leave-${step}`, 7));
      const { sessionId } = await c.next('joined');
      faulty.arm(step);
      c.send({ type: 'leave' });
      await c.next('left');
      await expectNothingLeft(faulty, s, `leave-${step}`, [sessionId]);
    });
});
