import { describe, expect, it } from 'vitest';
import { type ObservedEvent, Observer } from './observer.js';

const event = (uid: number): ObservedEvent => ({
  type: 'detached',
  at: uid,
  node: 'n',
  appId: 'a',
  channel: 'c',
  uid,
  sessionTag: `s${uid}`,
});

describe('Observer', () => {
  it('keeps exactly the most recent `keep` events, oldest first, however many went by', () => {
    const o = new Observer(3);
    expect(o.recent()).toEqual([]);
    for (let i = 1; i <= 2; i++) o.emit(event(i));
    expect(o.recent().map((e) => e.uid)).toEqual([1, 2]);
    for (let i = 3; i <= 17; i++) {
      o.emit(event(i));
      expect(o.recent().map((e) => e.uid)).toEqual([i - 2, i - 1, i]);
    }
  });

  it('a listener that throws breaks neither the server nor the other listeners', () => {
    const o = new Observer();
    const seen: number[] = [];
    o.subscribe(() => {
      throw new Error('bad listener');
    });
    const off = o.subscribe((e) => seen.push(e.uid));
    o.emit(event(1));
    off();
    o.emit(event(2));
    expect(seen).toEqual([1]);
  });
});
