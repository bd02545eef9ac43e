import { describe, expect, it } from 'vitest';
import { modeLine, withoutCredentials } from './serve-notes.js';

describe("the banner's Redis", () => {
  it('shows one server or a cluster without its credentials', () => {
    expect(withoutCredentials('redis://user:secret@host:6379/0')).toBe('redis://host:6379/0');
    expect(withoutCredentials('redis+cluster://:s3cr@t@10.0.0.1:7000,10.0.0.2:7000')).toBe(
      'redis+cluster://10.0.0.1:7000,10.0.0.2:7000',
    );
    expect(withoutCredentials('redis+cluster://a:1,b:2')).toBe('redis+cluster://a:1,b:2');
    expect(withoutCredentials('not a url')).toBe('(set)');
    expect(modeLine({ apps: [], redis: 'redis+cluster://ops:pw@a:1,b:2' }, 'n1')).toBe(
      '  mode: cluster node n1 through Redis redis+cluster://a:1,b:2\n',
    );
  });
});
