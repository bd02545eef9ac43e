import { TestClock } from '@holdfast/protocol';
import { describe, expect, it } from 'vitest';
import { MemoryEngine } from './memory.js';
import type { ChannelRef, MemberRecord } from './types.js';

// The engine contract (every seam, memory and Redis alike) is in test/support/engine-contract.ts;
// these are what only the in-memory engine promises.
const ROOM: ChannelRef = { appId: 'app', channel: 'room' };
const member = (uid: number, sessionId: string): MemberRecord => ({
  uid,
  sessionId,
  role: 'broadcaster',
  profile: 'communication',
  joinedAt: 1000,
  nodeId: 'node-1',
});
const UNLIMITED = { maxBroadcasters: 100 };

describe('MemoryEngine', () => {
  it('hands out frozen member records that cannot change the store', async () => {
    const engine = new MemoryEngine();
    const record = member(7, 's-a');
    await engine.admitMember(ROOM, record, UNLIMITED);
    record.sessionId = 'mutated';
    const got = await engine.getMember(ROOM, 7);
    expect(got).toEqual(member(7, 's-a'));
    expect(() => {
      got!.role = 'audience';
    }).toThrow(TypeError);
    const listed = await engine.listMembers(ROOM);
    expect(() => {
      listed[0]!.sessionId = 'x';
    }).toThrow(TypeError);
    const { members } = await engine.snapshot(ROOM);
    expect(() => {
      members[0]!.uid = 9;
    }).toThrow(TypeError);
    const updated = await engine.setMemberRole(ROOM, 7, 's-a', 'audience', 4);
    expect(updated.ok && updated.member.role).toBe('audience');
    expect(got?.role).toBe('broadcaster');
  });

  it("keeps the server's clock: heartbeats and orphan claims follow a TestClock", async () => {
    const clock = new TestClock(1000);
    const e = new MemoryEngine(clock);
    await e.putSession({
      id: 's1',
      appId: 'a',
      channel: 'c',
      uid: 1,
      nodeId: 'n1',
      createdAt: 0,
      secretHash: 'h',
    });
    expect(await e.heartbeat('n1', 3000)).toBe(1000);
    await e.setDeadlines([{ sessionId: 's1', deadline: 2000 }]);
    clock.advance(1500);
    expect(await e.claimOrphans(clock.now(), 10)).toEqual([]); // node alive until 4000
    clock.advance(1501);
    expect((await e.claimOrphans(clock.now(), 10)).map((s) => s.id)).toEqual(['s1']);
  });

  it('a subscriber that unsubscribes while handling a message does not stop the others; close drops all', async () => {
    const engine = new MemoryEngine();
    const log: string[] = [];
    const off = engine.subscribe(() => {
      log.push('a');
      off();
    });
    engine.subscribe(() => log.push('b'));
    const message = { kind: 'close_channel' as const, ref: ROOM };
    await engine.publish(message);
    await engine.publish(message);
    expect(log).toEqual(['a', 'b', 'b']);
    await engine.close();
    await engine.publish(message);
    expect(log).toEqual(['a', 'b', 'b']);
  });
});
