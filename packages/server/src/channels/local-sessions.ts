import type { LiveSession } from './live-session.js';

/** The sessions this node holds, by id and by channel. */
export class LocalSessions {
  #byId = new Map<string, LiveSession>();
  #byChannel = new Map<string, Set<LiveSession>>();

  get size(): number {
    return this.#byId.size;
  }

  /** Channels with at least one session on this node. */
  get channelCount(): number {
    return this.#byChannel.size;
  }

  get(id: string): LiveSession | undefined {
    return this.#byId.get(id);
  }

  has(id: string): boolean {
    return this.#byId.has(id);
  }

  /** A snapshot: safe to iterate while sessions come and go. */
  all(): LiveSession[] {
    return [...this.#byId.values()];
  }

  /** Live view, no copy: for passes that neither add nor drop sessions while they iterate. */
  values(): IterableIterator<LiveSession> {
    return this.#byId.values();
  }

  inChannel(key: string): LiveSession[] {
    return [...(this.#byChannel.get(key) ?? [])];
  }

  /** Channel keys with at least one local session, each with one of its sessions. */
  channels(): Array<[string, LiveSession]> {
    const out: Array<[string, LiveSession]> = [];
    for (const [key, set] of this.#byChannel) {
      const first = set.values().next().value;
      if (first) out.push([key, first]);
    }
    return out;
  }

  /** Told of every session added (the sweeper puts it on its deadline queue). */
  onAdd: ((live: LiveSession) => void) | undefined;

  add(live: LiveSession): void {
    this.#byId.set(live.id, live);
    this.onAdd?.(live);
    let set = this.#byChannel.get(live.key);
    if (!set) {
      set = new Set();
      this.#byChannel.set(live.key, set);
    }
    set.add(live);
  }

  /** Removes the session; false when it was not here (someone else already removed it). */
  drop(live: LiveSession): boolean {
    if (!this.#byId.delete(live.id)) return false;
    const set = this.#byChannel.get(live.key);
    set?.delete(live);
    if (set?.size === 0) this.#byChannel.delete(live.key);
    return true;
  }

  clear(): void {
    this.#byId.clear();
    this.#byChannel.clear();
  }
}
