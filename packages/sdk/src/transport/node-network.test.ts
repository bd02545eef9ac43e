import { TestClock } from '@holdfast/protocol';
import { describe, expect, it } from 'vitest';
import { addressKey, type InterfacesFn, interfaceWatchSource } from './node-network.js';
import type { NetworkChange } from './types.js';

type Iface = { address: string; family: string; internal: boolean };
const lo: Iface = { address: '127.0.0.1', family: 'IPv4', internal: true };
const v4 = (address: string): Iface => ({ address, family: 'IPv4', internal: false });

function setup(initial: Record<string, Iface[]>) {
  const clock = new TestClock();
  let current = initial;
  const interfaces: InterfacesFn = () => current;
  const source = interfaceWatchSource({ interfaces, clock });
  const seen: NetworkChange[] = [];
  return {
    clock,
    seen,
    set: (next: Record<string, Iface[]>) => {
      current = next;
    },
    subscribe: () => source.subscribe((c) => seen.push(c)),
    source,
  };
}

describe('interfaceWatchSource', () => {
  it('reports `changed` at the next 2 s poll after the address set changes, and only then', () => {
    const t = setup({ lo: [lo], eth0: [v4('10.0.0.5')] });
    t.subscribe();
    t.clock.advance(10_000);
    expect(t.seen).toEqual([]);
    t.set({ lo: [lo], eth0: [v4('10.0.0.6')] });
    t.clock.advance(1999);
    expect(t.seen).toEqual([]);
    t.clock.advance(1);
    expect(t.seen).toEqual(['changed']);
    t.clock.advance(6000);
    expect(t.seen).toEqual(['changed']);
  });

  it('an interface appearing or disappearing is a change; loopback and ordering are not', () => {
    const t = setup({ eth0: [v4('10.0.0.5')] });
    t.subscribe();
    t.set({ eth0: [v4('10.0.0.5')], tun0: [v4('172.16.0.2')] });
    t.clock.advance(2000);
    expect(t.seen).toHaveLength(1);
    // Same addresses listed in another order, plus a loopback address: no change.
    t.set({
      tun0: [v4('172.16.0.2')],
      lo: [lo, { ...lo, address: '::1', family: 'IPv6' }],
      eth0: [v4('10.0.0.5')],
    });
    t.clock.advance(2000);
    expect(t.seen).toHaveLength(1);
    t.set({ lo: [lo] });
    t.clock.advance(2000);
    expect(t.seen).toHaveLength(2);
  });

  it('polls only while subscribed; one poller serves every subscriber', () => {
    const t = setup({ eth0: [v4('10.0.0.5')] });
    expect(t.clock.pendingTimers()).toBe(0);
    const a = t.subscribe();
    const b = t.subscribe();
    expect(t.clock.pendingTimers()).toBe(1);
    t.set({ eth0: [v4('10.0.0.9')] });
    t.clock.advance(2000);
    expect(t.seen).toEqual(['changed', 'changed']);
    a();
    expect(t.clock.pendingTimers()).toBe(1);
    b();
    b();
    expect(t.clock.pendingTimers()).toBe(0);
  });

  it('a change while nobody listened is not reported to the next subscriber', () => {
    const t = setup({ eth0: [v4('10.0.0.5')] });
    t.subscribe()();
    t.set({ eth0: [v4('10.0.0.6')] });
    t.subscribe();
    t.clock.advance(2000);
    expect(t.seen).toEqual([]);
  });

  it('an interfaces function that throws is treated as no change', () => {
    const clock = new TestClock();
    let fail = false;
    const source = interfaceWatchSource({
      clock,
      interfaces: () => {
        if (fail) throw new Error('EPERM');
        return { eth0: [v4('10.0.0.5')] };
      },
    });
    const seen: NetworkChange[] = [];
    source.subscribe((c) => seen.push(c));
    fail = true;
    clock.advance(4000);
    expect(seen).toEqual([]);
  });

  it('addressKey ignores internal addresses and undefined entries', () => {
    expect(addressKey({ lo: [lo], x: undefined, eth0: [v4('10.0.0.5')] })).toBe('IPv4/10.0.0.5');
  });
});
