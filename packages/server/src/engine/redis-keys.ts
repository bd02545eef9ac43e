import type { ChannelRef } from './types.js';

/**
 * Where the Redis engine keeps what, so that it runs on Redis Cluster: every key that one Lua
 * script or MULTI touches carries the same `{hash tag}`, so they hash to one slot.
 *
 * - A channel's keys (members, broadcasters, seq, log, its event topic, each sender's stream acks,
 *   and any other per-channel key: use {@link channelKey}) share the tag `{c:<app>:<channel>}`, app
 *   and channel percent-encoded (encodeURIComponent never leaves a `{` or `}`), so any channel name
 *   is safe and two channels never share keys. Channels spread over the cluster's shards.
 * - Node-wide data (sessions, offline deadlines, node heartbeats, the epoch) shares the tag
 *   `{node-wide}`: the orphan claim reads sessions and heartbeats of every node in one script, so
 *   they live together on one shard.
 * - Each app's channel index and kicking rules are keys of their own, never in a script with others.
 *
 * A prefix may not contain `{` or `}` (the first pair in a key is its tag).
 */
export class RedisKeys {
  constructor(readonly prefix: string) {
    if (/[{}]/.test(prefix))
      throw new RedisOptionsError(
        'bad_prefix',
        `Redis key prefix "${prefix}" may not contain { or } (it would be the hash tag of every key)`,
      );
  }

  /** One of a channel's keys: `part` names it (`m`, `log`, `media-host` …). */
  channel(ref: ChannelRef, part: string): string {
    return channelKey(this.prefix, ref, part);
  }
  /** One sender's data-stream acks in a channel (a hash epoch → last sseq). */
  acks(ref: ChannelRef, uid: number): string {
    return this.channel(ref, `acks:${uid}`);
  }
  /** The channel's events topic (sharded pub/sub on a cluster: it lives in the channel's slot). */
  topic(ref: ChannelRef): string {
    return this.channel(ref, 'ev');
  }
  /** The names of an app's channels (a superset: listChannels skips the empty ones). */
  channelSet(appId: string): string {
    return `${this.prefix}a:${appId}:chs`;
  }
  rules(appId: string): string {
    return `${this.prefix}r:${appId}`;
  }
  get ruleSeq(): string {
    return `${this.prefix}rseq`;
  }

  session(id: string): string {
    return `${this.prefix}{node-wide}:s:${id}`;
  }
  /** Prefix of session keys, for the orphan claim (which builds them inside the script). */
  get sessionPrefix(): string {
    return this.session('');
  }
  node(nodeId: string): string {
    return `${this.prefix}{node-wide}:n:${nodeId}`;
  }
  get nodePrefix(): string {
    return this.node('');
  }
  get deadlines(): string {
    return `${this.prefix}{node-wide}:dl`;
  }
  get epoch(): string {
    return `${this.prefix}{node-wide}:epoch`;
  }
  /** The topic of node-wide messages (on a cluster, a shard channel in the {node-wide} slot). */
  get bus(): string {
    return `${this.prefix}{node-wide}:bus`;
  }
}

/** The hash tag of a channel's keys. */
export const channelTag = (ref: ChannelRef): string =>
  `{c:${encodeURIComponent(ref.appId)}:${encodeURIComponent(ref.channel)}}`;

/** A per-channel key `part` under `prefix`, in the channel's slot (for per-channel data kept by other modules). */
export const channelKey = (prefix: string, ref: ChannelRef, part: string): string =>
  `${prefix}${channelTag(ref)}:${part}`;

/**
 * The KEYS of each Lua script as the engine passes them (redis-commands.ts names the scripts): one
 * table, so a test can check that each call's keys hash to one slot.
 */
export const SCRIPT_KEYS = {
  hfAdmit: (k: RedisKeys, ref: ChannelRef) => [k.channel(ref, 'm'), k.channel(ref, 'b')] as const,
  hfRemoveMember: (k: RedisKeys, ref: ChannelRef) =>
    [k.channel(ref, 'm'), k.channel(ref, 'seq'), k.channel(ref, 'log'), k.channel(ref, 'b')] as const,
  hfSetRole: (k: RedisKeys, ref: ChannelRef) => [k.channel(ref, 'm'), k.channel(ref, 'b')] as const,
  hfPublishEvent: (k: RedisKeys, ref: ChannelRef) =>
    [k.channel(ref, 'seq'), k.channel(ref, 'log'), k.topic(ref), k.channel(ref, 'm')] as const,
  hfPublishStream: (k: RedisKeys, ref: ChannelRef, uid: number) =>
    [
      k.channel(ref, 'seq'),
      k.channel(ref, 'log'),
      k.topic(ref),
      k.channel(ref, 'm'),
      k.acks(ref, uid),
    ] as const,
  hfSnapshot: (k: RedisKeys, ref: ChannelRef) => [k.channel(ref, 'm'), k.channel(ref, 'seq')] as const,
  hfReadLog: (k: RedisKeys, ref: ChannelRef) => [k.channel(ref, 'seq'), k.channel(ref, 'log')] as const,
  hfRaiseSeq: (k: RedisKeys, ref: ChannelRef) => [k.channel(ref, 'seq')] as const,
  /** Also reads `sessionPrefix + id` and `nodePrefix + nodeId`, all under `{node-wide}`. */
  hfClaimOrphans: (k: RedisKeys) => [k.deadlines, k.session('x'), k.node('x')] as const,
} as const;

/** Why Redis options were refused. */
export type RedisOptionsReason = 'bad_prefix' | 'bad_seed' | 'no_seeds';

/** Redis options the engine cannot run with, with the reason. */
export class RedisOptionsError extends Error {
  constructor(
    readonly reason: RedisOptionsReason,
    message: string,
  ) {
    super(message);
    this.name = 'RedisOptionsError';
  }
}
