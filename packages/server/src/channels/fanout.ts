import { type ChannelEvent, type Clock, encodeFrame, type TimerHandle } from '@holdfast/protocol';
import type { Logger } from 'pino';
import { type Engine, isAnnounced } from '../engine/types.js';
import { batchOf, MAX_BATCH_BYTES } from './batch.js';
import type { EncodedEvent, LiveSession, SharedFrame } from './live-session.js';
import type { LocalSessions } from './local-sessions.js';

export interface FanoutOptions {
  clock: Clock;
  log: Logger;
  /** Runs `fn` once this turn of the event loop is done (default `setImmediate`); tests pass their own. */
  defer?: (fn: () => void) => void;
  /** A transport with more than this many bytes in its send buffer is behind (default 1 MiB). */
  behindBytes?: number;
  /** How often behind sessions are looked at for a drained buffer, ms (default 50). */
  drainCheckMs?: number;
  /**
   * Members written to per step (default 256): a round of a big channel yields to the event loop
   * between steps, so joins and pings are answered meanwhile, and the events that arrive meanwhile
   * go out together in the next round.
   */
  membersPerStep?: number;
  /**
   * After a round, the next one waits this many times as long as the round kept the node busy
   * (default 1: fan-out takes at most about half of the time while a big channel is busy, joins
   * and pings the rest, and the events that arrive meanwhile share the next round's writes).
   */
  restRatio?: number;
  /** Time for measuring how long steps take, ms (default `performance.now`). */
  busyClock?: () => number;
  /**
   * Events written at once when the fan-out is idle (no round being written, nothing pending, not
   * resting), instead of at the end of the turn. Default: every event but data-stream messages —
   * presence and media state are rare and someone waits for them; stream messages are many, and
   * one write per member for all of a turn's is what keeps a busy channel's throughput. Once a
   * round is written the rest after it applies as before, so a burst of joins still shares writes.
   */
  immediate?: (event: ChannelEvent) => boolean;
}

const notStreams = (event: ChannelEvent): boolean => event.kind !== 'stream';

/** One channel's events of a round, and the members to write them to. */
interface Job {
  events: EncodedEvent[];
  batch: SharedFrame | undefined;
  members: LiveSession[];
}

/** What the fan-out did, for tests and metrics. */
export interface FanoutCounts {
  /** Channel rounds (one encoding of each event and at most one shared batch each). */
  turns: number;
  /** Steps the rounds took (a step writes to at most `membersPerStep` members). */
  steps: number;
  /** Events fanned out. */
  events: number;
  /** Times a session fell behind (its transport's send buffer over the bound). */
  behind: number;
  /** Behind sessions caught up from the channel's log (every skipped event replayed). */
  replays: number;
  /** Behind sessions caught up with a `sync` snapshot (the log no longer had what they skipped). */
  snapshots: number;
}

export const DEFAULT_BEHIND_BYTES = 1024 * 1024;

/**
 * Channel events to this node's members, batched per channel per turn of the event loop and written
 * with backpressure. Each event is encoded once per node; the events of one turn go to each member
 * in one write (one `batch` message, built once per channel, to clients that read batches). A
 * member whose transport has more than `behindBytes` unsent is marked behind and skipped; once its
 * buffer is below half that, it gets what it skipped from the channel's log, or — when the log no
 * longer reaches back that far — a `sync` frame (member list and seq), never a silent gap.
 */
export class ChannelFanout {
  #pending = new Map<string, EncodedEvent[]>();
  #scheduled = false;
  /** The round being written: its jobs, and where the next step starts. */
  #round: { jobs: Job[]; job: number; member: number; busyMs: number } | undefined;
  readonly #membersPerStep: number;
  readonly #restRatio: number;
  readonly #busyClock: () => number;
  readonly #immediate: (event: ChannelEvent) => boolean;
  /** Busy-clock time before which no round starts (the rest after the last one). */
  #restUntil = 0;
  #restTimer: TimerHandle | undefined;
  #behind = new Set<LiveSession>();
  #drainTimer: TimerHandle | undefined;
  readonly #defer: (fn: () => void) => void;
  readonly behindBytes: number;
  readonly #drainCheckMs: number;
  readonly counts: FanoutCounts = {
    turns: 0,
    steps: 0,
    events: 0,
    behind: 0,
    replays: 0,
    snapshots: 0,
  };

  constructor(
    private readonly engine: Engine,
    private readonly local: LocalSessions,
    private readonly opts: FanoutOptions,
  ) {
    this.#defer = opts.defer ?? ((fn) => void setImmediate(fn));
    this.behindBytes = opts.behindBytes ?? DEFAULT_BEHIND_BYTES;
    this.#drainCheckMs = opts.drainCheckMs ?? 50;
    this.#membersPerStep = opts.membersPerStep ?? 256;
    this.#restRatio = opts.restRatio ?? 1;
    this.#busyClock = opts.busyClock ?? (() => performance.now());
    this.#immediate = opts.immediate ?? notStreams;
  }

  /** Sessions waiting for their transport to drain. */
  get behindCount(): number {
    return this.#behind.size;
  }

  /**
   * A channel event for the members of channel `key`: sent with the rest of this turn's, or now
   * when the fan-out is idle and the event is one of `immediate`'s.
   */
  push(key: string, seq: number, event: ChannelEvent): void {
    const frame = Buffer.from(encodeFrame({ type: 'event', seq, event }));
    // Idle: nothing is ahead of this event for any member, so writing it now keeps the seq order
    // (a push from inside a step finds its round still set, and waits for the next).
    const idle = !this.#round && this.#pending.size === 0;
    const list = this.#pending.get(key);
    if (list) list.push({ seq, event, frame });
    else this.#pending.set(key, [{ seq, event, frame }]);
    if (idle && this.#immediate(event) && this.#busyClock() >= this.#restUntil) this.step();
    else this.#schedule();
  }

  /** Writes everything pending now, every step at once, without resting (tests, shutdown). */
  flush(): void {
    this.#restUntil = 0;
    while (this.#round || this.#pending.size > 0) this.step();
  }

  /**
   * One step: starts a round with every channel's pending events if none is being written, then
   * writes to the next `membersPerStep` members of it. Rounds go one after another, so each member
   * gets its events in seq order; events that arrive during a round wait for the next one.
   */
  step(): void {
    this.#scheduled = false;
    this.#step();
    this.#schedule();
  }

  #step(): void {
    const started = this.#busyClock();
    if (!this.#round) {
      if (this.#pending.size === 0) return;
      if (started < this.#restUntil) return;
      const jobs: Job[] = [];
      for (const [key, events] of this.#pending) {
        this.counts.turns++;
        this.counts.events += events.length;
        jobs.push({ events, batch: sharedBatch(events), members: this.local.inChannel(key) });
      }
      this.#pending = new Map();
      this.#round = { jobs, job: 0, member: 0, busyMs: 0 };
    }
    this.counts.steps++;
    const round = this.#round;
    let budget = this.#membersPerStep;
    while (budget > 0 && round.job < round.jobs.length) {
      const job = round.jobs[round.job]!;
      if (round.member >= job.members.length) {
        round.job++;
        round.member = 0;
        continue;
      }
      const live = job.members[round.member++]!;
      budget--;
      if (live.deliverAll(job.events, job.batch, this.behindBytes) === 'behind') this.#markBehind(live);
    }
    const ended = this.#busyClock();
    round.busyMs += ended - started;
    if (round.job >= round.jobs.length) {
      this.#round = undefined;
      this.#restUntil = ended + round.busyMs * this.#restRatio;
    }
  }

  #schedule(): void {
    if (this.#scheduled || (!this.#round && this.#pending.size === 0)) return;
    this.#scheduled = true;
    const rest = this.#round ? 0 : this.#restUntil - this.#busyClock();
    // Under a millisecond of rest (a small channel): the end of this turn is soon enough.
    if (rest < 1) this.#defer(() => this.step());
    else
      this.#restTimer = this.opts.clock.setTimeout(() => {
        this.#restTimer = undefined;
        this.step();
      }, Math.ceil(rest));
  }

  /** Looks at the behind sessions: those whose transport drained are caught up (the timer's step). */
  checkDrained(): void {
    for (const live of [...this.#behind]) {
      if (!live.behind || live.state.phase === 'ended') {
        // Caught up by a resume's `joined` frame, or gone.
        this.#behind.delete(live);
        continue;
      }
      const conn = live.conn;
      // Detached, or a join, resume or catch-up is being answered: look again later.
      if (!conn || live.holding || conn.bufferedBytes > this.behindBytes / 2) continue;
      this.#behind.delete(live);
      void this.#catchUp(live);
    }
    this.#arm();
  }

  stop(): void {
    if (this.#drainTimer !== undefined) this.opts.clock.clearTimeout(this.#drainTimer);
    this.#drainTimer = undefined;
    this.#behind.clear();
    this.#pending.clear();
    this.#round = undefined;
    if (this.#restTimer !== undefined) this.opts.clock.clearTimeout(this.#restTimer);
    this.#restTimer = undefined;
  }

  #markBehind(live: LiveSession): void {
    if (this.#behind.has(live)) return;
    this.#behind.add(live);
    this.counts.behind++;
    this.opts.log.info(
      { session: live.tag, uid: live.uid, channel: live.ref.channel, lastSeq: live.lastSeq },
      'member behind: send buffer over the bound, events skipped until it drains',
    );
    this.#arm();
  }

  #arm(): void {
    if (this.#drainTimer !== undefined || this.#behind.size === 0) return;
    this.#drainTimer = this.opts.clock.setTimeout(() => {
      this.#drainTimer = undefined;
      this.checkDrained();
    }, this.#drainCheckMs);
  }

  /**
   * Brings a drained member up to date, as a resume would: events arriving meanwhile are held; the
   * events it skipped come from the channel's log if it still has them all (data-stream messages
   * included), else a `sync` frame carries the member list at a seq; then the held events follow.
   */
  async #catchUp(live: LiveSession): Promise<void> {
    const conn = live.conn;
    if (!conn) return;
    live.hold();
    try {
      const { members, seq } = await this.engine.snapshot(live.ref);
      const log = await this.engine.eventsSince(live.ref, live.lastSeq);
      // The transport changed meanwhile: the resume answering it sends `joined` and releases.
      if (live.conn !== conn) return;
      if (log) {
        const frames = log
          .filter((e) => e.seq > live.lastSeq && e.seq <= seq && e.event.uid !== live.uid)
          .map((e) => ({ frame: Buffer.from(encodeFrame({ type: 'event', seq: e.seq, event: e.event })) }));
        if (frames.length) conn.sendEvents(frames);
        this.counts.replays++;
      } else {
        const others = members
          .filter((m) => m.uid !== live.uid && isAnnounced(m))
          .map((m) => ({ uid: m.uid }));
        conn.send({ type: 'sync', seq, members: others });
        this.counts.snapshots++;
      }
      live.release(seq);
    } catch (err) {
      this.opts.log.warn({ err, session: live.tag }, 'catch-up of a behind member failed; trying again');
      if (live.conn !== conn) return;
      // What was held is covered by the next try (the log or a snapshot from the same lastSeq).
      live.dropHeld();
      this.#behind.add(live);
      this.#arm();
    }
  }
}

/** The batch every member that gets all of a turn's events receives: built once per channel per turn. */
function sharedBatch(events: readonly EncodedEvent[]): SharedFrame | undefined {
  if (events.length < 2) return undefined;
  let size = 0;
  for (const e of events) size += e.frame.length + 1;
  return size <= MAX_BATCH_BYTES ? { frame: batchOf(events.map((e) => e.frame)) } : undefined;
}
