import type { Cluster, Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { WebhookEvent } from './types.js';

/** An event kept for one URL (`lane`: a short hash of the URL) until it is delivered or given up. */
export interface KeptEvent {
  lane: string;
  event: WebhookEvent;
}

/**
 * Where a node keeps the events it has not delivered yet, so that another node delivers them if it
 * dies. Writes are fire-and-forget (the channel path never waits; a failed one is logged).
 */
export interface OutboxStore {
  put(lane: string, event: WebhookEvent): void;
  done(lane: string, id: string): void;
  /**
   * Takes over, atomically (one node gets each), the events kept for `lanes` (this node's URLs) by
   * every node whose alive key has lapsed; `includeSelf`: this node's own too (its previous run's,
   * at start). Events for URLs this node does not have stay for a node that has them.
   */
  adopt(lanes: readonly string[], includeSelf: boolean): Promise<KeptEvent[]>;
  /** This node sends its kept events for `ttlMs` more (renewed at each take-over round). */
  alive(ttlMs: number): Promise<void>;
  /** This node stops sending (closed): its kept events are for others to take over now. */
  gone(): Promise<void>;
}

/**
 * KEYS: the set of nodes with an outbox. ARGV: this node, outbox key prefix, alive key prefix,
 * includeSelf. Returns field, value, field, value … of every outbox taken (and deletes them).
 */
const ADOPT = `
local out = {}
for _, node in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local mine = node == ARGV[1]
  if (mine and ARGV[4] == '1') or ((not mine) and redis.call('EXISTS', ARGV[3] .. node) == 0) then
    local key = ARGV[2] .. node
    local items = redis.call('HGETALL', key)
    for i = 1, #items do table.insert(out, items[i]) end
    redis.call('DEL', key)
    redis.call('SREM', KEYS[1], node)
  end
end
return out`;

/**
 * The outbox in Redis (`{node-wide}` keys, one slot on a cluster, like the engine's orphan claim): a
 * hash per URL and node (field: the event id), per URL the set of nodes that keep events for it, and
 * per node an alive key with a TTL. Its own alive key rather than the engine's heartbeat: a draining
 * node has let go of its sessions (heartbeat deleted) but still sends its queue for up to 2 s.
 */
export function redisOutbox(
  redis: Redis | Cluster,
  prefix: string,
  nodeId: string,
  log: Logger,
): OutboxStore {
  const nodes = (lane: string) => `${prefix}{node-wide}:wh:nodes:${lane}`;
  const outboxPrefix = (lane: string) => `${prefix}{node-wide}:wh:ob:${lane}:`;
  const mine = (lane: string) => `${outboxPrefix(lane)}${nodeId}`;
  const alivePrefix = `${prefix}{node-wide}:wh:alive:`;
  const failed = (what: string) => (err: Error) =>
    log.warn(
      { err: err.message },
      `webhooks: outbox ${what} failed (an event may be lost if this node dies)`,
    );
  let seq = 0;
  return {
    put(lane, event) {
      redis
        .multi()
        .hset(mine(lane), event.id, JSON.stringify({ s: ++seq, e: event }))
        .sadd(nodes(lane), nodeId)
        .exec()
        .catch(failed('write'));
    },
    done(lane, id) {
      redis.hdel(mine(lane), id).catch(failed('delete'));
    },
    async alive(ttlMs) {
      await redis.set(`${alivePrefix}${nodeId}`, '1', 'PX', ttlMs);
    },
    async gone() {
      await redis.del(`${alivePrefix}${nodeId}`);
    },
    async adopt(lanes, includeSelf) {
      const out: Array<KeptEvent & { s: number }> = [];
      for (const lane of lanes) {
        const flat = (await redis.eval(
          ADOPT,
          1,
          nodes(lane),
          nodeId,
          outboxPrefix(lane),
          alivePrefix,
          includeSelf ? '1' : '0',
        )) as string[];
        for (let i = 0; i + 1 < flat.length; i += 2) {
          try {
            const { s, e } = JSON.parse(flat[i + 1]!) as { s: number; e: WebhookEvent };
            out.push({ lane, event: e, s });
          } catch {
            log.warn({ id: flat[i] }, 'webhooks: an unreadable kept event was skipped');
          }
        }
      }
      // Hash order is arbitrary: back into the order the events happened (a node's own order first).
      out.sort((a, b) => a.event.at - b.event.at || a.s - b.s);
      return out.map(({ lane, event }) => ({ lane, event }));
    },
  };
}
