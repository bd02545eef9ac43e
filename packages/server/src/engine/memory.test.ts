import { MAX_UID } from '@holdfast/protocol';
import { describe, expect, it } from 'vitest';
import { MemoryEngine } from './memory.js';
import type { BusMessage, ChannelRef, MemberRecord, SessionRecord } from './types.js';

const ROOM: ChannelRef = { appId: 'app', channel: 'room' };
const OTHER: ChannelRef = { appId: 'app', channel: 'lobby' };

const member = (
  uid: number,
  sessionId: string,
  role: MemberRecord['role'] = 'broadcaster',
): MemberRecord => ({
  uid,
  sessionId,
  role,
  profile: 'communication',
  joinedAt: 1000,
  nodeId: 'node-1',
});

/** A random source that returns `values` in turn (then throws, so a runaway loop fails fast). */
function sequence(values: number[]): { random: () => number; calls: () => number } {
  let i = 0;
  return {
    random: () => {
      if (i >= values.length) throw new Error('random called too often');
      return values[i++]!;
    },
    calls: () => i,
  };
}
/** The random value that makes claimFreeUid pick `uid` (uid = 1 + floor(r × MAX_UID)). */
const pick = (uid: number): number => (uid - 0.5) / MAX_UID;

describe('MemoryEngine.claimUid', () => {
  it('returns nothing for a free uid or a re-claim by the same session', async () => {
    const engine = new MemoryEngine();
    expect(await engine.claimUid(ROOM, member(7, 's-a'))).toEqual({});
    expect(await engine.claimUid(ROOM, member(7, 's-a', 'audience'))).toEqual({});
    expect(await engine.getMember(ROOM, 7)).toEqual(member(7, 's-a', 'audience'));
  });

  it('returns the previous holder when another session takes the uid', async () => {
    const engine = new MemoryEngine();
    await engine.claimUid(ROOM, member(7, 's-a'));
    expect(await engine.claimUid(ROOM, member(7, 's-b', 'audience'))).toEqual({ previous: member(7, 's-a') });
    expect(await engine.getMember(ROOM, 7)).toEqual(member(7, 's-b', 'audience'));
    expect(await engine.listMembers(ROOM)).toEqual([member(7, 's-b', 'audience')]);
  });

  it('keeps channels apart', async () => {
    const engine = new MemoryEngine();
    await engine.claimUid(ROOM, member(7, 's-a'));
    expect(await engine.claimUid(OTHER, member(7, 's-b'))).toEqual({});
    expect(await engine.claimUid({ appId: 'app2', channel: 'room' }, member(7, 's-c'))).toEqual({});
    expect((await engine.getMember(ROOM, 7))?.sessionId).toBe('s-a');
    expect((await engine.getMember(OTHER, 7))?.sessionId).toBe('s-b');
  });

  it('stores a copy of the record', async () => {
    const engine = new MemoryEngine();
    const record = member(7, 's-a');
    await engine.claimUid(ROOM, record);
    record.sessionId = 'mutated';
    expect(await engine.getMember(ROOM, 7)).toEqual(member(7, 's-a'));
    // setMemberRole changes the stored record, not the caller's object
    expect(await engine.setMemberRole(ROOM, 7, 's-a', 'audience')).toEqual(member(7, 's-a', 'audience'));
    expect(record).toEqual(member(7, 'mutated', 'broadcaster'));
  });
});

describe('MemoryEngine.claimFreeUid', () => {
  const { uid: _uid, ...base } = member(0, 's-new');

  it('maps random into [1, 2^32-1]', async () => {
    const engine = new MemoryEngine();
    expect(await engine.claimFreeUid(ROOM, base, () => 0)).toBe(1);
    expect(await engine.claimFreeUid(ROOM, base, () => 0.9999999999)).toBe(MAX_UID);
    expect(await engine.claimFreeUid(ROOM, base, () => pick(123_456))).toBe(123_456);
  });

  it('never returns a uid that is already held', async () => {
    const engine = new MemoryEngine();
    await engine.claimUid(ROOM, member(42, 's-a'));
    await engine.claimUid(ROOM, member(43, 's-b'));
    const rnd = sequence([pick(42), pick(43), pick(42), pick(100)]);
    expect(await engine.claimFreeUid(ROOM, base, rnd.random)).toBe(100);
    expect(rnd.calls()).toBe(4);
    expect(await engine.getMember(ROOM, 100)).toEqual({ ...base, uid: 100 });
    expect(await engine.getMember(ROOM, 42)).toEqual(member(42, 's-a'));
    expect(await engine.getMember(ROOM, 43)).toEqual(member(43, 's-b'));
  });

  it('a uid held in another channel is free here', async () => {
    const engine = new MemoryEngine();
    await engine.claimUid(OTHER, member(42, 's-a'));
    const rnd = sequence([pick(42)]);
    expect(await engine.claimFreeUid(ROOM, base, rnd.random)).toBe(42);
  });

  it('a second claim sees the first', async () => {
    const engine = new MemoryEngine();
    const rnd = sequence([pick(9), pick(9), pick(10)]);
    expect(await engine.claimFreeUid(ROOM, base, rnd.random)).toBe(9);
    expect(await engine.claimFreeUid(ROOM, { ...base, sessionId: 's-2' }, rnd.random)).toBe(10);
    expect((await engine.listMembers(ROOM)).map((m) => [m.uid, m.sessionId])).toEqual([
      [9, 's-new'],
      [10, 's-2'],
    ]);
  });
});

describe('MemoryEngine.removeMember', () => {
  it('removes only for the session that holds the uid', async () => {
    const engine = new MemoryEngine();
    await engine.claimUid(ROOM, member(7, 's-a'));
    await engine.claimUid(ROOM, member(8, 's-b'));
    expect(await engine.removeMember(ROOM, 7, 's-b')).toBeUndefined();
    expect(await engine.getMember(ROOM, 7)).toEqual(member(7, 's-a'));
    expect(await engine.removeMember(ROOM, 7, 's-a')).toEqual(member(7, 's-a'));
    expect(await engine.getMember(ROOM, 7)).toBeUndefined();
    expect(await engine.removeMember(ROOM, 7, 's-a')).toBeUndefined();
    expect(await engine.removeMember(ROOM, 99, 's-a')).toBeUndefined();
    expect(await engine.removeMember({ appId: 'nope', channel: 'nope' }, 7, 's-a')).toBeUndefined();
    expect(await engine.listMembers(ROOM)).toEqual([member(8, 's-b')]);
  });

  it('an old session cannot remove the uid after a same-uid takeover', async () => {
    const engine = new MemoryEngine();
    await engine.claimUid(ROOM, member(7, 's-old'));
    await engine.claimUid(ROOM, member(7, 's-new'));
    expect(await engine.removeMember(ROOM, 7, 's-old')).toBeUndefined();
    expect((await engine.getMember(ROOM, 7))?.sessionId).toBe('s-new');
  });

  it('the channel disappears from listChannels when its last member leaves', async () => {
    const engine = new MemoryEngine();
    await engine.claimUid(ROOM, member(7, 's-a'));
    await engine.claimUid(ROOM, member(8, 's-b'));
    await engine.removeMember(ROOM, 7, 's-a');
    expect(await engine.listChannels('app')).toEqual([
      { channel: 'room', userCount: 1, broadcasterCount: 1 },
    ]);
    await engine.removeMember(ROOM, 8, 's-b');
    expect(await engine.listChannels('app')).toEqual([]);
    expect(await engine.listMembers(ROOM)).toEqual([]);
  });
});

describe('MemoryEngine.setMemberRole', () => {
  it('changes the role for the holding session; the record handed out cannot change the store', async () => {
    const engine = new MemoryEngine();
    await engine.claimUid(ROOM, member(7, 's-a'));
    const before = await engine.getMember(ROOM, 7);
    const updated = await engine.setMemberRole(ROOM, 7, 's-a', 'audience');
    expect(updated).toEqual(member(7, 's-a', 'audience'));
    expect(await engine.getMember(ROOM, 7)).toEqual(member(7, 's-a', 'audience'));
    // A record read earlier is not changed behind the reader's back.
    expect(before?.role).toBe('broadcaster');
    expect(() => {
      updated!.role = 'broadcaster';
    }).toThrow(TypeError);
    expect((await engine.getMember(ROOM, 7))?.role).toBe('audience');
  });

  it('refuses another session, an unknown uid and an unknown channel', async () => {
    const engine = new MemoryEngine();
    await engine.claimUid(ROOM, member(7, 's-a'));
    expect(await engine.setMemberRole(ROOM, 7, 's-b', 'audience')).toBeUndefined();
    expect(await engine.setMemberRole(ROOM, 8, 's-a', 'audience')).toBeUndefined();
    expect(await engine.setMemberRole(OTHER, 7, 's-a', 'audience')).toBeUndefined();
    expect((await engine.getMember(ROOM, 7))?.role).toBe('broadcaster');
    expect(await engine.listChannels('app')).toEqual([
      { channel: 'room', userCount: 1, broadcasterCount: 1 },
    ]);
  });
});

describe('MemoryEngine reads', () => {
  it('getMember, listMembers and snapshot hand out records that cannot change the store', async () => {
    const engine = new MemoryEngine();
    await engine.claimUid(ROOM, member(7, 's-a'));
    const got = await engine.getMember(ROOM, 7);
    expect(() => {
      got!.role = 'audience';
    }).toThrow(TypeError);
    const listed = await engine.listMembers(ROOM);
    expect(() => {
      listed[0]!.sessionId = 'x';
    }).toThrow(TypeError);
    listed.pop();
    const { members } = await engine.snapshot(ROOM);
    expect(() => {
      members[0]!.uid = 9;
    }).toThrow(TypeError);
    expect(await engine.listMembers(ROOM)).toHaveLength(1);
    expect(await engine.getMember(ROOM, 7)).toEqual(member(7, 's-a'));
    expect(await engine.getMember(ROOM, 8)).toBeUndefined();
    expect(await engine.getMember(OTHER, 7)).toBeUndefined();
  });

  it('listChannels counts users and broadcasters per channel, sorted, for one app only', async () => {
    const engine = new MemoryEngine();
    await engine.claimUid(ROOM, member(1, 's-1', 'broadcaster'));
    await engine.claimUid(ROOM, member(2, 's-2', 'audience'));
    await engine.claimUid(ROOM, member(3, 's-3', 'broadcaster'));
    await engine.claimUid(OTHER, member(1, 's-4', 'audience'));
    await engine.claimUid({ appId: 'app2', channel: 'elsewhere' }, member(1, 's-5'));
    expect(await engine.listChannels('app')).toEqual([
      { channel: 'lobby', userCount: 1, broadcasterCount: 0 },
      { channel: 'room', userCount: 3, broadcasterCount: 2 },
    ]);
    expect(await engine.listChannels('app2')).toEqual([
      { channel: 'elsewhere', userCount: 1, broadcasterCount: 1 },
    ]);
    expect(await engine.listChannels('none')).toEqual([]);

    await engine.setMemberRole(ROOM, 2, 's-2', 'broadcaster');
    await engine.setMemberRole(ROOM, 1, 's-1', 'audience');
    expect((await engine.listChannels('app'))[1]).toEqual({
      channel: 'room',
      userCount: 3,
      broadcasterCount: 2,
    });
    await engine.setMemberRole(ROOM, 3, 's-3', 'audience');
    expect((await engine.listChannels('app'))[1]).toEqual({
      channel: 'room',
      userCount: 3,
      broadcasterCount: 1,
    });
  });

  it('does not confuse an app id and channel that concatenate alike', async () => {
    const engine = new MemoryEngine();
    await engine.claimUid({ appId: 'ab', channel: 'c' }, member(1, 's-1'));
    await engine.claimUid({ appId: 'a', channel: 'bc' }, member(1, 's-2'));
    expect((await engine.getMember({ appId: 'ab', channel: 'c' }, 1))?.sessionId).toBe('s-1');
    expect((await engine.getMember({ appId: 'a', channel: 'bc' }, 1))?.sessionId).toBe('s-2');
  });
});

describe('MemoryEngine sessions', () => {
  const record: SessionRecord = {
    id: 's-1',
    appId: 'app',
    channel: 'room',
    uid: 7,
    nodeId: 'node-1',
    createdAt: 1000,
  };

  it('put, get and delete, storing and returning copies', async () => {
    const engine = new MemoryEngine();
    expect(await engine.getSession('s-1')).toBeUndefined();
    const mine = { ...record };
    await engine.putSession(mine);
    mine.uid = 99;
    const got = await engine.getSession('s-1');
    expect(got).toEqual(record);
    got!.nodeId = 'node-2';
    expect(await engine.getSession('s-1')).toEqual(record);
    expect(await engine.getSession('s-2')).toBeUndefined();

    await engine.putSession({ ...record, nodeId: 'node-3' });
    expect((await engine.getSession('s-1'))?.nodeId).toBe('node-3');

    await engine.deleteSession('s-1');
    expect(await engine.getSession('s-1')).toBeUndefined();
    await engine.deleteSession('s-1');
  });
});

describe('MemoryEngine bus', () => {
  const message: BusMessage = {
    kind: 'channel_event',
    ref: ROOM,
    seq: 1,
    event: { kind: 'user_joined', uid: 7 },
  };
  const end: BusMessage = { kind: 'end_session', sessionId: 's-1', nodeId: 'node-1', code: 'banned' };

  it('publish reaches every subscriber in order; the disposer unsubscribes', async () => {
    const engine = new MemoryEngine();
    const log: [string, BusMessage][] = [];
    const offA = engine.subscribe((m) => log.push(['a', m]));
    engine.subscribe((m) => log.push(['b', m]));
    await engine.publish(message);
    expect(log).toEqual([
      ['a', message],
      ['b', message],
    ]);
    log.length = 0;
    offA();
    await engine.publish(end);
    expect(log).toEqual([['b', end]]);
    offA(); // disposing twice is harmless
    await engine.publish(message);
    expect(log).toEqual([
      ['b', end],
      ['b', message],
    ]);
  });

  it('a subscriber that unsubscribes while handling a message does not stop the others', async () => {
    const engine = new MemoryEngine();
    const log: string[] = [];
    const off = engine.subscribe(() => {
      log.push('a');
      off();
    });
    engine.subscribe(() => log.push('b'));
    await engine.publish(message);
    await engine.publish(message);
    expect(log).toEqual(['a', 'b', 'b']);
  });

  it('close drops every subscriber', async () => {
    const engine = new MemoryEngine();
    const log: string[] = [];
    engine.subscribe(() => log.push('a'));
    await engine.close();
    await engine.publish(message);
    expect(log).toEqual([]);
  });
});

describe('MemoryEngine channel log and cluster liveness', () => {
  const ref = { appId: 'a', channel: 'log' };
  const member = (uid: number, sessionId: string) => ({
    uid,
    sessionId,
    role: 'broadcaster' as const,
    profile: 'communication' as const,
    joinedAt: 0,
    nodeId: 'n1',
  });

  it('publishEvent numbers events per channel, fans them out, and eventsSince replays them', async () => {
    const e = new MemoryEngine();
    const seen: unknown[] = [];
    e.subscribe((m) => seen.push(m));
    await e.claimUid(ref, member(1, 's1'));
    expect(await e.publishEvent(ref, { kind: 'user_joined', uid: 1 })).toBe(1);
    expect(await e.publishEvent(ref, { kind: 'user_joined', uid: 2 })).toBe(2);
    expect(seen).toEqual([
      { kind: 'channel_event', ref, seq: 1, event: { kind: 'user_joined', uid: 1 } },
      { kind: 'channel_event', ref, seq: 2, event: { kind: 'user_joined', uid: 2 } },
    ]);
    expect(await e.eventsSince(ref, 1)).toEqual([{ seq: 2, event: { kind: 'user_joined', uid: 2 } }]);
    expect(await e.eventsSince(ref, 2)).toEqual([]);
    expect(await e.eventsSince(ref, 3)).toBeUndefined();
    expect(await e.snapshot(ref)).toEqual({ members: [member(1, 's1')], seq: 2 });
  });

  it('eventsSince is undefined once the log no longer reaches back', async () => {
    const e = new MemoryEngine();
    await e.claimUid(ref, member(1, 's1'));
    for (let i = 0; i < 1030; i++) await e.publishEvent(ref, { kind: 'user_joined', uid: 2 });
    expect(await e.eventsSince(ref, 1)).toBeUndefined();
    expect((await e.eventsSince(ref, 1020))?.length).toBe(10);
  });

  it('claimOrphans returns a session only when its deadline passed AND its node stopped beating, once', async () => {
    let now = 1000;
    const e = new MemoryEngine(() => now);
    await e.putSession({ id: 's1', appId: 'a', channel: 'c', uid: 1, nodeId: 'n1', createdAt: 0 });
    await e.heartbeat('n1', 3000);
    await e.setDeadlines([{ sessionId: 's1', deadline: 2000 }]);
    now = 2500;
    expect(await e.claimOrphans(now, 10)).toEqual([]); // node alive until 4000
    now = 4001;
    expect((await e.claimOrphans(now, 10)).map((s) => s.id)).toEqual(['s1']);
    expect(await e.claimOrphans(now, 10)).toEqual([]);
  });

  it('forgetNode makes a node dead at once', async () => {
    let now = 0;
    const e = new MemoryEngine(() => now);
    await e.putSession({ id: 's1', appId: 'a', channel: 'c', uid: 1, nodeId: 'n1', createdAt: 0 });
    await e.heartbeat('n1', 60_000);
    await e.setDeadlines([{ sessionId: 's1', deadline: 10 }]);
    now = 20;
    expect(await e.claimOrphans(now, 10)).toEqual([]);
    await e.forgetNode('n1');
    expect((await e.claimOrphans(now, 10)).length).toBe(1);
  });
});
