import { describe, expect, it } from 'vitest';
import { classifyDialError } from './dial-error.js';

// The details are what `ws` 8 says (recorded from real attempts on Node 20).
describe('classifyDialError', () => {
  it('a refused port: nothing is listening — is the server running?', () => {
    const e = classifyDialError('ws://127.0.0.1:7799', 'connect ECONNREFUSED 127.0.0.1:7799');
    expect(e.kind).toBe('refused');
    expect(e.message).toBe('nothing is listening at ws://127.0.0.1:7799 — is the server running?');
  });

  it('no scheme, or a scheme that is not WebSocket', () => {
    for (const [url, detail] of [
      ['127.0.0.1:7700', 'Invalid URL: 127.0.0.1:7700'],
      [
        'localhost:7700',
        'The URL\'s protocol must be one of "ws:", "wss:", "http:", "https:", or "ws+unix:"',
      ],
      ['ftp://h:1', 'connection error'],
    ] as const) {
      const e = classifyDialError(url, detail);
      expect(e.kind).toBe('bad_url');
      expect(e.message).toContain(`"${url}" is not a WebSocket URL: write it as ws://host:port`);
    }
  });

  it('wss:// to a plain server: use ws://', () => {
    const detail =
      'write EPROTO 80FC2CD6B87F0000:error:0A00010B:SSL routines:ssl3_get_record:wrong version number';
    const e = classifyDialError('wss://127.0.0.1:7700', detail);
    expect(e.kind).toBe('tls_to_plain');
    expect(e.message).toContain('does not speak TLS');
    expect(e.message).toContain('use ws://');
    // The same words on ws:// are not a TLS mismatch.
    expect(classifyDialError('ws://127.0.0.1:7700', detail).kind).toBe('other');
  });

  it('an unknown host, an unreachable one, an HTTP answer, anything else', () => {
    expect(classifyDialError('ws://x.invalid:1', 'getaddrinfo ENOTFOUND x.invalid').kind).toBe('dns');
    expect(classifyDialError('ws://10.9.9.9:1', 'connect ETIMEDOUT 10.9.9.9:1').kind).toBe('unreachable');
    const http = classifyDialError('ws://127.0.0.1:80', 'Unexpected server response: 404');
    expect(http).toMatchObject({ kind: 'http', url: 'ws://127.0.0.1:80' });
    expect(http.message).toContain('answered HTTP 404');
    expect(classifyDialError('ws://h:1', '').message).toBe(
      'cannot connect to ws://h:1: the platform gave no reason',
    );
  });
});
