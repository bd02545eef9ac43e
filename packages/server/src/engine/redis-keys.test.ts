import { describe, expect, it } from 'vitest';
import { RedisEngine } from './redis.js';
import { isClusterUrl, parseClusterUrl } from './redis-connect.js';
import { channelKey, channelTag, RedisKeys, RedisOptionsError } from './redis-keys.js';

const refused = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    if (err instanceof RedisOptionsError) return err.reason;
    throw err;
  }
  throw new Error('not refused');
};

describe('Redis key layout', () => {
  it("a channel's tag is its app and name percent-encoded: braces in names never end it early", () => {
    expect(channelTag({ appId: 'app', channel: 'room' })).toBe('{c:app:room}');
    expect(channelTag({ appId: 'app', channel: 'a}b{c' })).toBe('{c:app:a%7Db%7Bc}');
    expect(channelKey('hf:', { appId: 'a:b', channel: 'c' }, 'media-host')).toBe('hf:{c:a%3Ab:c}:media-host');
    // Names that concatenate alike stay apart.
    expect(channelTag({ appId: 'ab', channel: 'c' })).not.toBe(channelTag({ appId: 'a', channel: 'bc' }));
  });

  it('node-wide keys share the {node-wide} tag; the prefix comes first', () => {
    const k = new RedisKeys('x:');
    for (const key of [k.session('s1'), k.deadlines, k.node('n1'), k.epoch])
      expect(key.startsWith('x:{node-wide}:')).toBe(true);
    expect(`${k.sessionPrefix}s1`).toBe(k.session('s1'));
    expect(`${k.nodePrefix}n1`).toBe(k.node('n1'));
  });

  it('a prefix with a brace is refused (it would become the hash tag of every key)', async () => {
    expect(refused(() => new RedisKeys('hf{'))).toBe('bad_prefix');
    expect(refused(() => new RedisKeys('}'))).toBe('bad_prefix');
    await expect(RedisEngine.connect({ url: 'redis://127.0.0.1:1', prefix: '{x}' })).rejects.toMatchObject({
      reason: 'bad_prefix',
    });
  });
});

describe('redis+cluster:// URLs', () => {
  it('nodes, default port, IPv6, credentials', () => {
    expect(isClusterUrl('redis+cluster://a:1')).toBe(true);
    expect(isClusterUrl('REDIS+CLUSTER://a:1')).toBe(true);
    expect(isClusterUrl('redis://a:1')).toBe(false);
    expect(parseClusterUrl('redis+cluster://10.0.0.1:7000,redis-b,[::1]:7002/')).toEqual({
      nodes: [
        { host: '10.0.0.1', port: 7000 },
        { host: 'redis-b', port: 6379 },
        { host: '::1', port: 7002 },
      ],
    });
    expect(parseClusterUrl('redis+cluster://:p%40ss@h:1')).toEqual({
      nodes: [{ host: 'h', port: 1 }],
      password: 'p@ss',
    });
    expect(parseClusterUrl('redis+cluster://ops:pw@h:1,g:2')).toMatchObject({
      username: 'ops',
      password: 'pw',
    });
    expect(parseClusterUrl('redis+cluster://secret@h:1')).toMatchObject({ password: 'secret' });
  });

  it('refuses no node, a bad node, a db number, with a reason', async () => {
    expect(refused(() => parseClusterUrl('redis+cluster://'))).toBe('no_seeds');
    expect(refused(() => parseClusterUrl('redis+cluster://pw@'))).toBe('no_seeds');
    expect(refused(() => parseClusterUrl('redis+cluster://h:1,'))).toBe('bad_seed');
    expect(refused(() => parseClusterUrl('redis+cluster://h:99999'))).toBe('bad_seed');
    expect(refused(() => parseClusterUrl('redis+cluster://h:1/2'))).toBe('bad_seed');
    expect(refused(() => parseClusterUrl('redis+cluster://h:port'))).toBe('bad_seed');
    expect(refused(() => parseClusterUrl('redis://h:1'))).toBe('bad_seed');
    await expect(RedisEngine.connect({ url: 'redis+cluster://h:1/0' })).rejects.toMatchObject({
      reason: 'bad_seed',
    });
  });
});
