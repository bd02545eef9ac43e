import type { ChannelEvent, StreamAck, StreamMessageEvent, WireRole } from '@holdfast/protocol';
import type { Cluster, Redis } from 'ioredis';
import type { Logger } from 'pino';
import { Listeners } from './listeners.js';
import { defineScripts, type Scripted } from './redis-commands.js';
import { openConnections } from './redis-connect.js';
import { RedisEpoch } from './redis-epoch.js';
import { RedisKeys, SCRIPT_KEYS } from './redis-keys.js';
import { CLAIM_MEDIA_HOST, RELEASE_MEDIA_HOST } from './redis-media-hosts.js';
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
  /**
   * `redis://[:password@]host:port[/db]`: one Redis server; or
   * `redis+cluster://[[user]:password@]host:port[,host:port…]`: a Redis Cluster, given by some of
   * its nodes (the rest are found from them).
   */
  url: string;
  /** Key prefix, so several deployments can share one Redis. Default `hf:`; no `{` or `}`. */
  prefix?: string;
  log?: Logger;
}

/**
 * Shared state in Redis (one server, or a Redis Cluster), for several server nodes behind any load
 * balancer. Channel events fan out over Redis pub/sub, one topic per channel, to the nodes that
 * have members there (published from inside the script that numbers them, so order is the log's
 * order; on a cluster, sharded pub/sub in the channel's slot); node-wide messages (kicks, session
 * moves, channel closes) go on one shared topic (on a cluster, in the {node-wide} slot). Key
 * layout: redis-keys.ts. If Redis restarts empty, the engine notices (an epoch key vanished; on a
 * cluster, the {node-wide} shard's) and asks every node to re-assert the sessions and members it
 * holds; kicking rules and event logs are lost then.
 */
export class RedisEngine implements Engine {
  readonly #cmd: Scripted;
  /** The node-wide bus and the watched channel topics. */
  readonly #sub: Redis | Cluster;
  /** A cluster: every topic is a shard channel (SPUBLISH / SSUBSCRIBE), kept in its key's slot. */
  readonly #sharded: boolean;
  readonly #k: RedisKeys;
  /** How the scripts publish a channel event. */
  readonly #publishCommand: 'PUBLISH' | 'SPUBLISH';
  readonly #listeners = new Listeners<[BusMessage]>();
  /** Notices a Redis that lost its data (redis-epoch.ts). */
  readonly #epoch: RedisEpoch;
  #closed = false;
  /** Channel event topics this node is subscribed to: local sessions per topic, and the SUBSCRIBE. */
  #watched = new Map<string, { count: number; ready: Promise<unknown> }>();

  private constructor(opts: RedisEngineOptions) {
    this.#k = new RedisKeys(opts.prefix ?? 'hf:');
    const log = opts.log;
    const conns = openConnections(opts.url);
    this.#cmd = conns.cmd as Scripted;
    this.#sub = conns.sub;
    this.#sharded = conns.sharded;
    this.#publishCommand = conns.sharded ? 'SPUBLISH' : 'PUBLISH';
    // ioredis emits 'error' on every failed reconnect; unhandled, it would crash the process.
    this.#cmd.on('error', (err: Error) => log?.warn({ err: err.message }, 'redis error'));
    this.#sub.on('error', (err: Error) => log?.debug({ err: err.message }, 'redis subscriber error'));
    defineScripts(this.#cmd);
    this.#epoch = new RedisEpoch(this.#cmd, this.#k, this.#sharded);
    const receive = (_channel: string, text: string) => {
      let message: BusMessage;
      try {
        message = JSON.parse(text) as BusMessage;
      } catch {
        return;
      }
      this.#listeners.emit(message);
    };
    this.#sub.on(this.#sharded ? 'smessage' : 'message', receive);
    this.#cmd.on('ready', () => void this.#epoch.check().catch(() => {}));
  }

  /**
   * Connects the Redis connections; rejects if Redis is not reachable at start, or with a
   * RedisOptionsError (its `reason`) for options it cannot run with.
   */
  static async connect(opts: RedisEngineOptions): Promise<RedisEngine> {
    const engine = new RedisEngine(opts);
    try {
      await Promise.all([engine.#cmd.connect(), engine.#sub.connect()]);
      await engine.#subscribe(engine.#k.bus);
      await engine.#epoch.check();
    } catch (err) {
      await engine.close();
      throw err;
    }
    return engine;
  }

  #ch(ref: ChannelRef, part: 'm' | 'b' | 'seq' | 'log' | 'media'): string {
    return this.#k.channel(ref, part);
  }

  async admitMember(
    ref: ChannelRef,
    member: MemberRecord,
    opts: { maxBroadcasters: number; fresh?: boolean },
  ): Promise<AdmitResult> {
    const [status, old] = await this.#cmd.hfAdmit(
      ...SCRIPT_KEYS.hfAdmit(this.#k, ref),
      String(member.uid),
      JSON.stringify(member),
      member.role,
      String(opts.maxBroadcasters),
      opts.fresh ? '1' : '0',
    );
    if (status === 'taken') return { ok: false, reason: 'uid_taken' };
    if (status === 'full') return { ok: false, reason: 'too_many_broadcasters' };
    // The app's channel index is in another slot, so it is written after the admission: a
    // concurrent last leave that takes the name out either does so before this (the name comes
    // back here) or looks again after this member is in (and puts it back: #dropFromIndex).
    await this.#cmd.sadd(this.#k.channelSet(ref.appId), ref.channel);
    const previous = old ? (JSON.parse(old) as MemberRecord) : undefined;
    return previous && previous.sessionId !== member.sessionId ? { ok: true, previous } : { ok: true };
  }

  async removeMember(ref: ChannelRef, uid: number, sessionId: string): Promise<MemberRecord | undefined> {
    const out = await this.#cmd.hfRemoveMember(
      ...SCRIPT_KEYS.hfRemoveMember(this.#k, ref),
      String(uid),
      sessionId,
    );
    if (!out) return undefined;
    const [old, emptied] = out;
    if (emptied === '1') await this.#dropFromIndex(ref);
    return JSON.parse(old) as MemberRecord;
  }

  /**
   * Takes an emptied channel's name out of its app's index, then looks again: a member admitted
   * meanwhile (whose own SADD may have come before this SREM) puts the name back.
   */
  async #dropFromIndex(ref: ChannelRef): Promise<void> {
    const set = this.#k.channelSet(ref.appId);
    await this.#cmd.srem(set, ref.channel);
    if ((await this.#cmd.exists(this.#ch(ref, 'm'))) > 0) await this.#cmd.sadd(set, ref.channel);
  }

  async setMemberRole(
    ref: ChannelRef,
    uid: number,
    sessionId: string,
    role: WireRole,
    maxBroadcasters: number,
  ): Promise<RoleResult> {
    const [status, updated] = await this.#cmd.hfSetRole(
      ...SCRIPT_KEYS.hfSetRole(this.#k, ref),
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
    const names = await this.#cmd.smembers(this.#k.channelSet(appId));
    // One HVALS per channel, all in flight at once (on a cluster, each to its channel's shard).
    const results = await Promise.all(
      names.map((channel) => this.#cmd.hvals(this.#ch({ appId, channel }, 'm'))),
    );
    const out: ChannelSummary[] = [];
    names.forEach((channel, i) => {
      const members = (results[i] ?? []).map((m) => JSON.parse(m) as MemberRecord);
      if (members.length === 0) return;
      const broadcasterCount = members.filter((m) => m.role === 'broadcaster').length;
      out.push({ channel, userCount: members.length, broadcasterCount });
    });
    return out.sort((a, b) => a.channel.localeCompare(b.channel));
  }

  async publishEvent(ref: ChannelRef, event: ChannelEvent): Promise<number> {
    return this.#cmd.hfPublishEvent(
      ...SCRIPT_KEYS.hfPublishEvent(this.#k, ref),
      JSON.stringify({ appId: ref.appId, channel: ref.channel }),
      JSON.stringify(event),
      String(EVENT_LOG_LIMIT),
      this.#publishCommand,
    );
  }

  async publishStream(ref: ChannelRef, event: StreamMessageEvent): Promise<StreamPublishResult> {
    const [seq, last] = await this.#cmd.hfPublishStream(
      ...SCRIPT_KEYS.hfPublishStream(this.#k, ref, event.uid),
      JSON.stringify({ appId: ref.appId, channel: ref.channel }),
      JSON.stringify(event),
      String(EVENT_LOG_LIMIT),
      String(event.epoch),
      String(event.sseq),
      String(STREAM_ACK_TTL_MS),
      this.#publishCommand,
    );
    if (seq > 0) return { ok: true, seq };
    if (seq < 0) return { ok: false, reason: 'duplicate', last: Number(last) };
    return { ok: false, reason: 'no_channel' };
  }

  async streamAcks(ref: ChannelRef, uid: number): Promise<StreamAck[]> {
    const all = await this.#cmd.hgetall(this.#k.acks(ref, uid));
    return Object.entries(all).map(([epoch, seq]) => ({ epoch: Number(epoch), seq: Number(seq) }));
  }

  async eventsSince(ref: ChannelRef, seq: number): Promise<SequencedEvent[] | undefined> {
    const [current, items] = await this.#cmd.hfReadLog(...SCRIPT_KEYS.hfReadLog(this.#k, ref));
    const last = Number(current);
    if (seq > last) return undefined;
    const log = items.map((i) => JSON.parse(i) as SequencedEvent);
    const first = log[0]?.seq ?? last + 1;
    if (seq + 1 < first) return undefined;
    return log.filter((e) => e.seq > seq);
  }

  async raiseSeq(ref: ChannelRef, seq: number): Promise<void> {
    await this.#cmd.hfRaiseSeq(...SCRIPT_KEYS.hfRaiseSeq(this.#k, ref), String(seq));
  }

  async snapshot(ref: ChannelRef): Promise<{ members: MemberRecord[]; seq: number }> {
    const [members, seq] = await this.#cmd.hfSnapshot(...SCRIPT_KEYS.hfSnapshot(this.#k, ref));
    return { members: members.map((m) => JSON.parse(m) as MemberRecord), seq: Number(seq) };
  }

  async putRule(rule: KickingRule): Promise<KickingRule> {
    const stored = { ...rule, id: rule.id || (await this.#cmd.incr(this.#k.ruleSeq)) };
    if (stored.expiresAt !== stored.createdAt)
      await this.#cmd.hset(this.#k.rules(rule.appId), String(stored.id), JSON.stringify(stored));
    return stored;
  }
  async listRules(appId: string): Promise<KickingRule[]> {
    return (await this.#cmd.hvals(this.#k.rules(appId))).map((r) => JSON.parse(r) as KickingRule);
  }
  async deleteRule(appId: string, id: number): Promise<boolean> {
    return (await this.#cmd.hdel(this.#k.rules(appId), String(id))) > 0;
  }

  async putSession(session: SessionRecord): Promise<void> {
    await this.#cmd.set(this.#k.session(session.id), JSON.stringify(session));
  }
  async getSession(id: string): Promise<SessionRecord | undefined> {
    const s = await this.#cmd.get(this.#k.session(id));
    return s ? (JSON.parse(s) as SessionRecord) : undefined;
  }
  async deleteSession(id: string): Promise<void> {
    await this.#cmd.multi().del(this.#k.session(id)).zrem(this.#k.deadlines, id).exec();
  }

  async heartbeat(nodeId: string, ttlMs: number): Promise<number> {
    const [, time] =
      (await this.#cmd.multi().set(this.#k.node(nodeId), '1', 'PX', ttlMs).time().exec()) ?? [];
    const [sec, usec] = (time?.[1] as [string, string] | undefined) ?? [String(Date.now() / 1000), '0'];
    // On a cluster one master can restart empty without this connection noticing: look each beat.
    if (this.#sharded) void this.#epoch.check().catch(() => {});
    return Number(sec) * 1000 + Math.floor(Number(usec) / 1000);
  }
  async forgetNode(nodeId: string): Promise<void> {
    await this.#cmd.del(this.#k.node(nodeId));
  }
  async setDeadlines(entries: Array<{ sessionId: string; deadline: number }>): Promise<void> {
    // One ZADD per 500 sessions; a failed write rejects (a pipeline would resolve with the error
    // inside), so the sweeper does not count a deadline as published when Redis never stored it.
    for (let i = 0; i < entries.length; i += 500) {
      const args = entries.slice(i, i + 500).flatMap((e) => [e.deadline, e.sessionId]);
      await this.#cmd.zadd(this.#k.deadlines, ...args);
    }
  }
  async deadlinesOf(ids: readonly string[]): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    // ZMSCORE (Redis 6.2+), 500 ids a call.
    for (let i = 0; i < ids.length; i += 500) {
      const chunk = ids.slice(i, i + 500);
      const scores = await this.#cmd.zmscore(this.#k.deadlines, ...chunk);
      chunk.forEach((id, j) => {
        const score = scores[j];
        if (score !== null && score !== undefined) out.set(id, Number(score));
      });
    }
    return out;
  }
  async claimOrphans(now: number, limit: number): Promise<SessionRecord[]> {
    const [deadlines] = SCRIPT_KEYS.hfClaimOrphans(this.#k);
    const out = await this.#cmd.hfClaimOrphans(
      deadlines,
      String(now),
      String(limit),
      this.#k.sessionPrefix,
      this.#k.nodePrefix,
    );
    return out.map((s) => JSON.parse(s) as SessionRecord);
  }

  async watchChannel(ref: ChannelRef): Promise<void> {
    const topic = this.#k.topic(ref);
    const watched = this.#watched.get(topic);
    if (watched) {
      watched.count++;
      await watched.ready;
      return;
    }
    const entry = {
      count: 1,
      ready: this.#subscribe(topic),
    };
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
    const topic = this.#k.topic(ref);
    const watched = this.#watched.get(topic);
    if (!watched || --watched.count > 0) return;
    // SUBSCRIBE / UNSUBSCRIBE go out in order on one connection: a watch that comes after this
    // one subscribes again, and wins.
    this.#watched.delete(topic);
    await (this.#sharded ? this.#sub.sunsubscribe(topic) : this.#sub.unsubscribe(topic));
  }
  #subscribe(topic: string): Promise<unknown> {
    return this.#sharded ? this.#sub.ssubscribe(topic) : this.#sub.subscribe(topic);
  }
  /** How many channel topics this node is subscribed to (tests, metrics). */
  get watchedChannels(): number {
    return this.#watched.size;
  }

  async publish(message: BusMessage): Promise<void> {
    const text = JSON.stringify(message);
    await (this.#sharded ? this.#cmd.spublish(this.#k.bus, text) : this.#cmd.publish(this.#k.bus, text));
  }
  subscribe(listener: (message: BusMessage) => void): () => void {
    return this.#listeners.add(listener);
  }
  onReset(listener: () => void): () => void {
    return this.#epoch.onReset(listener);
  }

  async claimMediaHost(ref: ChannelRef, nodeId: string, ttlMs: number): Promise<string> {
    return (await this.#cmd.eval(CLAIM_MEDIA_HOST, 1, this.#ch(ref, 'media'), nodeId, ttlMs)) as string;
  }
  async mediaHost(ref: ChannelRef): Promise<string | undefined> {
    return (await this.#cmd.get(this.#ch(ref, 'media'))) ?? undefined;
  }
  async releaseMediaHost(ref: ChannelRef, nodeId: string): Promise<void> {
    await this.#cmd.eval(RELEASE_MEDIA_HOST, 1, this.#ch(ref, 'media'), nodeId);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#listeners.clear();
    this.#epoch.clear();
    this.#sub.disconnect();
    this.#cmd.disconnect();
  }
}
