import type { ConsoleDelta, ConsoleSnapshot } from './types.js';

/** Each listed channel's JSON by app and channel name: what a delta is computed against. */
export type SnapshotIndex = Map<string, Map<string, string>>;

export function indexSnapshot(snapshot: ConsoleSnapshot): SnapshotIndex {
  const index: SnapshotIndex = new Map();
  for (const app of snapshot.apps)
    index.set(app.appId, new Map(app.channels.map((c) => [c.channel, JSON.stringify(c)])));
  return index;
}

/**
 * What changed from the snapshot indexed as `base` to `next`: channels new or different (compared
 * by their JSON), and the names of those gone. `next`'s index comes back for the following delta.
 */
export function diffSnapshots(
  base: SnapshotIndex,
  next: ConsoleSnapshot,
): { delta: ConsoleDelta; index: SnapshotIndex } {
  const index: SnapshotIndex = new Map();
  const apps: ConsoleDelta['apps'] = [];
  for (const app of next.apps) {
    const before = base.get(app.appId) ?? new Map<string, string>();
    const now = new Map<string, string>();
    const changed = [];
    for (const c of app.channels) {
      const json = JSON.stringify(c);
      now.set(c.channel, json);
      if (before.get(c.channel) !== json) changed.push(c);
    }
    const removed = [...before.keys()].filter((name) => !now.has(name));
    const added = app.channels.some((c) => !before.has(c.channel));
    index.set(app.appId, now);
    const { channels: all, ...header } = app;
    apps.push({
      ...header,
      channels: changed,
      removed,
      ...(added || removed.length > 0 ? { order: all.map((c) => c.channel) } : {}),
    });
  }
  return {
    delta: { node: next.node, now: next.now, pingIntervalMs: next.pingIntervalMs, apps },
    index,
  };
}
