import type {
  ChannelEvent,
  Clock,
  JoinedFrame,
  JoinFrame,
  WireErrorCode,
  WireOfflineReason,
  WireRole,
} from '@holdfast/protocol';
import type { Logger } from 'pino';
import type { AppRegistry } from '../auth/apps.js';
import { pingIntervalFor, type ServerTiming } from '../config.js';
import {
  type ChannelRef,
  channelKey,
  type Engine,
  isAnnounced,
  type MemberRecord,
  type SessionRecord,
} from '../engine/types.js';
import type { ObservedEvent, Observer } from '../observe/observer.js';
import { admit, admitMember, UNLIMITED } from './admission.js';
import { type Attachment, LiveSession } from './live-session.js';
import type { LocalSessions } from './local-sessions.js';
import { newSessionId } from './session-id.js';

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
}

type Observed<T extends ObservedEvent['type']> = Omit<
  Extract<ObservedEvent, { type: T }>,
  'at' | 'node' | 'appId' | 'channel' | 'uid' | 'sessionId'
>;

/**
 * Channel membership, presence and sessions with resume, for the sessions this
 * node holds. Shared state goes through the {@link Engine}; this class keeps only
 * node-local live state (attached transports, last-seen times).
 */
export class ChannelService {
  constructor(
    private readonly engine: Engine,
    private readonly apps: AppRegistry,
    private readonly local: LocalSessions,
    private readonly opts: ChannelServiceOptions,
  ) {
    // Each local session watches its channel's events (see #freshJoin, #takeOver); each one that
    // goes, however it goes, unwatches.
    local.onDropped((live) =>
      engine.unwatchChannel(live.ref).catch((err: unknown) => opts.log.warn({ err }, 'unwatch failed')),
    );
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

  /** Handles a join (or resume) frame; on success the session is attached to `conn`. */
  async join(frame: JoinFrame, conn: Attachment): Promise<LiveSession | undefined> {
    const admission = await admit(frame, conn.remoteAddress, this.apps, this.engine, this.opts.clock.now());
    if (!admission.ok) {
      conn.end(admission.code, admission.message);
      return undefined;
    }
    const { ref, tokenExpiresAt } = admission;
    if (frame.resume) {
      const resumed = await this.#resume(frame, ref, conn, tokenExpiresAt);
      if (resumed !== 'expired') return resumed;
    }
    return this.#freshJoin(frame, ref, conn, tokenExpiresAt, frame.resume !== undefined);
  }

  async #resume(
    frame: JoinFrame,
    ref: ChannelRef,
    conn: Attachment,
    tokenExpiresAt: number | undefined,
  ): Promise<LiveSession | 'expired' | undefined> {
    const { sessionId, lastSeq } = frame.resume!;
    let live = this.local.get(sessionId);
    if (!live) {
      const record = await this.engine.getSession(sessionId);
      if (!record) return 'expired';
      if (record.appId !== ref.appId || record.channel !== ref.channel || record.uid !== frame.uid) {
        conn.end('rejected', 'that session belongs to another channel or uid');
        return undefined;
      }
      live = await this.#takeOver(record, ref, conn);
      if (!live) return 'expired';
    } else if (live.ref.appId !== ref.appId || live.ref.channel !== ref.channel || live.uid !== frame.uid) {
      conn.end('rejected', 'that session belongs to another channel or uid');
      return undefined;
    }
    const old = live.conn;
    live.conn = undefined;
    if (old && old !== conn) old.end('replaced', 'session resumed on another connection');
    live.lastSeenAt = this.opts.clock.now();
    if (tokenExpiresAt !== undefined) live.tokenExpiresAt = tokenExpiresAt;
    live.hold();
    const { members, seq } = await this.engine.snapshot(ref);
    const log = await this.engine.eventsSince(ref, lastSeq);
    const missed = log
      ?.filter((e) => e.seq <= seq && e.event.uid !== live.uid)
      .map((e) => ({ type: 'event' as const, seq: e.seq, event: e.event }));
    conn.send(this.#joinedFrame(live, members, seq, { resumed: true, ...(missed ? { missed } : {}) }));
    live.release(conn, seq);
    this.observe(live, { type: 'resumed', remote: conn.remoteAddress });
    this.opts.log.debug(
      { session: live.id, uid: live.uid, channel: ref.channel, lastSeq },
      'session resumed',
    );
    return live;
  }

  /** A session held by another node (gone, or its client moved): this node takes it over. */
  async #takeOver(
    record: SessionRecord,
    ref: ChannelRef,
    conn: Attachment,
  ): Promise<LiveSession | undefined> {
    const member = await this.engine.getMember(ref, record.uid);
    if (!member || member.sessionId !== record.id) return undefined;
    const now = this.opts.clock.now();
    // The member already holds its seat: re-admitting it under this node cannot be refused.
    await this.engine.admitMember(
      ref,
      { ...member, nodeId: this.opts.nodeId },
      { maxBroadcasters: UNLIMITED },
    );
    await this.engine.putSession({ ...record, nodeId: this.opts.nodeId });
    await this.engine.publish({ kind: 'session_moved', sessionId: record.id, nodeId: this.opts.nodeId });
    const live = this.#addLocal(record.id, ref, record.uid, member.role, member.profile, now);
    live.remote = conn.remoteAddress;
    await this.engine.watchChannel(ref);
    this.opts.log.info({ session: record.id, from: record.nodeId }, 'session taken over from another node');
    return live;
  }

  async #freshJoin(
    frame: JoinFrame,
    ref: ChannelRef,
    conn: Attachment,
    tokenExpiresAt: number | undefined,
    sessionExpired: boolean,
  ): Promise<LiveSession | undefined> {
    const { clock, nodeId } = this.opts;
    const now = clock.now();
    const id = newSessionId();
    const base = { sessionId: id, role: frame.role, profile: frame.profile, joinedAt: now, nodeId };
    // The uid claim and the broadcaster limit are one atomic engine step: N racing joins into K
    // free seats admit exactly K, on one node or many.
    const admitted = await admitMember(
      this.engine,
      ref,
      { ...base, uid: frame.uid },
      {
        maxBroadcasters: this.opts.maxBroadcasters,
        random: this.opts.random ?? Math.random,
      },
    );
    if (!admitted.ok) {
      conn.end('too_many_broadcasters', `channel already has ${this.opts.maxBroadcasters} broadcasters`);
      return undefined;
    }
    const { uid, previous } = admitted;
    await this.engine.putSession({ id, appId: ref.appId, channel: ref.channel, uid, nodeId, createdAt: now });
    const live = this.#addLocal(id, ref, uid, frame.role, frame.profile, now);
    live.tokenExpiresAt = tokenExpiresAt;
    // Receiving the channel's events before the snapshot: nothing falls between the two.
    await this.engine.watchChannel(ref);
    live.hold();
    if (previous) {
      // Same uid from another device: the older session ends; remote members see no flap
      // unless the newcomer is announced differently.
      await this.engine.deleteSession(previous.sessionId);
      await this.engine.publish({
        kind: 'end_session',
        sessionId: previous.sessionId,
        nodeId: previous.nodeId,
        code: 'same_uid_login',
      });
    }
    const { members, seq } = await this.engine.snapshot(ref);
    conn.send(
      this.#joinedFrame(live, members, seq, {
        resumed: false,
        ...(sessionExpired ? { sessionExpired } : {}),
      }),
    );
    live.release(conn, seq);
    const wasAnnounced = previous ? isAnnounced(previous) : false;
    const announced = isAnnounced(frame);
    if (announced && !wasAnnounced) await this.#publish(ref, { kind: 'user_joined', uid });
    else if (!announced && wasAnnounced)
      await this.#publish(ref, { kind: 'user_offline', uid, reason: 'become_audience' });
    this.observe(live, {
      type: 'joined',
      role: frame.role,
      profile: frame.profile,
      remote: conn.remoteAddress,
      sessionExpired,
    });
    this.opts.log.debug({ session: id, uid, channel: ref.channel, sessionExpired }, 'joined');
    return live;
  }

  #addLocal(
    id: string,
    ref: ChannelRef,
    uid: number,
    role: WireRole,
    profile: JoinFrame['profile'],
    now: number,
  ) {
    const key = channelKey(ref);
    const live = new LiveSession(id, ref, key, uid, role, profile, now);
    live.offlineAfterMs = this.apps.get(ref.appId)?.offlineAfterMs ?? this.opts.offlineAfterMs;
    this.local.add(live);
    return live;
  }

  #joinedFrame(
    live: LiveSession,
    members: MemberRecord[],
    seq: number,
    extra: Pick<JoinedFrame, 'resumed' | 'sessionExpired' | 'missed'>,
  ): JoinedFrame {
    return {
      type: 'joined',
      sessionId: live.id,
      uid: live.uid,
      channel: live.ref.channel,
      role: live.role,
      members: members.filter((m) => m.uid !== live.uid && isAnnounced(m)).map((m) => ({ uid: m.uid })),
      seq,
      keepaliveMs: pingIntervalFor(this.opts.timing, live.offlineAfterMs),
      offlineAfterMs: live.offlineAfterMs,
      ...(live.tokenExpiresAt !== undefined ? { tokenExpiresAt: live.tokenExpiresAt } : {}),
      serverTime: this.opts.clock.now(),
      ...extra,
    };
  }

  /** Explicit leave: remote members see `quit` at once. */
  async leave(live: LiveSession): Promise<void> {
    await this.#remove(live, 'quit');
  }

  /** The transport went away; the session waits for a resume until the offline window ends. */
  detach(live: LiveSession, conn: Attachment): void {
    if (live.conn !== conn) return;
    live.conn = undefined;
    if (this.local.has(live.id)) this.observe(live, { type: 'detached' });
  }

  touch(live: LiveSession, rttMs?: number): void {
    live.lastSeenAt = this.opts.clock.now();
    if (rttMs !== undefined) live.rttMs = rttMs;
  }

  /** Emits an observed event about `live` (console timelines, event log). */
  observe<T extends ObservedEvent['type']>(live: LiveSession, event: Observed<T> & { type: T }): void {
    this.opts.observer.emit({
      at: this.opts.clock.now(),
      node: this.opts.nodeId,
      appId: live.ref.appId,
      channel: live.ref.channel,
      uid: live.uid,
      sessionId: live.id,
      ...event,
    } as ObservedEvent);
  }

  /** Changes the role; `become_audience` / `user_joined` go out when announcement changes. */
  async setRole(live: LiveSession, id: number, role: WireRole): Promise<void> {
    const from = live.role;
    if (from === role) {
      live.conn?.send({ type: 'role_result', id, ok: true, role });
      return;
    }
    const result = await this.engine.setMemberRole(
      live.ref,
      live.uid,
      live.id,
      role,
      this.opts.maxBroadcasters,
    );
    if (!result.ok && result.reason === 'too_many_broadcasters') {
      const message = `channel already has ${this.opts.maxBroadcasters} broadcasters`;
      live.conn?.send({
        type: 'role_result',
        id,
        ok: false,
        role: from,
        code: 'too_many_broadcasters',
        message,
      });
      return;
    }
    if (!result.ok) return;
    const updated = result.member;
    live.role = role;
    live.conn?.send({ type: 'role_result', id, ok: true, role });
    this.observe(live, { type: 'role', role });
    const before = isAnnounced({ role: from, profile: live.profile });
    const after = isAnnounced(updated);
    if (before && !after)
      await this.#publish(live.ref, { kind: 'user_offline', uid: live.uid, reason: 'become_audience' });
    if (!before && after) await this.#publish(live.ref, { kind: 'user_joined', uid: live.uid });
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
    live.tokenExpiresAt = auth.tokenExpiresAt;
    live.conn?.send({
      type: 'token_result',
      id,
      ok: true,
      ...(auth.tokenExpiresAt ? { tokenExpiresAt: auth.tokenExpiresAt } : {}),
    });
  }

  /** Ends a session from the server side (kick, ban, timeout, token expiry). */
  async end(
    live: LiveSession,
    code: WireErrorCode,
    message: string,
    reason: WireOfflineReason,
  ): Promise<void> {
    live.conn?.end(code, message);
    live.conn = undefined;
    await this.#remove(live, reason, code);
  }

  /** Stops taking part (shutdown): sessions stay in the engine for other nodes to resume or drop. */
  shutdown(): void {
    for (const live of this.local.all()) live.conn?.end('server_shutdown', 'server is shutting down');
    this.local.clear();
  }

  /** Forgets everything local without a word to anyone (a simulated crash). */
  abandon(): void {
    this.local.clear();
  }

  async #remove(live: LiveSession, reason: WireOfflineReason, code?: WireErrorCode): Promise<void> {
    if (!this.local.drop(live)) return;
    this.observe(live, { type: 'ended', reason, ...(code ? { code } : {}) });
    await this.engine.deleteSession(live.id);
    const removed = await this.engine.removeMember(live.ref, live.uid, live.id);
    if (removed && isAnnounced(removed))
      await this.#publish(live.ref, { kind: 'user_offline', uid: live.uid, reason });
  }

  async #publish(ref: ChannelRef, event: ChannelEvent): Promise<void> {
    await this.engine.publishEvent(ref, event);
  }

  /** Announces a presence change to the whole channel (every node). */
  publish(ref: ChannelRef, event: ChannelEvent): Promise<void> {
    return this.#publish(ref, event);
  }
}
