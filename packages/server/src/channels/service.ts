import { randomBytes } from 'node:crypto';
import type {
  ChannelEvent,
  Clock,
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
} from '../engine/types.js';
import type { ObservedEvent, Observer } from '../observe/observer.js';
import { admit, normalizeIp } from './admission.js';
import { type Attachment, LiveSession } from './live-session.js';

type Observed<T extends ObservedEvent['type']> = Omit<
  Extract<ObservedEvent, { type: T }>,
  'at' | 'node' | 'appId' | 'channel' | 'uid' | 'sessionId'
>;

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

/**
 * Channel membership, presence and sessions with resume, for the sessions this
 * node holds. Shared state goes through the {@link Engine}; this class keeps only
 * node-local live state (attached transports, outboxes, last-seen times).
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
    const { ref } = admission;
    let sessionExpired = false;
    if (frame.resume) {
      const resumed = await this.#resume(frame, ref, conn, admission.tokenExpiresAt);
      if (resumed !== 'expired') return resumed;
      sessionExpired = true;
    }
    return this.#freshJoin(frame, ref, conn, admission.tokenExpiresAt, sessionExpired);
  }

  async #resume(
    frame: JoinFrame,
    ref: ChannelRef,
    conn: Attachment,
    tokenExpiresAt: number | undefined,
  ): Promise<LiveSession | 'expired' | undefined> {
    const { sessionId, lastSeq } = frame.resume!;
    const live = this.#sessions.get(sessionId);
    const record = live ? undefined : await this.engine.getSession(sessionId);
    if (!live && !record) return 'expired';
    const owner = live ?? record!;
    if (
      (live ? live.ref.appId : record!.appId) !== ref.appId ||
      (live ? live.ref.channel : record!.channel) !== ref.channel ||
      owner.uid !== frame.uid
    ) {
      conn.end('rejected', 'that session belongs to another channel or uid');
      return undefined;
    }
    if (!live) {
      // Held by another node that is gone or will hand it over; resume here is a later issue's work.
      return 'expired';
    }
    const old = live.conn;
    live.conn = conn;
    if (old && old !== conn) old.end('replaced', 'session resumed on another connection');
    live.lastSeenAt = this.opts.clock.now();
    if (tokenExpiresAt !== undefined) live.tokenExpiresAt = tokenExpiresAt;
    const members = await this.#snapshot(ref, live.uid);
    const missed = live.missedSince(lastSeq);
    conn.send({
      type: 'joined',
      sessionId: live.id,
      uid: live.uid,
      channel: ref.channel,
      role: live.role,
      resumed: true,
      members,
      seq: live.seq,
      ...(missed ? { missed } : {}),
      keepaliveMs: this.opts.keepaliveMs,
      offlineAfterMs: live.offlineAfterMs,
      ...(live.tokenExpiresAt !== undefined ? { tokenExpiresAt: live.tokenExpiresAt } : {}),
      serverTime: this.opts.clock.now(),
    });
    this.opts.log.debug(
      { session: live.id, uid: live.uid, channel: ref.channel, lastSeq },
      'session resumed',
    );
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
    const id = randomBytes(12).toString('base64url');
    const base = { sessionId: id, role: frame.role, profile: frame.profile, joinedAt: now, nodeId };
    if (frame.role === 'broadcaster' && !(await this.#broadcasterSlotFree(ref, frame.uid))) {
      conn.end('too_many_broadcasters', `channel already has ${this.opts.maxBroadcasters} broadcasters`);
      return undefined;
    }
    let uid = frame.uid;
    let previous: MemberRecord | undefined;
    if (uid === 0) uid = await this.engine.claimFreeUid(ref, base, this.opts.random ?? Math.random);
    else previous = (await this.engine.claimUid(ref, { ...base, uid })).previous;
    await this.engine.putSession({ id, appId: ref.appId, channel: ref.channel, uid, nodeId, createdAt: now });

    const key = channelKey(ref);
    const live = new LiveSession(id, ref, uid, frame.role, frame.profile, key, now);
    live.tokenExpiresAt = tokenExpiresAt;
    live.conn = conn;
    live.remote = conn.remoteAddress;
    live.offlineAfterMs = this.#offlineWindow(ref.appId);
    this.#sessions.set(id, live);
    let set = this.#byChannel.get(key);
    if (!set) {
      set = new Set();
      this.#byChannel.set(key, set);
    }

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
    const members = await this.#snapshot(ref, uid);
    set.add(live);
    conn.send({
      type: 'joined',
      sessionId: id,
      uid,
      channel: ref.channel,
      role: frame.role,
      resumed: false,
      ...(sessionExpired ? { sessionExpired: true } : {}),
      members,
      seq: 0,
      keepaliveMs: this.opts.keepaliveMs,
      offlineAfterMs: live.offlineAfterMs,
      ...(tokenExpiresAt !== undefined ? { tokenExpiresAt } : {}),
      serverTime: now,
    });
    const wasAnnounced = previous ? isAnnounced(previous) : false;
    const announced = isAnnounced(frame);
    if (announced && !wasAnnounced) await this.#publishEvent(ref, { kind: 'user_joined', uid });
    else if (!announced && wasAnnounced)
      await this.#publishEvent(ref, { kind: 'user_offline', uid, reason: 'become_audience' });
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

  #offlineWindow(appId: string): number {
    return this.apps.get(appId)?.offlineAfterMs ?? this.opts.offlineAfterMs;
  }

  touch(live: LiveSession, ack?: number, rttMs?: number): void {
    live.lastSeenAt = this.opts.clock.now();
    if (ack !== undefined) live.ack(ack);
    if (rttMs !== undefined) live.rttMs = rttMs;
  }

  /** Changes the role; `become_audience` / `user_joined` go out when announcement changes. */
  async setRole(live: LiveSession, id: number, role: WireRole): Promise<void> {
    const from = live.role;
    if (from === role) {
      live.conn?.send({ type: 'role_result', id, ok: true, role });
      return;
    }
    if (role === 'broadcaster' && !(await this.#broadcasterSlotFree(live.ref, live.uid))) {
      live.conn?.send({
        type: 'role_result',
        id,
        ok: false,
        role: from,
        code: 'too_many_broadcasters',
        message: `channel already has ${this.opts.maxBroadcasters} broadcasters`,
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
      await this.#publishEvent(live.ref, { kind: 'user_offline', uid: live.uid, reason: 'become_audience' });
    if (!before && after) await this.#publishEvent(live.ref, { kind: 'user_joined', uid: live.uid });
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
    await this.#remove(live, reason);
  }

  /**
   * Drops sessions whose client has been silent for the offline window and ends
   * sessions whose token expired. Called on a short interval by the server.
   */
  async sweep(): Promise<void> {
    const now = this.opts.clock.now();
    const due: Array<[LiveSession, WireErrorCode]> = [];
    for (const live of this.#sessions.values()) {
      // A token that expired is the more definite reason when both are due.
      if (live.tokenExpiresAt !== undefined && now >= live.tokenExpiresAt) due.push([live, 'token_expired']);
      else if (now - live.lastSeenAt >= live.offlineAfterMs) due.push([live, 'session_expired']);
    }
    for (const [live, code] of due) {
      if (code === 'session_expired') {
        this.opts.log.info(
          { session: live.id, uid: live.uid, channel: live.ref.channel },
          'session timed out',
        );
        await this.end(
          live,
          'session_expired',
          `no data from the client for ${this.opts.offlineAfterMs} ms`,
          'dropped',
        );
      } else {
        await this.end(live, 'token_expired', 'the join privilege of the token expired', 'kicked');
      }
    }
  }

  /** Ends every local session (shutdown); remote members on other nodes will see them drop. */
  shutdown(): void {
    this.#unsubscribe();
    for (const live of this.#sessions.values()) live.conn?.end('server_shutdown', 'server is shutting down');
    this.#sessions.clear();
    this.#byChannel.clear();
  }

  async #remove(live: LiveSession, reason: WireOfflineReason, code?: WireErrorCode): Promise<void> {
    if (!this.#sessions.delete(live.id)) return;
    this.observe(live, { type: 'ended', reason, ...(code ? { code } : {}) });
    this.#byChannel.get(live.key)?.delete(live);
    if (this.#byChannel.get(live.key)?.size === 0) this.#byChannel.delete(live.key);
    await this.engine.deleteSession(live.id);
    const removed = await this.engine.removeMember(live.ref, live.uid, live.id);
    if (removed && isAnnounced(removed))
      await this.#publishEvent(live.ref, { kind: 'user_offline', uid: live.uid, reason });
  }

  async #snapshot(ref: ChannelRef, self: number): Promise<{ uid: number }[]> {
    const members = await this.engine.listMembers(ref);
    return members.filter((m) => m.uid !== self && isAnnounced(m)).map((m) => ({ uid: m.uid }));
  }

  async #broadcasterSlotFree(ref: ChannelRef, uid: number): Promise<boolean> {
    const members = await this.engine.listMembers(ref);
    const others = members.filter((m) => m.role === 'broadcaster' && m.uid !== uid).length;
    return others < this.opts.maxBroadcasters;
  }

  async #publishEvent(ref: ChannelRef, event: ChannelEvent): Promise<void> {
    await this.engine.publish({ kind: 'channel_event', ref, event });
  }

  #onBus(message: BusMessage): void {
    switch (message.kind) {
      case 'channel_event': {
        const set = this.#byChannel.get(channelKey(message.ref));
        if (set) for (const live of set) if (live.uid !== message.event.uid) live.deliver(message.event);
        return;
      }
      case 'end_session': {
        if (message.nodeId !== this.opts.nodeId) return;
        const live = this.#sessions.get(message.sessionId);
        if (!live) return;
        // The member record already belongs to someone else (same uid): end quietly, no presence event.
        this.#sessions.delete(live.id);
        this.#byChannel.get(live.key)?.delete(live);
        this.observe(live, { type: 'ended', reason: 'kicked', code: message.code });
        live.conn?.end(message.code, endMessage(message.code));
        live.conn = undefined;
        return;
      }
      case 'kick': {
        const now = this.opts.clock.now();
        for (const live of [...this.#sessions.values()]) {
          const who = { ...live.ref, uid: live.uid, ip: normalizeIp(live.remote) };
          if (ruleMatches(message.rule, who, now))
            void this.end(live, 'banned', endMessage('banned'), 'kicked').catch(this.#logError);
        }
        return;
      }
      case 'close_channel': {
        for (const live of [...(this.#byChannel.get(channelKey(message.ref)) ?? [])])
          void this.end(live, 'channel_closed', endMessage('channel_closed'), 'kicked').catch(this.#logError);
        return;
      }
    }
  }

  #logError = (err: unknown): void => this.opts.log.error({ err }, 'bus handling failed');
}

function endMessage(code: 'same_uid_login' | 'banned' | 'channel_closed'): string {
  switch (code) {
    case 'same_uid_login':
      return 'the same uid joined this channel from another device';
    case 'banned':
      return 'banned by a server rule';
    case 'channel_closed':
      return 'the channel was closed';
  }
}
