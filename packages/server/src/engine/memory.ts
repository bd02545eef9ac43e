import {
  type ChannelEvent,
  type Clock,
  type StreamAck,
  type StreamMessageEvent,
  systemClock,
  type WireRole,
} from '@holdfast/protocol';
import { Listeners } from './listeners.js';
import { type AdmitResult, type RoleResult, STREAM_ACK_TTL_MS, type StreamPublishResult } from './seams.js';
import {
  type BusMessage,
  type ChannelRef,
  type ChannelSummary,
  channelKey,
  type Engine,
  EVENT_LOG_LIMIT,
  type KickingRule,
  type MemberRecord,
  type SequencedEvent,
  type SessionRecord,
} from './types.js';

/** A session record's own copy (its takeover times included), as Redis's JSON would give. */
const copySession = (s: SessionRecord): SessionRecord =>
  s.takeovers ? { ...s, takeovers: [...s.takeovers] } : { ...s };

interface Channel {
  ref: ChannelRef;
  members: Map<number, MemberRecord>;
  /** Uids holding the broadcaster role. */
  broadcasters: Set<number>;
  seq: number;
  log: SequencedEvent[];
}

/** A sender's data-stream acks in one channel: epoch → { last sseq taken, when }. */
type Acks = Map<number, { seq: number; at: number }>;

/**
 * Shared state in this process's memory. The embedded default. Several servers
 * can share one instance (N nodes on one in-process bus) for cluster tests.
 * Records are copied in, so a caller's later changes never reach the store. Member records are
 * stored frozen and handed out as they are (a join's snapshot of a 1,000-member channel copies
 * no records; a caller that tried to change one would throw); other records are copied out.
 */
export class MemoryEngine implements Engine {
  #channels = new Map<string, Channel>();
  #sessions = new Map<string, SessionRecord>();
  readonly #listeners = new Listeners<[BusMessage]>();
  readonly #resetListeners = new Listeners<[]>();
  #rules = new Map<number, KickingRule>();
  #nextRuleId = 1;
  #nodes = new Map<string, number>();
  #deadlines = new Map<string, number>();
  /**
   * Data-stream acks by channel and uid. Apart from the channels: they outlive an empty channel for
   * STREAM_ACK_TTL_MS, as in Redis, so a sender back after its window is still recognised.
   */
  #acks = new Map<string, Acks>();
  #acksPrunedAt = 0;
  /** Media host claims by channel key: which node, until when (engine time). */
  #mediaHosts = new Map<string, { nodeId: string; until: number }>();

  /** `clock`: the server's clock (engine time for heartbeats and orphan claims). */
  constructor(private readonly clock: Clock = systemClock) {}

  async admitMember(
    ref: ChannelRef,
    member: MemberRecord,
    opts: { maxBroadcasters: number; fresh?: boolean },
  ): Promise<AdmitResult> {
    // No await before the write: the check and the claim are one step for every other caller.
    const ch = this.#channels.get(channelKey(ref));
    const previous = ch?.members.get(member.uid);
    if (previous && opts.fresh) return { ok: false, reason: 'uid_taken' };
    if (ch && !this.#seatFree(ch, member.uid, member.role, opts.maxBroadcasters))
      return { ok: false, reason: 'too_many_broadcasters' };
    if (!ch && member.role === 'broadcaster' && opts.maxBroadcasters < 1)
      return { ok: false, reason: 'too_many_broadcasters' };
    this.#admit(this.#channel(ref), member);
    return previous && previous.sessionId !== member.sessionId ? { ok: true, previous } : { ok: true };
  }

  #admit(ch: Channel, member: MemberRecord): void {
    ch.members.set(member.uid, Object.freeze({ ...member }));
    if (member.role === 'broadcaster') ch.broadcasters.add(member.uid);
    else ch.broadcasters.delete(member.uid);
  }

  #seatFree(ch: Channel, uid: number, role: WireRole, max: number): boolean {
    return role !== 'broadcaster' || ch.broadcasters.has(uid) || ch.broadcasters.size < max;
  }

  async removeMember(ref: ChannelRef, uid: number, sessionId: string): Promise<MemberRecord | undefined> {
    const ch = this.#channels.get(channelKey(ref));
    const m = ch?.members.get(uid);
    if (!ch || !m || m.sessionId !== sessionId) return undefined;
    ch.members.delete(uid);
    ch.broadcasters.delete(uid);
    // An empty channel has no sessions left that could resume against its log.
    if (ch.members.size === 0) this.#channels.delete(channelKey(ref));
    return m;
  }

  async setMemberRole(
    ref: ChannelRef,
    uid: number,
    sessionId: string,
    role: WireRole,
    maxBroadcasters: number,
  ): Promise<RoleResult> {
    const ch = this.#channels.get(channelKey(ref));
    const m = ch?.members.get(uid);
    if (!ch || !m || m.sessionId !== sessionId) return { ok: false, reason: 'not_member' };
    if (!this.#seatFree(ch, uid, role, maxBroadcasters))
      return { ok: false, reason: 'too_many_broadcasters' };
    const updated = Object.freeze({ ...m, role });
    ch.members.set(uid, updated);
    if (role === 'broadcaster') ch.broadcasters.add(uid);
    else ch.broadcasters.delete(uid);
    return { ok: true, member: updated };
  }

  async getMember(ref: ChannelRef, uid: number): Promise<MemberRecord | undefined> {
    return this.#channels.get(channelKey(ref))?.members.get(uid);
  }

  async listMembers(ref: ChannelRef): Promise<MemberRecord[]> {
    return [...(this.#channels.get(channelKey(ref))?.members.values() ?? [])];
  }

  async listChannels(appId: string): Promise<ChannelSummary[]> {
    const out: ChannelSummary[] = [];
    for (const ch of this.#channels.values()) {
      if (ch.ref.appId !== appId || ch.members.size === 0) continue;
      out.push({
        channel: ch.ref.channel,
        userCount: ch.members.size,
        broadcasterCount: ch.broadcasters.size,
      });
    }
    return out.sort((a, b) => a.channel.localeCompare(b.channel));
  }

  async publishEvent(ref: ChannelRef, event: ChannelEvent): Promise<number> {
    // A channel with no members left has nobody to tell (the last member's own offline event):
    // re-creating it here would keep one empty channel per unique name forever.
    const ch = this.#channels.get(channelKey(ref));
    if (!ch) return 0;
    const seq = ++ch.seq;
    ch.log.push({ seq, event: { ...event } });
    if (ch.log.length > EVENT_LOG_LIMIT) ch.log.splice(0, ch.log.length - EVENT_LOG_LIMIT);
    await this.publish({ kind: 'channel_event', ref: { ...ref }, seq, event });
    return seq;
  }

  async publishStream(ref: ChannelRef, event: StreamMessageEvent): Promise<StreamPublishResult> {
    const ch = this.#channels.get(channelKey(ref));
    if (!ch) return { ok: false, reason: 'no_channel' };
    const now = this.clock.now();
    this.#pruneAcks(now);
    const k = `${channelKey(ref)}\u0000${event.uid}`;
    let byEpoch = this.#acks.get(k);
    const last = byEpoch?.get(event.epoch);
    if (last && last.at + STREAM_ACK_TTL_MS > now && event.sseq <= last.seq)
      return { ok: false, reason: 'duplicate', last: last.seq };
    if (!byEpoch) {
      byEpoch = new Map();
      this.#acks.set(k, byEpoch);
    }
    byEpoch.set(event.epoch, { seq: event.sseq, at: now });
    return { ok: true, seq: await this.publishEvent(ref, event) };
  }

  async streamAcks(ref: ChannelRef, uid: number): Promise<StreamAck[]> {
    const byEpoch = this.#acks.get(`${channelKey(ref)}\u0000${uid}`);
    const now = this.clock.now();
    const out: StreamAck[] = [];
    for (const [epoch, a] of byEpoch ?? [])
      if (a.at + STREAM_ACK_TTL_MS > now) out.push({ epoch, seq: a.seq });
      else byEpoch?.delete(epoch);
    return out;
  }

  /** Drops acks past their time (at most once a minute: a walk over all senders). */
  #pruneAcks(now: number): void {
    if (now - this.#acksPrunedAt < 60_000) return;
    this.#acksPrunedAt = now;
    for (const [k, byEpoch] of this.#acks) {
      for (const [epoch, a] of byEpoch) if (a.at + STREAM_ACK_TTL_MS <= now) byEpoch.delete(epoch);
      if (byEpoch.size === 0) this.#acks.delete(k);
    }
  }

  async eventsSince(ref: ChannelRef, seq: number): Promise<SequencedEvent[] | undefined> {
    const ch = this.#channels.get(channelKey(ref));
    if (!ch) return seq === 0 ? [] : undefined;
    if (seq > ch.seq) return undefined;
    const first = ch.log[0]?.seq ?? ch.seq + 1;
    if (seq + 1 < first) return undefined;
    return ch.log.filter((e) => e.seq > seq).map((e) => ({ seq: e.seq, event: { ...e.event } }));
  }

  async raiseSeq(ref: ChannelRef, seq: number): Promise<void> {
    const ch = this.#channel(ref);
    ch.seq = Math.max(ch.seq, seq);
  }

  async snapshot(ref: ChannelRef): Promise<{ members: MemberRecord[]; seq: number }> {
    const ch = this.#channels.get(channelKey(ref));
    return { members: [...(ch?.members.values() ?? [])], seq: ch?.seq ?? 0 };
  }

  async putRule(rule: KickingRule): Promise<KickingRule> {
    const stored = { ...rule, id: rule.id || this.#nextRuleId++ };
    if (stored.expiresAt !== stored.createdAt) this.#rules.set(stored.id, stored);
    return { ...stored };
  }

  async listRules(appId: string): Promise<KickingRule[]> {
    return [...this.#rules.values()].filter((r) => r.appId === appId).map((r) => ({ ...r }));
  }

  async deleteRule(appId: string, id: number): Promise<boolean> {
    const rule = this.#rules.get(id);
    if (!rule || rule.appId !== appId) return false;
    return this.#rules.delete(id);
  }

  async putSession(session: SessionRecord): Promise<void> {
    this.#sessions.set(session.id, copySession(session));
  }
  async getSession(id: string): Promise<SessionRecord | undefined> {
    const s = this.#sessions.get(id);
    return s && copySession(s);
  }
  async deleteSession(id: string): Promise<void> {
    this.#sessions.delete(id);
    this.#deadlines.delete(id);
  }

  async heartbeat(nodeId: string, ttlMs: number): Promise<number> {
    const now = this.clock.now();
    this.#nodes.set(nodeId, now + ttlMs);
    return now;
  }
  async forgetNode(nodeId: string): Promise<void> {
    this.#nodes.delete(nodeId);
  }
  async setDeadlines(entries: Array<{ sessionId: string; deadline: number }>): Promise<void> {
    for (const e of entries)
      if (this.#sessions.has(e.sessionId)) this.#deadlines.set(e.sessionId, e.deadline);
  }
  async deadlinesOf(ids: readonly string[]): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    for (const id of ids) {
      const deadline = this.#deadlines.get(id);
      if (deadline !== undefined) out.set(id, deadline);
    }
    return out;
  }
  async claimOrphans(now: number, limit: number): Promise<SessionRecord[]> {
    const out: SessionRecord[] = [];
    // forEach, not for…of over entries: this runs every heartbeat over every session, and each
    // [id, deadline] pair of an entries iterator is an allocation (13 MB per 10 s at 19,900).
    this.#deadlines.forEach((deadline, id) => {
      if (deadline > now || out.length >= limit) return;
      const session = this.#sessions.get(id);
      if (!session) {
        this.#deadlines.delete(id);
        return;
      }
      if ((this.#nodes.get(session.nodeId) ?? 0) > now) return;
      this.#deadlines.delete(id);
      out.push(copySession(session));
    });
    return out;
  }

  /** One in-process bus delivers every event to every node: nothing to watch. */
  async watchChannel(_ref: ChannelRef): Promise<void> {}
  async unwatchChannel(_ref: ChannelRef): Promise<void> {}

  async publish(message: BusMessage): Promise<void> {
    this.#listeners.emit(message);
  }
  subscribe(listener: (message: BusMessage) => void): () => void {
    return this.#listeners.add(listener);
  }
  onReset(listener: () => void): () => void {
    return this.#resetListeners.add(listener);
  }

  async claimMediaHost(ref: ChannelRef, nodeId: string, ttlMs: number): Promise<string> {
    const key = channelKey(ref);
    const now = this.clock.now();
    const held = this.#mediaHosts.get(key);
    if (held && held.until > now && held.nodeId !== nodeId) return held.nodeId;
    this.#mediaHosts.set(key, { nodeId, until: now + ttlMs });
    return nodeId;
  }
  async mediaHost(ref: ChannelRef): Promise<string | undefined> {
    const held = this.#mediaHosts.get(channelKey(ref));
    return held && held.until > this.clock.now() ? held.nodeId : undefined;
  }
  async releaseMediaHost(ref: ChannelRef, nodeId: string): Promise<void> {
    const key = channelKey(ref);
    if (this.#mediaHosts.get(key)?.nodeId === nodeId) this.#mediaHosts.delete(key);
  }

  async close(): Promise<void> {
    this.#listeners.clear();
    this.#resetListeners.clear();
  }

  #channel(ref: ChannelRef): Channel {
    const key = channelKey(ref);
    let ch = this.#channels.get(key);
    if (!ch) {
      ch = { ref: { ...ref }, members: new Map(), broadcasters: new Set(), seq: 0, log: [] };
      this.#channels.set(key, ch);
    }
    return ch;
  }
}
