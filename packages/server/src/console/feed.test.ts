import { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { TestClock } from '@holdfast/protocol';
import { describe, expect, it } from 'vitest';
import type { ServerContext } from '../context.js';
import { Observer } from '../observe/observer.js';
import { ConsoleFeed } from './feed.js';

class FakeRes extends EventEmitter {
  status = 0;
  chunks: string[] = [];
  writableLength = 0;
  destroyed = false;
  writeHead(status: number) {
    this.status = status;
    return this;
  }
  write(chunk: string | Buffer) {
    this.chunks.push(chunk.toString());
    return true;
  }
  end(chunk?: string) {
    if (chunk) this.chunks.push(chunk);
  }
  destroy() {
    this.destroyed = true;
    this.emit('close');
  }
  text() {
    return this.chunks.join('');
  }
}

function setup(opts: Partial<ConstructorParameters<typeof ConsoleFeed>[1]> = {}) {
  const clock = new TestClock();
  const observer = new Observer();
  const ctx = {
    nodeId: 'n1',
    options: { apps: [] },
    apps: { list: () => [] },
    service: { localSessions: () => [] },
    observer,
    clock,
    log: { warn() {} },
  } as unknown as ServerContext;
  const feed = new ConsoleFeed(ctx, opts);
  const open = async () => {
    const req = new EventEmitter() as IncomingMessage;
    const res = new FakeRes();
    await feed.serve(req, res as unknown as ServerResponse);
    return res;
  };
  const emit = (uid: number) =>
    observer.emit({
      type: 'detached',
      at: clock.now(),
      node: 'n1',
      appId: 'a',
      channel: 'c',
      uid,
      sessionTag: 's',
    });
  return { clock, feed, open, emit };
}

const count = (text: string, event: string) => text.split(`event: ${event}\n`).length - 1;

describe('ConsoleFeed', () => {
  it('builds one snapshot per interval for all viewers and batches events into one write each', async () => {
    const { clock, feed, open, emit } = setup({ maxViewers: 100 });
    const viewers = await Promise.all(Array.from({ length: 50 }, () => open()));
    expect(feed.builds).toBe(1);
    for (let i = 0; i < 30; i++) emit(i);
    clock.advance(100);
    for (const v of viewers) {
      expect(count(v.text(), 'observed')).toBe(30);
      // retry line, hello, one batch.
      expect(v.chunks).toHaveLength(3);
    }
    for (let s = 0; s < 5; s++) {
      clock.advance(1000);
      await new Promise((resolve) => setImmediate(resolve));
    }
    // One build per interval, whatever the number of viewers.
    expect(feed.builds).toBeLessThanOrEqual(6);
    expect(count(viewers[0]!.text(), 'delta') + count(viewers[0]!.text(), 'snapshot')).toBeGreaterThanOrEqual(
      4,
    );
  });

  it('refuses viewers past the cap with 503 and stops all work when the last one leaves', async () => {
    const { clock, feed, open, emit } = setup({ maxViewers: 2 });
    const a = await open();
    const b = await open();
    const c = await open();
    expect([a.status, b.status, c.status]).toEqual([200, 200, 503]);
    expect(c.text()).toMatch(/too_many_viewers/);
    a.destroy();
    b.destroy();
    expect(feed.viewerCount).toBe(0);
    emit(1);
    clock.advance(10_000);
    expect(feed.builds).toBe(1);
  });

  it('caps one batch and says how many events were dropped', async () => {
    const { clock, open, emit } = setup({ maxEventsPerFlush: 10 });
    const v = await open();
    for (let i = 0; i < 25; i++) emit(i);
    clock.advance(100);
    expect(count(v.text(), 'observed')).toBe(10);
    expect(v.text()).toMatch(/event: dropped\ndata: \{"count":15\}/);
  });

  it('skips a viewer whose buffer is full, then drops it; the others carry on', async () => {
    const { clock, open, emit } = setup({ skipAboveBytes: 1000, maxSkips: 3, dropAboveBytes: 1e9 });
    const slow = await open();
    const fast = await open();
    slow.writableLength = 5000;
    for (let round = 0; round < 4; round++) {
      emit(round);
      clock.advance(100);
    }
    expect(count(slow.text(), 'observed')).toBe(0);
    expect(slow.destroyed).toBe(true);
    expect(count(fast.text(), 'observed')).toBe(4);
    const big = await open();
    big.writableLength = 2e9;
    emit(9);
    clock.advance(100);
    expect(big.destroyed).toBe(true);
  });
});

describe('ConsoleFeed deltas', () => {
  it('pushes deltas between whole snapshots, and the whole one to a viewer that missed a push', async () => {
    const { clock, open } = setup({ fullEvery: 3, skipAboveBytes: 1000, maxSkips: 100 });
    const fast = await open();
    const slow = await open();
    const tick = async () => {
      clock.advance(1000);
      await new Promise((resolve) => setImmediate(resolve));
    };
    await tick();
    await tick();
    expect(count(fast.text(), 'delta')).toBe(2);
    slow.writableLength = 5000;
    await tick(); // the 3rd push is a whole snapshot; slow is skipped
    expect(count(fast.text(), 'snapshot')).toBe(1);
    expect(count(slow.text(), 'snapshot')).toBe(0);
    slow.writableLength = 0;
    await tick(); // a delta for fast, the whole snapshot for slow (it missed one)
    expect(count(fast.text(), 'delta')).toBe(3);
    expect(count(slow.text(), 'snapshot')).toBe(1);
    await tick();
    expect(count(slow.text(), 'delta')).toBe(3);
  });
});
