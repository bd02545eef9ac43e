import type { Cluster, Redis } from 'ioredis';
import * as lua from './redis-scripts.js';

/** The engine's command connection: one Redis, or a Redis Cluster. */
export type CommandClient = Redis | Cluster;

/**
 * The engine's Lua scripts as commands of its Redis connection (see redis-scripts.ts for each;
 * their KEYS come from SCRIPT_KEYS in redis-keys.ts).
 */
export type Scripted = CommandClient & {
  hfAdmit(
    members: string,
    broadcasters: string,
    uid: string,
    json: string,
    role: string,
    max: string,
    fresh: string,
  ): Promise<[string, string?]>;
  hfRemoveMember(
    k1: string,
    k2: string,
    k3: string,
    k4: string,
    uid: string,
    sid: string,
  ): Promise<[string, string] | null>;
  hfSetRole(
    k1: string,
    k2: string,
    uid: string,
    sid: string,
    role: string,
    max: string,
  ): Promise<[string, string?]>;
  hfPublishEvent(
    k1: string,
    k2: string,
    k3: string,
    k4: string,
    ref: string,
    event: string,
    limit: string,
    publishCommand: string,
  ): Promise<number>;
  hfPublishStream(
    k1: string,
    k2: string,
    k3: string,
    k4: string,
    k5: string,
    ref: string,
    event: string,
    limit: string,
    epoch: string,
    sseq: string,
    ttl: string,
    publishCommand: string,
  ): Promise<[number, number?]>;
  hfSnapshot(k1: string, k2: string): Promise<[string[], string]>;
  hfReadLog(k1: string, k2: string): Promise<[string, string[]]>;
  hfRaiseSeq(k1: string, atLeast: string): Promise<number>;
  hfClaimOrphans(k1: string, now: string, limit: string, sp: string, np: string): Promise<string[]>;
};

/** Registers every script on `redis` (ioredis sends EVALSHA, loading a script once per connection). */
export function defineScripts(redis: CommandClient): void {
  redis.defineCommand('hfAdmit', { numberOfKeys: 2, lua: lua.ADMIT_MEMBER });
  redis.defineCommand('hfRemoveMember', { numberOfKeys: 4, lua: lua.REMOVE_MEMBER });
  redis.defineCommand('hfSetRole', { numberOfKeys: 2, lua: lua.SET_ROLE });
  redis.defineCommand('hfPublishEvent', { numberOfKeys: 4, lua: lua.PUBLISH_EVENT });
  redis.defineCommand('hfPublishStream', { numberOfKeys: 5, lua: lua.PUBLISH_STREAM });
  redis.defineCommand('hfSnapshot', { numberOfKeys: 2, lua: lua.SNAPSHOT });
  redis.defineCommand('hfReadLog', { numberOfKeys: 2, lua: lua.READ_LOG });
  redis.defineCommand('hfRaiseSeq', { numberOfKeys: 1, lua: lua.RAISE_SEQ });
  redis.defineCommand('hfClaimOrphans', { numberOfKeys: 1, lua: lua.CLAIM_ORPHANS });
}
