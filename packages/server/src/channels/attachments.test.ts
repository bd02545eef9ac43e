import { describe, expect, it } from 'vitest';
import { Attachments } from './attachments.js';
import type { Attachment } from './live-session.js';

const t = (attachmentId: number) => ({ attachmentId }) as unknown as Attachment;

describe('Attachments', () => {
  it('keeps one transport by id, replaces it under the same id, forgets it on delete', () => {
    const a = new Attachments();
    expect(a.get(1)).toBeUndefined();
    const one = t(1);
    a.set(1, one);
    expect(a.get(1)).toBe(one);
    expect(a.get(2)).toBeUndefined();
    const again = t(1);
    a.set(1, again);
    expect(a.get(1)).toBe(again);
    expect(a.size).toBe(1);
    a.delete(2);
    expect(a.get(1)).toBe(again);
    a.delete(1);
    expect(a.get(1)).toBeUndefined();
    expect(a.size).toBe(0);
  });

  it('holds several during a resume, and either can go first', () => {
    for (const first of [1, 2]) {
      const a = new Attachments();
      const [x, y, z] = [t(1), t(2), t(3)];
      a.set(1, x);
      a.set(2, y);
      a.set(3, z);
      expect([a.get(1), a.get(2), a.get(3), a.size]).toEqual([x, y, z, 3]);
      a.delete(3);
      a.delete(first);
      const other = first === 1 ? 2 : 1;
      expect(a.get(first)).toBeUndefined();
      expect(a.get(other)).toBe(other === 1 ? x : y);
      expect(a.size).toBe(1);
      // Back to one: a new id joins it as before.
      a.set(4, z);
      expect([a.get(other), a.get(4), a.size]).toEqual([other === 1 ? x : y, z, 2]);
    }
  });
});
