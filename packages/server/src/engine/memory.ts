import { MAX_UID, type WireRole } from '@holdfast/protocol';
import {
  type BusMessage,
  type ChannelRef,
  type ChannelSummary,
  channelKey,
  type Engine,
  type KickingRule,
  type MemberRecord,
  type SessionRecord,
} from './types.js';

interface Channel {
  ref: ChannelRef;
  members: Map<number, MemberRecord>;
}

/**
 * Shared state in this process's memory. The embedded default. Several servers
 * can share one instance (N nodes on one in-process bus) for cluster tests.
 */
export class MemoryEngine implements Engine {
  #channels = new Map<string, Channel>();
  #sessions = new Map<string, SessionRecord>();
  #listeners = new Set<(message: BusMessage) => void>();
  #rules = new Map<number, KickingRule>();
  #nextRuleId = 1;

  async claimUid(ref: ChannelRef, member: MemberRecord): Promise<{ previous?: MemberRecord }> {
    const ch = this.#channel(ref);
    const previous = ch.members.get(member.uid);
    ch.members.set(member.uid, { ...member });
    return previous && previous.sessionId !== member.sessionId ? { previous } : {};
  }

  async claimFreeUid(
    ref: ChannelRef,
    member: Omit<MemberRecord, 'uid'>,
    random: () => number,
  ): Promise<number> {
    const ch = this.#channel(ref);
    for (;;) {
      const uid = 1 + Math.floor(random() * MAX_UID);
      if (!ch.members.has(uid)) {
        ch.members.set(uid, { ...member, uid });
        return uid;
      }
    }
  }

  async removeMember(ref: ChannelRef, uid: number, sessionId: string): Promise<MemberRecord | undefined> {
    const key = channelKey(ref);
    const ch = this.#channels.get(key);
    const m = ch?.members.get(uid);
    if (!ch || !m || m.sessionId !== sessionId) return undefined;
    ch.members.delete(uid);
    if (ch.members.size === 0) this.#channels.delete(key);
    return m;
  }

  async setMemberRole(
    ref: ChannelRef,
    uid: number,
    sessionId: string,
    role: WireRole,
  ): Promise<MemberRecord | undefined> {
    const m = this.#channels.get(channelKey(ref))?.members.get(uid);
    if (!m || m.sessionId !== sessionId) return undefined;
    m.role = role;
    return { ...m };
  }

  async getMember(ref: ChannelRef, uid: number): Promise<MemberRecord | undefined> {
    const m = this.#channels.get(channelKey(ref))?.members.get(uid);
    return m && { ...m };
  }

  async listMembers(ref: ChannelRef): Promise<MemberRecord[]> {
    return [...(this.#channels.get(channelKey(ref))?.members.values() ?? [])].map((m) => ({ ...m }));
  }

  async listChannels(appId: string): Promise<ChannelSummary[]> {
    const out: ChannelSummary[] = [];
    for (const ch of this.#channels.values()) {
      if (ch.ref.appId !== appId) continue;
      let broadcasters = 0;
      for (const m of ch.members.values()) if (m.role === 'broadcaster') broadcasters++;
      out.push({ channel: ch.ref.channel, userCount: ch.members.size, broadcasterCount: broadcasters });
    }
    return out.sort((a, b) => a.channel.localeCompare(b.channel));
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
    this.#sessions.set(session.id, { ...session });
  }
  async getSession(id: string): Promise<SessionRecord | undefined> {
    const s = this.#sessions.get(id);
    return s && { ...s };
  }
  async deleteSession(id: string): Promise<void> {
    this.#sessions.delete(id);
  }

  async publish(message: BusMessage): Promise<void> {
    for (const listener of [...this.#listeners]) listener(message);
  }
  subscribe(listener: (message: BusMessage) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.#listeners.clear();
  }

  #channel(ref: ChannelRef): Channel {
    const key = channelKey(ref);
    let ch = this.#channels.get(key);
    if (!ch) {
      ch = { ref: { ...ref }, members: new Map() };
      this.#channels.set(key, ch);
    }
    return ch;
  }
}
