import { describe, expect, it } from 'vitest';
import { secretsEqual } from './auth.js';

describe('secretsEqual', () => {
  it('is true for equal strings only, whatever the lengths', () => {
    expect(secretsEqual('s3cret', 's3cret')).toBe(true);
    expect(secretsEqual('', '')).toBe(true);
    expect(secretsEqual('s3cret', 's3creT')).toBe(false);
    expect(secretsEqual('s3cret', 's3cre')).toBe(false);
    expect(secretsEqual('s3cret', 's3crett')).toBe(false);
    expect(secretsEqual('s3cret', '')).toBe(false);
    expect(secretsEqual('é', 'e\u0301')).toBe(false);
    expect(secretsEqual('x'.repeat(10_000), 'x'.repeat(10_000))).toBe(true);
  });
});
