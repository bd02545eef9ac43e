import type { ConsoleApp, ConsoleChannel, ConsoleSnapshot } from '@holdfast/server';

/** The feed's `delta` event (the server's ConsoleDelta): what changed since the last snapshot. */
export interface ConsoleDelta {
  node: string;
  now: number;
  pingIntervalMs: number;
  apps: Array<
    Omit<ConsoleApp, 'channels'> & { channels: ConsoleChannel[]; removed: string[]; order?: string[] }
  >;
}

/**
 * The snapshot after `delta`: each app's changed channels replaced (or added), removed ones
 * dropped, and the server's order when it sent one. Unchanged channels keep their objects.
 */
export function applyDelta(snapshot: ConsoleSnapshot, delta: ConsoleDelta): ConsoleSnapshot {
  const previous = new Map(snapshot.apps.map((a) => [a.appId, a]));
  const apps = delta.apps.map(({ channels: changed, removed, order, ...header }): ConsoleApp => {
    const old = previous.get(header.appId)?.channels ?? [];
    const byName = new Map(old.map((c) => [c.channel, c]));
    for (const c of changed) byName.set(c.channel, c);
    for (const name of removed) byName.delete(name);
    const channels = order
      ? order.flatMap((name) => byName.get(name) ?? [])
      : old.flatMap((c) => byName.get(c.channel) ?? []);
    return { ...header, channels };
  });
  return { node: delta.node, now: delta.now, pingIntervalMs: delta.pingIntervalMs, apps };
}
