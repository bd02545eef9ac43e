import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { MemberRecord } from '../engine/types.js';
import { memoryCounter } from './channel-count.js';
import { WebhookEvents } from './events.js';
import type { WebhookEvent } from './types.js';

const ref = { appId: 'demo', channel: 'room' };
const member = (uid: number, role: MemberRecord['role'] = 'broadcaster'): MemberRecord => ({
  uid,
  sessionId: `s${uid}`,
  role,
  profile: 'live',
  joinedAt: 0,
  nodeId: 'a',
});

function setup(maxPending = 100, counter = memoryCounter({}), log = pino({ level: 'silent' })) {
  const out: WebhookEvent[] = [];
  let dropped = 0;
  const events = new WebhookEvents({
    nodeId: 'a',
    now: () => 42,
    counter,
    emit: (e) => out.push(e),
    dropped: () => dropped++,
    maxPending,
    log,
  });
  return { events, out, dropped: () => dropped };
}
const names = (out: WebhookEvent[]) => out.map((e) => `${e.event}${e.uid ? `:${e.uid}` : ''}`);

describe('webhook events from member facts', () => {
  it('first in creates the channel, last out destroys it; leaves carry reason and cause', async () => {
    const { events, out } = setup();
    events.joined(ref, member(1));
    events.joined(ref, member(2, 'audience'));
    events.roleChanged(ref, member(2, 'broadcaster'), 'audience');
    events.left(ref, member(1), 'token_expired');
    events.left(ref, member(2), 'banned');
    events.joined(ref, member(3));
    events.left(ref, member(3), 'timed_out');
    await events.settled();
    expect(names(out)).toEqual([
      'channel_created',
      'user_joined:1',
      'user_joined:2',
      'role_changed:2',
      'token_expired:1',
      'user_left:1',
      'user_kicked:2',
      'user_left:2',
      'channel_destroyed',
      'channel_created',
      'user_joined:3',
      'user_left:3',
      'channel_destroyed',
    ]);
    expect(out[3]).toMatchObject({ role: 'broadcaster', previousRole: 'audience' });
    expect(out[5]).toMatchObject({ reason: 'kicked', cause: 'token_expired', at: 42, nodeId: 'a' });
    expect(out[7]).toMatchObject({ reason: 'kicked', cause: 'banned' });
    expect(out[11]).toMatchObject({ reason: 'dropped', cause: 'timed_out' });
    expect(new Set(out.map((e) => e.id)).size).toBe(out.length);
    expect(out[0]).toEqual({
      id: out[0]!.id,
      event: 'channel_created',
      appId: 'demo',
      channel: 'room',
      at: 42,
      nodeId: 'a',
    });
  });

  it('a quit is reason quit; a closed channel is a kick', async () => {
    const { events, out } = setup();
    events.joined(ref, member(1));
    events.joined(ref, member(2));
    events.left(ref, member(1), 'left');
    events.left(ref, member(2), 'channel_closed');
    await events.settled();
    expect(out.filter((e) => e.event === 'user_left').map((e) => [e.reason, e.cause])).toEqual([
      ['quit', 'left'],
      ['kicked', 'channel_closed'],
    ]);
    expect(names(out)).toContain('user_kicked:2');
  });

  it('an unreachable count skips only the channel event; facts past maxPending are dropped', async () => {
    const broken = { add: async () => Promise.reject(new Error('down')), close: async () => {} };
    const lines: string[] = [];
    const log = pino({ level: 'warn' }, { write: (l: string) => lines.push(l) });
    const { events, out, dropped } = setup(2, broken, log);
    events.joined(ref, member(1));
    events.joined(ref, member(2));
    events.joined(ref, member(3));
    events.joined(ref, member(4));
    await events.settled();
    expect(names(out)).toEqual(['user_joined:1', 'user_joined:2']);
    expect(dropped()).toBe(2);
    // Never silent: one line for the spell of drops (and one per unreachable count).
    expect(lines.filter((l) => l.includes('dropping events until there is room'))).toHaveLength(1);
    expect(lines.filter((l) => l.includes('channel count unreachable'))).toHaveLength(2);
  });

  it('count steps run concurrently; events still go out in the order the facts were told', async () => {
    const calls: Array<(n: number) => void> = [];
    const held = {
      add: () => new Promise<number>((resolve) => calls.push(resolve)),
      close: async () => {},
    };
    const { events, out } = setup(100, held);
    events.joined(ref, member(1));
    events.joined(ref, member(2));
    expect(calls).toHaveLength(2); // both asked before either answered
    calls[1]!(2);
    await new Promise((r) => setImmediate(r));
    expect(out).toEqual([]); // the second waits for the first
    calls[0]!(1);
    await events.settled();
    expect(names(out)).toEqual(['channel_created', 'user_joined:1', 'user_joined:2']);
  });

  it('two nodes on one scope share the count: one channel_created between them', async () => {
    const scope = {};
    const a = setup(100, memoryCounter(scope));
    const b = setup(100, memoryCounter(scope));
    a.events.joined(ref, member(1));
    b.events.joined(ref, member(2));
    await Promise.all([a.events.settled(), b.events.settled()]);
    expect([...names(a.out), ...names(b.out)].filter((n) => n === 'channel_created')).toHaveLength(1);
  });
});
