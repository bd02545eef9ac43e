import { TestClock } from '@holdfast/protocol';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { retryPolicy } from './backoff.js';
import type { Post, PostResult } from './http-post.js';
import { WebhookLane } from './lane.js';
import { verifySignature } from './signing.js';
import type { WebhookCounts, WebhookEvent } from './types.js';

const SECRET = 'lane-test-secret-0123456789';

/** A receiver as data: every call recorded with when it came, answered by `answer`. */
function fakeReceiver(clock: TestClock, answer: (n: number) => PostResult) {
  const calls: Array<{ at: number; body: string; headers: Record<string, string> }> = [];
  const post: Post = async (_url, body, headers) => {
    calls.push({ at: clock.now(), body, headers });
    return answer(calls.length);
  };
  return { calls, post };
}

const flush = () => new Promise((r) => setImmediate(r));

function lane(clock: TestClock, post: Post, maxQueued = 100, retryForMs = 60_000, concurrency?: number) {
  const counts: WebhookCounts = { sent: 0, retried: 0, failed: 0, dropped: 0 };
  const l = new WebhookLane({
    url: 'http://receiver.test/hook',
    secret: SECRET,
    timeoutMs: 1000,
    maxQueued,
    policy: retryPolicy(retryForMs),
    clock,
    post,
    log: pino({ level: 'silent' }),
    counts,
    ...(concurrency ? { concurrency } : {}),
  });
  return { l, counts };
}

let n = 0;
const event = (
  clock: TestClock,
  name: WebhookEvent['event'] = 'user_joined',
  channel = 'c',
): WebhookEvent => ({
  id: `id-${++n}`,
  event: name,
  appId: 'demo',
  channel,
  uid: n,
  at: clock.now(),
  nodeId: 'a',
});

describe('webhook lane (one URL)', () => {
  it('sends in order, one at a time, each signed with the attempt time', async () => {
    const clock = new TestClock(1_700_000_000_000);
    const r = fakeReceiver(clock, () => ({ ok: true, status: 204 }));
    const { l, counts } = lane(clock, r.post);
    const events = [event(clock), event(clock), event(clock)];
    for (const e of events) l.enqueue(e);
    await flush();
    expect(r.calls.map((c) => JSON.parse(c.body).id)).toEqual(events.map((e) => e.id));
    for (const c of r.calls) {
      expect(c.headers['Holdfast-Event-Id']).toBe(JSON.parse(c.body).id);
      expect(c.headers['Holdfast-Event']).toBe('user_joined');
      expect(verifySignature(c.headers['Holdfast-Signature'], c.body, SECRET, 1_700_000_000)).toEqual({
        ok: true,
        timestamp: 1_700_000_000,
      });
    }
    expect(counts).toEqual({ sent: 3, retried: 0, failed: 0, dropped: 0 });
    expect(l.size).toBe(0);
  });

  it('a failing receiver holds the head back 1, 2, 4 s; the rest wait and follow in order', async () => {
    const clock = new TestClock(0);
    const r = fakeReceiver(clock, (k) =>
      k <= 3 ? { ok: false, detail: 'ECONNREFUSED' } : { ok: true, status: 200 },
    );
    const { l, counts } = lane(clock, r.post);
    const [a, b] = [event(clock), event(clock)];
    l.enqueue(a);
    l.enqueue(b);
    await flush();
    for (const step of [999, 1, 1999, 1, 3999, 1]) {
      clock.advance(step);
      await flush();
    }
    expect(r.calls.map((c) => [c.at, JSON.parse(c.body).id])).toEqual([
      [0, a.id],
      [1000, a.id],
      [3000, a.id],
      [7000, a.id],
      [7000, b.id],
    ]);
    // Each attempt is signed afresh: the retry at 7 s carries t=7.
    expect(r.calls[3]!.headers['Holdfast-Signature']).toMatch(/^t=7,/);
    expect(r.calls[3]!.body).toBe(r.calls[0]!.body);
    expect(counts).toEqual({ sent: 2, retried: 3, failed: 0, dropped: 0 });
  });

  it('gives an event up at its bound (failed counted) and goes on with the next', async () => {
    const clock = new TestClock(0);
    const r = fakeReceiver(clock, (k) =>
      k <= 5 ? { ok: false, detail: 'HTTP 500' } : { ok: true, status: 200 },
    );
    const { l, counts } = lane(clock, r.post, 100, 10_000);
    const [a, b] = [event(clock), event(clock)];
    l.enqueue(a);
    l.enqueue(b);
    for (let t = 0; t < 12_000; t += 500) {
      await flush();
      clock.advance(500);
    }
    await flush();
    // a: 0, 1, 3, 7, then the last attempt at its 10 s bound; b goes right after.
    expect(r.calls.map((c) => [c.at, JSON.parse(c.body).id])).toEqual([
      [0, a.id],
      [1000, a.id],
      [3000, a.id],
      [7000, a.id],
      [10_000, a.id],
      [10_000, b.id],
    ]);
    expect(counts).toEqual({ sent: 1, retried: 4, failed: 1, dropped: 0 });
  });

  it('a full queue drops new events and counts them; memory stays bounded', async () => {
    const clock = new TestClock(0);
    const r = fakeReceiver(clock, () => ({ ok: false, detail: 'ECONNREFUSED' }));
    const { l, counts } = lane(clock, r.post, 3);
    const accepted = Array.from({ length: 10 }, () => l.enqueue(event(clock)));
    expect(accepted).toEqual([true, true, true, false, false, false, false, false, false, false]);
    expect(l.size).toBe(3);
    expect(counts.dropped).toBe(7);
  });

  it('channels go side by side (up to the concurrency), one channel one at a time in order', async () => {
    const clock = new TestClock(0);
    const open: Array<{ id: string; done: (r: PostResult) => void }> = [];
    const post: Post = (_url, body) => new Promise((done) => open.push({ id: JSON.parse(body).id, done }));
    const { l, counts } = lane(clock, post, 100, 60_000, 2);
    const [a1, a2, b1, c1] = [
      event(clock, 'user_joined', 'a'),
      event(clock, 'user_left', 'a'),
      event(clock, 'user_joined', 'b'),
      event(clock, 'user_joined', 'c'),
    ];
    for (const e of [a1, a2, b1, c1]) l.enqueue(e);
    expect(open.map((o) => o.id)).toEqual([a1.id, b1.id]); // a2 waits behind a1, c1 for a slot
    open.find((o) => o.id === b1.id)!.done({ ok: true, status: 204 });
    await flush();
    expect(open.map((o) => o.id)).toEqual([a1.id, b1.id, c1.id]);
    open.find((o) => o.id === a1.id)!.done({ ok: true, status: 204 });
    await flush();
    expect(open.map((o) => o.id)).toEqual([a1.id, b1.id, c1.id, a2.id]);
    for (const o of open.slice(2)) o.done({ ok: true, status: 204 });
    await flush();
    expect(counts.sent).toBe(4);
    expect(l.size).toBe(0);
  });

  it("a failing channel holds back only its own events while the others' go", async () => {
    const clock = new TestClock(0);
    let failA = true;
    const sent: string[] = [];
    const post: Post = async (_url, body) => {
      const e = JSON.parse(body) as WebhookEvent;
      sent.push(`${e.channel}@${clock.now()}`);
      return e.channel === 'a' && failA ? { ok: false, detail: 'HTTP 500' } : { ok: true, status: 204 };
    };
    const { l } = lane(clock, post);
    l.enqueue(event(clock, 'user_joined', 'a'));
    l.enqueue(event(clock, 'user_left', 'a'));
    l.enqueue(event(clock, 'user_joined', 'b'));
    l.enqueue(event(clock, 'user_left', 'b'));
    await flush();
    expect(sent).toEqual(['a@0', 'b@0', 'b@0']);
    failA = false;
    clock.advance(1000);
    await flush();
    expect(sent).toEqual(['a@0', 'b@0', 'b@0', 'a@1000', 'a@1000']);
    expect(l.size).toBe(0);
  });

  it("while one channel's event waits out its backoff, the other channels' events keep going, thousands of them", async () => {
    const clock = new TestClock(0);
    const sent = new Map<string, number>();
    const post: Post = async (_url, body) => {
      const e = JSON.parse(body) as WebhookEvent;
      sent.set(e.channel, (sent.get(e.channel) ?? 0) + 1);
      return e.channel === 'stuck' ? { ok: false, detail: 'HTTP 500' } : { ok: true, status: 204 };
    };
    const { l, counts } = lane(clock, post, 10_000);
    l.enqueue(event(clock, 'user_joined', 'stuck'));
    // 5,000 events of other channels, delivered one after another while 'stuck' waits (no time passes).
    for (let i = 0; i < 5000; i++) {
      l.enqueue(event(clock, 'user_joined', `c${i % 50}`));
      if (i % 100 === 99) await flush();
    }
    for (let i = 0; i < 20; i++) await flush();
    expect(counts.sent).toBe(5000);
    expect(l.size).toBe(1); // only the stuck channel's event is left
  });

  it("a burst of one big channel's events (thousands, sent one at a time) does not hold back the other channels'", async () => {
    const clock = new TestClock(0);
    const open: string[] = [];
    const post: Post = (_url, body) => {
      open.push((JSON.parse(body) as WebhookEvent).channel);
      return new Promise<PostResult>(() => {}); // a slow receiver: nothing answered during the test
    };
    const { l } = lane(clock, post, 10_000);
    for (let i = 0; i < 3000; i++) l.enqueue(event(clock, 'user_joined', 'big'));
    l.enqueue(event(clock, 'user_joined', 'small'));
    await flush();
    expect(open).toEqual(['big', 'small']);
  });

  it('close stops the retries and says how many were left', async () => {
    const clock = new TestClock(0);
    const r = fakeReceiver(clock, () => ({ ok: false, detail: 'ECONNREFUSED' }));
    const { l } = lane(clock, r.post);
    l.enqueue(event(clock));
    l.enqueue(event(clock));
    await flush();
    expect(l.close()).toBe(2);
    expect(clock.pendingTimers()).toBe(0);
    clock.advance(60_000);
    await flush();
    expect(r.calls.length).toBe(1);
    expect(l.enqueue(event(clock))).toBe(false);
  });
});
