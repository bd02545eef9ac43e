import { describe, expect, it } from 'vitest';
import { clientAddress, normalizeAddress, parseForwardedEntry, TrustedProxies } from './client-address.js';

describe('TrustedProxies', () => {
  it('matches IPv4 addresses and CIDR blocks, and IPv4-mapped IPv6 peers as IPv4', () => {
    const t = new TrustedProxies(['10.0.0.0/8', '192.0.2.7']);
    expect(t.has('10.1.2.3')).toBe(true);
    expect(t.has('::ffff:10.1.2.3')).toBe(true);
    expect(t.has('::FFFF:10.1.2.3')).toBe(true);
    expect(t.has('192.0.2.7')).toBe(true);
    expect(t.has('192.0.2.8')).toBe(false);
    expect(t.has('11.0.0.1')).toBe(false);
    expect(t.has('::ffff:11.0.0.1')).toBe(false);
    expect(t.has('not an address')).toBe(false);
    expect(t.has('')).toBe(false);
  });

  it('matches IPv6 addresses and blocks; a mapped block is its IPv4 block', () => {
    const t = new TrustedProxies(['fd00::/8', '2001:db8::1', '::ffff:172.16.0.0/108']);
    expect(t.has('fd12:3456::1')).toBe(true);
    expect(t.has('2001:db8::1')).toBe(true);
    expect(t.has('2001:DB8:0:0:0:0:0:1')).toBe(true);
    expect(t.has('2001:db8::2')).toBe(false);
    expect(t.has('fe80::1')).toBe(false);
    // ::ffff:172.16.0.0/108 is 172.16.0.0/12.
    expect(t.has('172.31.255.255')).toBe(true);
    expect(t.has('172.32.0.0')).toBe(false);
    // IPv4 rules do not match unrelated IPv6 addresses.
    expect(new TrustedProxies(['0.0.0.0/0']).has('2001:db8::1')).toBe(false);
    expect(new TrustedProxies(['::/0']).has('2001:db8::1')).toBe(true);
  });

  it('refuses entries that are not an address or CIDR block, naming them', () => {
    for (const bad of [
      '10.0.0.0/33',
      'fd00::/129',
      'example.com',
      '10.0.0.0/',
      '10.0.0.0/8/1',
      '10.0.0.0/x',
      '',
    ])
      expect(() => new TrustedProxies([bad]), bad).toThrow(
        new TypeError(
          `trustedProxies: "${bad}" is not an IP address or CIDR block (e.g. 10.0.0.0/8, 192.0.2.7, fd00::/8)`,
        ),
      );
  });

  it('with no entries trusts nobody', () => {
    expect(new TrustedProxies().has('127.0.0.1')).toBe(false);
  });
});

describe('parseForwardedEntry / normalizeAddress', () => {
  it('reads addresses with or without ports and brackets; anything else is undefined', () => {
    expect(parseForwardedEntry(' 203.0.113.9 ')).toBe('203.0.113.9');
    expect(parseForwardedEntry('203.0.113.9:5678')).toBe('203.0.113.9');
    expect(parseForwardedEntry('2001:db8::9')).toBe('2001:db8::9');
    expect(parseForwardedEntry('[2001:DB8::9]:443')).toBe('2001:db8::9');
    expect(parseForwardedEntry('[2001:db8::9]')).toBe('2001:db8::9');
    expect(parseForwardedEntry('::ffff:203.0.113.9')).toBe('203.0.113.9');
    for (const bad of ['unknown', '', '_hidden', '203.0.113', '999.1.1.1', '1.2.3.4:abc', '[1.2.3.4'])
      expect(parseForwardedEntry(bad), bad).toBeUndefined();
  });

  it('normalizes mapped IPv4 and IPv6 case only', () => {
    expect(normalizeAddress('::ffff:127.0.0.1')).toBe('127.0.0.1');
    expect(normalizeAddress('2001:DB8::1')).toBe('2001:db8::1');
    expect(normalizeAddress('::ffff:7f00:1')).toBe('::ffff:7f00:1');
  });
});

describe('clientAddress', () => {
  const trusted = new TrustedProxies(['10.0.0.0/8', 'fd00::/8']);

  it("ignores an untrusted peer's X-Forwarded-For (a forged header changes nothing)", () => {
    expect(clientAddress('198.51.100.4', '203.0.113.9', trusted)).toBe('198.51.100.4');
    expect(clientAddress('::ffff:198.51.100.4', '203.0.113.9', trusted)).toBe('198.51.100.4');
    expect(clientAddress('198.51.100.4', undefined, trusted)).toBe('198.51.100.4');
  });

  it("takes the right-most untrusted entry from a trusted peer; the client's own entries are ignored", () => {
    expect(clientAddress('10.0.0.2', '203.0.113.9', trusted)).toBe('203.0.113.9');
    expect(clientAddress('::ffff:10.0.0.2', '203.0.113.9', trusted)).toBe('203.0.113.9');
    // The client wrote "1.1.1.1" itself; the proxy appended what it saw.
    expect(clientAddress('10.0.0.2', '1.1.1.1, 203.0.113.9', trusted)).toBe('203.0.113.9');
    // Two proxies: both trusted, skipped from the right.
    expect(clientAddress('10.0.0.2', '1.1.1.1, 203.0.113.9, 10.0.0.5', trusted)).toBe('203.0.113.9');
    expect(clientAddress('fd00::2', '2001:db8::77, fd00::9', trusted)).toBe('2001:db8::77');
    // Several headers are one list.
    expect(clientAddress('10.0.0.2', ['1.1.1.1', '203.0.113.9, 10.0.0.5'], trusted)).toBe('203.0.113.9');
    expect(clientAddress('10.0.0.2', '[2001:db8::5]:1234', trusted)).toBe('2001:db8::5');
  });

  it('every entry trusted: the left-most; a garbage entry stops at the hop that passed it on', () => {
    expect(clientAddress('10.0.0.2', '10.0.0.9, 10.0.0.5', trusted)).toBe('10.0.0.9');
    expect(clientAddress('10.0.0.2', 'unknown', trusted)).toBe('10.0.0.2');
    expect(clientAddress('10.0.0.2', '203.0.113.9, garbage, 10.0.0.5', trusted)).toBe('10.0.0.5');
    expect(clientAddress('10.0.0.2', '', trusted)).toBe('10.0.0.2');
  });
});
