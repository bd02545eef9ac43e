import { decodeServerFrame, encodeFrame, type ServerFrame } from '@holdfast/protocol';
import { describe, expect, it } from 'vitest';
import { sessionTransition } from '../session/machine.js';
import { type Attachment, LiveSession } from './live-session.js';

function conn(): Attachment & { frames: ServerFrame[] } {
  const frames: ServerFrame[] = [];
  return {
    frames,
    attachmentId: 1,
    remoteAddress: '127.0.0.1',
    send: (f) => frames.push(f),
    sendEncoded: (data) => {
      const d = decodeServerFrame(typeof data === 'string' ? data : data.toString('utf8'));
      if (!d.ok) throw new Error(d.message);
      frames.push(d.frame);
    },
    sendEvents: (list) => {
      for (const f of list) frames.push(JSON.parse(f.frame.toString()) as ServerFrame);
    },
    batches: false,
    bufferedBytes: 0,
    end: () => {},
  };
}
const make = () =>
  new LiveSession('s1', { appId: 'a', channel: 'c' }, 'k', 7, {
    now: 1000,
    attachment: 1,
    role: 'broadcaster',
    profile: 'communication',
    offlineAfterMs: 20_000,
  });
/** Attaches `c` as the session machine does (joining → attached). */
function attach(live: LiveSession, c: Attachment): void {
  live.transports.set(c.attachmentId, c);
  const event = {
    type: 'attached' as const,
    attachment: c.attachmentId,
    remote: c.remoteAddress,
    resumed: false,
  };
  live.setState(sessionTransition(live.state, event, 1000).state);
}
const joined = (uid: number) => ({ kind: 'user_joined' as const, uid });

describe('LiveSession', () => {
  it('sends each event once, in seq order, skipping duplicates, stale ones and its own', () => {
    const live = make();
    const c = conn();
    attach(live, c);
    live.deliver(1, joined(2));
    live.deliver(1, joined(2));
    live.deliver(2, joined(7));
    live.deliver(3, joined(3));
    live.deliver(2, joined(9));
    expect(c.frames).toEqual([
      { type: 'event', seq: 1, event: joined(2) },
      { type: 'event', seq: 3, event: joined(3) },
    ]);
    expect(live.lastSeq).toBe(3);
  });

  it('an event encoded once is sent as is, with the same skipping rules', () => {
    const live = make();
    const c = conn();
    attach(live, c);
    const frame = (seq: number, uid: number) =>
      Buffer.from(encodeFrame({ type: 'event', seq, event: joined(uid) }));
    live.deliver(1, joined(2), frame(1, 2));
    live.deliver(1, joined(2), frame(1, 2));
    live.deliver(2, joined(7), frame(2, 7));
    live.deliver(3, joined(3), frame(3, 3));
    expect(c.frames).toEqual([
      { type: 'event', seq: 1, event: joined(2) },
      { type: 'event', seq: 3, event: joined(3) },
    ]);
  });

  it('while detached, events advance lastSeq but go nowhere (the channel log serves the resume)', () => {
    const live = make();
    live.deliver(1, joined(2));
    expect(live.lastSeq).toBe(1);
  });

  it('hold/release: events that arrive while a joined frame is being prepared are sent after it, beyond its seq', () => {
    const live = make();
    live.hold();
    live.deliver(4, joined(2));
    live.deliver(5, joined(3));
    live.deliver(6, joined(4));
    const c = conn();
    attach(live, c);
    live.release(5);
    expect(c.frames).toEqual([{ type: 'event', seq: 6, event: joined(4) }]);
    expect(live.conn).toBe(c);
    expect(live.lastSeq).toBe(6);
  });

  it('frames seen are given to the machine when its state is next read, as one `seen` event per read', () => {
    const live = make();
    attach(live, conn());
    const before = live.state;
    live.seen(5000);
    live.seen(4000); // out of order: the later time stays
    live.seen(7000);
    // Not applied yet, but reported everywhere as if it were.
    expect(live.lastSeenAt).toBe(7000);
    expect(live.nextDueAt()).toBe(27_000);
    expect(live.dueCause(26_999)).toBeUndefined();
    expect(live.dueCause(27_000)).toBe('timed_out');
    // Reading the state hands it over: the machine's own transition, once.
    const after = live.state;
    expect(after).not.toBe(before);
    expect(after).toEqual(sessionTransition(before, { type: 'seen' }, 7000).state);
    expect(live.state).toBe(after);
  });

  it('a pending `seen` goes to the machine before the next event, and never after the session ended', () => {
    const live = make();
    attach(live, conn());
    live.seen(9000);
    // The driver's dispatch reads the state first: the `seen` comes before the event.
    live.setState(sessionTransition(live.state, { type: 'detached', attachment: 1 }, 9500).state);
    expect(live.state).toMatchObject({ phase: 'detached', lastSeenAt: 9000 });
    live.setState(sessionTransition(live.state, { type: 'end', cause: 'timed_out' }, 30_000).state);
    live.seen(31_000);
    expect(live.state).toMatchObject({ phase: 'ended', lastSeenAt: 9000 });
    expect(live.lastSeenAt).toBe(9000);
    expect(live.nextDueAt()).toBeUndefined();
    expect(live.dueCause(60_000)).toBeUndefined();
  });
});
