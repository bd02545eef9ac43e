import { describe, expect, it } from 'vitest';
import { newSessionId } from './session-id.js';

describe('newSessionId', () => {
  it('is 16 base64url characters (12 random bytes)', () => {
    const id = newSessionId();
    expect(id).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect(Buffer.from(id, 'base64url')).toHaveLength(12);
  });

  it('never repeats across many pool refills', () => {
    const ids = new Set<string>();
    for (let i = 0; i < 5000; i++) ids.add(newSessionId());
    expect(ids.size).toBe(5000);
  });
});
