/**
 * Per-shard epoch keys for a Redis Cluster: one key in a slot of each master, so a master that
 * restarts empty on its own (its channels' keys gone, the {node-wide} shard untouched) is noticed.
 */

/** CRC16-XMODEM of `bytes`, as Redis Cluster hashes keys. */
function crc16(bytes: Uint8Array): number {
  let crc = 0;
  for (const byte of bytes) {
    crc ^= byte << 8;
    for (let i = 0; i < 8; i++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}

/** The cluster slot of `key` (its `{hash tag}` when it has a non-empty one), as CLUSTER KEYSLOT. */
export function keySlot(key: string): number {
  const open = key.indexOf('{');
  const close = open >= 0 ? key.indexOf('}', open + 1) : -1;
  const hashed = close > open + 1 ? key.slice(open + 1, close) : key;
  return crc16(new TextEncoder().encode(hashed)) % 16_384;
}

/** A CLUSTER SLOTS row: first slot, last slot, then the master `[host, port, …]` and its replicas. */
export type SlotRange = readonly [number, number, ...(readonly [string, number, ...unknown[]])[]];

/**
 * One epoch key per master (`<prefix>{epoch-<i>}:epoch`, the first i whose slot that master
 * serves), in a stable order. The prefix may hold no braces (RedisKeys refuses them).
 */
export function shardEpochKeys(prefix: string, ranges: readonly SlotRange[]): string[] {
  const byMaster = new Map<string, Array<[number, number]>>();
  for (const [lo, hi, master] of ranges) {
    if (!master) continue;
    const id = `${master[0]}:${master[1]}`;
    byMaster.set(id, [...(byMaster.get(id) ?? []), [lo, hi]]);
  }
  const keys: string[] = [];
  for (const id of [...byMaster.keys()].sort()) {
    const owned = byMaster.get(id) ?? [];
    for (let i = 0; i < 1_000_000; i++) {
      const key = `${prefix}{epoch-${i}}:epoch`;
      const slot = keySlot(key);
      if (owned.some(([lo, hi]) => slot >= lo && slot <= hi)) {
        keys.push(key);
        break;
      }
    }
  }
  return keys;
}
