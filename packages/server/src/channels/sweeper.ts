import type { Clock, TimerHandle } from '@holdfast/protocol';
import type { Logger } from 'pino';
import type { Engine } from '../engine/types.js';
import type { EndCause } from '../session/end-causes.js';
import { DeadlineQueue } from './deadline-queue.js';
import type { LiveSession } from './live-session.js';
import type { ChannelService } from './service.js';

export interface SweeperOptions {
  clock: Clock;
  /** Local checks (silence, token expiry). */
  sweepIntervalMs: number;
  /** Cluster liveness: heartbeat, deadline flush, orphan claims. */
  heartbeatMs: number;
  log: Logger;
}

/**
 * Time-driven work of one node:
 * - on time, to the millisecond: drop a local session silent for its offline window (remote
 *   members see Dropped) or end one whose token expired — each watched session sits on a deadline
 *   queue under the earliest time it may be due; one timer runs to the earliest of them, and a
 *   session found not due (a frame came meanwhile) goes back under its new time;
 * - every heartbeat, as a safety net: the same check over every local session;
 * - every `heartbeatMs`: say this node is alive, publish each local session's
 *   deadline (in the engine's clock), and claim sessions of dead nodes whose
 *   deadline passed — the failure-detection rule for a multi-node deployment:
 *   a session is dropped by another node only when BOTH its deadline has passed
 *   and its node's heartbeat (3 × heartbeatMs) has lapsed, judged on the engine's
 *   clock, never on one node's own.
 */
/** A published deadline within this of the current one is left as it is. */
const DEADLINE_SLACK_MS = 250;
/** Every this many beats all deadlines are written again, whatever the engine silently lost. */
const FULL_REFRESH_BEATS = 10;

export class Sweeper {
  #timer: TimerHandle | undefined;
  readonly #due = new DeadlineQueue<LiveSession>();
  #dueTimer: TimerHandle | undefined;
  #dueTimerAt = Number.POSITIVE_INFINITY;
  #ending = false;
  #running = false;
  #stopped = false;
  #lastBeat = 0;
  /** engine time − local time, learned at each heartbeat. */
  #offset = 0;
  #beats = 0;
  /**
   * The engine as the heartbeats find it (readiness and /metrics): when a beat last went through,
   * how many failed, and the last failure's message (undefined once a beat succeeds again).
   */
  readonly engineHealth: { okAt: number; failures: number; error: string | undefined };

  constructor(
    private readonly service: ChannelService,
    private readonly engine: Engine,
    private readonly opts: SweeperOptions,
  ) {
    this.engineHealth = { okAt: opts.clock.now(), failures: 0, error: undefined };
  }

  start(): void {
    this.#schedule();
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer !== undefined) this.opts.clock.clearTimeout(this.#timer);
    if (this.#dueTimer !== undefined) this.opts.clock.clearTimeout(this.#dueTimer);
    this.#due.clear();
  }

  /** Ends `live` on time when it falls silent or its token expires (see the class comment). */
  watch(live: LiveSession): void {
    const at = live.nextDueAt();
    if (at === undefined || this.#stopped) return;
    // A frame only moves its time later (its entry is re-filed lazily); an earlier token expiry
    // needs a new entry now (the old one is dropped when it comes up).
    live.onDueSooner = this.#watch;
    this.#due.push(at, live);
    this.#arm();
  }

  readonly #watch = (live: LiveSession): void => this.watch(live);

  /**
   * Runs the one timer to the earliest queued time. Entries of sessions heard from since they were
   * queued (most of them: a client pings every 6 s, its window is 20 s) are filed again under their
   * new time first, so the timer only wakes for a session that may really be due — not once for
   * every session at a stale time (up to ~1,400 wake-ups a second at 20,000 sessions).
   */
  #arm(): void {
    this.#refreshStale();
    const at = this.#due.peek();
    if (at === undefined || at >= this.#dueTimerAt || this.#stopped) return;
    if (this.#dueTimer !== undefined) this.opts.clock.clearTimeout(this.#dueTimer);
    this.#dueTimerAt = at;
    this.#dueTimer = this.opts.clock.setTimeout(
      () => {
        this.#dueTimer = undefined;
        this.#dueTimerAt = Number.POSITIVE_INFINITY;
        void this.#endDue();
      },
      Math.max(0, at - this.opts.clock.now()),
    );
  }

  #refreshStale(): void {
    for (;;) {
      const at = this.#due.peek();
      const live = this.#due.peekItem();
      if (at === undefined || live === undefined) return;
      const next = this.service.holds(live) ? live.nextDueAt() : undefined;
      if (next !== undefined && next <= at) return;
      this.#due.shift();
      if (next !== undefined) this.#due.push(next, live);
    }
  }

  async #endDue(): Promise<void> {
    if (this.#ending) return;
    this.#ending = true;
    try {
      const now = this.opts.clock.now();
      for (const live of this.#due.popDue(now)) {
        if (!this.service.holds(live)) continue;
        const cause = live.dueCause(now);
        if (cause) {
          await this.#end(live, cause);
          continue;
        }
        const next = live.nextDueAt();
        // Not due although its time came (joining, say): look again after a sweep interval.
        if (next !== undefined) this.#due.push(next > now ? next : now + this.opts.sweepIntervalMs, live);
      }
    } catch (err) {
      this.opts.log.warn({ err }, 'ending due sessions failed (the heartbeat sweep retries)');
    } finally {
      this.#ending = false;
      this.#arm();
    }
  }

  async #end(live: LiveSession, cause: EndCause): Promise<void> {
    if (cause === 'timed_out')
      this.opts.log.info(
        { session: live.tag, uid: live.uid, channel: live.ref.channel },
        'session timed out',
      );
    await this.service.end(live, cause);
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#timer = this.opts.clock.setTimeout(() => void this.#tick(), this.opts.sweepIntervalMs);
  }

  async #tick(): Promise<void> {
    if (this.#running) return this.#schedule();
    this.#running = true;
    try {
      const now = this.opts.clock.now();
      if (now - this.#lastBeat >= this.opts.heartbeatMs) {
        this.#lastBeat = now;
        await this.sweepLocal();
        await this.beat();
      }
    } catch (err) {
      this.opts.log.warn({ err }, 'sweep failed (will retry)');
    } finally {
      this.#running = false;
      this.#schedule();
    }
  }

  /** Local expiry: the session machine says which sessions are due (silence past the window, or a token past its expiry). */
  async sweepLocal(): Promise<void> {
    const now = this.opts.clock.now();
    const due: Array<[LiveSession, EndCause]> = [];
    for (const live of this.service.eachLocalSession()) {
      const cause = live.dueCause(now);
      if (cause) due.push([live, cause]);
    }
    for (const [live, cause] of due) await this.#end(live, cause);
  }

  /** Cluster liveness: heartbeat, deadlines, orphans. */
  async beat(): Promise<void> {
    const health = this.engineHealth;
    try {
      await this.#beat();
      health.okAt = this.opts.clock.now();
      health.error = undefined;
    } catch (err) {
      health.failures++;
      health.error = err instanceof Error ? err.message : String(err);
      throw err;
    }
  }

  async #beat(): Promise<void> {
    const local = this.opts.clock.now();
    const engineNow = await this.engine.heartbeat(this.service.nodeId, this.opts.heartbeatMs * 3);
    this.#offset = engineNow - local;
    // Only deadlines that moved: a client pings every few seconds, so most have not since the last
    // beat (17k sessions per node would otherwise be 17k engine writes a second). The clock offset
    // jitters by milliseconds between beats; that alone is not worth a write. Every 10th beat writes
    // them all, so a write the engine lost without failing (a failover, say) heals within 10 s.
    const full = this.#beats++ % FULL_REFRESH_BEATS === FULL_REFRESH_BEATS - 1;
    const entries: Array<{ sessionId: string; deadline: number }> = [];
    const published: LiveSession[] = [];
    for (const live of this.service.eachLocalSession()) {
      const deadline = live.lastSeenAt + live.offlineAfterMs + this.#offset;
      const last = live.publishedDeadline;
      if (!full && last !== undefined && Math.abs(deadline - last) < DEADLINE_SLACK_MS) continue;
      entries.push({ sessionId: live.id, deadline });
      published.push(live);
    }
    if (entries.length > 0) await this.engine.setDeadlines(entries);
    // Parallel lists, not [live, deadline] pairs: one allocation less per session and beat.
    for (let i = 0; i < published.length; i++) published[i]!.publishedDeadline = entries[i]!.deadline;
    for (const orphan of await this.engine.claimOrphans(engineNow, 500))
      await this.service.dropOrphan(orphan);
    await this.service.retryFailedEffects();
  }
}
