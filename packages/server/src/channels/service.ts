import type { ChannelEvent, Clock, JoinFrame, WireRole } from '@holdfast/protocol';
import type { Logger } from 'pino';
import type { AppRegistry } from '../auth/apps.js';
import type { ServerTiming } from '../config.js';
import type { ChannelRef, Engine, SessionRecord } from '../engine/types.js';
import type { MediaRouter } from '../media/router.js';
import type { Observer } from '../observe/observer.js';
import type { EndCause } from '../session/end-causes.js';
import { type Holds, initialSession, type SessionEvent, sessionTransition } from '../session/machine.js';
import { admit } from './admission.js';
import { EffectRunner, type ObservedBody } from './effects.js';
import type { MemberHooks } from './hooks.js';
import { JoinFlow } from './join-flow.js';
import type { Attachment, LiveSession } from './live-session.js';
import type { LocalSessions } from './local-sessions.js';
import { sessionTag } from './session-id.js';
import { SERVER_STREAM_LIMITS } from './session-streams.js';
import { StreamRelay } from './stream-relay.js';

export interface ChannelServiceOptions {
  nodeId: string;
  clock: Clock;
  /** Remote offline window: a session is dropped this long after the last data from its client. */
  offlineAfterMs: number;
  /** Keepalive and ping intervals ({@link pingIntervalFor} picks each session's ping interval). */
  timing: ServerTiming;
  /** Most broadcasters in one channel. */
  maxBroadcasters: number;
  log: Logger;
  observer: Observer;
  random?: () => number;
  /** Told of members joining, leaving and changing role (webhooks). */
  hooks?: MemberHooks | undefined;
}

/**
 * The driver of this node's sessions: it feeds each session's machine
 * ({@link sessionTransition}) the events of joins, frames, leaves, bus messages and time, and runs
 * the effects the machine returns. Shared state goes through the {@link Engine}; this class keeps
 * only node-local live state.
 */
export class ChannelService {
  readonly #flow = new JoinFlow(this);
  readonly #effects: EffectRunner;
  /** Data-stream messages from this node's clients into their channels. */
  readonly streams: StreamRelay;
  /** The embedded SFU (undefined when media is off). */
  media: MediaRouter | undefined;

  constructor(
    readonly engine: Engine,
    readonly apps: AppRegistry,
    readonly local: LocalSessions,
    readonly opts: ChannelServiceOptions,
  ) {
    this.streams = new StreamRelay(engine, opts.clock, opts.log, SERVER_STREAM_LIMITS);
    this.#effects = new EffectRunner({
      engine,
      local,
      observer: opts.observer,
      log: opts.log,
      nodeId: opts.nodeId,
      now: () => opts.clock.now(),
      dropped: (live) => this.media?.leave(live),
      hooks: opts.hooks,
    });
  }

  get nodeId(): string {
    return this.opts.nodeId;
  }
  get sessionCount(): number {
    return this.local.size;
  }
  localSessions(): LiveSession[] {
    return this.local.all();
  }
  /** The local sessions without a copy; the caller must not add or end sessions while iterating. */
  eachLocalSession(): Iterable<LiveSession> {
    return this.local.values();
  }
  /** Whether this node still holds `live` (not ended, not replaced by a newer session object). */
  holds(live: LiveSession): boolean {
    return this.local.get(live.id) === live;
  }

  /** Feeds one event to the session's machine and runs the effects it returns. */
  dispatch(live: LiveSession, event: SessionEvent): Promise<void> {
    const { state, effects } = sessionTransition(live.state, event, this.opts.clock.now());
    live.setState(state);
    return effects.length === 0 ? Promise.resolve() : this.#effects.run(live, effects);
  }

  /** Records a completed claim; false when the session ended meanwhile (the claim is undone). */
  async held(live: LiveSession, what: keyof Holds): Promise<boolean> {
    await this.dispatch(live, { type: 'held', what });
    return live.state.phase !== 'ended';
  }

  /** Engine effects that failed (a Redis outage) are tried again at each heartbeat. */
  retryFailedEffects(): Promise<void> {
    return this.#effects.retry();
  }
  get pendingEffectRetries(): number {
    return this.#effects.pendingRetries;
  }
  /** Failed engine effects and published offline events, counted (read by /metrics). */
  get effectCounts(): Pick<EffectRunner, 'failures' | 'offline'> {
    return this.#effects;
  }

  /** Handles a join (or resume) frame; on success the session is attached to `conn`. */
  async join(frame: JoinFrame, conn: Attachment): Promise<LiveSession | undefined> {
    const admission = await admit(frame, conn.remoteAddress, this.apps, this.engine, this.opts.clock.now());
    if (!admission.ok) {
      conn.end(admission.code, admission.message);
      return undefined;
    }
    const { ref, tokenExpiresAt } = admission;
    if (frame.resume) {
      const resumed = await this.#flow.resume(frame, ref, conn, tokenExpiresAt);
      if (resumed !== 'expired') return resumed;
    }
    return this.#flow.fresh(frame, ref, conn, tokenExpiresAt, frame.resume !== undefined);
  }

  /** Ends a session: the one way out (see END_CAUSES for what each cause does). */
  end(live: LiveSession, cause: EndCause): Promise<void> {
    return this.dispatch(live, { type: 'end', cause });
  }

  /** Explicit leave: remote members see `quit` at once. */
  leave(live: LiveSession): Promise<void> {
    return this.end(live, 'left');
  }

  /**
   * A dead node's session past its deadline, claimed by this node: announced as dropped everywhere,
   * through the same machine as a local session's end.
   */
  async dropOrphan(record: SessionRecord): Promise<void> {
    const state = initialSession({
      now: this.opts.clock.now(),
      attachment: 0,
      role: 'audience',
      profile: 'communication',
      offlineAfterMs: 0,
      holds: { member: true, session: true },
      phase: 'detached',
      // Whether its uid was announced is in its member record: told only if it was (effects.ts).
      visible: true,
    });
    const { effects } = sessionTransition(
      state,
      { type: 'end', cause: 'orphan_dropped' },
      this.opts.clock.now(),
    );
    await this.#effects.run({ record }, effects);
    this.opts.log.info({ session: sessionTag(record.id), node: record.nodeId }, 'orphaned session dropped');
  }

  /** The transport went away; the session waits for a resume until the offline window ends. */
  detach(live: LiveSession, conn: Attachment): void {
    void this.dispatch(live, { type: 'detached', attachment: conn.attachmentId });
    live.transports.delete(conn.attachmentId);
  }

  touch(live: LiveSession, rttMs?: number): void {
    // The machine's `seen` event, handed to it before its state is next read (LiveSession.state).
    live.seen(this.opts.clock.now());
    if (rttMs !== undefined) live.rttMs = rttMs;
  }

  /** Emits an observed event about `live` (console timelines, event log). */
  observe(live: LiveSession, event: ObservedBody): void {
    this.#effects.observe(live, event);
  }

  /** Changes the role; `become_audience` / `user_joined` go out when announcement changes. */
  async setRole(live: LiveSession, id: number, role: WireRole): Promise<void> {
    const previous = live.role;
    if (previous !== role) {
      const result = await this.engine.setMemberRole(
        live.ref,
        live.uid,
        live.id,
        role,
        this.opts.maxBroadcasters,
      );
      if (!result.ok) {
        if (result.reason === 'too_many_broadcasters')
          live.conn?.send({
            type: 'role_result',
            id,
            ok: false,
            role: live.role,
            code: 'too_many_broadcasters',
            message: `channel already has ${this.opts.maxBroadcasters} broadcasters`,
          });
        return;
      }
      this.opts.hooks?.roleChanged(live.ref, result.member, previous);
    }
    await this.dispatch(live, { type: 'role_changed', id, role });
  }

  /** Renews the token of a connected session in place. */
  async renewToken(live: LiveSession, id: number, token: string): Promise<void> {
    const auth = this.apps.authorize(
      live.ref.appId,
      live.ref.channel,
      live.uid,
      token,
      this.opts.clock.now(),
    );
    if (!auth.ok) {
      live.conn?.send({ type: 'token_result', id, ok: false, code: auth.code, message: auth.message });
      return;
    }
    await this.dispatch(live, { type: 'token_renewed', id, tokenExpiresAt: auth.tokenExpiresAt });
  }

  /** Stops taking part (shutdown): sessions stay in the engine for other nodes to resume or drop. */
  shutdown(): void {
    for (const live of this.local.all()) void this.end(live, 'shutdown');
    this.local.clear();
  }

  /** Forgets everything local without a word to anyone (a simulated crash). */
  abandon(): void {
    for (const live of this.local.all()) void this.end(live, 'abandoned');
    this.local.clear();
  }

  /** Announces a presence change to the whole channel (every node). */
  async publish(ref: ChannelRef, event: ChannelEvent): Promise<void> {
    await this.engine.publishEvent(ref, event);
  }
}
