import type { ChannelEvent, EventFrame, ServerFrame, WireErrorCode } from '@holdfast/protocol';
import { describe, expect, it } from 'vitest';
import { type Attachment, LiveSession, OUTBOX_LIMIT } from './live-session.js';

class FakeConn implements Attachment {
  readonly sent: ServerFrame[] = [];
  readonly ended: [WireErrorCode, string][] = [];
  readonly remoteAddress = '127.0.0.1';
  send(frame: ServerFrame): void {
    this.sent.push(frame);
  }
  end(code: WireErrorCode, message: string): void {
    this.ended.push([code, message]);
  }
}

const session = () =>
  new LiveSession('s-1', { appId: 'app', channel: 'room' }, 42, 'broadcaster', 'communication', 'key', 1000);
const joinedEv = (uid: number): ChannelEvent => ({ kind: 'user_joined', uid });
const frame = (seq: number, uid: number): EventFrame => ({ type: 'event', seq, event: joinedEv(uid) });
const seqs = (frames: EventFrame[] | undefined) => frames?.map((f) => f.seq);

describe('LiveSession', () => {
  it('keeps its constructor fields', () => {
    const s = session();
    expect(s.id).toBe('s-1');
    expect(s.ref).toEqual({ appId: 'app', channel: 'room' });
    expect(s.uid).toBe(42);
    expect(s.role).toBe('broadcaster');
    expect(s.profile).toBe('communication');
    expect(s.key).toBe('key');
    expect(s.lastSeenAt).toBe(1000);
    expect(s.seq).toBe(0);
    expect(s.conn).toBeUndefined();
    expect(s.tokenExpiresAt).toBeUndefined();
  });

  it('OUTBOX_LIMIT is 1024', () => {
    expect(OUTBOX_LIMIT).toBe(1024);
  });

  it('deliver assigns increasing seqs and sends to the attached conn', () => {
    const s = session();
    const conn = new FakeConn();
    s.conn = conn;
    s.deliver(joinedEv(7));
    s.deliver({ kind: 'user_offline', uid: 7, reason: 'dropped' });
    s.deliver(joinedEv(8));
    expect(s.seq).toBe(3);
    expect(conn.sent).toEqual([
      { type: 'event', seq: 1, event: { kind: 'user_joined', uid: 7 } },
      { type: 'event', seq: 2, event: { kind: 'user_offline', uid: 7, reason: 'dropped' } },
      { type: 'event', seq: 3, event: { kind: 'user_joined', uid: 8 } },
    ]);
    expect(conn.ended).toEqual([]);
  });

  it('queues while detached and sends only to the conn attached at delivery time', () => {
    const s = session();
    s.deliver(joinedEv(1));
    s.deliver(joinedEv(2));
    const conn = new FakeConn();
    s.conn = conn;
    s.deliver(joinedEv(3));
    expect(conn.sent).toEqual([frame(3, 3)]);
    s.conn = undefined;
    s.deliver(joinedEv(4));
    expect(conn.sent).toEqual([frame(3, 3)]);
    expect(s.missedSince(0)).toEqual([frame(1, 1), frame(2, 2), frame(3, 3), frame(4, 4)]);
  });

  it('missedSince returns exactly the events after lastSeq', () => {
    const s = session();
    for (let uid = 1; uid <= 5; uid++) s.deliver(joinedEv(uid));
    expect(s.missedSince(0)).toEqual([frame(1, 1), frame(2, 2), frame(3, 3), frame(4, 4), frame(5, 5)]);
    expect(s.missedSince(2)).toEqual([frame(3, 3), frame(4, 4), frame(5, 5)]);
    expect(s.missedSince(4)).toEqual([frame(5, 5)]);
    expect(s.missedSince(5)).toEqual([]);
  });

  it('missedSince is undefined when lastSeq is beyond the last seq', () => {
    const s = session();
    expect(s.missedSince(0)).toEqual([]);
    expect(s.missedSince(1)).toBeUndefined();
    s.deliver(joinedEv(1));
    s.deliver(joinedEv(2));
    expect(s.missedSince(2)).toEqual([]);
    expect(s.missedSince(3)).toBeUndefined();
    expect(s.missedSince(1000)).toBeUndefined();
  });

  it('ack trims the outbox: acked events can no longer be replayed', () => {
    const s = session();
    for (let uid = 1; uid <= 5; uid++) s.deliver(joinedEv(uid));
    s.ack(3);
    expect(s.missedSince(3)).toEqual([frame(4, 4), frame(5, 5)]);
    expect(seqs(s.missedSince(4))).toEqual([5]);
    expect(s.missedSince(2)).toBeUndefined();
    expect(s.missedSince(0)).toBeUndefined();
    // an older or repeated ack changes nothing
    s.ack(1);
    s.ack(3);
    expect(seqs(s.missedSince(3))).toEqual([4, 5]);
    // acking everything leaves an empty, still valid replay
    s.ack(5);
    expect(s.missedSince(5)).toEqual([]);
    expect(s.missedSince(4)).toBeUndefined();
    // new events after the ack replay normally
    s.deliver(joinedEv(6));
    expect(s.missedSince(5)).toEqual([frame(6, 6)]);
    expect(s.seq).toBe(6);
  });

  it('ack beyond the last seq trims everything without moving seq', () => {
    const s = session();
    for (let uid = 1; uid <= 3; uid++) s.deliver(joinedEv(uid));
    s.ack(100);
    expect(s.seq).toBe(3);
    expect(s.missedSince(3)).toEqual([]);
    expect(s.missedSince(2)).toBeUndefined();
  });

  it(`evicts the oldest events beyond ${OUTBOX_LIMIT}; a resume from before them is undefined`, () => {
    const s = session();
    const conn = new FakeConn();
    s.conn = conn;
    const total = OUTBOX_LIMIT + 5;
    for (let uid = 1; uid <= total; uid++) s.deliver(joinedEv(uid));
    expect(s.seq).toBe(total);
    expect(conn.sent.length).toBe(total);
    expect(s.missedSince(0)).toBeUndefined();
    expect(s.missedSince(4)).toBeUndefined();
    const fromFive = s.missedSince(5);
    expect(fromFive?.length).toBe(OUTBOX_LIMIT);
    expect(fromFive?.[0]).toEqual(frame(6, 6));
    expect(fromFive?.at(-1)).toEqual(frame(total, total));
    expect(seqs(s.missedSince(total - 2))).toEqual([total - 1, total]);
    expect(s.missedSince(total)).toEqual([]);
    expect(s.missedSince(total + 1)).toBeUndefined();
  });
});
