import { type Clock, systemClock } from '@holdfast/protocol';
import type { NetworkChange, NetworkSource } from './types.js';

/** The shape of `os.networkInterfaces()`, reduced to what the watcher reads. */
export type InterfacesFn = () => Record<
  string,
  ReadonlyArray<{ address: string; family: string | number; internal: boolean }> | undefined
>;

export interface InterfaceWatchOptions {
  /** `os.networkInterfaces` in Node; injected in tests. */
  interfaces: InterfacesFn;
  clock?: Clock;
  /** How often to look. Default 2000 ms: Node has no interface-change event, so it is polled. */
  intervalMs?: number;
}

/** The non-internal addresses, as a canonical string: equal strings mean the same address set. */
export function addressKey(interfaces: ReturnType<InterfacesFn>): string {
  const out: string[] = [];
  for (const list of Object.values(interfaces))
    for (const a of list ?? []) if (!a.internal) out.push(`${a.family}/${a.address}`);
  return out.sort().join(',');
}

/**
 * A {@link NetworkSource} for Node: polls the interface list and reports `changed` when the
 * set of non-internal addresses differs from the last look (a new Wi-Fi, a VPN coming up, DHCP
 * handing out another address, the cable pulled). Loopback is ignored: it never carries the
 * connection to a remote server. One poller serves every subscriber and runs only while someone
 * listens; its timer is unref'd so an engine that was never released cannot keep Node alive.
 *
 * @example
 * import { networkInterfaces } from 'node:os';
 * engine.initialize({ appId, serverUrl, network: interfaceWatchSource({ interfaces: networkInterfaces }) });
 */
export function interfaceWatchSource(options: InterfaceWatchOptions): NetworkSource {
  const clock = options.clock ?? systemClock;
  const intervalMs = options.intervalMs ?? 2000;
  const listeners = new Set<(change: NetworkChange) => void>();
  let timer: unknown;
  let last = '';

  const read = (): string => {
    try {
      return addressKey(options.interfaces());
    } catch {
      // Some sandboxes refuse to list interfaces; treat that as "no change" rather than crash.
      return last;
    }
  };
  const schedule = () => {
    timer = clock.setTimeout(tick, intervalMs);
    (timer as { unref?: () => void }).unref?.();
  };
  const tick = () => {
    const now = read();
    const changed = now !== last;
    last = now;
    schedule();
    if (changed) for (const l of [...listeners]) l('changed');
  };

  return {
    subscribe(listener) {
      if (listeners.size === 0) {
        last = read();
        schedule();
      }
      listeners.add(listener);
      return () => {
        if (!listeners.delete(listener) || listeners.size > 0) return;
        clock.clearTimeout(timer as never);
        timer = undefined;
      };
    },
  };
}
