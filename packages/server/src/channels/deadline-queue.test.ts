import { describe, expect, it } from 'vitest';
import { DeadlineQueue } from './deadline-queue.js';

describe('DeadlineQueue', () => {
  it('pops what is due, earliest first, and keeps the rest', () => {
    const q = new DeadlineQueue<string>();
    for (const [at, item] of [
      [50, 'e'],
      [10, 'a'],
      [30, 'c'],
      [20, 'b'],
      [40, 'd'],
    ] as const)
      q.push(at, item);
    expect(q.peek()).toBe(10);
    expect(q.popDue(5)).toEqual([]);
    expect(q.popDue(30)).toEqual(['a', 'b', 'c']);
    expect(q.size).toBe(2);
    expect(q.peek()).toBe(40);
    q.push(35, 'x');
    expect(q.popDue(100)).toEqual(['x', 'd', 'e']);
    expect(q.peek()).toBeUndefined();
  });

  it('orders 10,000 random due times like a sort (the same item may be queued twice)', () => {
    const q = new DeadlineQueue<number>();
    const times = Array.from({ length: 10_000 }, (_, i) => ({ at: Math.floor(Math.random() * 5000), i }));
    for (const t of times) q.push(t.at, t.i);
    q.push(times[0]!.at, times[0]!.i);
    const popped = q.popDue(5000);
    const byAt = popped.map((i) => times[i]!.at);
    expect(byAt).toEqual([...byAt].sort((a, b) => a - b));
    expect(popped).toHaveLength(10_001);
  });
});
