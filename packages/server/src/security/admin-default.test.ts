import { describe, expect, it } from 'vitest';
import { effectiveAdmin, isLoopbackHost } from './admin-default.js';

describe('isLoopbackHost', () => {
  it('is true for localhost, 127/8 and ::1 only', () => {
    for (const h of ['localhost', 'LOCALHOST', '127.0.0.1', '127.1.2.3', '::1', '[::1]', '::ffff:127.0.0.1'])
      expect(isLoopbackHost(h), h).toBe(true);
    for (const h of [
      '0.0.0.0',
      '::',
      '',
      '10.0.0.1',
      '192.168.1.2',
      'example.com',
      '128.0.0.1',
      '::ffff:10.0.0.1',
    ])
      expect(isLoopbackHost(h), h).toBe(false);
  });
});

describe('effectiveAdmin', () => {
  const given = { customerId: 'ops', customerSecret: 's' };

  it('keeps configured credentials wherever the server listens', () => {
    expect(effectiveAdmin({ admin: given, host: '0.0.0.0', forwarded: true })).toEqual({
      admin: given,
      generated: false,
    });
  });

  it('leaves a loopback-only server without proxies open', () => {
    expect(effectiveAdmin({ host: '127.0.0.1', forwarded: false })).toEqual({
      admin: undefined,
      generated: false,
    });
  });

  it('generates credentials on a non-loopback host, or behind a trusted proxy on loopback', () => {
    for (const opts of [
      { host: '0.0.0.0', forwarded: false },
      { host: '::', forwarded: false },
      { host: '127.0.0.1', forwarded: true },
    ]) {
      const a = effectiveAdmin(opts);
      expect(a.generated).toBe(true);
      expect(a.admin?.customerId).toBe('admin');
      expect(a.admin?.customerSecret).toMatch(/^[A-Za-z0-9_-]{32}$/);
    }
    // A new secret each time.
    expect(effectiveAdmin({ host: '::', forwarded: false }).admin?.customerSecret).not.toBe(
      effectiveAdmin({ host: '::', forwarded: false }).admin?.customerSecret,
    );
  });
});
