import type { EventFrame, WireOfflineReason } from '@holdfast/protocol';
import { describe, expect, it } from 'vitest';
import { RemoteMembers } from './presence.js';

type Call = ['joined', number] | ['offline', number, WireOfflineReason];

function setup(): { members: RemoteMembers; calls: Call[] } {
  const calls: Call[] = [];
  const members = new RemoteMembers({
    userJoined: (uid) => calls.push(['joined', uid]),
    userOffline: (uid, reason) => calls.push(['offline', uid, reason]),
  });
  return { members, calls };
}

const joined = (seq: number, uid: number): EventFrame => ({
  type: 'event',
  seq,
  event: { kind: 'user_joined', uid },
});
const offline = (seq: number, uid: number, reason: WireOfflineReason): EventFrame => ({
  type: 'event',
  seq,
  event: { kind: 'user_offline', uid, reason },
});

describe('RemoteMembers.apply', () => {
  it('starts empty', () => {
    const { members, calls } = setup();
    expect(members.size).toBe(0);
    expect(members.lastSeq).toBe(0);
    expect(members.list()).toEqual([]);
    expect(calls).toEqual([]);
  });

  it('applies events in order', () => {
    const { members, calls } = setup();
    expect(members.apply(joined(1, 10))).toBe(true);
    expect(members.apply(joined(2, 11))).toBe(true);
    expect(members.apply(offline(3, 10, 'quit'))).toBe(true);
    expect(members.apply(joined(4, 12))).toBe(true);
    expect(members.apply(offline(5, 12, 'become_audience'))).toBe(true);
    expect(calls).toEqual([
      ['joined', 10],
      ['joined', 11],
      ['offline', 10, 'quit'],
      ['joined', 12],
      ['offline', 12, 'become_audience'],
    ]);
    expect(members.lastSeq).toBe(5);
    expect(members.list()).toEqual([11]);
    expect(members.size).toBe(1);
    expect(members.has(11)).toBe(true);
    expect(members.has(10)).toBe(false);
  });

  it('ignores duplicates and older events', () => {
    const { members, calls } = setup();
    members.apply(joined(1, 10));
    members.apply(joined(2, 11));
    members.apply(joined(3, 12));
    calls.length = 0;
    expect(members.apply(joined(3, 12))).toBe(false);
    expect(members.apply(offline(3, 12, 'quit'))).toBe(false);
    expect(members.apply(offline(2, 11, 'dropped'))).toBe(false);
    expect(members.apply(joined(1, 99))).toBe(false);
    expect(members.apply(joined(0, 98))).toBe(false);
    expect(calls).toEqual([]);
    expect(members.lastSeq).toBe(3);
    expect(members.list()).toEqual([10, 11, 12]);
  });

  it('accepts a later seq after a gap', () => {
    const { members, calls } = setup();
    members.apply(joined(1, 10));
    expect(members.apply(joined(7, 11))).toBe(true);
    expect(members.lastSeq).toBe(7);
    expect(members.apply(joined(5, 12))).toBe(false);
    expect(calls).toEqual([
      ['joined', 10],
      ['joined', 11],
    ]);
  });

  it('does not announce a member twice, nor the departure of an unknown one', () => {
    const { members, calls } = setup();
    expect(members.apply(joined(1, 10))).toBe(true);
    expect(members.apply(joined(2, 10))).toBe(true);
    expect(members.apply(offline(3, 77, 'quit'))).toBe(true);
    expect(members.apply(offline(4, 10, 'kicked'))).toBe(true);
    expect(members.apply(offline(5, 10, 'quit'))).toBe(true);
    expect(calls).toEqual([
      ['joined', 10],
      ['offline', 10, 'kicked'],
    ]);
    expect(members.lastSeq).toBe(5);
  });
});

describe('RemoteMembers.reconcile', () => {
  it('first join: announces the snapshot in its order and takes its seq', () => {
    const { members, calls } = setup();
    members.reconcile([{ uid: 3 }, { uid: 1 }, { uid: 2 }], 12, undefined);
    expect(calls).toEqual([
      ['joined', 3],
      ['joined', 1],
      ['joined', 2],
    ]);
    expect(members.lastSeq).toBe(12);
    expect(members.apply(joined(12, 50))).toBe(false);
    expect(members.apply(joined(13, 50))).toBe(true);
  });

  it('resume with missed events: replays them, then drops vanished members, then adds new ones', () => {
    const { members, calls } = setup();
    members.reconcile([{ uid: 1 }, { uid: 2 }, { uid: 5 }, { uid: 6 }], 5, undefined);
    calls.length = 0;

    const missed = [
      joined(5, 99), // already seen: ignored
      offline(6, 1, 'quit'),
      joined(7, 3),
      offline(8, 2, 'become_audience'),
      joined(9, 7),
      offline(10, 7, 'dropped'),
    ];
    // The snapshot lacks 5 (no event for it) and has 4 (no event for it either).
    members.reconcile([{ uid: 3 }, { uid: 6 }, { uid: 4 }], 10, missed);

    expect(calls).toEqual([
      ['offline', 1, 'quit'],
      ['joined', 3],
      ['offline', 2, 'become_audience'],
      ['joined', 7],
      ['offline', 7, 'dropped'],
      ['offline', 5, 'dropped'],
      ['joined', 4],
    ]);
    expect(members.lastSeq).toBe(10);
    expect(new Set(members.list())).toEqual(new Set([3, 4, 6]));
    expect(members.size).toBe(3);
  });

  it('resume whose missed events already match the snapshot emits nothing more', () => {
    const { members, calls } = setup();
    members.reconcile([{ uid: 1 }], 1, undefined);
    calls.length = 0;
    members.reconcile([{ uid: 2 }], 3, [joined(2, 2), offline(3, 1, 'quit')]);
    expect(calls).toEqual([
      ['joined', 2],
      ['offline', 1, 'quit'],
    ]);
    expect(members.list()).toEqual([2]);
    expect(members.lastSeq).toBe(3);
  });

  it('snapshot only: vanished members are dropped, new ones joined', () => {
    const { members, calls } = setup();
    members.apply(joined(1, 1));
    members.apply(joined(2, 2));
    members.apply(joined(3, 3));
    calls.length = 0;

    members.reconcile([{ uid: 2 }, { uid: 5 }, { uid: 4 }], 40, undefined);
    expect(calls).toEqual([
      ['offline', 1, 'dropped'],
      ['offline', 3, 'dropped'],
      ['joined', 5],
      ['joined', 4],
    ]);
    expect(members.lastSeq).toBe(40);
    expect(new Set(members.list())).toEqual(new Set([2, 4, 5]));
  });

  it('an empty missed list behaves like a snapshot-only reconcile', () => {
    const { members, calls } = setup();
    members.apply(joined(1, 1));
    calls.length = 0;
    members.reconcile([], 9, []);
    expect(calls).toEqual([['offline', 1, 'dropped']]);
    expect(members.size).toBe(0);
    expect(members.lastSeq).toBe(9);
  });

  it('after resetSequence a fresh session with lower seqs is reconciled against the kept members', () => {
    const { members, calls } = setup();
    members.apply(joined(20, 1));
    members.apply(joined(21, 2));
    calls.length = 0;
    members.resetSequence();
    expect(members.lastSeq).toBe(0);
    expect(members.list()).toEqual([1, 2]);
    members.reconcile([{ uid: 2 }, { uid: 3 }], 2, undefined);
    expect(calls).toEqual([
      ['offline', 1, 'dropped'],
      ['joined', 3],
    ]);
    expect(members.lastSeq).toBe(2);
    expect(members.apply(joined(3, 4))).toBe(true);
  });
});

describe('RemoteMembers.clear', () => {
  it('forgets everyone without any callback and restarts the sequence', () => {
    const { members, calls } = setup();
    members.apply(joined(1, 10));
    members.apply(joined(2, 11));
    calls.length = 0;
    members.clear();
    expect(calls).toEqual([]);
    expect(members.size).toBe(0);
    expect(members.list()).toEqual([]);
    expect(members.has(10)).toBe(false);
    expect(members.lastSeq).toBe(0);
    // a later snapshot announces them again
    members.reconcile([{ uid: 10 }], 1, undefined);
    expect(calls).toEqual([['joined', 10]]);
  });
});
