/**
 * Lua for the media-host claim of one channel (one key, so one Redis Cluster slot). The key holds
 * the host's node id and expires unless the host renews it.
 */

/** KEYS[1] host key; ARGV node id, ttl ms. Claims a free key or renews our own; returns the holder. */
export const CLAIM_MEDIA_HOST = `
local held = redis.call('GET', KEYS[1])
if held and held ~= ARGV[1] then return held end
redis.call('SET', KEYS[1], ARGV[1], 'PX', tonumber(ARGV[2]))
return ARGV[1]
`;

/** KEYS[1] host key; ARGV node id. Deletes the key only if this node holds it. */
export const RELEASE_MEDIA_HOST = `
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 0
`;
