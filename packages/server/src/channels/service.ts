import { randomBytes } from 'node:crypto';
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
import {
  type BusMessage,
  type ChannelRef,
  channelKey,
  type Engine,
  isAnnounced,
  type MemberRecord,
  ruleMatches,
  type SessionRecord,
} from '../engine/types.js';
import type { ObservedEvent, Observer } from '../observe/observer.js';
import { admit, normalizeIp } from './admission.js';
import { type Attachment, LiveSession } from './live-session.js';

export interface ChannelServiceOptions {
  nodeId: string;
  clock: Clock;
  /** Remote offline window: a session is dropped this long after the last data from its client. */
  offlineAfterMs: number;
  /** Keepalive interval the server asks clients to use. */
  keepaliveMs: number;
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

type EndCode = 'same_uid_login' | 'banned' | 'channel_closed' | 'session_expired';
const END_MESSAGES: Record<EndCode, string> = {
  same_uid_login: 'the same uid joined this channel from another device',
  banned: 'banned by a server rule',
  channel_closed: 'the channel was closed',
  session_expired: 'the session timed out',
};

/**
 * Channel membership, presence and sessions with resume, for the sessions this
 * node holds. Shared state goes through the {@link Engine}; this class keeps only
 * node-local live state (attached transports, last-seen times).
 */
export class ChannelService {
  #sessions = new Map<string, LiveSession>();
  #byChannel = new Map<string, Set<LiveSession>>();
  #unsubscribe: () => void;

  constructor(
    private readonly engine: Engine,
    private readonly apps: AppRegistry,
    private readonly opts: ChannelServiceOptions,
  ) {
    this.#unsubscribe = engine.subscribe((m) => this.#onBus(m));
  }

  get nodeId(): string {
    return this.opts.nodeId;
  }
  get sessionCount(): number {
    return this.#sessions.size;
  }
  localSessions(): Iterable<LiveSession> {
    return this.#sessions.values();
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
    let live = this.#sessions.get(sessionId);
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
    await this.engine.claimUid(ref, { ...member, nodeId: this.opts.nodeId });
    await this.engine.putSession({ ...record, nodeId: this.opts.nodeId });
    await this.engine.publish({ kind: 'session_moved', sessionId: record.id, nodeId: this.opts.nodeId });
    const live = this.#addLocal(record.id, ref, record.uid, member.role, member.profile, now);
    live.remote = conn.remoteAddress;
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
    if (frame.role === 'broadcaster' && !(await this.#broadcasterSlotFree(ref, frame.uid))) {
      conn.end('too_many_broadcasters', `channel already has ${this.opts.maxBroadcasters} broadcasters`);
      return undefined;
    }
    const id = randomBytes(12).toString('base64url');
    const base = { sessionId: id, role: frame.role, profile: frame.profile, joinedAt: now, nodeId };
    let uid = frame.uid;
    let previous: MemberRecord | undefined;
    if (uid === 0) uid = await this.engine.claimFreeUid(ref, base, this.opts.random ?? Math.random);
    else previous = (await this.engine.claimUid(ref, { ...base, uid })).previous;
    await this.engine.putSession({ id, appId: ref.appId, channel: ref.channel, uid, nodeId, createdAt: now });
    const live = this.#addLocal(id, ref, uid, frame.role, frame.profile, now);
    live.tokenExpiresAt = tokenExpiresAt;
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
    this.#sessions.set(id, live);
    let set = this.#byChannel.get(key);
    if (!set) {
      set = new Set();
      this.#byChannel.set(key, set);
    }
    set.add(live);
    return live;
  }

  #dropLocal(live: LiveSession): boolean {
    if (!this.#sessions.delete(live.id)) return false;
    const set = this.#byChannel.get(live.key);
    set?.delete(live);
    if (set?.size === 0) this.#byChannel.delete(live.key);
    return true;
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
      keepaliveMs: this.opts.keepaliveMs,
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
    if (this.#sessions.has(live.id)) this.observe(live, { type: 'detached' });
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
    if (role === 'broadcaster' && !(await this.#broadcasterSlotFree(live.ref, live.uid))) {
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
    const updated = await this.engine.setMemberRole(live.ref, live.uid, live.id, role);
    if (!updated) return;
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

  /**
   * A session held by a node that died, past its deadline: announce it as dropped
   * everywhere (this node won the claim, so nobody else does).
   */
  async dropOrphan(record: SessionRecord): Promise<void> {
    const ref = { appId: record.appId, channel: record.channel };
    await this.engine.deleteSession(record.id);
    const removed = await this.engine.removeMember(ref, record.uid, record.id);
    if (removed && isAnnounced(removed))
      await this.#publish(ref, { kind: 'user_offline', uid: record.uid, reason: 'dropped' });
    // If the owner is alive after all (a long pause), it lets go of the session.
    await this.engine.publish({
      kind: 'end_session',
      sessionId: record.id,
      nodeId: record.nodeId,
      code: 'session_expired',
    });
    this.opts.log.info({ session: record.id, node: record.nodeId }, 'orphaned session dropped');
  }

  /**
   * After the engine lost its state (Redis restarted empty): put back the sessions
   * and members this node holds, keep channel seqs from going backwards, and —
   * once every node has had time to do the same — send each client the member
   * list as it now stands, since events may have been lost meanwhile.
   */
  async reassert(syncAfterMs: number): Promise<void> {
    const now = this.opts.clock.now();
    const highest = new Map<string, { ref: ChannelRef; seq: number }>();
    for (const live of [...this.#sessions.values()]) {
      const { ref, uid, id } = live;
      const record = {
        id,
        appId: ref.appId,
        channel: ref.channel,
        uid,
        nodeId: this.opts.nodeId,
        createdAt: now,
      };
      await this.engine.putSession(record);
      if (!(await this.engine.getMember(ref, uid))) {
        const member = {
          uid,
          sessionId: id,
          role: live.role,
          profile: live.profile,
          joinedAt: now,
          nodeId: this.opts.nodeId,
        };
        await this.engine.claimUid(ref, member);
      }
      const h = highest.get(live.key);
      if (!h || h.seq < live.lastSeq) highest.set(live.key, { ref, seq: live.lastSeq });
    }
    for (const { ref, seq } of highest.values()) await this.engine.raiseSeq(ref, seq);
    this.opts.clock.setTimeout(() => void this.#syncAll().catch(this.#logError), syncAfterMs);
  }

  async #syncAll(): Promise<void> {
    for (const [key, set] of [...this.#byChannel]) {
      const first = set.values().next().value;
      if (!first) continue;
      const { members, seq } = await this.engine.snapshot(first.ref);
      for (const live of this.#byChannel.get(key) ?? []) {
        live.lastSeq = Math.max(live.lastSeq, seq);
        live.conn?.send({
          type: 'sync',
          seq,
          members: members.filter((m) => m.uid !== live.uid && isAnnounced(m)).map((m) => ({ uid: m.uid })),
        });
      }
    }
  }

  /** Stops taking part (shutdown): sessions stay in the engine for other nodes to resume or drop. */
  shutdown(): void {
    this.#unsubscribe();
    for (const live of this.#sessions.values()) live.conn?.end('server_shutdown', 'server is shutting down');
    this.#sessions.clear();
    this.#byChannel.clear();
  }

  /** Forgets everything local without a word to anyone (a simulated crash). */
  abandon(): void {
    this.#unsubscribe();
    this.#sessions.clear();
    this.#byChannel.clear();
  }

  async #remove(live: LiveSession, reason: WireOfflineReason, code?: WireErrorCode): Promise<void> {
    if (!this.#dropLocal(live)) return;
    this.observe(live, { type: 'ended', reason, ...(code ? { code } : {}) });
    await this.engine.deleteSession(live.id);
    const removed = await this.engine.removeMember(live.ref, live.uid, live.id);
    if (removed && isAnnounced(removed))
      await this.#publish(live.ref, { kind: 'user_offline', uid: live.uid, reason });
  }

  async #broadcasterSlotFree(ref: ChannelRef, uid: number): Promise<boolean> {
    const members = await this.engine.listMembers(ref);
    const others = members.filter((m) => m.role === 'broadcaster' && m.uid !== uid).length;
    return others < this.opts.maxBroadcasters;
  }

  async #publish(ref: ChannelRef, event: ChannelEvent): Promise<void> {
    await this.engine.publishEvent(ref, event);
  }

  #onBus(message: BusMessage): void {
    switch (message.kind) {
      case 'channel_event': {
        const set = this.#byChannel.get(channelKey(message.ref));
        if (set) for (const live of set) live.deliver(message.seq, message.event);
        return;
      }
      case 'end_session':
      case 'session_moved': {
        const live = this.#sessions.get(message.sessionId);
        if (!live) return;
        if (
          message.kind === 'session_moved'
            ? message.nodeId === this.opts.nodeId
            : message.nodeId !== this.opts.nodeId
        )
          return;
        // The member record now belongs to another session or node: let go quietly, no presence event.
        this.#dropLocal(live);
        if (message.kind === 'end_session') {
          this.observe(live, { type: 'ended', reason: 'kicked', code: message.code });
          live.conn?.end(message.code, END_MESSAGES[message.code]);
        } else {
          live.conn?.end('replaced', 'session resumed on another node');
        }
        live.conn = undefined;
        return;
      }
      case 'kick': {
        const now = this.opts.clock.now();
        for (const live of [...this.#sessions.values()]) {
          const who = { ...live.ref, uid: live.uid, ip: normalizeIp(live.remote) };
          if (ruleMatches(message.rule, who, now))
            void this.end(live, 'banned', END_MESSAGES.banned, 'kicked').catch(this.#logError);
        }
        return;
      }
      case 'close_channel': {
        for (const live of [...(this.#byChannel.get(channelKey(message.ref)) ?? [])])
          void this.end(live, 'channel_closed', END_MESSAGES.channel_closed, 'kicked').catch(this.#logError);
        return;
      }
    }
  }

  #logError = (err: unknown): void => this.opts.log.error({ err }, 'bus handling failed');
}
