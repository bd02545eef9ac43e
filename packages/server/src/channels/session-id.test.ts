import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  hashResumeSecret,
  newResumeSecret,
  newSessionId,
  resumeSecretMatches,
  sessionTag,
} from './session-id.js';

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

describe('resume secrets (issue 16)', () => {
  it('are 32 base64url characters (192 random bits), never repeated, never the session id', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 5000; i++) {
      const id = newSessionId();
      const secret = newResumeSecret();
      expect(secret).toMatch(/^[A-Za-z0-9_-]{32}$/);
      expect(Buffer.from(secret, 'base64url')).toHaveLength(24);
      expect(secret).not.toContain(id);
      seen.add(secret);
    }
    expect(seen.size).toBe(5000);
  });

  it('are stored as their SHA-256 and match only themselves', () => {
    const secret = newResumeSecret();
    const stored = hashResumeSecret(secret);
    expect(stored).toBe(createHash('sha256').update(secret).digest('base64url'));
    expect(stored).not.toContain(secret);
    expect(resumeSecretMatches(stored, secret)).toBe(true);
    expect(resumeSecretMatches(stored, newResumeSecret())).toBe(false);
    expect(resumeSecretMatches(stored, `${secret}x`)).toBe(false);
    expect(resumeSecretMatches(stored, '')).toBe(false);
    // A record without a hash (none stored) matches nothing, and a mangled hash neither.
    expect(resumeSecretMatches(undefined, secret)).toBe(false);
    expect(resumeSecretMatches(stored.slice(0, 20), secret)).toBe(false);
  });
});

describe('sessionTag', () => {
  it('is the first 8 hex characters of the SHA-256 of the id, and does not contain the id', () => {
    const id = newSessionId();
    expect(sessionTag(id)).toBe(createHash('sha256').update(id).digest('hex').slice(0, 8));
    expect(sessionTag(id)).toMatch(/^[0-9a-f]{8}$/);
    expect(sessionTag(id)).toBe(sessionTag(id));
    expect(sessionTag(newSessionId())).not.toBe(sessionTag(id));
  });
});
