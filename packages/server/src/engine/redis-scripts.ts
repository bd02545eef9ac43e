/**
 * Lua scripts for the Redis engine. Each runs atomically inside Redis, which is
 * what makes a uid claim, a sequenced publish or an orphan claim safe when
 * several nodes race for it. Every script's keys share one hash tag (redis-keys.ts), so each
 * runs on Redis Cluster too.
 */

/**
 * KEYS: members, broadcasters. ARGV: uid, memberJson, role, maxBroadcasters, fresh ('1': refuse a
 * held uid). The uid claim and the broadcaster limit in one atomic step (the app's channel index
 * is another slot: the engine adds the name after this).
 * Returns { 'ok', previousJson? } or { 'taken' } or { 'full' }.
 */
export const ADMIT_MEMBER = `
local old = redis.call('HGET', KEYS[1], ARGV[1])
if old and ARGV[5] == '1' then return { 'taken' } end
if ARGV[3] == 'broadcaster' and redis.call('SISMEMBER', KEYS[2], ARGV[1]) == 0
  and redis.call('SCARD', KEYS[2]) >= tonumber(ARGV[4]) then
  return { 'full' }
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
if ARGV[3] == 'broadcaster' then redis.call('SADD', KEYS[2], ARGV[1]) else redis.call('SREM', KEYS[2], ARGV[1]) end
if old then return { 'ok', old } end
return { 'ok' }`;

/**
 * KEYS: members, seq, log, broadcasters. ARGV: uid, sessionId. Returns { removedJson, emptied }
 * ('1' when it was the last member: the channel's keys are gone), or nil.
 */
export const REMOVE_MEMBER = `
local old = redis.call('HGET', KEYS[1], ARGV[1])
if not old then return nil end
if cjson.decode(old).sessionId ~= ARGV[2] then return nil end
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('SREM', KEYS[4], ARGV[1])
if redis.call('HLEN', KEYS[1]) == 0 then
  redis.call('DEL', KEYS[2], KEYS[3], KEYS[4])
  return { old, '1' }
end
return { old, '0' }`;

/**
 * KEYS: members, broadcasters. ARGV: uid, sessionId, role, maxBroadcasters.
 * Returns { 'ok', updatedJson } or { 'gone' } or { 'full' }: the role change and the limit in one step.
 */
export const SET_ROLE = `
local old = redis.call('HGET', KEYS[1], ARGV[1])
if not old then return { 'gone' } end
local m = cjson.decode(old)
if m.sessionId ~= ARGV[2] then return { 'gone' } end
if ARGV[3] == 'broadcaster' and redis.call('SISMEMBER', KEYS[2], ARGV[1]) == 0
  and redis.call('SCARD', KEYS[2]) >= tonumber(ARGV[4]) then
  return { 'full' }
end
m.role = ARGV[3]
local updated = cjson.encode(m)
redis.call('HSET', KEYS[1], ARGV[1], updated)
if ARGV[3] == 'broadcaster' then redis.call('SADD', KEYS[2], ARGV[1]) else redis.call('SREM', KEYS[2], ARGV[1]) end
return { 'ok', updated }`;

/**
 * KEYS: seq, log, the channel's event topic, members. ARGV: refJson, eventJson, logLimit, publish
 * command ('PUBLISH', or 'SPUBLISH' on a cluster: the topic is in the channel's slot).
 * A channel with no members is left alone (nobody to tell; no keys re-created per unique name).
 * Numbers the event, appends it to the capped log and publishes it, in one step,
 * so every node watching the channel receives its events in seq order.
 */
export const PUBLISH_EVENT = `
if redis.call('EXISTS', KEYS[4]) == 0 then return 0 end
local seq = redis.call('INCR', KEYS[1])
redis.call('RPUSH', KEYS[2], '{"seq":' .. seq .. ',"event":' .. ARGV[2] .. '}')
redis.call('LTRIM', KEYS[2], -tonumber(ARGV[3]), -1)
redis.call(ARGV[4], KEYS[3], '{"kind":"channel_event","ref":' .. ARGV[1] .. ',"seq":' .. seq .. ',"event":' .. ARGV[2] .. '}')
return seq`;

/**
 * KEYS: seq, log, the channel's event topic, members, the sender's stream acks.
 * ARGV: refJson, eventJson, logLimit, epoch, sseq, ackTtlMs, publish command.
 * PUBLISH_EVENT with the sender's duplicate check in the same step. Returns { seq } when
 * published, { -1, last } for a duplicate, { 0 } when the channel has no members.
 */
export const PUBLISH_STREAM = `
if redis.call('EXISTS', KEYS[4]) == 0 then return { 0 } end
local last = tonumber(redis.call('HGET', KEYS[5], ARGV[4]) or '0')
if tonumber(ARGV[5]) <= last then return { -1, last } end
redis.call('HSET', KEYS[5], ARGV[4], ARGV[5])
redis.call('PEXPIRE', KEYS[5], ARGV[6])
local seq = redis.call('INCR', KEYS[1])
redis.call('RPUSH', KEYS[2], '{"seq":' .. seq .. ',"event":' .. ARGV[2] .. '}')
redis.call('LTRIM', KEYS[2], -tonumber(ARGV[3]), -1)
redis.call(ARGV[7], KEYS[3], '{"kind":"channel_event","ref":' .. ARGV[1] .. ',"seq":' .. seq .. ',"event":' .. ARGV[2] .. '}')
return { seq }`;

/** KEYS: members, seq. Returns { memberJsons, seq } read together. */
export const SNAPSHOT = `
return { redis.call('HVALS', KEYS[1]), redis.call('GET', KEYS[2]) or '0' }`;

/** KEYS: seq, log. Returns { seq, logItems }. */
export const READ_LOG = `
return { redis.call('GET', KEYS[1]) or '0', redis.call('LRANGE', KEYS[2], 0, -1) }`;

/**
 * KEYS: deadlines. ARGV: now, limit, sessionPrefix, nodePrefix.
 * Claims sessions whose deadline passed and whose node's heartbeat key is gone. The session and
 * heartbeat keys it builds share the deadlines' hash tag (`{node-wide}`), so on a cluster they are
 * in the deadlines' slot.
 */
export const CLAIM_ORPHANS = `
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
local out = {}
for _, id in ipairs(ids) do
  local s = redis.call('GET', ARGV[3] .. id)
  if not s then
    redis.call('ZREM', KEYS[1], id)
  else
    local node = cjson.decode(s).nodeId
    if redis.call('EXISTS', ARGV[4] .. node) == 0 then
      redis.call('ZREM', KEYS[1], id)
      table.insert(out, s)
    end
  end
end
return out`;

/** KEYS: seq. ARGV: atLeast. */
export const RAISE_SEQ = `
local cur = tonumber(redis.call('GET', KEYS[1]) or '0')
if cur < tonumber(ARGV[1]) then redis.call('SET', KEYS[1], ARGV[1]) end
return 0`;
