import { type ChannelEvent, decodeServerFrame, type ServerFrame, TestClock } from '@holdfast/protocol';
import { pino } from 'pino';
import { MemoryEngine } from '../engine/memory.js';
import { type ChannelRef, channelKey } from '../engine/types.js';
import { sessionTransition } from '../session/machine.js';
import { ChannelFanout, type FanoutOptions } from './fanout.js';
import { type Attachment, LiveSession, newAttachmentId, type SharedFrame } from './live-session.js';
import { LocalSessions } from './local-sessions.js';

// Shared by the fanout*.test.ts files: the fan-out over the memory engine, with a test clock and
// the end-of-turn step run by hand — no sockets, no real time.

export const ref: ChannelRef = { appId: 'demo', channel: 'big' };
const key = channelKey(ref);
const log = pino({ level: 'silent' });

/** A transport whose send buffer the test sets; records every WebSocket message it was given. */
export interface FakeConn extends Attachment {
  /** One entry per WebSocket message, decoded. */
  messages: ServerFrame[];
  /** What each write was given: the one event, or the batch (undefined when none was). */
  given: Array<SharedFrame | undefined>;
  bufferedBytes: number;
  batches: boolean;
}
export function transport(batches: boolean): FakeConn {
  const decode = (data: string | Buffer): ServerFrame => {
    const d = decodeServerFrame(data.toString());
    if (!d.ok) throw new Error(d.message);
    return d.frame;
  };
  const t: FakeConn = {
    attachmentId: newAttachmentId(),
    remoteAddress: '127.0.0.1',
    messages: [],
    given: [],
    bufferedBytes: 0,
    batches,
    send: (f) => void t.messages.push(decode(JSON.stringify(f))),
    sendEncoded: (data) => void t.messages.push(decode(data)),
    sendEvents: (frames, batch) => {
      t.given.push(frames.length === 1 ? frames[0] : batch);
      if (t.batches && frames.length > 1 && batch) t.messages.push(decode(batch.frame));
      else if (t.batches && frames.length > 1)
        t.messages.push({ type: 'batch', frames: frames.map((f) => decode(f.frame) as never) });
      else for (const f of frames) t.messages.push(decode(f.frame));
    },
    end: () => {},
  };
  return t;
}

/** Every event seq the transport got (inside batches too), and the snapshots. */
export const seqs = (t: FakeConn): number[] =>
  t.messages.flatMap((m) =>
    m.type === 'event' ? [m.seq] : m.type === 'batch' ? m.frames.map((f) => f.seq) : [],
  );

export const settle = async () => {
  for (let i = 0; i < 20; i++) await Promise.resolve();
};

/**
 * A fan-out on a fresh memory engine, fed by the engine's channel events, its end-of-turn steps
 * kept in `deferred` (`turn()` runs them), its busy time on the test clock; `opts` override.
 */
export function fanoutFixture(opts: Partial<FanoutOptions> = {}) {
  const clock = new TestClock();
  const engine = new MemoryEngine(clock);
  const local = new LocalSessions();
  const deferred: Array<() => void> = [];
  const fanout = new ChannelFanout(engine, local, {
    clock,
    log,
    defer: (fn) => void deferred.push(fn),
    behindBytes: 1000,
    drainCheckMs: 50,
    membersPerStep: 2,
    busyClock: () => clock.now(),
    ...opts,
  });
  engine.subscribe((m) => {
    if (m.kind === 'channel_event') fanout.push(channelKey(m.ref), m.seq, m.event);
  });
  const turn = () => {
    while (deferred.length) deferred.shift()!();
  };
  /** A member in the engine with its session attached to a fake transport on this node. */
  async function member(uid: number, batches = true) {
    await engine.admitMember(
      ref,
      { uid, sessionId: `s${uid}`, role: 'broadcaster', profile: 'communication', joinedAt: 0, nodeId: 'n' },
      { maxBroadcasters: 1000 },
    );
    const conn = transport(batches);
    const live = new LiveSession(`s${uid}`, ref, key, uid, {
      now: 0,
      attachment: conn.attachmentId,
      role: 'broadcaster',
      profile: 'communication',
      offlineAfterMs: 20_000,
    });
    live.transports.set(conn.attachmentId, conn);
    const attached = {
      type: 'attached' as const,
      attachment: conn.attachmentId,
      remote: '127.0.0.1',
      resumed: false,
    };
    live.setState(sessionTransition(live.state, attached, 0).state);
    live.lastSeq = (await engine.snapshot(ref)).seq;
    local.add(live);
    return { live, conn };
  }
  return { clock, engine, local, fanout, deferred, turn, member };
}

export const joined = (uid: number): ChannelEvent => ({ kind: 'user_joined', uid });
export const message = (uid: number, sseq: number): ChannelEvent => ({
  kind: 'stream',
  uid,
  streamId: 1,
  epoch: 1,
  sseq,
  data: 'aGk=',
  sentTs: 0,
  at: 0,
});
