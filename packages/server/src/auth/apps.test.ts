import { describe, expect, it } from 'vitest';
import { AppRegistry } from './apps.js';

describe('AppRegistry: development mode and tokens', () => {
  it('a development-mode app admits any token, and warns once per app that it did not check it', () => {
    const apps = new AppRegistry([{ appId: 'demo' }, { appId: 'other' }]);
    const warned: string[] = [];
    apps.onUncheckedToken = (appId) => warned.push(appId);
    expect(apps.authorize('demo', 'c', 1, undefined, 0)).toEqual({ ok: true });
    expect(warned).toEqual([]); // no token, nothing to warn about
    expect(apps.authorize('demo', 'c', 1, '007garbage', 0)).toEqual({ ok: true });
    expect(apps.authorize('demo', 'c', 2, '007more', 0)).toEqual({ ok: true });
    expect(apps.authorize('other', 'c', 1, 'x', 0)).toEqual({ ok: true });
    expect(warned).toEqual(['demo', 'other']);
  });

  it('an app with a certificate never warns: it checks, and says which check failed', () => {
    const apps = new AppRegistry([
      { appId: '0123456789abcdef0123456789abcdef', appCertificate: 'fedcba9876543210fedcba9876543210' },
    ]);
    const warned: string[] = [];
    apps.onUncheckedToken = (appId) => warned.push(appId);
    const r = apps.authorize('0123456789abcdef0123456789abcdef', 'c', 1, '007garbage', 0);
    expect(r).toMatchObject({ ok: false, code: 'invalid_token' });
    expect(r.ok === false && r.message).toMatch(/^malformed: /);
    expect(warned).toEqual([]);
  });
});
