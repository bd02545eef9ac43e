import { describe, expect, it } from 'vitest';
import { crossSiteRefusal, OriginPolicy } from './origins.js';

describe('OriginPolicy', () => {
  const p = new OriginPolicy(['https://app.example.com', 'http://localhost:8080', 'https://*.example.org']);

  it('lets listed origins and requests without an Origin through', () => {
    expect(p.check('https://app.example.com')).toBeUndefined();
    expect(p.check('https://APP.example.com')).toBeUndefined();
    expect(p.check('https://app.example.com:443')).toBeUndefined();
    expect(p.check('http://localhost:8080')).toBeUndefined();
    expect(p.check('https://a.example.org')).toBeUndefined();
    expect(p.check('https://a.b.example.org')).toBeUndefined();
    expect(p.check(undefined)).toBeUndefined();
  });

  it('refuses any other origin with a reason naming it', () => {
    for (const o of [
      'https://evil.example',
      'http://app.example.com',
      'https://app.example.com:8443',
      'https://app.example.com.evil.example',
      'http://localhost:8081',
      'https://example.org',
      'https://evilexample.org',
      'http://a.example.org',
      'null',
      '',
      'garbage',
    ])
      expect(p.check(o), o).toBe(
        `origin ${JSON.stringify(o)} is not in this server's allowed origins (allowedOrigins, --allowed-origin)`,
      );
  });

  it('* allows every origin; an empty list allows none', () => {
    expect(new OriginPolicy(['*']).check('https://anything.example')).toBeUndefined();
    expect(new OriginPolicy([]).check('https://app.example.com')).toMatch(/not in this server's allowed/);
    expect(new OriginPolicy([]).check(undefined)).toBeUndefined();
  });

  it('refuses entries that are not origins, naming them', () => {
    for (const bad of [
      'app.example.com',
      'https://app.example.com/',
      'https://app.example.com/path',
      'https://',
      'https://*.',
      '*.example.com',
      'https://u@h.example',
    ])
      expect(() => new OriginPolicy([bad]), bad).toThrow(`allowedOrigins: "${bad}" is not an origin`);
  });
});

describe('crossSiteRefusal', () => {
  it('lets requests without an Origin, or from the same host and port, through', () => {
    expect(crossSiteRefusal(undefined, '127.0.0.1:7700')).toBeUndefined();
    expect(crossSiteRefusal('http://127.0.0.1:7700', '127.0.0.1:7700')).toBeUndefined();
    expect(crossSiteRefusal('https://Admin.Example.com', 'admin.example.com')).toBeUndefined();
  });

  it('refuses another host, another port, a null or malformed origin, or no Host', () => {
    for (const [origin, host] of [
      ['https://evil.example', '127.0.0.1:7700'],
      ['http://127.0.0.1:7701', '127.0.0.1:7700'],
      ['null', '127.0.0.1:7700'],
      ['garbage', '127.0.0.1:7700'],
      ['http://127.0.0.1:7700', undefined],
    ] as const)
      expect(crossSiteRefusal(origin, host), `${origin} ${host}`).toMatch(
        /^a request from the page .* is refused: the admin API only answers its own origin and non-browser clients$/,
      );
  });
});
