import { randomBytes } from 'node:crypto';
import type { ChannelEvent, StreamAck, StreamMessageEvent, WireRole } from '@holdfast/protocol';
import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from 'pino';
import { Listeners } from './listeners.js';
import { defineScripts, type Scripted } from './redis-commands.js';
import { type AdmitResult, type RoleResult, STREAM_ACK_TTL_MS, type StreamPublishResult } from './seams.js';
import {
  type BusMessage,
  type ChannelRef,
  type ChannelSummary,
  type Engine,
  EVENT_LOG_LIMIT,
  type KickingRule,
  type MemberRecord,
  type SequencedEvent,
  type SessionRecord,
} from './types.js';

export interface RedisEngineOptions {
  /** `redis://host:port[/db]`. */
  url: string;
  /** Key prefix, so several deployments can share one Redis. Default `hf:`. */
  prefix?: string;
  log?: Logger;
}

/**
 * Shared state in Redis, for several server nodes behind any load balancer.
 * Channel events fan out over Redis pub/sub, one topic per channel, to the nodes that have
 * members there (published from inside the script that numbers them, so order is the log's
 * order); node-wide messages (kicks, session moves, channel closes) go on one shared topic. If Redis restarts empty, the
 * engine notices (an epoch key vanished) and asks every node to re-assert the
 * sessions and members it holds; kicking rules and event logs are lost then.
 */
export class RedisEngine implements Engine {
  readonly #cmd: Scripted;
  readonly #sub: Redis;
  readonly #p: string;
  readonly #listeners = new Listeners<[BusMessage]>();
  readonly #resetListeners = new Listeners<[]>();
  #epoch = '';
  #closed = false;
  /** Channel event topics this node is subscribed to: local sessions per topic, and the SUBSCRIBE. */
  #watched = new Map<string, { count: number; ready: Promise<unknown> }>();

  private constructor(opts: RedisEngineOptions) {
    this.#p = opts.prefix ?? 'hf:';
    const common: RedisOptions = {
      // Fail commands fast during an outage (the caller retries); reconnect forever.
      maxRetriesPerRequest: 1,
      retryStrategy: (times) => Math.min(times * 100, 1000),
      lazyConnect: true,
    };
    const log = opts.log;
    this.#cmd = new Redis(opts.url, common) as Scripted;
    this.#sub = new Redis(opts.url, { ...common, maxRetriesPerRequest: null });
    // ioredis emits 'error' on every failed reconnect; unhandled, it would crash the process.
    this.#cmd.on('error', (err) => log?.warn({ err: err.message }, 'redis error'));
    this.#sub.on('error', (err) => log?.debug({ err: err.message }, 'redis subscriber error'));
    defineScripts(this.#cmd);
    this.#sub.on('message', (_channel: string, text: string) => {
      let message: BusMessage;
      try {
        message = JSON.parse(text) as BusMessage;
      } catch {
        return;
      }
      this.#listeners.emit(message);
    });
    this.#cmd.on('ready', () => void this.#checkEpoch().catch(() => {}));
  }

  /** Connects both Redis connections; rejects if Redis is not reachable at start. */
  static async connect(opts: RedisEngineOptions): Promise<RedisEngine> {
    const engine = new RedisEngine(opts);
    await Promise.all([engine.#cmd.connect(), engine.#sub.connect()]);
    await engine.#sub.subscribe(`${engine.#p}bus`);
    await engine.#checkEpoch();
    return engine;
  }

  /** A Redis that lost its data (restart without persistence) no longer has our epoch key. */
  async #checkEpoch(): Promise<void> {
    const key = `${this.#p}epoch`;
    const current = await this.#cmd.get(key);
    if (current && current === this.#epoch) return;
    if (current && !this.#epoch) {
      this.#epoch = current;
      return;
    }
    const fresh = randomBytes(8).toString('hex');
    // NX: if several nodes notice at once, they agree on one epoch.
    await this.#cmd.set(key, fresh, 'NX');
    const agreed = (await this.#cmd.get(key)) ?? fresh;
    const wasReset = this.#epoch !== '';
    this.#epoch = agreed;
    if (wasReset) this.#resetListeners.emit();
  }

  #ch(ref: ChannelRef, part: 'm' | 'b' | 'seq' | 'log'): string {
    return `${this.#p}c:${ref.appId}:${encodeURIComponent(ref.channel)}:${part}`;
  }
  /** One sender's data-stream acks in a channel (a hash epoch → last sseq, expiring on its own). */
  #acks(ref: ChannelRef, uid: number): string {
    return `${this.#p}c:${ref.appId}:${encodeURIComponent(ref.channel)}:acks:${uid}`;
  }
  /** The pub/sub topic of one channel's events: only nodes with members there subscribe. */
  #topic(ref: ChannelRef): string {
    return `${this.#p}ev:${ref.appId}:${encodeURIComponent(ref.channel)}`;
  }
  #chSet(appId: string): string {
    return `${this.#p}a:${appId}:chs`;
  }

  async admitMember(
    ref: ChannelRef,
    member: MemberRecord,
    opts: { maxBroadcasters: number; fresh?: boolean },
  ): Promise<AdmitResult> {
    const [status, old] = await this.#cmd.hfAdmit(
      this.#ch(ref, 'm'),
      this.#chSet(ref.appId),
      this.#ch(ref, 'b'),
      String(member.uid),
      JSON.stringify(member),
      ref.channel,
      member.role,
      String(opts.maxBroadcasters),
      opts.fresh ? '1' : '0',
    );
    if (status === 'taken') return { ok: false, reason: 'uid_taken' };
    if (status === 'full') return { ok: false, reason: 'too_many_broadcasters' };
    const previous = old ? (JSON.parse(old) as MemberRecord) : undefined;
    return previous && previous.sessionId !== member.sessionId ? { ok: true, previous } : { ok: true };
  }

  async removeMember(ref: ChannelRef, uid: number, sessionId: string): Promise<MemberRecord | undefined> {
    const old = await this.#cmd.hfRemoveMember(
      this.#ch(ref, 'm'),
      this.#chSet(ref.appId),
      this.#ch(ref, 'seq'),
      this.#ch(ref, 'log'),
      this.#ch(ref, 'b'),
      String(uid),
      sessionId,
      ref.channel,
    );
    return old ? (JSON.parse(old) as MemberRecord) : undefined;
  }

  async setMemberRole(
    ref: ChannelRef,
    uid: number,
    sessionId: string,
    role: WireRole,
    maxBroadcasters: number,
  ): Promise<RoleResult> {
    const [status, updated] = await this.#cmd.hfSetRole(
      this.#ch(ref, 'm'),
      this.#ch(ref, 'b'),
      String(uid),
      sessionId,
      role,
      String(maxBroadcasters),
    );
    if (status === 'full') return { ok: false, reason: 'too_many_broadcasters' };
    if (status !== 'ok' || !updated) return { ok: false, reason: 'not_member' };
    return { ok: true, member: JSON.parse(updated) as MemberRecord };
  }

  async getMember(ref: ChannelRef, uid: number): Promise<MemberRecord | undefined> {
    const m = await this.#cmd.hget(this.#ch(ref, 'm'), String(uid));
    return m ? (JSON.parse(m) as MemberRecord) : undefined;
  }

  async listMembers(ref: ChannelRef): Promise<MemberRecord[]> {
    return (await this.#cmd.hvals(this.#ch(ref, 'm'))).map((m) => JSON.parse(m) as MemberRecord);
  }

  async listChannels(appId: string): Promise<ChannelSummary[]> {
    const names = await this.#cmd.smembers(this.#chSet(appId));
    const pipe = this.#cmd.pipeline();
    for (const channel of names) pipe.hvals(this.#ch({ appId, channel }, 'm'));
    const results = (await pipe.exec()) ?? [];
    const out: ChannelSummary[] = [];
    names.forEach((channel, i) => {
      const members = ((results[i]?.[1] as string[] | undefined) ?? []).map(
        (m) => JSON.parse(m) as MemberRecord,
      );
      if (members.length === 0) return;
      const broadcasterCount = members.filter((m) => m.role === 'broadcaster').length;
      out.push({ channel, userCount: members.length, broadcasterCount });
    });
    return out.sort((a, b) => a.channel.localeCompare(b.channel));
  }

  async publishEvent(ref: ChannelRef, event: ChannelEvent): Promise<number> {
    return this.#cmd.hfPublishEvent(
      this.#ch(ref, 'seq'),
      this.#ch(ref, 'log'),
      this.#topic(ref),
      this.#ch(ref, 'm'),
      JSON.stringify({ appId: ref.appId, channel: ref.channel }),
      JSON.stringify(event),
      String(EVENT_LOG_LIMIT),
    );
  }

  async publishStream(ref: ChannelRef, event: StreamMessageEvent): Promise<StreamPublishResult> {
    const [seq, last] = await this.#cmd.hfPublishStream(
      this.#ch(ref, 'seq'),
      this.#ch(ref, 'log'),
      this.#topic(ref),
      this.#ch(ref, 'm'),
      this.#acks(ref, event.uid),
      JSON.stringify({ appId: ref.appId, channel: ref.channel }),
      JSON.stringify(event),
      String(EVENT_LOG_LIMIT),
      String(event.epoch),
      String(event.sseq),
      String(STREAM_ACK_TTL_MS),
    );
    if (seq > 0) return { ok: true, seq };
    if (seq < 0) return { ok: false, reason: 'duplicate', last: Number(last) };
    return { ok: false, reason: 'no_channel' };
  }

  async streamAcks(ref: ChannelRef, uid: number): Promise<StreamAck[]> {
    const all = await this.#cmd.hgetall(this.#acks(ref, uid));
    return Object.entries(all).map(([epoch, seq]) => ({ epoch: Number(epoch), seq: Number(seq) }));
  }

  async eventsSince(ref: ChannelRef, seq: number): Promise<SequencedEvent[] | undefined> {
    const [current, items] = await this.#cmd.hfReadLog(this.#ch(ref, 'seq'), this.#ch(ref, 'log'));
    const last = Number(current);
    if (seq > last) return undefined;
    const log = items.map((i) => JSON.parse(i) as SequencedEvent);
    const first = log[0]?.seq ?? last + 1;
    if (seq + 1 < first) return undefined;
    return log.filter((e) => e.seq > seq);
  }

  async raiseSeq(ref: ChannelRef, seq: number): Promise<void> {
    await this.#cmd.hfRaiseSeq(this.#ch(ref, 'seq'), String(seq));
  }

  async snapshot(ref: ChannelRef): Promise<{ members: MemberRecord[]; seq: number }> {
    const [members, seq] = await this.#cmd.hfSnapshot(this.#ch(ref, 'm'), this.#ch(ref, 'seq'));
    return { members: members.map((m) => JSON.parse(m) as MemberRecord), seq: Number(seq) };
  }

  async putRule(rule: KickingRule): Promise<KickingRule> {
    const stored = { ...rule, id: rule.id || (await this.#cmd.incr(`${this.#p}rseq`)) };
    if (stored.expiresAt !== stored.createdAt)
      await this.#cmd.hset(`${this.#p}r:${rule.appId}`, String(stored.id), JSON.stringify(stored));
    return stored;
  }
  async listRules(appId: string): Promise<KickingRule[]> {
    return (await this.#cmd.hvals(`${this.#p}r:${appId}`)).map((r) => JSON.parse(r) as KickingRule);
  }
  async deleteRule(appId: string, id: number): Promise<boolean> {
    return (await this.#cmd.hdel(`${this.#p}r:${appId}`, String(id))) > 0;
  }

  async putSession(session: SessionRecord): Promise<void> {
    await this.#cmd.set(`${this.#p}s:${session.id}`, JSON.stringify(session));
  }
  async getSession(id: string): Promise<SessionRecord | undefined> {
    const s = await this.#cmd.get(`${this.#p}s:${id}`);
    return s ? (JSON.parse(s) as SessionRecord) : undefined;
  }
  async deleteSession(id: string): Promise<void> {
    await this.#cmd.multi().del(`${this.#p}s:${id}`).zrem(`${this.#p}dl`, id).exec();
  }

  async heartbeat(nodeId: string, ttlMs: number): Promise<number> {
    const [, time] =
      (await this.#cmd.multi().set(`${this.#p}n:${nodeId}`, '1', 'PX', ttlMs).time().exec()) ?? [];
    const [sec, usec] = (time?.[1] as [string, string] | undefined) ?? [String(Date.now() / 1000), '0'];
    return Number(sec) * 1000 + Math.floor(Number(usec) / 1000);
  }
  async forgetNode(nodeId: string): Promise<void> {
    await this.#cmd.del(`${this.#p}n:${nodeId}`);
  }
  async setDeadlines(entries: Array<{ sessionId: string; deadline: number }>): Promise<void> {
    // One ZADD per 500 sessions; a failed write rejects (a pipeline would resolve with the error
    // inside), so the sweeper does not count a deadline as published when Redis never stored it.
    for (let i = 0; i < entries.length; i += 500) {
      const args = entries.slice(i, i + 500).flatMap((e) => [e.deadline, e.sessionId]);
      await this.#cmd.zadd(`${this.#p}dl`, ...args);
    }
  }
  async claimOrphans(now: number, limit: number): Promise<SessionRecord[]> {
    const out = await this.#cmd.hfClaimOrphans(
      `${this.#p}dl`,
      String(now),
      String(limit),
      `${this.#p}s:`,
      `${this.#p}n:`,
    );
    return out.map((s) => JSON.parse(s) as SessionRecord);
  }

  async watchChannel(ref: ChannelRef): Promise<void> {
    const topic = this.#topic(ref);
    const watched = this.#watched.get(topic);
    if (watched) {
      watched.count++;
      await watched.ready;
      return;
    }
    const entry = { count: 1, ready: this.#sub.subscribe(topic) };
    this.#watched.set(topic, entry);
    try {
      await entry.ready;
    } catch (err) {
      // Not subscribed after all: the next session to watch tries again (ioredis resubscribes
      // what did succeed by itself after a reconnect).
      if (this.#watched.get(topic) === entry) this.#watched.delete(topic);
      throw err;
    }
  }
  async unwatchChannel(ref: ChannelRef): Promise<void> {
    const topic = this.#topic(ref);
    const watched = this.#watched.get(topic);
    if (!watched || --watched.count > 0) return;
    // SUBSCRIBE / UNSUBSCRIBE go out in order on one connection: a watch that comes after this
    // one subscribes again, and wins.
    this.#watched.delete(topic);
    await this.#sub.unsubscribe(topic);
  }
  /** How many channel topics this node is subscribed to (tests, metrics). */
  get watchedChannels(): number {
    return this.#watched.size;
  }

  async publish(message: BusMessage): Promise<void> {
    await this.#cmd.publish(`${this.#p}bus`, JSON.stringify(message));
  }
  subscribe(listener: (message: BusMessage) => void): () => void {
    return this.#listeners.add(listener);
  }
  onReset(listener: () => void): () => void {
    return this.#resetListeners.add(listener);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#listeners.clear();
    this.#resetListeners.clear();
    this.#sub.disconnect();
    this.#cmd.disconnect();
  }
}
