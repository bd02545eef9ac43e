import { randomBytes } from 'node:crypto';
import { Listeners } from './listeners.js';
import type { Scripted } from './redis-commands.js';
import type { RedisKeys } from './redis-keys.js';
import { type SlotRange, shardEpochKeys } from './redis-shard-epochs.js';

/**
 * The Redis engine's epoch: a random value in Redis that this node remembers. If Redis restarts
 * empty, the key is gone (on a cluster, also a per-shard key this node saw before): a new epoch is
 * agreed and the reset listeners are told (every node then re-asserts the sessions and members it
 * holds).
 */
export class RedisEpoch {
  readonly #cmd: Scripted;
  readonly #k: RedisKeys;
  /** A cluster: the per-shard epoch keys are checked too. */
  readonly #sharded: boolean;
  readonly #resetListeners = new Listeners<[]>();
  #epoch = '';
  /** The epoch check in flight: the 'ready' event and connect() ask at once, and must not race. */
  #epochCheck: Promise<void> | undefined;
  /** A cluster: the per-shard epoch keys this node has seen hold the epoch (one missing later: that shard lost its data). */
  #shardEpochsSeen = new Set<string>();

  constructor(cmd: Scripted, k: RedisKeys, sharded: boolean) {
    this.#cmd = cmd;
    this.#k = k;
    this.#sharded = sharded;
  }

  onReset(listener: () => void): () => void {
    return this.#resetListeners.add(listener);
  }

  /** Drops the reset listeners (the engine is closing). */
  clear(): void {
    this.#resetListeners.clear();
  }

  /** A Redis that lost its data (restart without persistence) no longer has our epoch key. */
  check(): Promise<void> {
    this.#epochCheck ??= this.#readEpoch().finally(() => {
      this.#epochCheck = undefined;
    });
    return this.#epochCheck;
  }
  async #readEpoch(): Promise<void> {
    const key = this.#k.epoch;
    const current = await this.#cmd.get(key);
    if (current && current === this.#epoch) {
      if (this.#sharded) await this.#checkShardEpochs();
      return;
    }
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
    this.#shardEpochsSeen.clear();
    if (wasReset) this.#resetListeners.emit();
  }

  /**
   * A cluster: each master holds an epoch key too. One this node saw before that is gone means
   * that master restarted empty on its own: a new epoch for every node (each notices it changed
   * and re-asserts what it holds), then the keys are written again. Missing ones never seen (a
   * start, a new master) are just written.
   */
  async #checkShardEpochs(): Promise<void> {
    const ranges: SlotRange[] = await this.#cmd.cluster('SLOTS');
    const keys = shardEpochKeys(this.#k.prefix, ranges);
    const values = await Promise.all(keys.map((k) => this.#cmd.get(k)));
    if (keys.some((k, i) => values[i] === null && this.#shardEpochsSeen.has(k))) {
      const fresh = randomBytes(8).toString('hex');
      await this.#cmd.set(this.#k.epoch, fresh);
      this.#epoch = fresh;
      this.#shardEpochsSeen.clear();
      await Promise.all(keys.map((k) => this.#cmd.set(k, fresh)));
      for (const k of keys) this.#shardEpochsSeen.add(k);
      this.#resetListeners.emit();
      return;
    }
    await Promise.all(
      keys.map((k, i) => (values[i] === this.#epoch ? undefined : this.#cmd.set(k, this.#epoch))),
    );
    for (const k of keys) this.#shardEpochsSeen.add(k);
  }
}
