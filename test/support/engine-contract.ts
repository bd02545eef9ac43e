import { MAX_UID, type StreamMessageEvent } from '@holdfast/protocol';
import type { BusMessage, ChannelRef, Engine, MemberRecord, SessionRecord } from '@holdfast/server';
import { admitMember, UNLIMITED } from '@holdfast/server';
import { describe, expect, it } from 'vitest';
import { EVENT_LOG_LIMIT } from '../../packages/server/src/engine/types.js';

/**
 * One contract per engine seam, run against every backend (memory and Redis). `make` returns a
 * fresh, empty engine each time; `settle` waits until a published bus message has arrived (memory:
 * nothing to wait for).
 */
export interface ContractTarget {
  name: string;
  make: () => Promise<Engine>;
  settle: () => Promise<void>;
}

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

async function claim(e: Engine, ref: ChannelRef, m: MemberRecord): Promise<{ previous?: MemberRecord }> {
  const r = await e.admitMember(ref, m, { maxBroadcasters: UNLIMITED });
  if (!r.ok) throw new Error(`refused: ${r.reason}`);
  return r.previous ? { previous: r.previous } : {};
}
async function claimFree(e: Engine, ref: ChannelRef, sessionId: string, random: () => number) {
  const r = await admitMember(e, ref, { ...member(0, sessionId) }, { maxBroadcasters: UNLIMITED, random });
  return r.ok ? r.uid : -1;
}
const setRole = async (e: Engine, ref: ChannelRef, uid: number, sid: string, role: MemberRecord['role']) => {
  const r = await e.setMemberRole(ref, uid, sid, role, UNLIMITED);
  return r.ok ? r.member : undefined;
};
/** The random value that makes a free-uid pick land on `uid` (uid = 1 + floor(r × MAX_UID)). */
const pick = (uid: number): number => (uid - 0.5) / MAX_UID;
function sequence(values: number[]) {
  let i = 0;
  return {
    random: () => {
      if (i >= values.length) throw new Error('random called too often');
      return values[i++]!;
    },
    calls: () => i,
  };
}

export function channelStoreContract({ name, make }: ContractTarget): void {
  describe(`${name}: ChannelStore`, () => {
    it('admits a free uid; a re-claim by the same session reports no previous holder', async () => {
      const e = await make();
      expect(await claim(e, ROOM, member(7, 's-a'))).toEqual({});
      expect(await claim(e, ROOM, member(7, 's-a', 'audience'))).toEqual({});
      expect(await e.getMember(ROOM, 7)).toEqual(member(7, 's-a', 'audience'));
    });

    it('another session taking the uid returns the previous holder; an old session cannot remove it', async () => {
      const e = await make();
      await claim(e, ROOM, member(7, 's-a'));
      expect(await claim(e, ROOM, member(7, 's-b', 'audience'))).toEqual({ previous: member(7, 's-a') });
      expect(await e.listMembers(ROOM)).toEqual([member(7, 's-b', 'audience')]);
      expect(await e.removeMember(ROOM, 7, 's-a')).toBeUndefined();
      expect((await e.getMember(ROOM, 7))?.sessionId).toBe('s-b');
    });

    it('keeps channels and apps apart, also when names concatenate alike', async () => {
      const e = await make();
      await claim(e, ROOM, member(7, 's-a'));
      expect(await claim(e, OTHER, member(7, 's-b'))).toEqual({});
      await claim(e, { appId: 'ab', channel: 'c' }, member(1, 's-1'));
      await claim(e, { appId: 'a', channel: 'bc' }, member(1, 's-2'));
      expect((await e.getMember(ROOM, 7))?.sessionId).toBe('s-a');
      expect((await e.getMember(OTHER, 7))?.sessionId).toBe('s-b');
      expect((await e.getMember({ appId: 'ab', channel: 'c' }, 1))?.sessionId).toBe('s-1');
      expect((await e.getMember({ appId: 'a', channel: 'bc' }, 1))?.sessionId).toBe('s-2');
    });

    it('a fresh pick maps random into [1, 2^32-1] and never takes a held uid', async () => {
      const e = await make();
      expect(await claimFree(e, ROOM, 's-1', () => 0)).toBe(1);
      expect(await claimFree(e, ROOM, 's-2', () => 0.9999999999)).toBe(MAX_UID);
      await claim(e, ROOM, member(42, 's-a'));
      const rnd = sequence([pick(42), pick(1), pick(42), pick(100)]);
      expect(await claimFree(e, ROOM, 's-3', rnd.random)).toBe(100);
      expect(rnd.calls()).toBe(4);
      expect((await e.getMember(ROOM, 42))?.sessionId).toBe('s-a');
      expect(await claimFree(e, OTHER, 's-4', sequence([pick(42)]).random)).toBe(42);
    });

    it('admits a broadcaster only while a seat is free; an audience member always; the same uid keeps its seat', async () => {
      const e = await make();
      const limit = { maxBroadcasters: 2 };
      expect((await e.admitMember(ROOM, member(1, 's-1'), limit)).ok).toBe(true);
      expect((await e.admitMember(ROOM, member(2, 's-2'), limit)).ok).toBe(true);
      expect(await e.admitMember(ROOM, member(3, 's-3'), limit)).toEqual({
        ok: false,
        reason: 'too_many_broadcasters',
      });
      expect(await e.getMember(ROOM, 3)).toBeUndefined();
      expect((await e.admitMember(ROOM, member(3, 's-3', 'audience'), limit)).ok).toBe(true);
      // Same uid from another device: it replaces its own seat.
      expect(await e.admitMember(ROOM, member(2, 's-2b'), limit)).toEqual({
        ok: true,
        previous: member(2, 's-2'),
      });
      // A removed broadcaster frees its seat.
      await e.removeMember(ROOM, 1, 's-1');
      expect((await e.admitMember(ROOM, member(4, 's-4'), limit)).ok).toBe(true);
      expect((await e.admitMember(ROOM, member(5, 's-5'), { maxBroadcasters: 0 })).ok).toBe(false);
    });

    it('N concurrent broadcaster admissions into K seats admit exactly K', async () => {
      const e = await make();
      const results = await Promise.all(
        Array.from({ length: 24 }, (_, i) =>
          e.admitMember(ROOM, member(i + 1, `s-${i}`), { maxBroadcasters: 4 }),
        ),
      );
      expect(results.filter((r) => r.ok)).toHaveLength(4);
      expect((await e.listChannels('app'))[0]).toMatchObject({ userCount: 4, broadcasterCount: 4 });
    });

    it('setMemberRole: only the holding session, and a broadcaster only while a seat is free (atomic)', async () => {
      const e = await make();
      await claim(e, ROOM, member(7, 's-a'));
      expect(await e.setMemberRole(ROOM, 7, 's-b', 'audience', 4)).toEqual({
        ok: false,
        reason: 'not_member',
      });
      expect(await e.setMemberRole(ROOM, 8, 's-a', 'audience', 4)).toEqual({
        ok: false,
        reason: 'not_member',
      });
      expect(await e.setMemberRole(OTHER, 7, 's-a', 'audience', 4)).toEqual({
        ok: false,
        reason: 'not_member',
      });
      expect(await setRole(e, ROOM, 7, 's-a', 'audience')).toEqual(member(7, 's-a', 'audience'));
      for (let uid = 10; uid < 34; uid++) await claim(e, ROOM, member(uid, `s-${uid}`, 'audience'));
      const results = await Promise.all(
        Array.from({ length: 24 }, (_, i) => e.setMemberRole(ROOM, 10 + i, `s-${10 + i}`, 'broadcaster', 4)),
      );
      expect(results.filter((r) => r.ok)).toHaveLength(4);
      expect(results.filter((r) => !r.ok && r.reason === 'too_many_broadcasters')).toHaveLength(20);
      expect((await e.listChannels('app'))[0]).toMatchObject({ userCount: 25, broadcasterCount: 4 });
      // A broadcaster stepping down frees a seat for another.
      const first = results.findIndex((r) => r.ok);
      await setRole(e, ROOM, 10 + first, `s-${10 + first}`, 'audience');
      const next = results.findIndex((r) => !r.ok);
      expect((await e.setMemberRole(ROOM, 10 + next, `s-${10 + next}`, 'broadcaster', 4)).ok).toBe(true);
    });

    it('removeMember only for the holding session; the channel goes when its last member leaves', async () => {
      const e = await make();
      await claim(e, ROOM, member(7, 's-a'));
      await claim(e, ROOM, member(8, 's-b', 'audience'));
      expect(await e.removeMember(ROOM, 7, 's-b')).toBeUndefined();
      expect(await e.removeMember(ROOM, 7, 's-a')).toEqual(member(7, 's-a'));
      expect(await e.removeMember(ROOM, 7, 's-a')).toBeUndefined();
      expect(await e.listChannels('app')).toEqual([{ channel: 'room', userCount: 1, broadcasterCount: 0 }]);
      await e.removeMember(ROOM, 8, 's-b');
      expect(await e.listChannels('app')).toEqual([]);
      expect(await e.snapshot(ROOM)).toEqual({ members: [], seq: 0 });
    });

    it('listChannels counts users and broadcasters per channel, sorted, for one app only', async () => {
      const e = await make();
      await claim(e, ROOM, member(1, 's-1'));
      await claim(e, ROOM, member(2, 's-2', 'audience'));
      await claim(e, OTHER, member(1, 's-4', 'audience'));
      await claim(e, { appId: 'app2', channel: 'elsewhere' }, member(1, 's-5'));
      expect(await e.listChannels('app')).toEqual([
        { channel: 'lobby', userCount: 1, broadcasterCount: 0 },
        { channel: 'room', userCount: 2, broadcasterCount: 1 },
      ]);
      await setRole(e, ROOM, 2, 's-2', 'broadcaster');
      expect((await e.listChannels('app'))[1]).toEqual({
        channel: 'room',
        userCount: 2,
        broadcasterCount: 2,
      });
      expect(await e.listChannels('none')).toEqual([]);
    });

    it('publishEvent numbers events per channel; eventsSince replays them; snapshot reads both together', async () => {
      const e = await make();
      await claim(e, ROOM, member(1, 's1'));
      expect(await e.publishEvent(ROOM, { kind: 'user_joined', uid: 1 })).toBe(1);
      expect(await e.publishEvent(ROOM, { kind: 'user_joined', uid: 2 })).toBe(2);
      expect(await e.eventsSince(ROOM, 1)).toEqual([{ seq: 2, event: { kind: 'user_joined', uid: 2 } }]);
      expect(await e.eventsSince(ROOM, 2)).toEqual([]);
      expect(await e.eventsSince(ROOM, 3)).toBeUndefined();
      expect(await e.snapshot(ROOM)).toEqual({ members: [member(1, 's1')], seq: 2 });
      await e.raiseSeq(ROOM, 10);
      expect(await e.publishEvent(ROOM, { kind: 'user_joined', uid: 3 })).toBe(11);
    });

    it('an event for a channel with no members left is not kept (no state per unique name)', async () => {
      const e = await make();
      await claim(e, ROOM, member(1, 's1'));
      await e.removeMember(ROOM, 1, 's1');
      expect(await e.publishEvent(ROOM, { kind: 'user_offline', uid: 1, reason: 'quit' })).toBe(0);
      expect(await e.snapshot(ROOM)).toEqual({ members: [], seq: 0 });
      expect(await e.listChannels('app')).toEqual([]);
    });

    it('eventsSince is undefined once the log no longer reaches back', async () => {
      const e = await make();
      await claim(e, ROOM, member(1, 's1'));
      // The log keeps the last EVENT_LOG_LIMIT events (2,048 since data streams; the test followed it).
      const total = EVENT_LOG_LIMIT + 6;
      for (let i = 0; i < total; i++) await e.publishEvent(ROOM, { kind: 'user_joined', uid: 2 });
      expect(await e.eventsSince(ROOM, 1)).toBeUndefined();
      expect(await e.eventsSince(ROOM, total - EVENT_LOG_LIMIT - 1)).toBeUndefined();
      expect((await e.eventsSince(ROOM, total - EVENT_LOG_LIMIT))?.length).toBe(EVENT_LOG_LIMIT);
      expect((await e.eventsSince(ROOM, total - 10))?.length).toBe(10);
    });
  });
}

export function sessionStoreContract({ name, make }: ContractTarget): void {
  const record: SessionRecord = {
    id: 's-1',
    appId: 'app',
    channel: 'room',
    uid: 7,
    nodeId: 'n1',
    createdAt: 1000,
    secretHash: 'q6Jx0-8oT3Jm2c1aZ3sJb4qYyQq0mYw5D7c3rK1v9sE',
  };
  describe(`${name}: SessionStore`, () => {
    it('keeps the resume secret hash and the takeover times as given (another node checks them)', async () => {
      const e = await make();
      const takeovers = [5000, 5100];
      await e.putSession({ ...record, takeovers });
      takeovers.push(1);
      const got = await e.getSession('s-1');
      expect(got).toEqual({ ...record, takeovers: [5000, 5100] });
      got?.takeovers?.push(2);
      expect((await e.getSession('s-1'))?.takeovers).toEqual([5000, 5100]);
      // A taken-over session keeps its hash: the record is rewritten whole.
      await e.putSession({ ...record, nodeId: 'n2', takeovers: [5200] });
      expect(await e.getSession('s-1')).toEqual({ ...record, nodeId: 'n2', takeovers: [5200] });
      // An orphan is handed out with its hash too.
      await e.setDeadlines([{ sessionId: 's-1', deadline: 1 }]);
      const now = await e.heartbeat('other', 1000);
      expect(await e.claimOrphans(now, 10)).toEqual([{ ...record, nodeId: 'n2', takeovers: [5200] }]);
    });

    it('put, get and delete, storing copies', async () => {
      const e = await make();
      expect(await e.getSession('s-1')).toBeUndefined();
      const mine = { ...record };
      await e.putSession(mine);
      mine.uid = 99;
      expect(await e.getSession('s-1')).toEqual(record);
      await e.putSession({ ...record, nodeId: 'n3' });
      expect((await e.getSession('s-1'))?.nodeId).toBe('n3');
      await e.deleteSession('s-1');
      expect(await e.getSession('s-1')).toBeUndefined();
      await e.deleteSession('s-1');
    });

    it('claimOrphans: deadline passed AND node not beating, claimed once; deleted sessions are not orphans', async () => {
      const e = await make();
      await e.putSession(record);
      await e.putSession({ ...record, id: 's-2' });
      const now = await e.heartbeat('n1', 60_000);
      await e.setDeadlines([
        { sessionId: 's-1', deadline: now - 1 },
        { sessionId: 's-2', deadline: now - 1 },
        { sessionId: 'never-stored', deadline: now - 1 },
      ]);
      expect(await e.claimOrphans(now, 10)).toEqual([]); // node alive
      await e.deleteSession('s-2');
      await e.forgetNode('n1');
      expect((await e.claimOrphans(now, 10)).map((s) => s.id)).toEqual(['s-1']);
      expect(await e.claimOrphans(now, 10)).toEqual([]);
    });

    it('deadlinesOf: the published deadline of each session that has one', async () => {
      const e = await make();
      await e.putSession(record);
      await e.putSession({ ...record, id: 's-2' });
      expect(await e.deadlinesOf(['s-1', 's-2'])).toEqual(new Map());
      await e.setDeadlines([{ sessionId: 's-1', deadline: 123_456 }]);
      expect(await e.deadlinesOf(['s-1', 's-2', 'never-stored'])).toEqual(new Map([['s-1', 123_456]]));
      expect(await e.deadlinesOf([])).toEqual(new Map());
      await e.deleteSession('s-1');
      expect(await e.deadlinesOf(['s-1'])).toEqual(new Map());
    });

    it('a deadline in the future is not claimed', async () => {
      const e = await make();
      await e.putSession(record);
      const now = await e.heartbeat('other', 1000);
      await e.setDeadlines([{ sessionId: 's-1', deadline: now + 60_000 }]);
      expect(await e.claimOrphans(now, 10)).toEqual([]);
    });
  });
}

export function ruleStoreContract({ name, make }: ContractTarget): void {
  describe(`${name}: RuleStore`, () => {
    it('assigns ids, lists per app, deletes; kick-once rules are not stored', async () => {
      const e = await make();
      const base = { id: 0, appId: 'app', privileges: ['join_channel'], createdAt: 1, updatedAt: 1 };
      const a = await e.putRule({ ...base, uid: 7, expiresAt: 1e13 });
      const b = await e.putRule({ ...base, cname: 'room', expiresAt: 1e13 });
      expect(a.id).toBeGreaterThan(0);
      expect(b.id).not.toBe(a.id);
      const once = await e.putRule({ ...base, uid: 8, expiresAt: 1 });
      expect((await e.listRules('app')).map((r) => r.id).sort()).toEqual([a.id, b.id].sort());
      expect(await e.listRules('other')).toEqual([]);
      expect(await e.deleteRule('app', once.id)).toBe(false);
      expect(await e.deleteRule('other', a.id)).toBe(false);
      expect(await e.deleteRule('app', a.id)).toBe(true);
      expect((await e.listRules('app')).map((r) => r.id)).toEqual([b.id]);
    });
  });
}

export function busContract({ name, make, settle }: ContractTarget): void {
  describe(`${name}: EngineBus`, () => {
    it('publish reaches every subscriber; a watched channel delivers its events in seq order', async () => {
      const e = await make();
      const got: BusMessage[] = [];
      const off = e.subscribe((m) => got.push(m));
      await e.watchChannel(ROOM);
      await claim(e, ROOM, member(1, 's1'));
      await e.publish({ kind: 'close_channel', ref: ROOM });
      for (let i = 0; i < 5; i++) await e.publishEvent(ROOM, { kind: 'user_joined', uid: i });
      await settle();
      expect(got.filter((m) => m.kind === 'close_channel')).toHaveLength(1);
      expect(got.flatMap((m) => (m.kind === 'channel_event' ? [m.seq] : []))).toEqual([1, 2, 3, 4, 5]);
      off();
      await e.publish({ kind: 'close_channel', ref: ROOM });
      await settle();
      expect(got.filter((m) => m.kind === 'close_channel')).toHaveLength(1);
      await e.unwatchChannel(ROOM);
    });
  });
}

export function streamContract({ name, make, settle }: ContractTarget): void {
  /** A data-stream message from `uid` on the stream named `epoch`, its place `sseq` in it. */
  const msg = (uid: number, epoch: number, sseq: number, over: Partial<StreamMessageEvent> = {}) => ({
    kind: 'stream' as const,
    uid,
    streamId: 1,
    epoch,
    sseq,
    data: 'AQID',
    sentTs: 1_700_000_000_000 + sseq,
    at: 1_700_000_000_500 + sseq,
    ...over,
  });
  const byEpoch = (a: { epoch: number }, b: { epoch: number }) => a.epoch - b.epoch;

  describe(`${name}: ChannelStore data streams`, () => {
    it('publishStream takes only an sseq above the last one of (uid, epoch): a duplicate or an older one is refused with `last`', async () => {
      const e = await make();
      await claim(e, ROOM, member(1, 's1'));
      expect(await e.publishStream(ROOM, msg(1, 10, 1))).toEqual({ ok: true, seq: 1 });
      expect(await e.publishStream(ROOM, msg(1, 10, 2))).toEqual({ ok: true, seq: 2 });
      expect(await e.publishStream(ROOM, msg(1, 10, 2))).toEqual({ ok: false, reason: 'duplicate', last: 2 });
      expect(await e.publishStream(ROOM, msg(1, 10, 1))).toEqual({ ok: false, reason: 'duplicate', last: 2 });
      // A jump is taken (the sender's own gap is the receivers' to tell); below it is then old.
      expect(await e.publishStream(ROOM, msg(1, 10, 5))).toEqual({ ok: true, seq: 3 });
      expect(await e.publishStream(ROOM, msg(1, 10, 4))).toEqual({ ok: false, reason: 'duplicate', last: 5 });
      expect(await e.publishStream(ROOM, msg(1, 10, 5))).toEqual({ ok: false, reason: 'duplicate', last: 5 });
      // A refused message takes no channel seq and is not in the log.
      expect(await e.publishEvent(ROOM, { kind: 'user_joined', uid: 9 })).toBe(4);
      expect((await e.eventsSince(ROOM, 0))?.map((x) => x.seq)).toEqual([1, 2, 3, 4]);
      expect(
        (await e.eventsSince(ROOM, 0))?.flatMap((x) => (x.event.kind === 'stream' ? [x.event.sseq] : [])),
      ).toEqual([1, 2, 5]);
    });

    it('epochs, uids and channels are numbered apart', async () => {
      const e = await make();
      await claim(e, ROOM, member(1, 's1'));
      await claim(e, ROOM, member(2, 's2'));
      await claim(e, OTHER, member(1, 's3'));
      expect((await e.publishStream(ROOM, msg(1, 10, 5))).ok).toBe(true);
      // Another epoch of the same uid: its own numbering.
      expect(await e.publishStream(ROOM, msg(1, 11, 1))).toEqual({ ok: true, seq: 2 });
      // The same epoch number from another uid: its own numbering.
      expect(await e.publishStream(ROOM, msg(2, 10, 1))).toEqual({ ok: true, seq: 3 });
      // The same uid and epoch in another channel: its own numbering.
      expect(await e.publishStream(OTHER, msg(1, 10, 1))).toEqual({ ok: true, seq: 1 });
      expect(await e.publishStream(ROOM, msg(2, 10, 1))).toEqual({ ok: false, reason: 'duplicate', last: 1 });
      expect(await e.publishStream(ROOM, msg(1, 11, 1))).toEqual({ ok: false, reason: 'duplicate', last: 1 });
      expect(await e.publishStream(ROOM, msg(1, 10, 5))).toEqual({ ok: false, reason: 'duplicate', last: 5 });
      expect(await e.publishStream(ROOM, msg(1, 10, 6))).toEqual({ ok: true, seq: 4 });
    });

    it('no_channel when the channel has no members (never had, or the last one left); nothing is kept', async () => {
      const e = await make();
      expect(await e.publishStream(ROOM, msg(1, 10, 1))).toEqual({ ok: false, reason: 'no_channel' });
      expect(await e.snapshot(ROOM)).toEqual({ members: [], seq: 0 });
      expect(await e.listChannels('app')).toEqual([]);
      await claim(e, OTHER, member(1, 's0'));
      await claim(e, ROOM, member(1, 's1'));
      await e.removeMember(ROOM, 1, 's1');
      expect(await e.publishStream(ROOM, msg(1, 10, 1))).toEqual({ ok: false, reason: 'no_channel' });
      expect(await e.snapshot(ROOM)).toEqual({ members: [], seq: 0 });
      expect(await e.listChannels('app')).toEqual([{ channel: 'lobby', userCount: 1, broadcasterCount: 1 }]);
      expect(await e.streamAcks(ROOM, 1)).toEqual([]);
      // Not taken, so not a duplicate once the channel has members again.
      await claim(e, ROOM, member(1, 's2'));
      expect(await e.publishStream(ROOM, msg(1, 10, 1))).toEqual({ ok: true, seq: 1 });
    });

    it('the message is in eventsSince and on the bus, as published and in order with the other events', async () => {
      const e = await make();
      const got: BusMessage[] = [];
      const off = e.subscribe((m) => got.push(m));
      await e.watchChannel(ROOM);
      await claim(e, ROOM, member(1, 's1'));
      const first = msg(1, 10, 1, { streamId: 3, data: 'AAECAw==', ordered: true });
      const second = msg(1, 10, 2, { streamId: 3 });
      expect(await e.publishEvent(ROOM, { kind: 'user_joined', uid: 2 })).toBe(1);
      expect(await e.publishStream(ROOM, first)).toEqual({ ok: true, seq: 2 });
      expect(await e.publishEvent(ROOM, { kind: 'data_state', uid: 1, enabled: true })).toBe(3);
      expect(await e.publishStream(ROOM, msg(1, 10, 1))).toMatchObject({ ok: false });
      expect(await e.publishStream(ROOM, second)).toEqual({ ok: true, seq: 4 });
      expect(await e.publishEvent(ROOM, { kind: 'user_offline', uid: 2, reason: 'quit' })).toBe(5);
      const expected = [
        { seq: 1, event: { kind: 'user_joined', uid: 2 } },
        { seq: 2, event: first },
        { seq: 3, event: { kind: 'data_state', uid: 1, enabled: true } },
        { seq: 4, event: second },
        { seq: 5, event: { kind: 'user_offline', uid: 2, reason: 'quit' } },
      ];
      expect(await e.eventsSince(ROOM, 0)).toEqual(expected);
      expect(await e.eventsSince(ROOM, 2)).toEqual(expected.slice(2));
      expect((await e.snapshot(ROOM)).seq).toBe(5);
      await settle();
      expect(
        got.flatMap((m) => (m.kind === 'channel_event' ? [{ seq: m.seq, event: m.event }] : [])),
      ).toEqual(expected);
      off();
      await e.unwatchChannel(ROOM);
    });

    it("streamAcks lists each epoch's last sseq, for that uid in that channel only", async () => {
      const e = await make();
      await claim(e, ROOM, member(1, 's1'));
      await claim(e, ROOM, member(2, 's2'));
      await claim(e, OTHER, member(1, 's3'));
      expect(await e.streamAcks(ROOM, 1)).toEqual([]);
      for (const sseq of [1, 2, 3]) await e.publishStream(ROOM, msg(1, 10, sseq));
      await e.publishStream(ROOM, msg(1, 10, 2)); // a duplicate does not lower it
      await e.publishStream(ROOM, msg(1, 11, 7));
      await e.publishStream(ROOM, msg(2, 10, 4));
      await e.publishStream(OTHER, msg(1, 12, 9));
      expect((await e.streamAcks(ROOM, 1)).sort(byEpoch)).toEqual([
        { epoch: 10, seq: 3 },
        { epoch: 11, seq: 7 },
      ]);
      expect(await e.streamAcks(ROOM, 2)).toEqual([{ epoch: 10, seq: 4 }]);
      expect(await e.streamAcks(ROOM, 3)).toEqual([]);
      expect(await e.streamAcks(OTHER, 1)).toEqual([{ epoch: 12, seq: 9 }]);
      expect(await e.streamAcks(OTHER, 2)).toEqual([]);
    });

    it("a sender's acks outlive the channel emptying (seams: kept STREAM_ACK_TTL_MS, a re-join after the window finds them)", async () => {
      const e = await make();
      await claim(e, ROOM, member(1, 's1'));
      await e.publishStream(ROOM, msg(1, 10, 1));
      await e.publishStream(ROOM, msg(1, 10, 2));
      // The sender was alone; its session ends after the offline window, then it joins again.
      await e.removeMember(ROOM, 1, 's1');
      await claim(e, ROOM, member(1, 's2'));
      expect(await e.streamAcks(ROOM, 1)).toEqual([{ epoch: 10, seq: 2 }]);
      expect(await e.publishStream(ROOM, msg(1, 10, 2))).toEqual({ ok: false, reason: 'duplicate', last: 2 });
    });
  });
}

export function mediaHostContract({ name, make }: ContractTarget): void {
  describe(`${name}: MediaHostStore`, () => {
    it('the first claim wins; the holder renews; others are told who holds it; per channel', async () => {
      const e = await make();
      expect(await e.mediaHost(ROOM)).toBeUndefined();
      expect(await e.claimMediaHost(ROOM, 'node-1', 5000)).toBe('node-1');
      expect(await e.claimMediaHost(ROOM, 'node-2', 5000)).toBe('node-1');
      expect(await e.claimMediaHost(ROOM, 'node-1', 5000)).toBe('node-1');
      expect(await e.mediaHost(ROOM)).toBe('node-1');
      expect(await e.claimMediaHost(OTHER, 'node-2', 5000)).toBe('node-2');
    });

    it('a claim not renewed lapses and the next node takes it; a release by another node does nothing', async () => {
      const e = await make();
      await e.claimMediaHost(ROOM, 'node-1', 150);
      await e.releaseMediaHost(ROOM, 'node-2');
      expect(await e.mediaHost(ROOM)).toBe('node-1');
      await new Promise((r) => setTimeout(r, 300));
      expect(await e.mediaHost(ROOM)).toBeUndefined();
      expect(await e.claimMediaHost(ROOM, 'node-2', 5000)).toBe('node-2');
      await e.releaseMediaHost(ROOM, 'node-2');
      expect(await e.mediaHost(ROOM)).toBeUndefined();
    });
  });
}

export function engineContract(target: ContractTarget): void {
  mediaHostContract(target);
  channelStoreContract(target);
  streamContract(target);
  sessionStoreContract(target);
  ruleStoreContract(target);
  busContract(target);
}
