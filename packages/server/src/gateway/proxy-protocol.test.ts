import { describe, expect, it } from 'vitest';
import { parseProxyHeader } from './proxy-protocol.js';

const SIG = Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a]);

function v2(command: number, family: number, addresses: Buffer): Buffer {
  const head = Buffer.alloc(4);
  head[0] = 0x20 | command;
  head[1] = family;
  head.writeUInt16BE(addresses.length, 2);
  return Buffer.concat([SIG, head, addresses]);
}

describe('parseProxyHeader', () => {
  it('reads v1 TCP4 / TCP6 / UNKNOWN lines and their length', () => {
    const line = 'PROXY TCP4 203.0.113.9 192.0.2.1 5555 7700\r\n';
    expect(parseProxyHeader(Buffer.from(`${line}GET / HTTP/1.1\r\n`))).toEqual({
      kind: 'ok',
      length: line.length,
      source: '203.0.113.9',
    });
    expect(parseProxyHeader(Buffer.from('PROXY TCP6 2001:db8::9 2001:db8::1 1 2\r\n'))).toMatchObject({
      kind: 'ok',
      source: '2001:db8::9',
    });
    expect(parseProxyHeader(Buffer.from('PROXY UNKNOWN\r\n'))).toEqual({
      kind: 'ok',
      length: 15,
      source: undefined,
    });
  });

  it('asks for more bytes for a partial header, v1 and v2', () => {
    for (const part of ['P', 'PROXY', 'PROXY TCP4 203.0.113.9 192.0.2.1 5555 77'])
      expect(parseProxyHeader(Buffer.from(part)), part).toEqual({ kind: 'incomplete' });
    expect(parseProxyHeader(SIG.subarray(0, 5))).toEqual({ kind: 'incomplete' });
    const full = v2(1, 0x11, Buffer.from([203, 0, 113, 9, 192, 0, 2, 1, 0x15, 0xb3, 0x1e, 0x14]));
    expect(parseProxyHeader(full.subarray(0, 20))).toEqual({ kind: 'incomplete' });
  });

  it('refuses what is not a PROXY header, with a reason', () => {
    const cases: Array<[string | Buffer, string]> = [
      ['GET / HTTP/1.1\r\n', 'the connection does not start with a PROXY protocol header'],
      ['PROXY TCP4 203.0.113.9 192.0.2.1 5555\r\n', 'malformed PROXY v1 line'],
      ['PROXY TCP4 2001:db8::9 192.0.2.1 1 2\r\n', 'malformed PROXY v1 line'],
      ['PROXY TCP4 203.0.113.9 192.0.2.1 5555 99999\r\n', 'malformed PROXY v1 line'],
      ['PROXY UDP4 203.0.113.9 192.0.2.1 1 2\r\n', 'malformed PROXY v1 line'],
      [`PROXY TCP4 ${'1'.repeat(120)}`, 'PROXY v1 line too long'],
      [Buffer.concat([SIG, Buffer.from([0x31, 0x11, 0, 0])]), 'unsupported PROXY protocol version'],
      [Buffer.concat([SIG, Buffer.from([0x2f, 0x11, 0, 0])]), 'unknown PROXY v2 command'],
      [Buffer.concat([SIG, Buffer.from([0x21, 0x11, 0xff, 0xff])]), 'PROXY v2 header too long'],
      [v2(1, 0x11, Buffer.alloc(4)), 'malformed PROXY v2 address block'],
    ];
    for (const [input, reason] of cases)
      expect(parseProxyHeader(Buffer.isBuffer(input) ? input : Buffer.from(input))).toEqual({
        kind: 'error',
        reason,
      });
  });

  it('reads v2 PROXY over TCP4 and TCP6, with TLVs after the addresses; LOCAL has no source', () => {
    const ipv4 = Buffer.from([203, 0, 113, 9, 192, 0, 2, 1, 0x15, 0xb3, 0x1e, 0x14]);
    const tlv = Buffer.from([0x04, 0x00, 0x01, 0x00]);
    expect(
      parseProxyHeader(Buffer.concat([v2(1, 0x11, Buffer.concat([ipv4, tlv])), Buffer.from('GET')])),
    ).toEqual({
      kind: 'ok',
      length: 16 + 16,
      source: '203.0.113.9',
    });
    const ipv6 = Buffer.alloc(36);
    Buffer.from('20010db8000000000000000000000009', 'hex').copy(ipv6, 0);
    expect(parseProxyHeader(v2(1, 0x21, ipv6))).toEqual({ kind: 'ok', length: 52, source: '2001:db8::9' });
    Buffer.from('20010db8000100000000000100000000', 'hex').copy(ipv6, 0);
    expect(parseProxyHeader(v2(1, 0x21, ipv6))).toMatchObject({ source: '2001:db8:1::1:0:0' });
    expect(parseProxyHeader(v2(0, 0x00, Buffer.alloc(0)))).toEqual({
      kind: 'ok',
      length: 16,
      source: undefined,
    });
  });
});
