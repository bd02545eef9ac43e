import { describe, expect, it } from 'vitest';
import { KeyframeThrottle } from './keyframe-throttle.js';

describe('KeyframeThrottle', () => {
  it('lets each requester ask once per interval, independently of the others', () => {
    const t = new KeyframeThrottle(500);
    expect(t.allow('sub-1', 1000)).toBe(true);
    expect(t.allow('sub-1', 1499)).toBe(false);
    // A second subscriber is not starved by the first one's requests.
    expect(t.allow('sub-2', 1499)).toBe(true);
    expect(t.allow('sub-1', 1500)).toBe(true);
  });

  it('forgets a requester that left', () => {
    const t = new KeyframeThrottle(500);
    t.allow('sub-1', 0);
    t.forget('sub-1');
    expect(t.size).toBe(0);
    expect(t.allow('sub-1', 1)).toBe(true);
  });
});
